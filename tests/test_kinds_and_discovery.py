"""The kind vocabulary, profiles as TOML, and site discovery on pages given by hand."""

from __future__ import annotations

import tomllib

import pytest

from crawler.kinds import KINDS, kind_from_words, parse_kinds
from crawler.profiles import all_profiles, profile_from_toml
from crawler.profiles.discovery import (
    Candidate,
    NoReleaseSection,
    decide,
    read_home,
    read_listing,
    site_id,
)
from crawler.profiles.toml import profile_toml


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("/Media/Press-Releases/Article-View/Article/", "release"),
        ("News Releases", "release"),
        ("/News/Releases/Release/Article/", "release"),
        ("/News/Article-Display/Article/", "news"),
        ("/Media/News-Stories/Article/", "news"),
        ("/News/Commentaries/Display/Article/", "commentary"),
        ("/News/Speeches/Speech/Article/", "speech"),
        ("/News/Transcripts/Transcript/Article/", "transcript"),
        ("Official Statements", "statement"),
        ("/About-Us/Fact-Sheets/Display/Article/", "fact_sheet"),
        ("/About/Leadership/Bio/Article/", "biography"),
        ("/News/Contracts/Contract/Article/", "contract"),
        ("Media Advisories", "advisory"),
        ("Feature Stories", "feature"),
        ("Stories", "news"),
        ("Top Stories", "news"),
        ("/Newsroom/Official-Notices/", None),
        ("/Article/", None),
        ("", None),
    ],
)
def test_section_names_map_to_the_vocabulary(words: str, kind: str | None) -> None:
    assert kind_from_words(words) == kind


def test_kinds_argument() -> None:
    assert parse_kinds("") is None
    assert parse_kinds("all") == KINDS
    assert parse_kinds("Release, fact-sheet,release") == ("release", "fact_sheet")
    with pytest.raises(ValueError, match="unknown kind 'stories'"):
        parse_kinds("release,stories")


@pytest.mark.parametrize("site", sorted(all_profiles()))
def test_every_bundled_profile_survives_its_toml(site: str) -> None:
    profile = all_profiles()[site]
    assert profile_from_toml(tomllib.loads(profile_toml(profile, ["a note"]))) == profile


_HOME = """<html><head><title>Defense Widget Agency | Home</title>
<link rel="alternate" type="application/rss+xml" title="Announcements"
 href="/DesktopModules/ArticleCS/RSS.ashx?ContentType=9&amp;Site=77&amp;max=20" /></head>
<body><nav><a href="/">Home</a><a href="/What-We-Do/">What We Do</a>
<a href="/Info/Desk/">Press Releases</a><a href="/Info/Wire/">Newsroom</a>
<a href="/Portals/77/doc.pdf">Report</a><a href="https://www.army.mil/">Army</a></nav>
<main><a href="/Info/Desk/Item/Article/101/first/">First</a></main></body></html>"""


def _listing(prefix: str, heading: str, count: int, paged: bool) -> str:
    items = "".join(
        f'<div class="item"><a href="{prefix}Article/{200 + n}/slug-{n}/">Item {n}</a></div>'
        for n in range(count)
    )
    pager = '<a href="?Page=2">2</a>' if paged else ""
    return f"<html><body><main><h1>{heading}</h1>{items}{pager}</main></body></html>"


def test_discovery_finds_the_release_section_by_what_the_site_calls_it() -> None:
    origin = "https://www.widget.mil"
    home = read_home(origin + "/", _HOME)
    paths = [c.path for c in home.candidates]
    assert paths[0] == "/Info/Desk/"  # release-like first
    assert "/Portals/77/doc.pdf" not in paths and all("army" not in p for p in paths)
    assert home.name == "Defense Widget Agency"
    ((feed, title),) = home.feeds
    assert (feed.content_type, feed.site, feed.kind, title) == (9, 77, "release", "Announcements")
    desk = next(c for c in home.candidates if c.path == "/Info/Desk/")
    wire = next(c for c in home.candidates if c.path == "/Info/Wire/")
    releases = read_listing(
        origin + "/Info/Desk/", _listing("/Info/Desk/Item/", "Desk", 5, True), desk
    )
    stories = read_listing(
        origin + "/Info/Wire/", _listing("/Info/Wire/Story/", "Feature Stories", 4, True), wire
    )
    assert releases is not None and stories is not None
    assert (releases.kind, releases.article_path, releases.paged) == (
        "release",
        "/Info/Desk/Item/Article/",
        True,
    )
    assert "navigation calls it 'Press Releases'" in releases.why
    assert stories.kind == "feature"
    about = read_listing(origin + "/What-We-Do/", "<p>We make widgets.</p>", Candidate("/x/"))
    assert about is None
    found = decide(origin, site_id(origin), home, [releases, stories])
    profile = found.profile
    assert (profile.id, profile.publisher, profile.kind) == (
        "widget.mil",
        "Defense Widget Agency",
        "release",
    )
    assert profile.listings == ("/Info/Desk/",)
    assert profile.article_paths == ("/Info/Desk/Item/Article/",)
    assert [(s.kind, s.listings) for s in profile.sections] == [("feature", ("/Info/Wire/",))]
    assert profile.article_key(origin + "/Info/Desk/Item/Article/203/x/") == (
        "203",
        "x",
        "/Info/Desk/Item/Article/",
        "release",
    )
    assert any("Press Releases" in note for note in found.notes)


def test_a_hub_page_is_not_walked_when_a_paged_listing_holds_the_same_articles() -> None:
    origin = "https://www.widget.mil"
    home = read_home(origin + "/", _HOME)
    hub = read_listing(
        origin + "/Info/",
        _listing("/Info/Desk/Item/", "Press Releases", 3, False),
        Candidate("/Info/"),
    )
    desk = read_listing(
        origin + "/Info/Desk/", _listing("/Info/Desk/Item/", "Desk", 5, True), home.candidates[0]
    )
    assert hub is not None and desk is not None
    profile = decide(origin, "widget.mil", home, [hub, desk]).profile
    assert profile.listings == ("/Info/Desk/",)


def test_a_site_without_releases_says_what_it_has() -> None:
    origin = "http://127.0.0.1:8123"
    home = read_home(origin + "/", _HOME)
    wire = next(c for c in home.candidates if c.path == "/Info/Wire/")
    stories = read_listing(
        origin + "/Info/Wire/", _listing("/Info/Wire/Story/", "Our Stories", 4, True), wire
    )
    assert stories is not None
    with pytest.raises(NoReleaseSection, match=r"found news at /Info/Wire/"):
        decide(origin, site_id(origin), home, [stories])
    with pytest.raises(NoReleaseSection, match="no page lists articles"):
        decide(origin, site_id(origin), home, [])
    assert site_id(origin) == "127.0.0.1-8123"


def test_an_items_title_never_names_the_section() -> None:
    """Found by an outside check: a release titled "... Fuel Contract" first in the list
    made the whole section "contract"; the items' own labels and the page heading decide."""
    items = "".join(
        f'<div class="item"><h1><a href="/Media/Releases-and-Advisories/Article/{300 + n}/x/">'
        f"{'DLCP Awards $42 Million Fuel Contract' if n == 0 else f'Release {n}'}</a></h1>"
        f'<span class="content-type-name">Press Release</span></div>'
        for n in range(4)
    )
    page = f"<html><body><main><h1>Releases and Advisories</h1>{items}</main></body></html>"
    listing = read_listing(
        "https://www.x.mil/Media/Releases-and-Advisories/", page, Candidate("/Media/", ["Media"])
    )
    assert listing is not None
    assert (listing.kind, listing.count) == ("release", 4)
    assert "content-type-name" in listing.why


def test_a_crawl_asking_for_other_kinds_takes_a_site_without_releases() -> None:
    origin = "https://www.widget.mil"
    home = read_home(origin + "/", _HOME)
    wire = next(c for c in home.candidates if c.path == "/Info/Wire/")
    stories = read_listing(
        origin + "/Info/Wire/", _listing("/Info/Wire/Story/", "Our Stories", 4, True), wire
    )
    assert stories is not None
    profile = decide(origin, "widget.mil", home, [stories], ("release", "news")).profile
    assert (profile.kind, profile.listings) == ("news", ("/Info/Wire/",))
    with pytest.raises(NoReleaseSection, match=r"no section of release, feature found"):
        decide(origin, "widget.mil", home, [stories], ("release", "feature"))


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("REAR ADMIRAL JOHN DOE", "biography"),
        ("COMMAND SERGEANT MAJOR JANE ROE", "biography"),
        ("Chief Master Sgt. Kaleth Wright", "biography"),
        ("THE HONORABLE JOHN SMITH", "biography"),
        ("C-17 Globemaster III", "fact_sheet"),
        ("Major Commands", "fact_sheet"),
    ],
)
def test_a_reference_page_is_a_biography_when_its_title_names_a_person(
    title: str, kind: str
) -> None:
    from crawler.parsers.kind import reference_kind

    assert reference_kind(["Text.", "(Current as of May 2016)"], title) == kind
