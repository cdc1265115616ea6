"""An article's twin in another language (NATO's French page, canada.ca's ``/fr/`` page),
read as further sections of the same record. Pure, like the parsers: the crawl fetches the
twin after its article, and ``scrapy extract ARCHIVE`` pairs the two captures again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urljoin

from parsel import Selector

from crawler.profiles import SiteProfile, profile_for_url

from . import page
from .classify import classify
from .encoding import decode
from .model import NOT_A_RELEASE, Reject, Release

Headers = Iterable[tuple[str, str]]


def twin_url(release: Release, body: bytes, headers: Headers, profile: SiteProfile) -> str | None:
    """Where the release's twin is (its first other language), or None; on the real host."""
    if not profile.twin_languages or release.source_type != "html":
        return None
    key = profile.article_key(release.url)
    named = profile.twin_of(key) if key is not None else {}
    if named:  # the profile names it from the URL (NATO): no need to read the page again
        return urljoin(release.url, named[profile.twin_languages[0]])
    selector = Selector(text=decode(body, list(headers)))
    links = page.twin_links(release.url, selector, profile)
    return next((links[lang] for lang in profile.twin_languages if lang in links), None)


def with_twin(
    release: Release,
    url: str,
    body: bytes,
    headers: Headers,
    *,
    profile: SiteProfile | None = None,
    status: int | None = None,
) -> tuple[Release, Reject | None]:
    """The release with its twin's sections added, or as it was and why the twin adds none."""
    profile = profile or profile_for_url(release.url)
    if profile is None:
        raise ValueError(f"no profile for {release.url}")
    headers = list(headers)
    selector = Selector(text=decode(body, headers))
    refused = classify(url, status, selector, None)
    key = profile.article_key(release.url)
    if refused is not None or key is None:
        return release, refused or Reject(NOT_A_RELEASE, "no article key", url)
    twin = page.parse(url, selector, profile, key, release.fetched)
    if isinstance(twin, Reject):
        return release, twin
    added = [s for s in twin.sections if s.lang not in release.languages]
    if not added:
        detail = f"the twin is in {twin.language}, a language the release already has"
        return release, Reject(NOT_A_RELEASE, detail, url, (), release.id)
    merged = replace(
        release,
        sections=[*release.sections, *added],
        languages=[*release.languages, *(s.lang for s in added)],
    )
    return merged, None
