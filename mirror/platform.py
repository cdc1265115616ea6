"""AFPIMS sites beyond the four bundled ones: two named (centcom, indopacom) and three that
no profile describes, each with its release section at a path no rule guesses.

The unnamed sites are what ``scrapy crawl afpims -a site=ORIGIN`` must find on its own: a
home page with navigation, a release listing, a news listing (left alone by default), a
leadership page linking biographies, About and Contact pages; one site has no release
section at all. Releases are made from the bundled English content (new ids, numbers and
dates), deterministic like the rest of the mirror.
"""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

from crawler.profiles import Feed, SiteProfile, get_profile

from .pages import page_sites
from .site import OK, MirrorRelease, MirrorSite

_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.")


def _content(bundled: dict[str, MirrorSite]) -> list[MirrorRelease]:
    """English releases and stories to dress the sites in (no translation, no print file)."""
    models = [
        r
        for site in ("wargov", "afmil", "usfj")
        for r in bundled[site].releases
        if r.status == OK and not r.print_file and all(p.isascii() for p in r.paragraphs)
    ]
    return models or [r for r in bundled["wargov"].releases if r.status == OK]


def _made(
    models: list[MirrorRelease],
    count: int,
    first_id: int,
    start: int,
    number: str | None,
    byline: bool,
    dateline: str | None,
) -> list[MirrorRelease]:
    """``count`` releases from ``models`` (starting at ``start``): ids down from
    ``first_id``, dates down from Oct. 2025, numbers ``number % n`` when given."""
    made = []
    for index in range(count):
        model = models[(start + index) % len(models)]
        article_id = first_id - index * 7
        month = _MONTHS[(9 - index // 3) % len(_MONTHS)]
        made.append(
            replace(
                model,
                id=article_id,
                slug=f"{model.slug[:50]}-{article_id}",
                title=f"{model.title.rstrip('.')} ({article_id})",
                number=(number % (count - index)) if number else None,
                date=f"{month} {28 - index % 3 * 9}, 2025",
                time=None,
                dateline=dateline if dateline is not None else model.dateline,
                byline=model.byline if byline else None,
                images=[],
                pinned=False,
                dateline_paragraph=False,
            )
        )
    return made


def _profile(
    site_id: str, host: str, name: str, article_path: str, listing: str, kind: str = "release"
) -> SiteProfile:
    return SiteProfile(
        id=site_id,
        publisher=name,
        platform="articlecs",
        origin=f"https://{host}",
        hosts=(host, host.removeprefix("www.")),
        article_paths=(article_path,),
        listings=(listing,),
        kind=kind,
    )


def _section(
    parent: SiteProfile,
    site_id: str,
    article_path: str,
    listing: str,
    releases: list[MirrorRelease],
    heading: str,
    page_size: int,
    **extra: object,
) -> MirrorSite:
    profile = replace(parent, id=site_id, article_paths=(article_path,), listings=(listing,))
    site = MirrorSite(profile, releases=releases, page_size=page_size, heading=heading)
    for name, value in extra.items():
        setattr(site, name, value)
    return site


def platform_sites(bundled: dict[str, MirrorSite], page_size: int) -> dict[str, MirrorSite]:
    models = _content(bundled)
    sites: dict[str, MirrorSite] = {}

    # Named: CENTCOM press releases, INDOPACOM news (profiles in crawler/profiles).
    centcom = MirrorSite(get_profile("centcom"), page_size=page_size, item_style="centcom")
    centcom.releases = _made(models, 9, 4016900, 0, None, False, "TAMPA, Fla.")
    sites["centcom"] = centcom
    indopacom = MirrorSite(get_profile("indopacom"), page_size=page_size, item_style="indopacom")
    indopacom.releases = _made(models, 8, 4012800, 3, None, True, "CAMP H.M. SMITH, Hawaii")
    sites["indopacom"] = indopacom

    # Unnamed 1: releases as "Official Notices" (the menu says Press Releases), numbered.
    host = "www.dla.mil"
    profile = _profile(
        "platform-dla",
        host,
        "Defense Logistics Agency",
        "/Newsroom/Official-Notices/Notice/Article/",
        "/Newsroom/Official-Notices/",
    )
    dla = MirrorSite(
        profile,
        releases=_made(models, 12, 4221500, 1, "DLA-25-%03d", False, "FORT BELVOIR, Va."),
        page_size=page_size,
        heading="Official Notices",
        featured=3,
        item_style="platform-a",
    )
    dla.nav = [
        ("Home", "/"),
        ("About", "/About/"),
        ("Leadership", "/About/Leadership/"),
        ("News", "/Newsroom/Top-Stories/"),
        ("Press Releases", "/Newsroom/Official-Notices/"),
        ("Contact Us", "/Contact/"),
    ]
    dla.siblings = [
        _section(
            profile,
            "platform-dla-news",
            "/Newsroom/Top-Stories/Story/Article/",
            "/Newsroom/Top-Stories/",
            _made(models, 7, 4221900, 5, None, True, None),
            "Top Stories",
            page_size,
            featured=2,
            item_style="platform-a",
            skin="display",
        ),
        _section(
            profile,
            "platform-dla-bios",
            "/About/Leadership/Bio/Article/",
            "/About/Leadership/",
            _made(models, 3, 4100300, 2, None, False, None),
            "Leadership",
            page_size,
            item_style="platform-a",
        ),
    ]
    dla.pages_by_path = {
        "/About/": "<p>The agency supplies the armed services with food, fuel and parts.</p>",
        "/Contact/": "<p>Public Affairs: 703-555-0100, public.affairs@example.mil</p>",
    }
    sites["platform-dla"] = dla

    # Unnamed 2: releases under "Bulletins", reached from the home page's latest items and
    # a Newsroom hub; the listing's module title says what they are. Date only, no number.
    host = "www.dtra.mil"
    profile = _profile(
        "platform-dtra",
        host,
        "Defense Threat Reduction Agency",
        "/Info/Bulletins/Bulletin/Article/",
        "/Info/Bulletins/",
    )
    profile = replace(profile, feeds=(Feed(content_type=9, site=1181),))
    dtra = MirrorSite(
        profile,
        releases=_made(models, 8, 4330200, 4, None, False, "FORT BELVOIR, Va."),
        page_size=page_size,
        heading="News Releases",
        featured=3,
        item_style="platform-b",
    )
    dtra.nav = [("Home", "/"), ("Newsroom", "/Info/"), ("Mission", "/Mission/")]
    dtra.siblings = [
        _section(
            profile,
            "platform-dtra-news",
            "/Info/Dispatches/Dispatch/Article/",
            "/Info/Dispatches/",
            _made(models, 6, 4330900, 7, None, True, None),
            "Feature Stories",
            page_size,
            featured=3,
            item_style="platform-b",
        ),
    ]
    dtra.pages_by_path = {
        "/Mission/": "<p>The agency counters weapons of mass destruction and threats.</p>",
    }
    sites["platform-dtra"] = dtra

    # Unnamed 3: news and an About page, no release section: a crawl must refuse it.
    host = "www.usagtest.army.mil"
    profile = _profile(
        "platform-garrison",
        host,
        "U.S. Army Garrison Example",
        "/Media/Stories/Article/",
        "/Media/Stories/",
        kind="news",
    )
    garrison = MirrorSite(
        profile,
        releases=_made(models, 6, 4440100, 2, None, True, None),
        page_size=page_size,
        heading="Garrison Stories",
        featured=2,
        item_style="platform-b",
        skin="display",
    )
    garrison.nav = [("Home", "/"), ("Stories", "/Media/Stories/"), ("About", "/About/")]
    garrison.pages_by_path = {"/About/": "<p>The garrison supports Soldiers and families.</p>"}
    sites["platform-garrison"] = garrison

    # Unnamed 4: the release section hangs under a landing page ("Media" > "Press
    # Releases"): neither the home page's menu nor its latest items link it.
    host = "www.dcsa.mil"
    profile = _profile(
        "platform-dcsa",
        host,
        "Defense Counterintelligence and Security Agency",
        "/Media-Center/Desk/Item/Article/",
        "/Media-Center/Desk/",
    )
    dcsa = MirrorSite(
        profile,
        releases=_made(models, 7, 4550700, 6, "DCSA-%02d", False, "QUANTICO, Va."),
        page_size=page_size,
        heading="Press Releases",
        item_style="platform-a",
    )
    dcsa.nav = [("Home", "/"), ("Media", "/Media-Center/"), ("Careers", "/Careers/")]
    dcsa.pages_by_path = {
        "/Media-Center/": (
            '<ul class="landing"><li><a href="/Media-Center/Desk/">Press Releases</a></li>'
            '<li><a href="/Media-Center/Gallery/">Photo Gallery</a></li></ul>'
        ),
        "/Careers/": "<p>Join the agency.</p>",
    }
    sites["platform-dcsa"] = dcsa
    sites["ukmod"] = govuk_site()
    sites.update(page_sites())
    return sites


def govuk_site() -> MirrorSite:
    """The MoD on GOV.UK: Content API documents and the Atom feed that lists them."""
    site = MirrorSite(get_profile("ukmod"))
    folder = resources.files("mirror").joinpath("content", "govuk")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            body = entry.read_bytes()
            site.documents[json.loads(body)["base_path"]] = body
    return site
