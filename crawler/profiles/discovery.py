"""Describe an AFPIMS (DNN ArticleCS) site from its own pages: no code per site.

Pure, like the parsers: a caller fetches the pages these functions ask for and hands them
back. The home page gives the candidates (its navigation, its RSS ``alternate`` links, the
article links it shows); each candidate page read gives evidence (the article links it
lists, grouped by their path before ``/Article/<id>/``, its heading, breadcrumb and the
``content-type-name`` of its items); ``decide`` turns the evidence into a profile, or a
reason when the site shows no release section. Every choice is kept as a note, so
``scrapy profile`` can print why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector

from crawler.kinds import RELEASE, kind_from_words
from crawler.parsers.text import normalize_space

from . import Feed, Section, SiteProfile

# An article link of the platform: ``<prefix>Article/<id>/``, any age (tabid forms too).
_ARTICLE = re.compile(
    r"^(?P<prefix>/(?:[^?#]*?/)?)(?:tabid/\d+/)?Article/(?P<id>\d+)(?:/|$)", re.IGNORECASE
)
_SKIPPED = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|zip|docx?|xlsx?|pptx?|mp4|mp3|ashx|axd|css|js)$|"
    r"^/(?:DesktopModules|Portals|Tag|Search|Login|Register)(?:/|$)|/Tag/",
    re.I,
)
# How many candidate pages a discovery reads (the home page's links can be hundreds).
MAX_CANDIDATES = 24
# A listing lists at least this many articles under one path.
MIN_LISTED = 2


class NoReleaseSection(ValueError):
    """The site shows no release section; the message says what was found instead."""


@dataclass(frozen=True)
class Link:
    path: str  # path and query on the site
    text: str  # what the link says (its text, or its title)


@dataclass
class Candidate:
    """A page that may be a section listing, and what pointed at it."""

    path: str
    labels: list[str] = field(default_factory=list)  # link texts that led here

    @property
    def hint(self) -> str | None:
        """The kind the links to it name, else the kind its path names."""
        for label in self.labels:
            kind = kind_from_words(label)
            if kind:
                return kind
        return kind_from_words(self.path)


@dataclass(frozen=True)
class Listing:
    """A page that lists articles: under which article path, how many, and what it says."""

    path: str
    article_path: str
    count: int
    kind: str | None
    why: str
    paged: bool


@dataclass(frozen=True)
class Discovery:
    profile: SiteProfile
    notes: list[str]


def site_id(url: str) -> str:
    """A profile id from a site URL: the host without ``www.``; a port is kept
    (``127.0.0.1-8080``) so two local mirrors are two sites."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}-{parts.port}" if parts.port else host


@dataclass(frozen=True)
class Home:
    """What the home page points at: section pages (release-like first), RSS feeds, and
    the site's name."""

    candidates: list[Candidate]
    feeds: list[tuple[Feed, str]]
    name: str | None


def read_home(url: str, text: str) -> Home:
    selector = Selector(text=text)
    links = _site_links(selector, url)
    candidates: dict[str, Candidate] = {}
    for link in links:
        if _ARTICLE.match(link.path) or _SKIPPED.search(link.path.split("?")[0]):
            continue
        path = link.path.split("#")[0]
        if path in ("", "/") or "?" in path:
            continue
        candidate = candidates.setdefault(path.lower(), Candidate(path))
        if link.text and link.text not in candidate.labels:
            candidate.labels.append(link.text)
    # Article links on the home page name their sections too: their paths are candidates.
    for link in links:
        match = _ARTICLE.match(link.path)
        if match:
            for parent in _parents(match.group("prefix")):
                candidates.setdefault(parent.lower(), Candidate(parent))
    ranked = sorted(candidates.values(), key=_rank)
    return Home(ranked[:MAX_CANDIDATES], feeds_of(selector, url), _site_name(selector))


def _site_name(selector: Selector) -> str | None:
    """The publisher as the site names itself: ``og:site_name``, else the home page title."""
    for value in (
        selector.css("meta[property='og:site_name']::attr(content)").get(),
        selector.css("title::text").get(),
    ):
        name = normalize_space(re.split(r"\s+[|>»–—-]\s+", value or "")[0])
        if name and name.lower() not in ("home", "homepage"):
            return name
    return None


def _publisher(name: str | None, host: str) -> str:
    return name or host.removeprefix("www.")


def _rank(candidate: Candidate) -> tuple[int, int]:
    """Release-like first, then other article kinds, then the rest; shallow paths first."""
    hint = candidate.hint
    order = 0 if hint == RELEASE else 1 if hint else 2
    return order, candidate.path.count("/")


def _parents(prefix: str) -> list[str]:
    """``/Media/Press-Releases/Article-View/`` -> its folders, deepest first, home excluded."""
    parts = [p for p in prefix.split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(len(parts), 0, -1)]


def feeds_of(selector: Selector, url: str) -> list[tuple[Feed, str]]:
    """ArticleCS RSS feeds the page announces, with the title that says what they carry."""
    found: list[tuple[Feed, str]] = []
    for node in selector.css("link[rel=alternate], a[href*='RSS.ashx'], a[href*='rss.ashx']"):
        href = node.attrib.get("href", "")
        parts = urlsplit(urljoin(url, href))
        if not parts.path.lower().endswith("/desktopmodules/articlecs/rss.ashx"):
            continue
        query = {k.lower(): v for k, v in parse_qsl(parts.query)}
        if not (query.get("contenttype", "").isdigit() and query.get("site", "").isdigit()):
            continue
        title = normalize_space(
            node.attrib.get("title", "") or " ".join(node.css("::text").getall())
        )
        feed = Feed(
            content_type=int(query["contenttype"]),
            site=int(query["site"]),
            category=query.get("category") or None,
            kind=kind_from_words(title),
        )
        if all(feed != other for other, _ in found):
            found.append((feed, title))
    return found


def read_listing(url: str, text: str, candidate: Candidate) -> Listing | None:
    """The articles a candidate page lists, under their most common article path; None
    when it lists fewer than two (an About page, a news story, a contact page)."""
    selector = Selector(text=text)
    articles: dict[str, set[str]] = {}  # article path (lower case) -> ids listed under it
    spelled: dict[str, str] = {}  # its first spelling on the page
    hrefs = [link.path for link in _site_links(selector, url, main_only=True)]
    hrefs += [
        urlsplit(urljoin(url, href)).path
        for href in selector.css("[article-url]::attr(article-url)").getall()
    ]
    for href in hrefs:
        match = _ARTICLE.match(href)
        if match:
            prefix = match.group("prefix")
            spelled.setdefault(prefix.lower(), prefix)
            articles.setdefault(prefix.lower(), set()).add(match.group("id"))
    if not articles:
        return None
    lowered = max(articles, key=lambda p: len(articles[p]))
    prefix, count = spelled[lowered], len(articles[lowered])
    if count < MIN_LISTED:
        return None
    kind, why = _listing_kind(selector, candidate, prefix)
    paged = bool(selector.css("a[href*='Page='], a[href*='page=']"))
    return Listing(candidate.path, f"{prefix}Article/", count, kind, why, paged)


def _listing_kind(selector: Selector, candidate: Candidate, prefix: str) -> tuple[str | None, str]:
    """The kind a listing holds: what its items say they are (``content-type-name``), then
    its heading, then the links that led to it, then its paths."""
    labels = selector.css("[content-type-name]::attr(content-type-name)").getall()
    labels += selector.css(".content-type-name ::text, .content-type ::text").getall()
    types = Counter(kind for name in labels if (kind := kind_from_words(name)))
    if types:
        kind = types.most_common(1)[0][0]
        return kind, f"its items' content-type-name say {kind}"
    for heading in _headings(selector):
        kind = kind_from_words(heading)
        if kind:
            return kind, f"its heading reads {heading!r}"
    for label in candidate.labels:
        kind = kind_from_words(label)
        if kind:
            return kind, f"the site's navigation calls it {label!r}"
    title = normalize_space(re.split(r"\s+[|>»–—-]\s+", selector.css("title::text").get() or "")[0])
    if kind_from_words(title):
        return kind_from_words(title), f"its title reads {title!r}"
    for what, text in (("path", candidate.path), ("article path", prefix)):
        kind = kind_from_words(text)
        if kind:
            return kind, f"its {what} {text!r} names {kind}"
    return None, "nothing on it names a kind"


def _headings(selector: Selector) -> list[str]:
    """The listing's own titles: the module's title, the content's first heading (never an
    item's title: a heading that holds an article link is an item), then the breadcrumb."""
    found = []
    for css in (
        ".DnnModule-ArticleCS .title",
        "[class*='ArticleCS'] h1",
        "main h1",
        "#content h1",
        "[class*='breadcrumb'] li:last-child",
        "[class*='breadcrumb'] a:last-of-type",
    ):
        for node in selector.css(css):
            if node.xpath(".//a[contains(translate(@href, 'ARTICLE', 'article'), '/article/')]"):
                continue
            text = normalize_space(" ".join(node.css("::text").getall()))
            if text and text.lower() not in ("home", "articlecs"):
                found.append(text)
            break
    return found


def decide(
    origin: str,
    site: str,
    home: Home,
    listings: list[Listing],
    kinds: tuple[str, ...] = (RELEASE,),
) -> Discovery:
    """A profile from what the pages showed: its release sections are its own (else, for a
    crawl that asks for other ``kinds``, the first of those it has); ``NoReleaseSection``
    when it has none of them.

    ``origin`` is the site's own origin (what records name); the pages may have been read
    from a mirror of it.
    """
    feeds, site_name = home.feeds, home.name
    notes: list[str] = []
    sections: dict[str, list[Listing]] = {}
    for listing in listings:
        if listing.kind is None:
            notes.append(
                f"{listing.path}: lists {listing.count} articles under {listing.article_path},"
                f" but {listing.why}; left alone"
            )
            continue
        notes.append(
            f"{listing.path}: {listing.kind} ({listing.why}); {listing.count} articles"
            f" under {listing.article_path}"
        )
        sections.setdefault(listing.kind, []).append(listing)
    sections = {kind: _one_per_path(found, notes) for kind, found in sections.items()}
    own = RELEASE if RELEASE in sections else next((k for k in kinds if k in sections), None)
    if own is None:
        found = ", ".join(f"{kind} at {ls[0].path}" for kind, ls in sections.items())
        asked = "release section" if kinds == (RELEASE,) else f"section of {', '.join(kinds)}"
        raise NoReleaseSection(
            f"no {asked} found" + (f" (found {found})" if found else " (no page lists articles)")
        )
    releases = sections.pop(own)
    others = [
        Section(
            kind=kind,
            article_paths=_unique(listing.article_path for listing in found),
            listings=_unique(listing.path for listing in found),
        )
        for kind, found in sections.items()
    ]
    for feed, title in feeds:
        said = f"its title names {feed.kind}" if feed.kind else "its title names no kind"
        notes.append(f"feed {feed.path()} ({title or 'untitled'}): {said}")
    host = (urlsplit(origin).hostname or "").lower()
    profile = SiteProfile(
        id=site,
        publisher=_publisher(site_name, host),
        platform="articlecs",
        origin=origin,
        hosts=_hosts(host),
        article_paths=_unique(listing.article_path for listing in releases),
        listings=_unique(listing.path for listing in releases),
        feeds=tuple(feed for feed, _ in feeds),
        kind=own,
        sections=tuple(others),
    )
    return Discovery(profile, notes)


def _one_per_path(listings: list[Listing], notes: list[str]) -> list[Listing]:
    """One listing per article path: a paged one with the most items (a hub page showing
    the latest three is not a listing to walk)."""
    best: dict[str, Listing] = {}
    for listing in listings:
        held = best.get(listing.article_path)
        if held is None or (listing.paged, listing.count) > (held.paged, held.count):
            best[listing.article_path] = listing
    for listing in listings:
        if best[listing.article_path] is not listing:
            notes.append(
                f"{listing.path}: also lists {listing.article_path}; "
                f"{best[listing.article_path].path} is walked instead"
            )
    return [listing for listing in listings if best[listing.article_path] is listing]


def _unique(items: object) -> tuple[str, ...]:
    seen: list[str] = []
    for item in items:  # type: ignore[attr-defined]
        if item not in seen:
            seen.append(item)
    return tuple(seen)


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host))


def _site_links(selector: Selector, url: str, main_only: bool = False) -> list[Link]:
    """Links to the page's own host, as paths, with what they say."""
    host = (urlsplit(url).hostname or "").lower()
    scope = selector
    if main_only:
        # A listing's own items, not the menu's or the footer's.
        for css in ("main", "#content", "[role=main]", "#dnn_ContentPane", "body"):
            found = selector.css(css)
            if found:
                scope = found[0]
                break
    links = []
    for node in scope.css("a[href]"):
        if main_only and node.xpath("ancestor::nav | ancestor::header | ancestor::footer"):
            continue
        parts = urlsplit(urljoin(url, node.attrib["href"].strip()))
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != host:
            continue
        text = normalize_space(" ".join(node.css("::text").getall())) or node.attrib.get(
            "title", ""
        )
        path = re.sub(r"/{2,}", "/", parts.path or "/")
        links.append(Link(path + (f"?{parts.query}" if parts.query else ""), text))
    return links


def provisional_profile(origin: str) -> SiteProfile:
    """The profile of a site before its pages were read: its id, origin and hosts only."""
    host = (urlsplit(origin).hostname or "").lower()
    bare = host.removeprefix("www.")
    return SiteProfile(
        id=site_id(origin),
        publisher=bare,
        platform="articlecs",
        origin=origin,
        hosts=_hosts(host),
        article_paths=("/Article/",),
    )


def _hosts(host: str) -> tuple[str, ...]:
    bare = host.removeprefix("www.")
    if _is_ip(bare) or "." not in bare:
        return (host,)
    return _unique((host, bare, f"www.{bare}"))
