"""Drop a release already emitted in this run (a safety net: spiders dedupe on the article id)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.parsers import Reject


class DedupeReleasesPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupeReleasesPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Reject) or not isinstance(item, dict):
            return item
        key = str(item.get("id"))
        if key in self.seen:
            self.crawler.stats.inc_value("release/duplicate")
            raise DropItem(f"release {key} already emitted in this run", log_level="INFO")
        self.seen.add(key)
        return item
