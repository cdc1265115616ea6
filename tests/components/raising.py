"""A pipeline that raises on one release (``-s RAISE_ON=ID``): a pipeline bug, on demand."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler


class RaiseOn:
    def __init__(self, target: str) -> None:
        self.target = target

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RaiseOn:
        return cls(crawler.settings.get("RAISE_ON", ""))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, dict) and item.get("id") == self.target:
            raise RuntimeError(f"a pipeline bug on {self.target}")
        return item
