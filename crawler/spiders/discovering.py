"""Reading a site's own pages to find its profile, before its crawl (or for ``scrapy profile``).

The pages are fetched through the engine (``download_async``), so they pass the same
downloader middlewares as the crawl: robots.txt, retries with backoff, redirects kept on
the site, and the archive (the pages a profile was found from are captured too).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.downloader.archiving import ARCHIVE_META
from crawler.kinds import RELEASE
from crawler.parsers import decode
from crawler.parsers.classify import classify
from crawler.profiles.discovery import (
    MAX_CANDIDATES,
    Candidate,
    Discovery,
    Listing,
    NoReleaseSection,
    decide,
    read_home,
    read_listing,
    site_id,
)
from crawler.profiles.toml import PROFILE_FIELD, profile_json

from .fetching import handled, header_pairs

logger = logging.getLogger(__name__)


class DiscoveryFailed(NoReleaseSection):
    """The home page could not be read (blocked, down): nothing can be said of the site."""


async def discover_site(
    crawler: Crawler, base_url: str, origin: str, kinds: tuple[str, ...] = (RELEASE,)
) -> Discovery:
    """The profile of the site at ``base_url`` (a mirror of ``origin``, or ``origin``);
    with archiving on, the archive records it beside the home page's capture, so the
    archive alone says how its releases were read (``scrapy extract ARCHIVE``)."""
    home_url = base_url + "/"
    response, problem = await _fetch(crawler, home_url)
    if response is None:
        raise DiscoveryFailed(f"its home page {home_url} could not be read: {problem}")
    text = decode(response.body, header_pairs(response))
    home = read_home(response.url, text)
    listings: list[Listing] = []
    landings: list[tuple[str, str]] = []  # pages read that list nothing: menus, hubs
    for candidate in home.candidates:
        listing, page = await _listing(crawler, base_url, candidate)
        if listing is not None:
            listings.append(listing)
        elif page is not None:
            landings.append(page)
    read = {c.path.lower() for c in home.candidates}
    missing = set(kinds) - {listing.kind for listing in listings}
    if missing:
        # A second level, for the kinds not found yet: a section may hang under a landing
        # page ("Media" > "Press Releases"), named there for what it holds.
        deeper = [
            candidate
            for url, page_text in landings
            for candidate in read_home(url, page_text).candidates
            if candidate.hint in missing and candidate.path.lower() not in read
        ]
        for candidate in _unique_paths(deeper)[:MAX_CANDIDATES]:
            listing, _page = await _listing(crawler, base_url, candidate)
            if listing is not None:
                listings.append(listing)
    stats = crawler.stats
    assert stats is not None
    stats.set_value("discovery/candidates", len(home.candidates))
    stats.set_value("discovery/listings", len(listings))
    found = decide(origin, site_id(origin), home, listings, kinds)
    _archive_profile(crawler, found, response.meta.get(ARCHIVE_META))
    return found


def _archive_profile(crawler: Crawler, found: Discovery, home: dict[str, Any] | None) -> None:
    """Note the discovered profile in the archive: a metadata record beside the home page's
    capture, and the warcinfo of every WARC file opened after it."""
    if home is None or not crawler.settings.getbool("ARCHIVE_ENABLED"):
        return
    from pipelines.warc.archive import ArchiveWriteError, archive_for

    archive = archive_for(crawler)
    line = profile_json(found.profile)
    archive.warcinfo_fields[PROFILE_FIELD] = line
    with contextlib.suppress(ArchiveWriteError):  # the run stops on it, saying why
        archive.write_metadata(home, home["target_uri"], {PROFILE_FIELD: line})


async def _listing(
    crawler: Crawler, base_url: str, candidate: Candidate
) -> tuple[Listing | None, tuple[str, str] | None]:
    """The candidate's listing, or the page itself (its URL and text) when it lists none."""
    response, problem = await _fetch(crawler, base_url + candidate.path)
    if response is None:
        logger.debug("discovery: %s skipped: %s", candidate.path, problem)
        return None, None
    text = decode(response.body, header_pairs(response))
    listing = read_listing(response.url, text, candidate)
    return listing, None if listing is not None else (response.url, text)


def _unique_paths(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per path, the labels of its links merged, release-like first."""
    merged: dict[str, Candidate] = {}
    for candidate in candidates:
        held = merged.setdefault(candidate.path.lower(), Candidate(candidate.path))
        held.labels.extend(label for label in candidate.labels if label not in held.labels)
    return sorted(merged.values(), key=lambda c: (c.hint != RELEASE, c.path.count("/")))


async def _fetch(crawler: Crawler, url: str) -> tuple[Response | None, str]:
    """The page, or None and why not (refused by robots.txt, an error, a block page)."""
    assert crawler.engine is not None
    request = scrapy.Request(url, dont_filter=True, meta=handled())
    try:
        response = await crawler.engine.download_async(request)
    except IgnoreRequest as error:
        return None, f"not fetched: {error or 'refused by robots.txt'}"
    except Exception as error:  # a download error after its retries: the page is unread
        return None, f"{type(error).__name__}: {error}"
    text = decode(response.body, header_pairs(response))
    verdict = classify(response.url, response.status, Selector(text=text), text)
    if verdict is not None:
        return None, f"{verdict.reason} ({verdict.detail})"
    return response, ""
