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
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

_ARTICLE_TAIL = re.compile(r"(?P<id>\d+)(?:/(?P<slug>[^/?#]+))?")
_ANY_ARTICLE = re.compile(r"^(?P<prefix>.*?/Article/)\d+(?:/|$)", re.IGNORECASE)
_PRINT_VIEW = re.compile(r"/DesktopModules/ArticleCS/Print\.aspx$", re.IGNORECASE)


class ArticleKey(NamedTuple):
    """One release of a site: its article id, the slug the link carried, its article path."""

    id: str
    slug: str | None
    path: str


@dataclass(frozen=True)
class Feed:
    """An ArticleCS RSS feed (``/DesktopModules/ArticleCS/RSS.ashx``)."""

    content_type: int
    site: int
    category: str | None = None
    max: int = 100

    def path(self) -> str:
        query = f"ContentType={self.content_type}&Site={self.site}"
        if self.category:
            query += f"&Category={self.category}"
        return f"/DesktopModules/ArticleCS/RSS.ashx?{query}&max={self.max}"


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

    @property
    def host(self) -> str:
        return urlsplit(self.origin).hostname or ""

    def article_key(self, url: str) -> ArticleKey | None:
        """The release ``url`` points at, whatever its host, scheme, case or slug; else None.

        Host and scheme are not checked here (a mirror serves the real paths on another
        origin); call ``owns`` for that.
        """
        parts = urlsplit(url.strip())
        path = re.sub(r"/{2,}", "/", parts.path)
        if _PRINT_VIEW.search(path):
            query = {k.lower(): v for k, v in parse_qsl(parts.query)}
            module = query.get("moduleid", "")
            article = query.get("article", "")
            if not article.isdigit():
                return None
            if (
                self.print_module_ids
                and module.isdigit()
                and int(module) not in self.print_module_ids
            ):
                return None
            return ArticleKey(article, None, self.article_paths[0])
        lowered = path.lower()
        aliases = [(p, p) for p in self.article_paths]
        aliases += [(p, self.article_paths[0]) for p in self.legacy_article_paths]
        for prefix, canonical in aliases:
            if lowered.startswith(prefix.lower()):
                match = _ARTICLE_TAIL.match(path, len(prefix))
                if match:
                    slug = match.group("slug")
                    if slug and slug.lower().endswith(".aspx"):
                        slug = slug[: -len(".aspx")]
                    return ArticleKey(match.group("id"), slug or None, canonical)
        return None

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


def _load(text: str) -> SiteProfile:
    data = tomllib.loads(text)
    feeds = tuple(Feed(**feed) for feed in data.pop("feeds", []))
    tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
    data.update(tuples)
    return SiteProfile(feeds=feeds, **data)


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

    Any AFPIMS site keys its articles as ``.../Article/<id>/<slug>/``; the part before the
    id becomes the article path, the host the site id.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    match = _ANY_ARTICLE.match(re.sub(r"/{2,}", "/", parts.path))
    if not host or not match:
        return None
    site = host.removeprefix("www.")
    return SiteProfile(
        id=site,
        publisher=site,
        platform="articlecs",
        origin=f"https://{host}",
        hosts=(host, site, f"www.{site}"),
        article_paths=(match.group("prefix"),),
    )
