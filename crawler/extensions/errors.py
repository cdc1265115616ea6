"""Name every exception in a spider callback or an item pipeline, so the run fails on it.

Scrapy logs them and counts spider exceptions, and the crawl goes on; the page or record
involved is then missing from the run's output. The close monitors fail the run on any
entry here (``run/errors``), and the report lists them.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

ERRORS_STAT = "run/errors"
_KEEP = 50  # entries kept in the stats; the count goes on


class ErrorCollector:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ErrorCollector:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_error, signal=signals.spider_error)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        return extension

    def _add(self, entry: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("run/errors_count")
        entries = list(stats.get_value(ERRORS_STAT) or [])
        if len(entries) < _KEEP:
            stats.set_value(ERRORS_STAT, [*entries, entry])

    def spider_error(self, failure: Failure, response: Any = None, spider: Any = None) -> None:
        where = f" on {response.url}" if response is not None else ""
        self._add(f"spider error{where}: {_describe(failure)}")

    def item_error(
        self, item: Any, response: Any = None, spider: Any = None, failure: Any = None
    ) -> None:
        name = item.get("id") if isinstance(item, dict) else getattr(item, "url", type(item))
        self._add(f"pipeline error on {name}: {_describe(failure)}")


def _describe(failure: Any) -> str:
    value = getattr(failure, "value", failure)
    return f"{type(value).__name__}: {value}"
