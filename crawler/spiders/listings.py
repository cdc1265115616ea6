"""Walking a site's listing pages and reading its feeds, to find its releases.

A walk reads ``?Page=N`` from page 1 until a page holds only releases found before the walk
began (or every page, on a full run). Each page's links, its validators (page 1) and where
the walk goes next are committed together; a walk an earlier run left unfinished is
resumed a page early, and stepped back further while the first release on the page where
it resumes was never seen (deletions pulled unread ones back). A page that holds less than
the pages around it promise (no next page though they linked further, fewer releases than
the page before) is a page cut short: retried, then named.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.parsers import Reject, decode
from crawler.parsers import listing as listing_parser
from crawler.parsers.classify import classify, nothing_found
from crawler.parsers.feeds import FeedRead, HostileFeed, read_feed
from crawler.parsers.model import (
    EMPTY_LISTING,
    HOSTILE,
    REPEATED,
    TRANSIENT_REASONS,
    TRUNCATED,
)
from crawler.profiles import ArticleKey
from pipelines.state.journal import WriteFailed
from pipelines.state.store import Walk

from .fetching import Fetching, failure_reason, handled, header_pairs, request_of
from .incremental import NOT_MODIFIED
from .ledger import CAPPED

logger = logging.getLogger(__name__)

Links = list[tuple[ArticleKey, str]]


def page_key(source: str, page: int, side: str | None = None) -> str:
    return f"{source}#page={page}" + (f"#{side}" if side else "")


class ListingWalker(Fetching):
    mirrored: bool
    max_pages: int | None
    full: bool
    seen: set[str]
    walked: dict[str, dict[str, int]]  # source -> article id -> first page read in this run

    def article_request(self, url: str, article_id: str) -> scrapy.Request:
        raise NotImplementedError

    def wants(self, key: ArticleKey) -> bool:
        """Whether a linked article is of a kind the crawl takes (its URL's section says)."""
        raise NotImplementedError

    def localize(self, url: str) -> str:
        raise NotImplementedError

    @property
    def paging(self) -> tuple[str, int]:
        """The profile's listing page parameter and offset (``listing.with_page``)."""
        return self.profile.page_parameter, self.profile.page_offset

    # ---- requests --------------------------------------------------------------------------

    def listing_start(self, source: str) -> Iterator[scrapy.Request]:
        """Resume the listing's unfinished walks, then walk from page 1 down to where the
        first of them resumes (or until a page holds only releases earlier runs knew)."""
        resumed_at: list[int] = []
        if not self.max_pages:
            for walk in self.site_state.walks(source):
                # A page early: releases deleted since then pull unfetched ones back onto it.
                page = max(walk.next_page - 1, 2)
                if walk.end_page is not None and page >= walk.end_page:
                    self.site_state.page_read(source, [], walk=walk, next_page=None)
                    continue
                if self.full:
                    walk = replace(walk, stop_at_known=False)
                resumed_at.append(page)
                yield self.listing_request(source, page, walk, resumed=True)
        head = Walk(source, self.site_state.run, 1, not self.full, min(resumed_at, default=None))
        headers = {} if self.full else self.site_state.source_headers(source)
        yield self.listing_request(source, 1, head, headers)

    def listing_request(
        self,
        source: str,
        page: int,
        walk: Walk | None,
        headers: dict[str, str] | None = None,
        **state: Any,
    ) -> scrapy.Request:
        """A listing page, for its walk, or (``walk`` None) a side read: ``side="recheck"``
        (a page that held fewer releases than the page after it; ``expected`` of them) or
        ``side="lookback"`` (the page before a resumed walk's first page). ``state``:
        ``resumed``, ``advertised`` (the last page the walk's pages linked so far),
        ``previous`` (releases on the page before, when it was not page 1)."""
        url = self.base_url + source
        url = listing_parser.with_page(url, page, *self.paging) if page > 1 else url
        self.ledger.expect("listing", page_key(source, page, state.get("side")), url)
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.page_failed,
            headers=headers or {},
            dont_filter=True,
            cb_kwargs={"source": source, "page": page, "walk": walk, **state},
            meta=handled(),
        )

    def feed_request(self, source: str) -> scrapy.Request:
        # A feed on another host of the publisher (canada.ca's news API) is named whole.
        absolute = source.startswith(("http://", "https://"))
        url = (
            (self.localize(source) if self.mirrored else source)
            if absolute
            else self.base_url + source
        )
        self.ledger.expect("feed", source, url)
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.page_failed,
            headers=self.site_state.source_headers(source),
            dont_filter=True,
            cb_kwargs={"source": source},
            meta=handled(),
        )

    # ---- listing pages ---------------------------------------------------------------------

    def parse_listing(
        self,
        response: Response,
        source: str,
        page: int,
        walk: Walk | None,
        resumed: bool = False,
        advertised: int = 0,
        previous: int | None = None,
        side: str | None = None,
        expected: int = 0,
    ) -> Iterator[Any]:
        key = page_key(source, page, side)
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("listing/not_modified")
            self.ledger.settle("listing", key)
            return
        text = decode(response.body, header_pairs(response))
        selector = Selector(text=text)
        verdict = classify(response.url, response.status, selector, text)
        links = [] if verdict else listing_parser.article_links(text, response.url, self.profile)
        keys = [
            (k, link) for link in links if (k := self.profile.article_key(link)) and self.wants(k)
        ]
        if verdict is None and not keys:
            verdict = nothing_found(response.url, selector, "release links")
            if resumed and walk is not None and verdict.reason == EMPTY_LISTING:
                # The listing is shorter than when the walk stopped (the publisher deleted
                # releases): nothing is left to walk from here.
                self.crawler.stats.inc_value("listing/resumed_past_end")
                with contextlib.suppress(WriteFailed):
                    self.site_state.page_read(source, [], walk=walk, next_page=None)
                    self.ledger.settle("listing", key)
                return
        if verdict is None and side == "recheck" and len(keys) < expected:
            detail = f"page {page} lists {len(keys)} releases, the page after it {expected}"
            verdict = Reject(TRUNCATED, detail, response.url)
        if verdict is not None:
            self.note_refusal(response, verdict)
            yield from self.page_refused(request_of(response), verdict, "listing", key)
            return
        self.crawler.stats.inc_value("listing/pages")
        self.crawler.stats.inc_value("listing/links", len(keys))
        if walk is None:
            yield from self.side_read(response, source, page, keys, side)
        else:
            yield from self.walk_on(
                response, text, source, page, walk, keys, resumed, advertised, previous
            )

    def walk_on(
        self,
        response: Response,
        text: str,
        source: str,
        page: int,
        walk: Walk,
        keys: Links,
        resumed: bool,
        advertised: int,
        previous: int | None,
    ) -> Iterator[Any]:
        """Record a walk's page and go on to the next one (or end the walk)."""
        known = self.site_state.lookup([k.id for k, _ in keys])
        # Old for this walk: found before the walk began (by an earlier run).
        new = sum(1 for k, _ in keys if k.id not in known or known[k.id].discovered_run >= walk.run)
        next_page = page + 1
        advertised = max(advertised, listing_parser.last_page(text, *self.paging))
        first_pages = self.walked.setdefault(source, {})  # article id -> first page it was on
        for k, _ in keys:
            first_pages[k.id] = min(first_pages.get(k.id, page), page)
        if page > 1 and all(first_pages[k.id] < page for k, _ in keys):
            detail = (
                f"page {page} lists only releases of earlier pages (a cache that ignores "
                f"?Page=, or a listing without end)"
            )
            reject = Reject(REPEATED, detail, response.url)
            self.note_refusal(response, reject)
            yield from self.page_refused(
                request_of(response), reject, "listing", page_key(source, page)
            )
            return
        has_next = listing_parser.has_page(text, next_page, *self.paging)
        capped = next_page > self.settings.getint("LISTING_MAX_PAGES")
        if capped and has_next:
            self.ledger.unfetched(
                "listing",
                page_key(source, next_page),
                response.url,
                CAPPED,
                f"LISTING_MAX_PAGES ({next_page - 1}) reached and the listing goes on",
            )
        wanted = not (
            (walk.stop_at_known and not new)
            or (walk.end_page is not None and next_page >= walk.end_page)
            or (self.max_pages and next_page > self.max_pages)
            or capped
        )
        cut = None
        if wanted and not has_next and next_page <= advertised:
            cut = f"page {page} links no page {next_page}; earlier pages linked {advertised}"
        elif has_next and page >= 3 and previous is not None and len(keys) < previous:
            cut = f"page {page} lists {len(keys)} releases, the page before it {previous}"
        if cut is not None:
            reject = Reject(TRUNCATED, cut, response.url)
            self.note_refusal(response, reject)
            yield from self.page_refused(
                request_of(response), reject, "listing", page_key(source, page)
            )
            return
        if page == 3 and previous is not None and previous < len(keys):
            # Page 2 held fewer releases than this one: read it again.
            yield self.listing_request(source, 2, None, side="recheck", expected=len(keys))
        if resumed and page > 2 and keys and self._unseen(keys[0][0], known):
            yield self.listing_request(source, page - 1, None, side="lookback")
        fetch = self._new_links(keys, known)
        try:
            stored = self.site_state.page_read(
                source,
                [(k.id, self.profile.key_url(k)) for k, _ in fetch],
                response if page == 1 else None,
                walk,
                next_page if wanted and has_next else None,
            )
        except WriteFailed:
            return
        self.ledger.settle("listing", page_key(source, page))
        for k, link in fetch:
            yield self.article_request(self.profile.fetch_url(k, link), k.id)
        if stored is not None:
            yield self.listing_request(
                source,
                next_page,
                stored,
                advertised=advertised,
                previous=len(keys) if page >= 2 else None,
            )

    def side_read(
        self, response: Response, source: str, page: int, keys: Links, side: str | None
    ) -> Iterator[Any]:
        """A page read again outside a walk: record what it links; a lookback steps back
        further while the first release on the page was never seen."""
        known = self.site_state.lookup([k.id for k, _ in keys])
        fetch = self._new_links(keys, known)
        if side == "lookback" and page > 2 and keys and self._unseen(keys[0][0], known):
            yield self.listing_request(source, page - 1, None, side="lookback")
        try:
            self.site_state.page_read(source, [(k.id, self.profile.key_url(k)) for k, _ in fetch])
        except WriteFailed:
            return
        self.ledger.settle("listing", page_key(source, page, side))
        for k, link in fetch:
            yield self.article_request(self.profile.fetch_url(k, link), k.id)

    def _unseen(self, key: ArticleKey, known: dict[str, Any]) -> bool:
        return key.id not in known and key.id not in self.seen

    def _new_links(self, keys: Links, known: dict[str, Any]) -> Links:
        return [(k, link) for k, link in keys if self._unseen(k, known)]

    # ---- feeds -----------------------------------------------------------------------------

    def parse_feed(self, response: Response, source: str) -> Iterator[Any]:
        stats = self.crawler.stats
        if response.status == NOT_MODIFIED:
            stats.inc_value("feed/not_modified")
            self.ledger.settle("feed", source)
            return
        text = decode(response.body, header_pairs(response))
        verdict = classify(response.url, response.status, Selector(text=text), text)
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        feed = FeedRead("", [])
        if verdict is None:
            try:
                feed = read_feed(response.body, self.profile, response.url, content_type)
            except HostileFeed as error:
                verdict = Reject(HOSTILE, str(error), response.url)
        if verdict is None and not feed.format and not feed.links:
            verdict = nothing_found(response.url, Selector(text=text), "feed items")
        if verdict is not None:
            self.note_refusal(response, verdict)
            yield from self.page_refused(request_of(response), verdict, "feed", source)
            return
        links = feed.links
        stats.inc_value("feed/pages")
        stats.inc_value("feed/links", len(links))
        keys = [
            (k, link) for link in links if (k := self.profile.article_key(link)) and self.wants(k)
        ]
        fetch = self._new_links(keys, self.site_state.lookup([k.id for k, _ in keys]))
        discoveries = [(k.id, self.profile.key_url(k)) for k, _ in fetch]
        try:
            self.site_state.page_read(source, discoveries, response)
        except WriteFailed:
            return
        self.ledger.settle("feed", source)
        for k, link in fetch:
            yield self.article_request(self.profile.fetch_url(k, link), k.id)

    # ---- failures --------------------------------------------------------------------------

    def page_refused(
        self, request: scrapy.Request, reject: Reject, kind: str, key: str
    ) -> Iterator[scrapy.Request]:
        """Retry a listing page or feed that failed; when its tries are spent, its walk stays
        unfinished (the next run resumes it) and the run fails, naming the page."""
        transient = reject.reason in TRANSIENT_REASONS
        retry = self.retry(request, reject.reason) if transient else None
        if retry is not None:
            yield retry
            return
        self.crawler.stats.inc_value(f"{kind}/failed")
        logger.warning("%s %s failed: %s (%s)", kind, request.url, reject.reason, reject.detail)
        self.ledger.unfetched(kind, key, request.url, reject.reason, reject.detail)
        arguments = request.cb_kwargs
        if kind == "listing" and arguments.get("walk") is None:
            # A page read outside a walk: leave a walk of that one page for the next run.
            page = arguments["page"]
            walk = Walk(arguments["source"], self.site_state.run, page + 1, False, page + 1)
            with contextlib.suppress(WriteFailed):
                self.site_state.page_read(arguments["source"], [], walk=walk, next_page=page + 1)

    def page_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A listing page or feed that could not be downloaded: as a refused one."""
        request = failure.request  # type: ignore[attr-defined]
        arguments = request.cb_kwargs
        if "page" in arguments:
            kind, key = (
                "listing",
                page_key(arguments["source"], arguments["page"], arguments.get("side")),
            )
        else:
            kind, key = "feed", arguments["source"]
        yield from self.page_refused(request, failure_reason(failure), kind, key)
