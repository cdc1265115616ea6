"""One spider for every DNN ArticleCS (AFPIMS) site; a site spider only names its profile.

Walks the listing (``?Page=N``) and the feeds, fetches each article once per run (keyed on
the article id, whatever host, scheme or slug the link carried), and hands the page to the
pure parser. Refusals become ``Reject`` items: nothing is dropped silently.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
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


class ArticleCSSpider(scrapy.Spider):
    """Crawl one ArticleCS site. Arguments: ``site``, ``base_url``, ``max_pages``."""

    name = "articlecs"
    profile_id: ClassVar[str | None] = None

    def __init__(
        self,
        *args: Any,
        site: str | None = None,
        base_url: str | None = None,
        max_pages: str | int | None = None,
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
        base_host = urlsplit(self.base_url).hostname or ""
        # A mirror serves the publisher's media too; a real crawl fetches them from their host.
        self.mirrored = self.base_url != self.profile.origin
        self.allowed_domains = sorted({base_host, *self.profile.hosts, *self.profile.media_hosts})
        self.seen_articles: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleCSSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
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
        for path in self.profile.listings:
            yield scrapy.Request(
                self.base_url + path, callback=self.parse_listing, cb_kwargs={"page": 1}
            )
        for feed in self.profile.feeds:
            yield scrapy.Request(self.base_url + feed.path(), callback=self.parse_feed)

    def parse_listing(self, response: Response, page: int) -> Iterator[Any]:
        links = listing_parser.article_links(response.text, response.url, self.profile)
        self.crawler.stats.inc_value("listing/pages")
        self.crawler.stats.inc_value("listing/links", len(links))
        yield from self.follow_articles(links, response)
        next_page = page + 1
        if not links or (self.max_pages and next_page > self.max_pages):
            return
        if listing_parser.has_page(response.text, next_page):
            yield response.follow(
                listing_parser.with_page(response.url, next_page),
                callback=self.parse_listing,
                cb_kwargs={"page": next_page},
            )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        links = listing_parser.feed_links(response.text, self.profile)
        self.crawler.stats.inc_value("feed/pages")
        self.crawler.stats.inc_value("feed/links", len(links))
        yield from self.follow_articles(links, response)

    def follow_articles(self, links: list[str], response: Response) -> Iterator[scrapy.Request]:
        for link in links:
            key = self.profile.article_key(link)
            if key is None or key[0] in self.seen_articles:
                continue
            self.seen_articles.add(key[0])
            yield scrapy.Request(
                self.localize(link),
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"article_id": key[0]},
            )

    def parse_article(self, response: Response, article_id: str) -> Iterator[Any]:
        capture = response.meta.get(ARCHIVE_META)
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
        yield Reject(reject.reason, reject.detail, url, reject.fields)

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        article_id = request.cb_kwargs.get("article_id", "")
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
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
