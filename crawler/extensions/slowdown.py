"""Slow the whole crawl of a host down while it blocks us, and say so in the report.

A retry already waits (``crawler.downloader.backoff``), but the other requests to the
host go on at full speed, which is what makes a wave of blocks grow. Each block page or
429 doubles a floor under the host's download delay, from ``BLOCK_SLOWDOWN_START`` up to
``BLOCK_SLOWDOWN_MAX`` seconds; each answer under 400 lowers it by a tenth (a block page
served with 200 too, before it is found out: a block still raises the floor 1.8 times), so
the crawl speeds up again once the wave is over. AutoThrottle may raise the delay further, never
below the floor.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawler.parsers.model import BLOCKED
from crawler.signals import response_refused

SLOWDOWN_STAT = "slowdown"


class BlockSlowdown:
    def __init__(self, crawler: Crawler, start: float, cap: float) -> None:
        self.crawler = crawler
        self.start = start
        self.cap = cap
        self.floors: dict[str, float] = {}  # download slot -> the delay it may not go under

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("BLOCK_SLOWDOWN_ENABLED"):
            raise NotConfigured
        extension = cls(
            crawler,
            settings.getfloat("BLOCK_SLOWDOWN_START"),
            settings.getfloat("BLOCK_SLOWDOWN_MAX"),
        )
        crawler.signals.connect(extension.refused, signal=response_refused)
        crawler.signals.connect(extension.received, signal=signals.response_received)
        return extension

    def refused(self, response: Response, reason: str, **_: Any) -> None:
        if reason != BLOCKED or response.request is None:
            return
        key = self._slot_key(response.request)
        floor = min(max(self.floors.get(key, 0.0) * 2, self.start), self.cap)
        self.floors[key] = floor
        self._apply(key)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"{SLOWDOWN_STAT}/blocks")
            stats.max_value(f"{SLOWDOWN_STAT}/max_delay", floor)

    def received(self, response: Response, request: Request, **_: Any) -> None:
        if not self.floors:
            return  # no wave: nothing to do on every response
        key = self._slot_key(request)
        if key in self.floors and response.status < 400:
            self.floors[key] *= 0.9
            if self.floors[key] < self.start / 2:
                del self.floors[key]
        self._apply(key)

    def _slot_key(self, request: Request) -> str:
        assert self.crawler.engine is not None
        return self.crawler.engine.downloader.get_slot_key(request)

    def _apply(self, key: str) -> None:
        assert self.crawler.engine is not None
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None and key in self.floors:
            slot.delay = max(slot.delay, self.floors[key])
