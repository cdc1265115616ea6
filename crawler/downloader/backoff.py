"""Wait before a retry: a delay that doubles with each attempt, or what the server asks.

Scrapy's RetryMiddleware sends a retry at once. A server that blocks, fails or limits us
is more likely to pass a little later, and retrying at once makes a wave of blocks worse,
so every retry — of a status, a network error, or a block page a spider found in a body —
waits ``RETRY_BACKOFF_BASE * 2**(attempt-1)`` seconds, or the response's Retry-After,
at most ``RETRY_BACKOFF_MAX``. (No retry delay exists in Scrapy 2.19; hence this module.)
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

# request.meta: the monotonic time before which the request is not sent.
NOT_BEFORE = "retry_not_before"


class RetryBackoff:
    def __init__(self, base: float, cap: float) -> None:
        if base < 0 or cap < 0:
            raise NotConfigured(f"RETRY_BACKOFF_BASE and _MAX must be >= 0, got {base}, {cap}")
        self.base = base
        self.cap = cap

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings.getfloat("RETRY_BACKOFF_BASE"), settings.getfloat("RETRY_BACKOFF_MAX"))

    def delay(self, attempt: int, retry_after: bytes | str | None = None) -> float:
        wanted = self.base * 2 ** max(attempt - 1, 0)
        asked = _seconds(retry_after)
        if asked is not None:
            wanted = max(wanted, asked)
        return min(wanted, self.cap)

    def schedule(self, request: Request, retry_after: bytes | str | None = None) -> Request:
        """Mark a retry request to wait its turn (its ``retry_times`` is the attempt)."""
        attempt = int(request.meta.get("retry_times", 1))
        request.meta[NOT_BEFORE] = time.monotonic() + self.delay(attempt, retry_after)
        return request


def _seconds(value: bytes | str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        return max(parsedate_to_datetime(text).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


class BackoffMiddleware:
    """Hold a request until its ``NOT_BEFORE`` time (it keeps its place in the downloader,
    so a wave of retries also slows the crawl down)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        wait = float(request.meta.get(NOT_BEFORE, 0.0)) - time.monotonic()
        if wait <= 0:
            return None
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("retry/backoff_waits")
            stats.inc_value("retry/backoff_ms", round(wait * 1000))
        from twisted.internet import reactor  # the one Scrapy installed, not a default

        await maybe_deferred_to_future(task.deferLater(reactor, wait))
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, with the delay above on every retry it makes."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff = RetryBackoff.from_settings(settings)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            self.backoff.schedule(result, response.headers.get(b"Retry-After"))
        return result

    def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self.backoff.schedule(result)
        return result
