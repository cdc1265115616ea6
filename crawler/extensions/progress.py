"""A live progress line on a terminal; nothing under cron or systemd (no TTY)."""

from __future__ import annotations

import sys
import time
from typing import IO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressLine:
    def __init__(self, crawler: Crawler, stream: IO[str], interval: float) -> None:
        self.crawler = crawler
        self.stream = stream
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        if not crawler.settings.getbool("PROGRESS_ENABLED"):
            raise NotConfigured("PROGRESS_ENABLED is off")
        stream = sys.stderr
        extension = cls(crawler, stream, crawler.settings.getfloat("PROGRESS_INTERVAL"))
        if not stream.isatty():
            return extension  # cron, systemd, a pipe: stay silent (no "Disabled" warning)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self) -> str:
        stats = self.crawler.stats
        assert stats is not None
        get = stats.get_value
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = get("response_received_count", 0)
        known = get("release/unchanged", 0) + get("release/not_modified", 0)
        return (
            f"listing pages {get('listing/pages', 0)} | releases new {get('release/new', 0)} "
            f"known {known} | refused {get('release/rejected', 0)} | {pages / elapsed:.1f} pages/s"
        )

    def show(self) -> None:
        self.stream.write("\r\x1b[2K" + self.line())
        self.stream.flush()

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show()
        self.stream.write("\n")
