"""Write every refused page (block page, module error, invalid record, …) to the rejects file.

One JSON line per reject with the URL, reason, detail and failing fields; counted as
``release/rejected/<reason>``. The item then stops here: a reject is never a release.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import IO, Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.parsers import Reject

from .output import run_file, write_json_line


class RejectsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.handle: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RejectsPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        path = run_file(self.crawler, "rejects")
        self.handle = path.open("a", encoding="utf-8")
        self.crawler.stats.set_value("output/rejects_file", str(path))

    def close_spider(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Reject):
            return item
        assert self.handle is not None
        record = {
            "site": getattr(self.crawler.spider, "name", None),
            **item.to_dict(),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_json_line(self.handle, record)
        self.crawler.stats.inc_value("release/rejected")
        self.crawler.stats.inc_value(f"release/rejected/{item.reason}")
        raise DropItem(f"refused {item.url}: {item.reason} ({item.detail})", log_level="INFO")
