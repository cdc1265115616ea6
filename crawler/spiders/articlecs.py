"""One spider for every DNN ArticleCS (AFPIMS) site; a site spider only names its profile.

Walks the listing (``?Page=N``) and the feeds (``listings.py``), fetches each article once
per run (keyed on the article id, whatever host, scheme or slug the link carried), hands
the page to the pure parser, and fetches the media a release links (``media.py``).

Every response — listing page, feed, article, media — first passes one body-aware
classifier (``crawler.parsers.classify``): what may pass later (a block page, a module
error, a server error) is retried with a growing delay, and what still fails is named in
the run's ledger, which fails the run. Refusals become ``Reject`` items: nothing is
dropped silently.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.downloader.archiving import ARCHIVE_META
from crawler.downloader.backoff import RetryBackoff
from crawler.downloader.redirects import redirect_chain
from crawler.parsers import Reject, Release, parse
from crawler.parsers.model import (
    BLOCKED,
    GONE,
    NOT_A_RELEASE,
    TRANSIENT_REASONS,
)
from crawler.profiles import ArticleKey, SiteProfile
from crawler.profiles.discovery import NoReleaseSection
from crawler.profiles.toml import profile_summary
from crawler.records import GONE_EVENT, RETURNED_EVENT, status_event
from pipelines.failure import stop_for_write_error
from pipelines.state.crawl import state_failure, state_for
from pipelines.state.journal import WriteFailed, journal_for
from pipelines.state.store import GONE as GONE_STATUS
from pipelines.state.store import LIVE, Checked, Refused
from pipelines.state.validators import note_validators

from .arguments import crawl_arguments
from .discovering import discover_site
from .fetching import failure_reason, handled, header_pairs, request_of
from .incremental import (
    NOT_MODIFIED,
    SiteState,
    conditional_headers,
    now,
    validators,
)
from .ledger import RunLedger
from .listings import ListingWalker
from .media import MediaArchiver
from .twins import TwinFetcher

logger = logging.getLogger(__name__)

# Meta of an article request made after its print view was tried.
_PRINT_TRIED = "print_view_tried"


class ArticleCSSpider(ListingWalker, MediaArchiver, TwinFetcher):
    """Crawl one ArticleCS site.

    Arguments: ``site``, ``base_url``, ``max_pages``, ``full`` (walk every listing page),
    ``revisit`` (``all`` or DAYS: re-check known releases with conditional GETs).
    """

    name = "articlecs"
    profile_id: ClassVar[str | None] = None
    state_error: Exception | None = None  # the state store could not be opened

    def __init__(
        self,
        *args: Any,
        site: str | None = None,
        base_url: str | None = None,
        max_pages: str | int | None = None,
        full: str | None = None,
        revisit: str | None = None,
        revisit_by: str | None = None,
        kinds: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        given = {"site": site, "base_url": base_url, "max_pages": max_pages}
        given |= {"full": full, "revisit": revisit, "revisit_by": revisit_by, "kinds": kinds}
        arguments = crawl_arguments(self.profile_id, {**given, **kwargs})
        self.profile: SiteProfile = arguments.profile
        self.base_url = arguments.base_url
        self.max_pages = arguments.max_pages
        self.full = arguments.full
        self.revisit: int | bool = arguments.revisit
        self.revisit_by = arguments.revisit_by
        self.kinds = arguments.kinds
        self.discover = arguments.discover  # the profile is found from the site's pages
        parts = urlsplit(self.base_url)
        # A mirror serves the publisher's media too; a real crawl fetches them from their host.
        self.mirrored = self.base_url != self.profile.origin
        base_host = parts.hostname or ""
        self.allowed_domains = sorted({base_host, *self.profile.hosts, *self.profile.media_hosts})
        self.seen: set[str] = set()  # article ids requested in this run
        self.walked: dict[str, dict[str, int]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleCSSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        relax_for_mirror(settings, spider.base_url)
        if spider.profile.max_rate and not is_loopback(spider.base_url) and not settings.frozen:
            # The publisher's published limit holds whatever the settings say.
            delay = max(settings.getfloat("DOWNLOAD_DELAY"), 1 / spider.profile.max_rate)
            settings.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        site = spider.profile.id
        store = state_for(crawler, site)
        spider.state_error = state_failure(crawler)
        spider.site_state = SiteState(store, journal_for(crawler), site)
        if spider.site_state.rebuilt:
            spider.full = True  # releases found but never emitted are known only to listings
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
        if self.discover:
            await self.discover_profile()
        state = self.site_state
        arguments = {
            "spider": self.name,
            "site": self.profile.origin if self.discover else self.profile.id,
            "kinds": list(self.kinds),
            "base_url": self.base_url,
            "max_pages": self.max_pages,
            "full": self.full,
            "revisit": self.revisit,
            "revisit_by": self.revisit_by if self.revisit not in (False, True) else None,
        }
        self.crawler.stats.set_value("run/arguments", arguments)
        if self.state_error is not None:
            stop_for_write_error(self.crawler, "the state store", self.state_error)
            return
        try:
            interrupted = state.begin_run(arguments)
        except WriteFailed:
            return  # the run is stopping, with one line that says why
        if interrupted:
            self.crawler.stats.set_value("state/interrupted_runs", interrupted)
        # Found by a run that was killed, or refused earlier and due again (a full or
        # revisit run tries every refusal).
        for article_id, url in state.pending(everything=self.full or bool(self.revisit)):
            if article_id not in self.seen:
                yield self.article_request(url, article_id)
        for source, _kind in self.profile.listings_of(self.kinds):
            for request in self.listing_start(source):
                yield request
        for feed in self.profile.feeds:
            if (feed.kind or self.profile.kind) in self.kinds:
                yield self.feed_request(feed.path())
        for known in state.to_revisit(self.revisit, self.revisit_by):
            if known.article_id in self.seen:
                continue
            self.crawler.stats.inc_value("release/revisited")
            target = known.capture["target_uri"] if known.capture else known.url
            yield self.article_request(
                target,
                known.article_id,
                conditional_headers(known.etag, known.last_modified),
                was=known.status,
            )

    async def discover_profile(self) -> None:
        """Find the profile of a site no bundled profile describes, from its own pages; a
        site that shows no release section ends the run (non-zero exit), naming what it
        shows instead."""
        stats = self.crawler.stats
        assert stats is not None
        try:
            found = await discover_site(
                self.crawler, self.base_url, self.profile.origin, self.kinds
            )
        except NoReleaseSection as error:
            stats.set_value("discovery/failed", str(error))
            logger.error("%s: %s; nothing crawled", self.profile.origin, error)
            raise CloseSpider("no_release_section") from None
        for note in found.notes:
            logger.info("discovery: %s", note)
        self.profile = found.profile
        stats.set_value("discovery/profile", profile_summary(found.profile))

    def wants(self, key: ArticleKey) -> bool:
        if key.kind is None:
            # An ArticleCS link whose path names no known section is a sidebar's or another
            # site's; a GOV.UK link names no kind at all (its document does).
            return self.profile.platform != "articlecs"
        return key.kind in self.kinds

    # ---- requests --------------------------------------------------------------------------

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
            meta=handled(),
        )

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
            if was == GONE_STATUS:  # a removed release answers again, as it was
                self.crawler.stats.inc_value("release/returned")
                self.status_changed(article_id, RETURNED_EVENT)
            return
        # With archiving on, "fetched" is the capture's WARC-Date: the record and its
        # re-extraction from the archive then agree.
        fetched = capture["date"] if capture else datetime.now(UTC).isoformat(timespec="seconds")
        result = parse(
            response.url,
            response.body,
            header_pairs(response),
            profile=self.profile,
            status=response.status,
            fetched=fetched,
        )
        if isinstance(result, Release) and result.kind not in self.kinds:
            detail = f"a {result.kind}, not a kind this crawl takes ({', '.join(self.kinds)})"
            result = Reject(NOT_A_RELEASE, detail, response.url, (), result.id)
            self.crawler.stats.inc_value("release/other_kind")  # read right, not wanted
        if isinstance(result, Release):
            if not print_view:  # a print view's validators are not the article view's
                note_validators(self.crawler, result.id, validators(response))
            twin = self.twin_request(result, response, article_id)
            if twin is not None:
                yield twin  # the record follows, with the twin's sections
                return
            yield from self.emit_release(result, capture, article_id)
            return
        self.note_refusal(response, result)
        yield from self.refused(
            request_of(response), result, article_id, was, print_view, article_url
        )

    def emit_release(
        self, release: Release, capture: dict[str, Any] | None, article_id: str
    ) -> Iterator[Any]:
        """The release's record (pointing at its capture), then its media."""
        record = release.to_dict()
        if capture:
            record["archive"] = capture
        self.ledger.settle("release", article_id)
        yield record
        yield from self.media_requests(release)

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
        url = article_url or redirect_chain(request)[0]  # the URL asked for, not a hop
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
            # A release the publisher removed: its status line says so (exports carry it);
            # nothing is deleted. One still gone only counts the check.
            self.ledger.settle("release", article_id)
            if was == GONE_STATUS:
                self.crawler.stats.inc_value("release/still_gone")
                self.site_state.record(Refused(self.profile.id, article_id, now(), GONE, True))
                return
            self.crawler.stats.inc_value("release/gone")
            self.status_changed(article_id, GONE_EVENT, reject.detail)
            return
        if self.profile.experimental and reject.reason not in TRANSIENT_REASONS:
            logger.warning(
                "experimental profile %s: %s refused: %s (%s)",
                self.profile.id,
                reject.id or url,
                reject.reason,
                reject.detail,
            )
        if reject.reason in TRANSIENT_REASONS or reject.reason == GONE:
            self.ledger.unfetched(
                "release", article_id, url, reject.reason, reject.detail, record_id
            )
        else:
            self.ledger.settle("release", article_id)
        yield reject

    def status_changed(self, article_id: str, event: str, detail: str | None = None) -> None:
        """Write a known release's status line (gone, returned) at its current version."""
        known = self.site_state.lookup([article_id]).get(article_id)
        if known is None:
            return
        line = status_event(
            self.profile.record_id(article_id), known.url, known.version, event, now(), detail
        )
        with suppress(WriteFailed):  # the run is stopping, with one line that says why
            self.site_state.journal.status(line)

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        """A download error, or a request refused before sending or while redirected: retried
        when transient and Scrapy has not spent its tries on it (an answer that does not
        decode, a redirect loop), then named."""
        request = failure.request  # type: ignore[attr-defined]
        yield from self.refused(request, failure_reason(failure), **request.cb_kwargs)

    # ---- end -------------------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        self.ledger.close(finished=reason == "finished")
        self.site_state.journal.sync()  # the run is finished once what it did is recorded
        count, waiting = self.site_state.finish_run(reason)
        if count:
            self.crawler.stats.set_value("state/waiting", {"count": count, "releases": waiting})


def relax_for_mirror(settings: Settings, base_url: str) -> None:
    """A local mirror: no politeness delays, short retry delays."""
    if settings.frozen or not is_loopback(base_url):
        return
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
    settings.set("DOWNLOAD_DELAY", 0, priority="spider")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="spider")
    settings.set("RETRY_BACKOFF_BASE", 0.05, priority="spider")
    settings.set("RETRY_BACKOFF_MAX", 1.0, priority="spider")
    settings.set("BLOCK_SLOWDOWN_START", 0.05, priority="spider")
    settings.set("BLOCK_SLOWDOWN_MAX", 0.5, priority="spider")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
