"""One spider for every DNN ArticleCS (AFPIMS) site; a site spider only names its profile.

Walks the listing (``?Page=N``) and the feeds, fetches each article once per run (keyed on
the article id, whatever host, scheme or slug the link carried), and hands the page to the
pure parser. Refusals become ``Reject`` items: nothing is dropped silently.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator, Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.downloader.archiving import ARCHIVE_META
from crawler.parsers import Reject, Release, parse
from crawler.parsers import listing as listing_parser
from crawler.parsers.model import (
    BLOCKED,
    DOWNLOAD_ERROR,
    GONE,
    SERVER_ERROR,
    TRANSIENT_REASONS,
)
from crawler.profiles import SiteProfile, get_profile
from pipelines.state.crawl import state_for

from .incremental import NOT_MODIFIED, SiteState, conditional_headers, parse_revisit


class ArticleCSSpider(scrapy.Spider):
    """Crawl one ArticleCS site.

    Arguments: ``site``, ``base_url``, ``max_pages``, ``full`` (walk every listing page),
    ``revisit`` (``all`` or DAYS: re-check known releases with conditional GETs).
    """

    name = "articlecs"
    profile_id: ClassVar[str | None] = None
    site_state: SiteState

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
        self.profile: SiteProfile = get_profile(site_id)
        self.base_url = (base_url or self.profile.origin).rstrip("/")
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError(f"base_url must be an http(s) origin, got {base_url!r}")
        self.max_pages = _positive_int("max_pages", max_pages)
        self.full = str(full or "").lower() in ("1", "true", "yes")
        self.revisit: int | bool = parse_revisit(revisit)
        base_host = urlsplit(self.base_url).hostname or ""
        # A mirror serves the publisher's media too; a real crawl fetches them from their host.
        self.mirrored = self.base_url != self.profile.origin
        self.allowed_domains = sorted({base_host, *self.profile.hosts, *self.profile.media_hosts})
        self.seen_articles: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleCSSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.site_state = SiteState(state_for(crawler), spider.profile.id)
        if not settings.frozen and _is_loopback(spider.base_url):
            # A local mirror: no politeness delays.
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="spider")
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

    # ---- crawl -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        state = self.site_state
        # Found by a run that was killed, or refused earlier: a full or revisit run retries
        # every refusal, others those older than RELEASES_RETRY_REFUSED_AFTER hours.
        retry_after = (
            None
            if self.full or self.revisit
            else timedelta(hours=self.crawler.settings.getfloat("RELEASES_RETRY_REFUSED_AFTER"))
        )
        for article_id, url in state.pending(retry_after):
            self.seen_articles.add(article_id)
            yield self.article_request(url, article_id)
        for path in self.profile.listings:
            headers = {} if self.full else state.source_headers(path)
            yield self.listing_request(path, 1, headers)
            cursor = state.walk_cursor(path)
            if cursor and cursor > 1:
                # A walk an earlier run did not finish. It resumes a page early: releases the
                # publisher deleted since then have pulled unfetched ones back onto it.
                yield self.listing_request(path, max(cursor - 1, 2), {}, resumed=True)
        for feed in self.profile.feeds:
            headers = {} if self.full else state.source_headers(feed.path())
            yield scrapy.Request(
                self.base_url + feed.path(),
                callback=self.parse_feed,
                headers=headers,
                meta={"handle_httpstatus_list": [NOT_MODIFIED]},
                dont_filter=True,
                cb_kwargs={"source": feed.path()},
            )
        for known in state.to_revisit(self.revisit):
            self.seen_articles.add(known.article_id)
            target = known.capture["target_uri"] if known.capture else known.url
            yield self.article_request(
                target,
                known.article_id,
                conditional_headers(known.etag, known.last_modified),
                revisit=True,
            )

    def listing_request(
        self, path: str, page: int, headers: dict[str, str], resumed: bool = False
    ) -> scrapy.Request:
        url = self.base_url + path
        return scrapy.Request(
            listing_parser.with_page(url, page) if page > 1 else url,
            callback=self.parse_listing,
            headers=headers,
            dont_filter=True,
            cb_kwargs={"page": page, "source": path, "resumed": resumed},
            meta={"handle_httpstatus_list": [NOT_MODIFIED]},
        )

    def article_request(
        self,
        url: str,
        article_id: str,
        headers: dict[str, str] | None = None,
        revisit: bool = False,
    ) -> scrapy.Request:
        meta: dict[str, Any] = {"revisit": revisit}
        if headers:
            meta["handle_httpstatus_list"] = [NOT_MODIFIED]
        return scrapy.Request(
            self.localize(url),
            callback=self.parse_article,
            errback=self.article_failed,
            headers=headers or {},
            cb_kwargs={"article_id": article_id},
            meta=meta,
        )

    def parse_listing(
        self, response: Response, page: int, source: str, resumed: bool = False
    ) -> Iterator[Any]:
        stats = self.crawler.stats
        if response.status == NOT_MODIFIED:
            stats.inc_value("listing/not_modified")
            return
        if page == 1:
            self.site_state.source_fetched(source, response)
        links = listing_parser.article_links(response.text, response.url, self.profile)
        stats.inc_value("listing/pages")
        stats.inc_value("listing/links", len(links))
        new = yield from self.follow_articles(links)
        next_page = page + 1
        done = (
            not links
            # A page of known releases: the rest is older (unless the walk resumes here).
            or (not new and not self.full and not resumed)
            or (self.max_pages and next_page > self.max_pages)
            or not listing_parser.has_page(response.text, next_page)
        )
        if done:
            self.site_state.walk_at(source, None)
            return
        self.site_state.walk_at(source, next_page)
        yield self.listing_request(source, next_page, {})

    def parse_feed(self, response: Response, source: str) -> Iterator[Any]:
        stats = self.crawler.stats
        if response.status == NOT_MODIFIED:
            stats.inc_value("feed/not_modified")
            return
        self.site_state.source_fetched(source, response)
        links = listing_parser.feed_links(response.text, self.profile)
        stats.inc_value("feed/pages")
        stats.inc_value("feed/links", len(links))
        yield from self.follow_articles(links)

    def follow_articles(self, links: list[str]) -> Generator[scrapy.Request, None, int]:
        """Requests for the releases not known yet; returns how many earlier runs did not know."""
        new = 0
        for link in links:
            key = self.profile.article_key(link)
            if key is None:
                continue
            if key.id not in self.site_state.known_before:
                new += 1
            if key.id in self.seen_articles or self.site_state.is_known(key.id):
                continue
            self.seen_articles.add(key.id)
            self.site_state.discover(key.id, self.profile.canonical_url(*key))
            yield self.article_request(link, key.id)
        return new

    def parse_article(self, response: Response, article_id: str) -> Iterator[Any]:
        capture = response.meta.get(ARCHIVE_META)
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("release/not_modified")
            self.site_state.not_modified(article_id, capture)
            return
        self.site_state.fetched(article_id, response)
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
            yield record
            yield from self.media_requests(response, result)
            return
        yield from self.refused(response.request, result, article_id)

    def media_requests(self, response: Response, release: Release) -> Iterator[scrapy.Request]:
        """The images and documents a release links, so the archive holds them too."""
        settings = self.crawler.settings
        if not (settings.getbool("ARCHIVE_ENABLED") and settings.getbool("ARCHIVE_MEDIA")):
            return
        links = [image.url for image in release.images] + release.documents
        for link in dict.fromkeys(links):
            yield scrapy.Request(
                self.localize(link),
                callback=self.media_fetched,
                errback=self.media_failed,
                priority=-1,
                meta={"download_maxsize": settings.getint("ARCHIVE_MEDIA_MAX_SIZE")},
            )

    def media_fetched(self, response: Response) -> None:
        self.crawler.stats.inc_value("archive/media")

    def media_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("archive/media_failed")

    def refused(
        self, request: scrapy.Request | None, reject: Reject, article_id: str
    ) -> Iterator[Any]:
        """Retry what may pass later; try the print view when the article view is blocked."""
        if request is not None and reject.reason in TRANSIENT_REASONS:
            # Carry only this spider's own keys; download and redirect state stays behind.
            meta = {k: v for k, v in request.meta.items() if k in _CARRIED_META}
            print_path = self.profile.print_path(article_id)
            if reject.reason == BLOCKED and print_path and not meta.get("print_view"):
                self.crawler.stats.inc_value("release/print_view_fallback")
                yield request.replace(
                    url=self.base_url + print_path,
                    dont_filter=True,
                    meta={"print_view": True, "article_url": request.url},
                )
                return
            retry = get_retry_request(
                request.replace(meta=meta),
                spider=self,
                reason=f"refused/{reject.reason}",
                give_up_log_level=logging.WARNING,
            )
            if retry is not None:
                yield retry
                return
        url = request.meta.get("article_url", reject.url) if request is not None else reject.url
        # The store keeps it out of the next runs until it may have changed.
        if reject.reason == GONE:
            self.site_state.gone(article_id)
        else:
            self.site_state.refused(article_id)
        yield Reject(reject.reason, reject.detail, url, reject.fields)

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        article_id = request.cb_kwargs.get("article_id", "")
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            if status in (404, 410) and request.meta.get("revisit"):
                # A known release the publisher removed: reported, nothing emitted or deleted.
                self.crawler.stats.inc_value("release/gone")
                self.site_state.gone(article_id)
                return
            reason = (
                GONE
                if status in (404, 410)
                else BLOCKED
                if status in (401, 403, 429)
                else SERVER_ERROR
            )
            reject = Reject(reason, f"HTTP {status}", request.url)
        else:
            reject = Reject(DOWNLOAD_ERROR, repr(failure.value), request.url)
        if request.meta.get("print_view"):
            # The fallback failed too: the release is still blocked, not gone.
            detail = f"article view blocked; print view: {reject.detail}"
            self.site_state.refused(article_id)
            yield Reject(BLOCKED, detail, request.meta.get("article_url", request.url))
            return
        # RetryMiddleware has already retried 5xx and network errors; only a block may still
        # pass through the print view.
        yield from self.refused(request if reject.reason == BLOCKED else None, reject, article_id)


# Request meta a refused page's retry keeps: attempts so far, and the print-view fallback.
_CARRIED_META = frozenset({"retry_times", "print_view", "article_url"})


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
