"""Give each release its version: new (1), a silent edit (n+1, pointing at n), or unchanged.

An unchanged release (same extracted content as the last version) yields nothing new: the
journal notes that it was checked (its validators and capture), and the item stops here;
one that was gone gets a ``returned`` status line.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.records import RETURNED_EVENT, content_digest, status_event

from .state.crawl import state_for
from .state.journal import Journal, WriteFailed, journal_for
from .state.store import GONE, Checked, StateStore
from .state.validators import take_validators


class VersionPipeline:
    def __init__(self, crawler: Crawler, store: StateStore, journal: Journal) -> None:
        self.crawler = crawler
        self.store = store
        self.journal = journal

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VersionPipeline:
        store = state_for(crawler)
        if store is None:
            raise NotConfigured("STATE_ENABLED is off")
        return cls(crawler, store, journal_for(crawler))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        stats = self.crawler.stats
        assert stats is not None
        known = self.store.release(item["site"], item["id"].split(":", 1)[1])
        digest = content_digest(item)
        if known is None or known.version == 0:
            item.update(version=1, first_seen=item.get("fetched"), previous=None)
            stats.inc_value("release/new")
            return item
        if known.content_digest == digest:
            self.journal.record(
                Checked(
                    known.site,
                    known.article_id,
                    str(item.get("fetched")),
                    take_validators(self.crawler, str(item["id"])),
                    item.get("archive"),
                )
            )
            if known.status == GONE:  # back after a removal: its status line says so
                self._returned(item, known.version)
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

    def _returned(self, item: dict[str, Any], version: int) -> None:
        event = status_event(
            str(item["id"]), str(item["url"]), version, RETURNED_EVENT, str(item.get("fetched"))
        )
        try:
            self.journal.status(event)
        except WriteFailed as error:
            raise DropItem(f"release {item['id']}: {error}", log_level="DEBUG") from error
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("release/returned")
