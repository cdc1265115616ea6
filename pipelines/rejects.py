"""Write every refused page (block page, module error, invalid record, …) to the rejects file.

One JSON line per reject with the URL, reason, detail and failing fields; counted as
``release/rejected/<reason>`` and named in the run's report. The journal records the
refusal in the state store (when to try again) once the line is durable. The item then
stops here: a reject is never a release.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.parsers import Reject
from crawler.parsers.model import GONE, TRANSIENT_REASONS

from .output import site_id
from .state.journal import Journal, WriteFailed, journal_for
from .state.store import Refused

REFUSED_STAT = "run/refused"  # every refusal of the run, by name, for its report


def refusal(reject: Reject, when: str) -> Refused | None:
    """The store's note of a refused release: when to try again, by the kind of reason."""
    if not reject.id:
        return None
    site, _, article_id = reject.id.partition(":")
    transient = reject.reason in TRANSIENT_REASONS or reject.reason == GONE
    return Refused(site, article_id, when, reject.reason, transient)


class RejectsPipeline:
    def __init__(self, crawler: Crawler, journal: Journal) -> None:
        self.crawler = crawler
        self.journal = journal

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RejectsPipeline:
        return cls(crawler, journal_for(crawler))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Reject):
            return item
        record = {
            "site": site_id(self.crawler),
            **item.to_dict(),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        try:
            self.journal.reject(record, refusal(item, record["at"]))
        except WriteFailed as error:
            raise DropItem(
                f"refusal of {item.url} not written: {error}", log_level="DEBUG"
            ) from error
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("release/rejected")
        self.crawler.stats.inc_value(f"release/rejected/{item.reason}")
        named = list(self.crawler.stats.get_value(REFUSED_STAT) or [])
        named.append({"id": item.id, "url": item.url, "reason": item.reason})
        self.crawler.stats.set_value(REFUSED_STAT, named)
        raise DropItem(f"refused {item.url}: {item.reason} ({item.detail})", log_level="INFO")
