"""The images and documents a release links, fetched so the archive holds them too."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.parsers import Release, decode
from crawler.parsers.classify import classify
from crawler.parsers.model import GONE

from .fetching import Fetching, failure_reason, handled, header_pairs, request_of


class MediaArchiver(Fetching):
    allowed_domains: list[str]

    @property
    def media_asked(self) -> set[str]:
        """Media URLs requested in this run."""
        if not hasattr(self, "_media_asked"):
            self._media_asked: set[str] = set()
        return self._media_asked

    def localize(self, url: str) -> str:
        raise NotImplementedError

    def allowed(self, url: str) -> bool:
        """Whether the crawl may fetch ``url`` (its host or a subdomain is allowed; the port
        does not matter, as for Scrapy's offsite check)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == domain or host.endswith(f".{domain}") for domain in self.allowed_domains)

    def media_requests(self, release: Release) -> Iterator[scrapy.Request]:
        settings = self.crawler.settings
        if not (settings.getbool("ARCHIVE_ENABLED") and settings.getbool("ARCHIVE_MEDIA")):
            return
        links = [image.url for image in release.images] + release.documents
        for link in dict.fromkeys(links):
            url = self.localize(link)
            if not self.allowed(url):
                self.crawler.stats.inc_value("archive/media_offsite")  # not ours to fetch
                continue
            if url in self.media_asked:
                continue  # another release links it too: asked once (Scrapy would drop it)
            self.media_asked.add(url)
            self.ledger.expect("media", url, url)
            yield scrapy.Request(
                url,
                callback=self.media_fetched,
                errback=self.media_failed,
                priority=-1,
                cb_kwargs={"key": url},
                meta={"download_maxsize": settings.getint("ARCHIVE_MEDIA_MAX_SIZE"), **handled()},
            )

    def media_fetched(self, response: Response, key: str) -> Iterator[scrapy.Request]:
        """A media file; a block page or a server error in its place is retried. A 404 is
        the publisher's answer: archived as it is."""
        markup = b"html" in (response.headers.get(b"Content-Type") or b"").lower()
        text = decode(response.body, header_pairs(response)) if markup else None
        selector = Selector(text=text) if text is not None else None
        verdict = classify(response.url, response.status, selector, text)
        if verdict is None or verdict.reason == GONE:
            outcome = "archive/media" if verdict is None else "archive/media_gone"
            self.crawler.stats.inc_value(outcome)
            self.ledger.settle("media", key)
            return
        self.note_refusal(response, verdict)
        again = self.retry(request_of(response), verdict.reason)
        if again is not None:
            yield again
            return
        self.crawler.stats.inc_value("archive/media_failed")
        self.ledger.unfetched("media", key, response.url, verdict.reason, verdict.detail)

    def media_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("archive/media_failed")
        reject = failure_reason(failure)
        self.ledger.unfetched(
            "media", request.cb_kwargs["key"], request.url, reject.reason, reject.detail
        )
