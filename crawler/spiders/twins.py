"""Fetch an article's twin in another language after the article, and emit the record with
both (``crawler.parsers.twins``). A twin that cannot be had leaves the release as it is:
the release is not lost for want of its translation, and the run says so."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.downloader.archiving import ARCHIVE_META
from crawler.parsers import Release
from crawler.parsers.model import Reject
from crawler.parsers.twins import twin_url, with_twin

from .fetching import Fetching, failure_reason, handled, header_pairs

logger = logging.getLogger(__name__)


class TwinFetcher(Fetching):
    def localize(self, url: str) -> str:
        raise NotImplementedError

    def emit_release(
        self, release: Release, capture: dict[str, Any] | None, article_id: str
    ) -> Iterator[Any]:
        raise NotImplementedError

    def twin_request(
        self, release: Release, response: Response, article_id: str
    ) -> scrapy.Request | None:
        """The request for the release's twin, or None when it has none to fetch."""
        url = twin_url(release, response.body, header_pairs(response), self.profile)
        if url is None:
            return None
        kwargs = {
            "release": release,
            "capture": response.meta.get(ARCHIVE_META),
            "article_id": article_id,
        }
        return scrapy.Request(
            self.localize(url),
            callback=self.parse_twin,
            errback=self.twin_failed,
            cb_kwargs=kwargs,
            meta=handled(),
        )

    def parse_twin(
        self,
        response: Response,
        release: Release,
        capture: dict[str, Any] | None,
        article_id: str,
    ) -> Iterator[Any]:
        merged, refused = with_twin(
            release,
            response.url,
            response.body,
            header_pairs(response),
            profile=self.profile,
            status=response.status,
        )
        if refused is not None:
            self.twin_missing(release, refused)
        else:
            self.crawler.stats.inc_value("release/twin_read")
        yield from self.emit_release(merged, capture, article_id)

    def twin_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        self.twin_missing(kwargs["release"], failure_reason(failure))
        yield from self.emit_release(**kwargs)

    def twin_missing(self, release: Release, reason: Reject) -> None:
        self.crawler.stats.inc_value("release/twin_missing")
        logger.warning(
            "%s: its %s twin adds no section (%s: %s); the release is kept without it",
            release.id,
            ", ".join(self.profile.twin_languages),
            reason.reason,
            reason.detail,
        )
