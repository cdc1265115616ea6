"""Site profiles: everything that differs between publishers on one platform, as data.

A profile is one TOML file in this folder. Spiders and parsers are generic per platform and
read what they need from the profile (hosts, article URL prefixes, listing selectors, feeds,
languages). Nothing here imports Scrapy, so the parsers can use it offline.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from crawler.kinds import kind_from_words

_ARTICLE_TAIL = re.compile(r"(?P<id>\d+)(?:/(?P<slug>[^/?#]+))?")
# Any ArticleCS article path, of any age: ``<prefix>[tabid/N/]Article/<id>[/slug[.aspx]]``.
_ANY_ARTICLE = re.compile(
    r"^(?P<prefix>.*?/)(?:tabid/\d+/)?Article/(?P<id>\d+)(?:/(?P<slug>[^/?#]+))?/?$",
    re.IGNORECASE,
)
_PRINT_VIEW = re.compile(r"/DesktopModules/ArticleCS/Print\.aspx$", re.IGNORECASE)
# A GOV.UK item: its Content API path, or its public page's (news and communications).
_GOVUK_ITEM = re.compile(
    r"^/(?:api/content/(?P<api>[^?#]+?)|(?P<page>government/[a-z-]+/[^/?#]+))/?$"
)
# DNN serves a portal's pages under ``/Portals/<n>/`` too; older links carry it.
_PORTAL_PREFIX = re.compile(r"^/Portals/\d+(?=/)", re.IGNORECASE)


class ArticleKey(NamedTuple):
    """One article of a site: its id, the slug the link carried, its article path and the
    kind its URL names (None when the URL does not say: a print view of an unknown module)."""

    id: str
    slug: str | None
    path: str
    kind: str | None = None


@dataclass(frozen=True)
class Feed:
    """An ArticleCS RSS feed (``/DesktopModules/ArticleCS/RSS.ashx``)."""

    content_type: int
    site: int
    category: str | None = None
    max: int = 100
    kind: str | None = None  # the kind of what it lists; None: the profile's own kind
    # Any other feed (an Atom search feed): its path and query, used as they are.
    url: str | None = None

    def path(self) -> str:
        if self.url:
            return self.url
        query = f"ContentType={self.content_type}&Site={self.site}"
        if self.category:
            query += f"&Category={self.category}"
        return f"/DesktopModules/ArticleCS/RSS.ashx?{query}&max={self.max}"


@dataclass(frozen=True)
class Section:
    """One kind of article on a site: where its articles live and where they are listed."""

    kind: str
    article_paths: tuple[str, ...]
    listings: tuple[str, ...] = ()
    legacy_article_paths: tuple[str, ...] = ()
    print_module_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SiteProfile:
    id: str
    publisher: str
    platform: str
    origin: str
    hosts: tuple[str, ...]
    article_paths: tuple[str, ...]
    # Older URL forms of the same articles; canonical URLs use article_paths[0].
    legacy_article_paths: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    listing_links: tuple[str, ...] = ()
    feeds: tuple[Feed, ...] = ()
    print_module_ids: tuple[int, ...] = ()
    portal_id: int | None = None
    languages: tuple[str, ...] = ("en",)
    date_order: str = "MDY"
    # Hosts serving the site's images and documents (archived with each release).
    media_hosts: tuple[str, ...] = ("media.defense.gov",)
    licence: str = "U.S. government work: public domain in the United States (17 U.S.C. 105)."
    # The kind of the articles at ``article_paths`` (crawler.kinds); other kinds: sections.
    kind: str = "release"
    sections: tuple[Section, ...] = ()
    # The publisher's published request limit (requests a second): a floor under the delay.
    max_rate: float | None = None
    # What a crawl takes when ``-a kinds`` is not given; empty: ``kind`` alone.
    default_kinds: tuple[str, ...] = ()
    # A profile whose markup is an informed guess, not read from real pages (README says so).
    experimental: bool = False
    # Platform "page" (a publisher's own CMS, read by standard metadata first): the article
    # URL's path as a regex with named groups (``id``; ``lang`` when one page has twins in
    # other languages), and the canonical path as a template of those groups.
    article_pattern: str | None = None
    canonical_path: str | None = None
    # The same article in the site's other languages, read as further sections: where the
    # twin lives (a template of the groups; else the page's ``hreflang`` link names it).
    twin_languages: tuple[str, ...] = ()
    twin_path: str | None = None
    # How the page prints its release number (a regex; the ``number`` group, else the match).
    number_pattern: str | None = None
    # Where the text is when metadata and landmarks do not say (CSS, most specific first).
    content_selectors: tuple[str, ...] = ()
    # How listings are paged: ``?Page=N``, or by offset (``page_offset`` items a page,
    # ``&start=10`` for page 2 when ``page_parameter = "start"``).
    page_parameter: str = "Page"
    page_offset: int = 0

    @property
    def host(self) -> str:
        return urlsplit(self.origin).hostname or ""

    def all_sections(self) -> tuple[Section, ...]:
        """The profile's own section (the top-level paths), then the others."""
        own = Section(
            self.kind,
            self.article_paths,
            self.listings,
            self.legacy_article_paths,
            self.print_module_ids,
        )
        return (own, *self.sections)

    def listings_of(self, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
        """``(listing path, kind)`` of every section of one of ``kinds``."""
        return [
            (listing, section.kind)
            for section in self.all_sections()
            if section.kind in kinds
            for listing in section.listings
        ]

    def article_key(self, url: str) -> ArticleKey | None:
        """The article ``url`` points at, whatever its host, scheme, case, slug or age; else
        None.

        Known article paths (and their older forms) give their section's kind; any other
        ``…/Article/<id>/`` path of the platform — a DNN ``tabid/N/…aspx`` form, a
        ``/Portals/N/`` prefix — keys to the same id, its path matched to a known one when
        they differ only in case and hyphens. Host and scheme are not checked here (a
        mirror serves the real paths on another origin); call ``owns`` for that.
        """
        parts = urlsplit(url.strip())
        if self.platform == "page":
            return self._page_key(parts.path)
        if self.platform == "govuk":
            item = _GOVUK_ITEM.match(re.sub(r"/{2,}", "/", parts.path))
            if item is None:
                return None
            return ArticleKey(item.group("api") or item.group("page"), None, "/api/content/")
        path = _PORTAL_PREFIX.sub("", re.sub(r"/{2,}", "/", parts.path))
        if _PRINT_VIEW.search(path):
            return self._print_key(parts.query)
        lowered = path.lower()
        for section in self.all_sections():
            aliases = [(p, p) for p in section.article_paths]
            aliases += [(p, section.article_paths[0]) for p in section.legacy_article_paths]
            for prefix, canonical in aliases:
                if lowered.startswith(prefix.lower()):
                    match = _ARTICLE_TAIL.match(path, len(prefix))
                    if match:
                        slug = _clean_slug(match.group("slug"))
                        return ArticleKey(match.group("id"), slug, canonical, section.kind)
        if self.platform != "articlecs":
            return None
        match = _ANY_ARTICLE.match(path)
        if match is None:
            return None
        prefix = match.group("prefix")
        slug = _clean_slug(match.group("slug"))
        known = _same_path(prefix, self.all_sections())
        if known is not None:
            section, canonical = known
            return ArticleKey(match.group("id"), slug, canonical, section.kind)
        return ArticleKey(match.group("id"), slug, f"{prefix}Article/", kind_from_words(prefix))

    def _page_match(self, path: str) -> re.Match[str] | None:
        if self.article_pattern is None:
            return None
        return re.match(self.article_pattern, re.sub(r"/{2,}", "/", path), re.IGNORECASE)

    def _page_key(self, path: str) -> ArticleKey | None:
        """An article of a "page" site in its first language; a twin's URL is not one."""
        match = self._page_match(path)
        if match is None or self.is_twin_url(path):
            return None
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        canonical = (self.canonical_path or path).format(**groups)
        return ArticleKey(match.group("id"), None, canonical, None)

    def twin_key(self, url: str) -> ArticleKey | None:
        """A twin page read on its own (``scrapy extract`` of a French capture): keyed by its
        own path. A crawl never takes one alone; it reads it into its article's record."""
        match = self._page_match(urlsplit(url).path)
        if match is None or not self.is_twin_url(url):
            return None
        return ArticleKey(match.group("id"), None, re.sub(r"/{2,}", "/", urlsplit(url).path))

    def is_twin_url(self, url: str) -> bool:
        """Whether ``url`` is an article page in one of the site's other languages."""
        match = self._page_match(urlsplit(url).path)
        lang = (match.groupdict().get("lang") or "") if match else ""
        return bool(lang) and lang.lower() in self.twin_languages

    def twin_of(self, key: ArticleKey) -> dict[str, str]:
        """``{language: path}`` of the article's twins the profile can name from its URL."""
        if self.twin_path is None:
            return {}
        match = self._page_match(key.path)
        groups = match.groupdict() if match else {}
        return {
            lang: self.twin_path.format(**{**groups, "lang": lang}) for lang in self.twin_languages
        }

    def _print_key(self, query_text: str) -> ArticleKey | None:
        """A print view names the article and the module that shows it; a module of a known
        section gives its kind, any other module keys the article with no kind."""
        query = {k.lower(): v for k, v in parse_qsl(query_text)}
        article = query.get("article", "")
        if not article.isdigit():
            return None
        module = query.get("moduleid", "")
        for section in self.all_sections():
            if module.isdigit() and int(module) in section.print_module_ids:
                return ArticleKey(article, None, section.article_paths[0], section.kind)
        return ArticleKey(article, None, self.article_paths[0], None)

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in self.hosts

    def canonical_url(
        self, article_id: str, slug: str | None = None, article_path: str | None = None
    ) -> str:
        """One URL per release: the profile's origin, its article path, id and slug."""
        prefix = article_path or self.article_paths[0]
        path = f"{prefix.rstrip('/')}/{article_id}/"
        if slug:
            path += f"{slug.lower()}/"
        return f"{self.origin}{path}"

    def key_url(self, key: ArticleKey) -> str:
        """Where the article is fetched: its canonical URL; a GOV.UK item's API document."""
        if self.platform == "govuk":
            return f"{self.origin}/api/content/{key.id}"
        if self.platform == "page":
            return f"{self.origin}{key.path}"
        return self.canonical_url(key.id, key.slug, key.path)

    def fetch_url(self, key: ArticleKey, link: str) -> str:
        """What to request for a link to ``key``: the link itself on the platform, the
        Content API document for a GOV.UK page (the page is for people, the JSON for us)."""
        return self.key_url(key) if self.platform == "govuk" else link

    def print_path(self, article_id: str | int) -> str | None:
        """Path of the ArticleCS print view of an article, when the profile knows its module."""
        if self.portal_id is None or not self.print_module_ids:
            return None
        return (
            f"/DesktopModules/ArticleCS/Print.aspx?PortalId={self.portal_id}"
            f"&ModuleId={self.print_module_ids[0]}&Article={article_id}"
        )

    def record_id(self, article_id: str) -> str:
        return f"{self.id}:{article_id}"


def _clean_slug(slug: str | None) -> str | None:
    if slug and slug.lower().endswith(".aspx"):
        slug = slug[: -len(".aspx")]
    return slug or None


def _squashed(path: str) -> str:
    return path.lower().replace("-", "").replace("_", "")


def _same_path(prefix: str, sections: tuple[Section, ...]) -> tuple[Section, str] | None:
    """The section whose article path ``<prefix>Article/`` is, but for case and hyphens
    (``/Media/PressReleases/ArticleView/`` is ``/Media/Press-Releases/Article-View/``)."""
    wanted = _squashed(f"{prefix}Article/")
    for section in sections:
        for path in (*section.article_paths, *section.legacy_article_paths):
            if _squashed(path) == wanted:
                return section, section.article_paths[0]
    return None


def _load(text: str) -> SiteProfile:
    return profile_from_toml(tomllib.loads(text))


def profile_from_toml(data: dict[str, Any]) -> SiteProfile:
    """A profile from parsed TOML (a bundled file, or one ``scrapy profile`` printed)."""
    data = dict(data)
    feeds = tuple(Feed(**feed) for feed in data.pop("feeds", []))
    sections = tuple(
        Section(**{k: tuple(v) if isinstance(v, list) else v for k, v in section.items()})  # type: ignore[arg-type]
        for section in data.pop("sections", [])
    )
    tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
    data.update(tuples)
    return SiteProfile(feeds=feeds, sections=sections, **data)


@cache
def all_profiles() -> dict[str, SiteProfile]:
    """Every bundled profile, keyed by id."""
    profiles: dict[str, SiteProfile] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            profile = _load(entry.read_text(encoding="utf-8"))
            if profile.id in profiles:
                raise ValueError(f"duplicate site profile id {profile.id!r} in {entry.name}")
            profiles[profile.id] = profile
    return profiles


def get_profile(site_id: str) -> SiteProfile:
    try:
        return all_profiles()[site_id]
    except KeyError:
        known = ", ".join(sorted(all_profiles()))
        raise KeyError(f"unknown site profile {site_id!r} (known: {known})") from None


def profile_for_url(url: str) -> SiteProfile | None:
    """The bundled profile whose hosts include the URL's host, if any."""
    for profile in all_profiles().values():
        if profile.owns(url):
            return profile
    return None


def generic_profile(url: str) -> SiteProfile | None:
    """A profile for an ArticleCS host with no bundled profile, derived from one article URL.

    Any AFPIMS site keys its articles as ``.../Article/<id>/<slug>/`` (or names them in a
    print view); the part before the id becomes the article path, the host the site id.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = _PORTAL_PREFIX.sub("", re.sub(r"/{2,}", "/", parts.path))
    match = _ANY_ARTICLE.match(path)
    if not host or (match is None and not _PRINT_VIEW.search(path)):
        return None
    prefix = f"{match.group('prefix')}Article/" if match else "/Article/"
    site = host.removeprefix("www.")
    return SiteProfile(
        id=site,
        publisher=site,
        platform="articlecs",
        origin=f"https://{host}",
        hosts=(host, site, f"www.{site}"),
        article_paths=(prefix,),
        kind=kind_from_words(prefix) or "release",
    )
