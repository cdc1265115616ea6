"""Give each release its version: new (1), a silent edit (n+1, pointing at n), or unchanged.

An unchanged release (same extracted content as the last version) yields nothing new: the
store notes that it was checked, and the item stops here.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.records import content_digest
from pipelines.state.pipeline import StoreBackedPipeline


class VersionPipeline(StoreBackedPipeline):
    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        stats = self.crawler.stats
        known = self.store.release(item["site"], item["id"].split(":", 1)[1])
        digest = content_digest(item)
        if known is None or known.version == 0:
            item.update(version=1, first_seen=item.get("fetched"), previous=None)
            stats.inc_value("release/new")
            return item
        if known.content_digest == digest:
            self.store.checked(
                known.site,
                known.article_id,
                str(item.get("fetched")),
                None,
                None,
                item.get("archive"),
            )
            stats.inc_value("release/unchanged")
            raise DropItem(
                f"release {item['id']} unchanged since version {known.version}", log_level="DEBUG"
            )
        previous: dict[str, Any] = {
            "version": known.version,
            "fetched": known.fetched,
            "content_digest": known.content_digest,
        }
        if known.capture:
            previous["archive"] = known.capture
        item.update(version=known.version + 1, first_seen=known.first_seen, previous=previous)
        stats.inc_value("release/new_version")
        return item
