"""Write every refused page (block page, module error, invalid record, …) to the rejects file.

One JSON line per reject with the URL, reason, detail and failing fields; counted as
``release/rejected/<reason>``. The item then stops here: a reject is never a release.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy.exceptions import DropItem

from crawler.parsers import Reject

from .output import RunFileWriter


class RejectsPipeline(RunFileWriter):
    kind = "rejects"

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Reject):
            return item
        record = {
            "site": getattr(self.crawler.spider, "name", None),
            **item.to_dict(),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.write(record)
        self.crawler.stats.inc_value("release/rejected")
        self.crawler.stats.inc_value(f"release/rejected/{item.reason}")
        raise DropItem(f"refused {item.url}: {item.reason} ({item.detail})", log_level="INFO")
