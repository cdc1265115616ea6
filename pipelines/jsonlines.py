"""Write valid releases as JSON Lines (``OUTPUT_DIR/releases/<site>-<run time>.jsonl``).

The last pipeline: the journal writes the line, makes it durable and then records the
release as live in the state store, so nothing is live without its line.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from .state.journal import Journal, WriteFailed, journal_for
from .state.validators import take_validators


class ReleasesJsonLinesPipeline:
    def __init__(self, crawler: Crawler, journal: Journal) -> None:
        self.crawler = crawler
        self.journal = journal

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReleasesJsonLinesPipeline:
        return cls(crawler, journal_for(crawler))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        try:
            self.journal.emit(item, take_validators(self.crawler, str(item.get("id"))))
        except WriteFailed as error:
            raise DropItem(
                f"release {item.get('id')} not written: {error}", log_level="DEBUG"
            ) from error
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("release/emitted")
        return item
