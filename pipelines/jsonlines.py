"""Write valid releases as JSON Lines: ``OUTPUT_DIR/releases/<spider>-<run time>.jsonl``."""

from __future__ import annotations

from typing import IO, Any

from scrapy.crawler import Crawler

from .output import run_file, write_json_line


class ReleasesJsonLinesPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.handle: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReleasesJsonLinesPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        path = run_file(self.crawler, "releases")
        self.handle = path.open("a", encoding="utf-8")
        self.crawler.stats.set_value("output/releases_file", str(path))

    def close_spider(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        assert self.handle is not None
        write_json_line(self.handle, item)
        self.crawler.stats.inc_value("release/emitted")
        return item
