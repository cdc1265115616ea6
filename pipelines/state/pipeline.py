"""After a release's line is written, record it in the store (the last pipeline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.records import content_digest

from .crawl import state_for
from .store import StateStore


class StoreBackedPipeline:
    """Base of the pipelines that need the state store (off with STATE_ENABLED)."""

    def __init__(self, crawler: Crawler, store: StateStore) -> None:
        self.crawler = crawler
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        store = state_for(crawler)
        if store is None:
            raise NotConfigured("STATE_ENABLED is off")
        return cls(crawler, store)


class StatePipeline(StoreBackedPipeline):
    def process_item(self, item: Any) -> Any:
        if isinstance(item, dict):
            written = self.crawler.stats.get_value("output/releases_file")
            applied = None
            if written:
                path = Path(written)
                applied = (path, path.stat().st_size)
            self.store.emitted(item, content_digest(item), applied=applied)
        return item
