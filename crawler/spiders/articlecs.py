"""One spider for every DNN ArticleCS (AFPIMS) site; a site spider only names its profile.

Walks the listing (``?Page=N``) and the feeds, fetches each article once per run (keyed on
the article id, whatever host, scheme or slug the link carried), and hands the page to the
pure parser. Every response — listing page, feed, article, media — first passes one
body-aware classifier (``crawler.parsers.classify``): what may pass later (a block page, a
module error, a server error) is retried with a growing delay, and what still fails is
named in the run's ledger, which fails the run. Refusals become ``Reject`` items: nothing
is dropped silently.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response
from scrapy.utils.url import url_is_from_any_domain
from twisted.python.failure import Failure

from crawler.downloader.archiving import ARCHIVE_META
from crawler.downloader.backoff import NOT_BEFORE, RetryBackoff
from crawler.parsers import Reject, Release, decode, parse
from crawler.parsers import listing as listing_parser
from crawler.parsers.classify import classify, nothing_found
from crawler.parsers.model import (
    BLOCKED,
    DOWNLOAD_ERROR,
    EMPTY_LISTING,
    GONE,
    ROBOTS,
    TRANSIENT_REASONS,
    TRUNCATED_LISTING,
)
from crawler.profiles import SiteProfile, get_profile
from pipelines.state.crawl import state_for
from pipelines.state.journal import WriteFailed, journal_for
from pipelines.state.store import GONE as GONE_STATUS
from pipelines.state.store import LIVE, Checked, Refused, Walk
from pipelines.state.validators import note_validators

from .incremental import (
    NOT_MODIFIED,
    SiteState,
    conditional_headers,
    now,
    parse_revisit,
    validators,
)
from .ledger import RunLedger

logger = logging.getLogger(__name__)

# Every answer reaches a callback, to be classified there (redirects are still followed).
HANDLED_STATUSES = [NOT_MODIFIED, *range(400, 600)]
# Meta of an article request made after its print view was tried.
_PRINT_TRIED = "print_view_tried"
# Meta a retry must not inherit from the attempt before it.
_ATTEMPT_META = ("archive", "download_latency", NOT_BEFORE)


class ArticleCSSpider(scrapy.Spider):
    """Crawl one ArticleCS site.

    Arguments: ``site``, ``base_url``, ``max_pages``, ``full`` (walk every listing page),
    ``revisit`` (``all`` or DAYS: re-check known releases with conditional GETs).
    """

    name = "articlecs"
    profile_id: ClassVar[str | None] = None
    site_state: SiteState
    ledger: RunLedger
    backoff: RetryBackoff

    def __init__(
        self,
        *args: Any,
        site: str | None = None,
        base_url: str | None = None,
        max_pages: str | int | None = None,
        full: str | None = None,
        revisit: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        site_id = site or self.profile_id
        if not site_id:
            raise ValueError("spider articlecs needs -a site=<profile id>")
        try:
            self.profile: SiteProfile = get_profile(site_id)
        except KeyError as error:
            raise ValueError(str(error.args[0])) from None
        self.base_url = (base_url or self.profile.origin).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"-a base_url must be an http(s) origin, got {base_url!r}")
        self.max_pages = _positive_int("max_pages", max_pages)
        self.full = str(full or "").lower() in ("1", "true", "yes")
        self.revisit: int | bool = parse_revisit(revisit)
        # A mirror serves the publisher's media too; a real crawl fetches them from their host.
        self.mirrored = self.base_url != self.profile.origin
        base_host = parts.hostname or ""
        self.allowed_domains = sorted({base_host, *self.profile.hosts, *self.profile.media_hosts})
        self.seen: set[str] = set()  # article ids requested in this run

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleCSSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if not settings.frozen and _is_loopback(spider.base_url):
            # A local mirror: no politeness delays, short retry delays.
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="spider")
            settings.set("RETRY_BACKOFF_BASE", 0.05, priority="spider")
            settings.set("RETRY_BACKOFF_MAX", 1.0, priority="spider")
        site = spider.profile.id
        spider.site_state = SiteState(state_for(crawler, site), journal_for(crawler), site)
        spider.ledger = RunLedger(crawler)
        spider.backoff = RetryBackoff.from_settings(settings)
        return spider

    # ---- URLs ------------------------------------------------------------------------------

    def localize(self, url: str) -> str:
        """Point a link at the crawled origin: ``base_url`` plus the real path and query."""
        parts = urlsplit(url)
        base = urlsplit(self.base_url)
        host = (parts.hostname or "").lower()
        mirrored_media = self.mirrored and host in self.profile.media_hosts
        if host and host not in self.profile.hosts and host != base.hostname and not mirrored_media:
            return url
        path = "/" + "/".join(p for p in parts.path.split("/") if p)
        if parts.path.endswith("/") and path != "/":
            path += "/"
        return parts._replace(scheme=base.scheme, netloc=base.netloc, path=path).geturl()

    # ---- start -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        state = self.site_state
        interrupted = state.begin_run(
            {
                "spider": self.name,
                "base_url": self.base_url,
                "max_pages": self.max_pages,
                "full": self.full,
                "revisit": self.revisit,
            }
        )
        if interrupted:
            self.crawler.stats.set_value("state/interrupted_runs", interrupted)
        # Found by a run that was killed, or refused earlier and due again (a full or
        # revisit run tries every refusal).
        for article_id, url in state.pending(everything=self.full or bool(self.revisit)):
            if article_id not in self.seen:
                yield self.article_request(url, article_id)
        for source in self.profile.listings:
            for request in self.listing_start(source):
                yield request
        for feed in self.profile.feeds:
            yield self.feed_request(feed.path())
        for known in state.to_revisit(self.revisit):
            if known.article_id in self.seen:
                continue
            target = known.capture["target_uri"] if known.capture else known.url
            yield self.article_request(
                target,
                known.article_id,
                conditional_headers(known.etag, known.last_modified),
                was=known.status,
            )

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

    # ---- requests --------------------------------------------------------------------------

    def listing_request(
        self,
        source: str,
        page: int,
        walk: Walk,
        headers: dict[str, str] | None = None,
        resumed: bool = False,
        advertised: int = 0,
    ) -> scrapy.Request:
        """``resumed``: the first page of a walk an earlier run left unfinished;
        ``advertised``: the last page the walk's pages have linked so far."""
        url = self.base_url + source
        url = listing_parser.with_page(url, page) if page > 1 else url
        self.ledger.expect("listing", _page_key(source, page), url)
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.page_failed,
            headers=headers or {},
            dont_filter=True,
            cb_kwargs={
                "source": source,
                "page": page,
                "walk": walk,
                "resumed": resumed,
                "advertised": advertised,
            },
            meta={"handle_httpstatus_list": HANDLED_STATUSES},
        )

    def feed_request(self, source: str) -> scrapy.Request:
        url = self.base_url + source
        self.ledger.expect("feed", source, url)
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.page_failed,
            headers=self.site_state.source_headers(source),
            dont_filter=True,
            cb_kwargs={"source": source},
            meta={"handle_httpstatus_list": HANDLED_STATUSES},
        )

    def article_request(
        self,
        url: str,
        article_id: str,
        headers: dict[str, str] | None = None,
        was: str | None = None,
        print_view: bool = False,
        article_url: str | None = None,
    ) -> scrapy.Request:
        """``was``: the release's status when it is a revisit (live or gone)."""
        self.seen.add(article_id)
        self.ledger.expect("release", article_id, url, self.profile.record_id(article_id))
        return scrapy.Request(
            self.localize(url),
            callback=self.parse_article,
            errback=self.article_failed,
            headers=headers or {},
            dont_filter=print_view,
            cb_kwargs={
                "article_id": article_id,
                "was": was,
                "print_view": print_view,
                "article_url": article_url,
            },
            meta={"handle_httpstatus_list": HANDLED_STATUSES},
        )

    def retry(self, request: scrapy.Request, reason: str) -> scrapy.Request | None:
        """The same request again after a growing delay, or None when its tries are spent.

        Headers, callback arguments and meta are kept (a conditional GET stays one);
        only what belonged to the last attempt is dropped."""
        retry = get_retry_request(
            request, spider=self, reason=f"refused/{reason}", give_up_log_level=logging.WARNING
        )
        if retry is None:
            return None
        for key in _ATTEMPT_META:
            retry.meta.pop(key, None)
        return self.backoff.schedule(retry)

    # ---- listings and feeds ----------------------------------------------------------------

    def parse_listing(
        self,
        response: Response,
        source: str,
        page: int,
        walk: Walk,
        resumed: bool = False,
        advertised: int = 0,
    ) -> Iterator[Any]:
        stats = self.crawler.stats
        key = _page_key(source, page)
        if response.status == NOT_MODIFIED:
            stats.inc_value("listing/not_modified")
            self.ledger.settle("listing", key)
            return
        text = decode(response.body, _header_pairs(response))
        selector = Selector(text=text)
        verdict = classify(response.url, response.status, selector)
        links = [] if verdict else listing_parser.article_links(text, response.url, self.profile)
        if verdict is None and not links:
            verdict = nothing_found(response.url, selector, "release links")
            if resumed and verdict.reason == EMPTY_LISTING:
                # The listing is shorter than when the walk stopped (the publisher deleted
                # releases): nothing is left to walk from here.
                stats.inc_value("listing/resumed_past_end")
                with contextlib.suppress(WriteFailed):
                    self.site_state.page_read(source, [], walk=walk, next_page=None)
                    self.ledger.settle("listing", key)
                return
        if verdict is not None:
            yield from self.page_refused(_request(response), verdict, "listing", key)
            return
        stats.inc_value("listing/pages")
        stats.inc_value("listing/links", len(links))
        keys = [(k, link) for link in links if (k := self.profile.article_key(link))]
        known = self.site_state.lookup([k.id for k, _ in keys])
        # Old for this walk: found before the walk began (by an earlier run).
        new = sum(1 for k, _ in keys if k.id not in known or known[k.id].discovered_run >= walk.run)
        fetch = [(k, link) for k, link in keys if k.id not in known and k.id not in self.seen]
        next_page = page + 1
        advertised = max(advertised, listing_parser.last_page(text))
        wanted = not (
            (walk.stop_at_known and not new)
            or (walk.end_page is not None and next_page >= walk.end_page)
            or (self.max_pages and next_page > self.max_pages)
        )
        has_next = listing_parser.has_page(text, next_page)
        if wanted and not has_next and next_page <= advertised:
            detail = f"page {page} links no page {next_page}; earlier pages linked {advertised}"
            cut = Reject(TRUNCATED_LISTING, detail, response.url)
            yield from self.page_refused(_request(response), cut, "listing", key)
            return
        done = not (wanted and has_next)
        discoveries = [(k.id, self.profile.canonical_url(*k)) for k, _ in fetch]
        try:
            stored = self.site_state.page_read(
                source,
                discoveries,
                response if page == 1 else None,
                walk,
                None if done else next_page,
            )
        except WriteFailed:
            return
        self.ledger.settle("listing", key)
        for k, link in fetch:
            yield self.article_request(link, k.id)
        if stored is not None:
            yield self.listing_request(source, next_page, stored, advertised=advertised)

    def parse_feed(self, response: Response, source: str) -> Iterator[Any]:
        stats = self.crawler.stats
        if response.status == NOT_MODIFIED:
            stats.inc_value("feed/not_modified")
            self.ledger.settle("feed", source)
            return
        text = decode(response.body, _header_pairs(response))
        verdict = classify(response.url, response.status, Selector(text=text))
        if verdict is None and not listing_parser.looks_like_feed(text):
            verdict = nothing_found(response.url, Selector(text=text), "feed items")
        if verdict is not None:
            yield from self.page_refused(_request(response), verdict, "feed", source)
            return
        links = listing_parser.feed_links(text, self.profile)
        stats.inc_value("feed/pages")
        stats.inc_value("feed/links", len(links))
        keys = [(k, link) for link in links if (k := self.profile.article_key(link))]
        known = self.site_state.lookup([k.id for k, _ in keys])
        fetch = [(k, link) for k, link in keys if k.id not in known and k.id not in self.seen]
        discoveries = [(k.id, self.profile.canonical_url(*k)) for k, _ in fetch]
        try:
            self.site_state.page_read(source, discoveries, response)
        except WriteFailed:
            return
        self.ledger.settle("feed", source)
        for k, link in fetch:
            yield self.article_request(link, k.id)

    def page_refused(
        self, request: scrapy.Request, reject: Reject, kind: str, key: str
    ) -> Iterator[scrapy.Request]:
        """Retry a listing page or feed that failed; when its tries are spent, its walk stays
        unfinished (the next run resumes it) and the run fails, naming the page."""
        retry = self.retry(request, reject.reason)
        if retry is not None:
            yield retry
            return
        self.crawler.stats.inc_value(f"{kind}/failed")
        logger.warning("%s %s failed: %s (%s)", kind, request.url, reject.reason, reject.detail)
        self.ledger.unfetched(kind, key, request.url, reject.reason, reject.detail)

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source = request.cb_kwargs["source"]
        if "page" in request.cb_kwargs:
            kind, key = "listing", _page_key(source, request.cb_kwargs["page"])
        else:
            kind, key = "feed", source
        self.crawler.stats.inc_value(f"{kind}/failed")
        self.ledger.unfetched(kind, key, request.url, DOWNLOAD_ERROR, _describe(failure))

    # ---- articles --------------------------------------------------------------------------

    def parse_article(
        self,
        response: Response,
        article_id: str,
        was: str | None = None,
        print_view: bool = False,
        article_url: str | None = None,
    ) -> Iterator[Any]:
        capture = response.meta.get(ARCHIVE_META)
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("release/not_modified")
            self.site_state.record(Checked(self.profile.id, article_id, now()))
            self.ledger.settle("release", article_id)
            return
        # With archiving on, "fetched" is the capture's WARC-Date: the record and its
        # re-extraction from the archive then agree.
        fetched = capture["date"] if capture else datetime.now(UTC).isoformat(timespec="seconds")
        result = parse(
            response.url,
            response.body,
            _header_pairs(response),
            profile=self.profile,
            status=response.status,
            fetched=fetched,
        )
        if isinstance(result, Release):
            record = result.to_dict()
            if capture:
                record["archive"] = capture
            if not print_view:  # a print view's validators are not the article view's
                note_validators(self.crawler, record["id"], validators(response))
            self.ledger.settle("release", article_id)
            yield record
            yield from self.media_requests(response, result)
            return
        yield from self.refused(
            _request(response), result, article_id, was, print_view, article_url
        )

    def refused(
        self,
        request: scrapy.Request,
        reject: Reject,
        article_id: str,
        was: str | None = None,
        print_view: bool = False,
        article_url: str | None = None,
        retry: bool = True,
    ) -> Iterator[Any]:
        """Retry what may pass later (a blocked article view through its print view first);
        then record the refusal, naming the release when it could not be fetched."""
        record_id = self.profile.record_id(article_id)
        url = article_url or request.url
        if print_view and (reject.reason in TRANSIENT_REASONS or reject.reason == GONE):
            # The print view did not pass either: back to the article view, with the tries
            # it has left.
            article = request.replace(
                url=url, cb_kwargs={**request.cb_kwargs, "print_view": False, "article_url": None}
            )
            again = self.retry(article, BLOCKED)
            if again is not None:
                yield again
                return
            reject = Reject(BLOCKED, f"article view blocked; print view: {reject.detail}", url)
        elif retry and reject.reason in TRANSIENT_REASONS:
            print_path = self.profile.print_path(article_id)
            if reject.reason == BLOCKED and print_path and not request.meta.get(_PRINT_TRIED):
                self.crawler.stats.inc_value("release/print_view_fallback")
                fallback = self.article_request(
                    self.base_url + print_path, article_id, None, was, True, request.url
                )
                fallback.meta.update(
                    {_PRINT_TRIED: True, "retry_times": request.meta.get("retry_times", 0)}
                )
                yield fallback
                return
            again = self.retry(request, reject.reason)
            if again is not None:
                yield again
                return
        reject = replace(reject, url=url, id=record_id)
        if reject.reason == GONE and was in (LIVE, GONE_STATUS):
            # A release the publisher removed: reported, nothing emitted or deleted.
            self.crawler.stats.inc_value("release/gone" if was == LIVE else "release/still_gone")
            self.site_state.record(Refused(self.profile.id, article_id, now(), GONE, True))
            self.ledger.settle("release", article_id)
            return
        if reject.reason in TRANSIENT_REASONS or reject.reason == GONE:
            self.ledger.unfetched(
                "release", article_id, url, reject.reason, reject.detail, record_id
            )
        else:
            self.ledger.settle("release", article_id)
        yield reject

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        """A download error after Scrapy's retries, or a request refused before sending."""
        request = failure.request  # type: ignore[attr-defined]
        detail = _describe(failure)
        reason = ROBOTS if "robots.txt" in detail else DOWNLOAD_ERROR
        reject = Reject(reason, detail, request.url)
        yield from self.refused(request, reject, retry=False, **request.cb_kwargs)

    # ---- media -----------------------------------------------------------------------------

    def media_requests(self, response: Response, release: Release) -> Iterator[scrapy.Request]:
        """The images and documents a release links, so the archive holds them too."""
        settings = self.crawler.settings
        if not (settings.getbool("ARCHIVE_ENABLED") and settings.getbool("ARCHIVE_MEDIA")):
            return
        links = [image.url for image in release.images] + release.documents
        for link in dict.fromkeys(links):
            url = self.localize(link)
            if not url_is_from_any_domain(url, self.allowed_domains):
                self.crawler.stats.inc_value("archive/media_offsite")  # not ours to fetch
                continue
            self.ledger.expect("media", url, url)
            yield scrapy.Request(
                url,
                callback=self.media_fetched,
                errback=self.media_failed,
                priority=-1,
                cb_kwargs={"key": url},
                meta={
                    "download_maxsize": settings.getint("ARCHIVE_MEDIA_MAX_SIZE"),
                    "handle_httpstatus_list": HANDLED_STATUSES,
                },
            )

    def media_fetched(self, response: Response, key: str) -> Iterator[scrapy.Request]:
        """A media file; a block page or a server error in its place is retried. A 404 is
        the publisher's answer: archived as it is."""
        markup = b"html" in (response.headers.get(b"Content-Type") or b"").lower()
        selector = Selector(text=decode(response.body, _header_pairs(response))) if markup else None
        verdict = classify(response.url, response.status, selector)
        if verdict is None or verdict.reason == GONE:
            self.crawler.stats.inc_value(
                "archive/media" if verdict is None else "archive/media_gone"
            )
            self.ledger.settle("media", key)
            return
        again = self.retry(_request(response), verdict.reason)
        if again is not None:
            yield again
            return
        self.crawler.stats.inc_value("archive/media_failed")
        self.ledger.unfetched("media", key, response.url, verdict.reason, verdict.detail)

    def media_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("archive/media_failed")
        self.ledger.unfetched(
            "media", request.cb_kwargs["key"], request.url, DOWNLOAD_ERROR, _describe(failure)
        )

    # ---- end -------------------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        self.ledger.close(finished=reason == "finished")
        self.site_state.journal.sync()  # the run is finished once what it did is recorded
        count, waiting = self.site_state.finish_run(reason)
        if count:
            self.crawler.stats.set_value("state/waiting", {"count": count, "releases": waiting})


def _request(response: Response) -> scrapy.Request:
    assert response.request is not None
    return response.request


def _page_key(source: str, page: int) -> str:
    return f"{source}#page={page}"


def _describe(failure: Failure) -> str:
    return f"{type(failure.value).__name__}: {failure.value}"


def _header_pairs(response: Response) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]


def _positive_int(name: str, value: str | int | None) -> int | None:
    if value in (None, "", "0", 0):
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"-a {name} must be a positive integer, got {value!r}") from None
    if number < 0:
        raise ValueError(f"-a {name} must be a positive integer, got {value!r}")
    return number


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
