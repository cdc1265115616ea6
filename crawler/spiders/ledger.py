"""What a run was asked to fetch and did not get, by name, for its status and report.

Every listing page, feed, release and media file a spider requests is expected until it
has an outcome (a record, a refusal, a 304, links). One that ends in a transient failure
after its retries, or that never comes back (a request Scrapy dropped: an off-site
redirect, a redirect loop), is listed in ``run/unfetched``, which fails the run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

UNFETCHED_STAT = "run/unfetched"
NO_ANSWER = "no_answer"
CAPPED = "capped"  # a listing longer than LISTING_MAX_PAGES: the walk stopped there


@dataclass(frozen=True)
class Unfetched:
    kind: str  # listing, feed, release, media
    url: str
    reason: str
    detail: str
    id: str | None = None

    def name(self) -> str:
        what = f"release {self.id}" if self.id else f"{self.kind} {self.url}"
        return f"{what}: {self.reason} ({self.detail})"


class RunLedger:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.expected: dict[tuple[str, str], Unfetched] = {}

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None  # set when the crawl starts
        return self.crawler.stats

    def expect(self, kind: str, key: str, url: str, record_id: str | None = None) -> None:
        self.expected[(kind, key)] = Unfetched(kind, url, NO_ANSWER, "no response", record_id)

    def settle(self, kind: str, key: str) -> None:
        self.expected.pop((kind, key), None)

    def unfetched(
        self, kind: str, key: str, url: str, reason: str, detail: str, record_id: str | None = None
    ) -> None:
        self.settle(kind, key)
        entries: list[dict[str, Any]] = list(self.stats.get_value(UNFETCHED_STAT) or [])
        entries.append(asdict(Unfetched(kind, url, reason, detail, record_id)))
        self.stats.set_value(UNFETCHED_STAT, entries)
        self.stats.inc_value(f"run/unfetched/{kind}")

    def close(self, finished: bool) -> None:
        """Name what never came back (only after a normal finish: a cancelled run is failed
        by its finish reason, and its unanswered requests are still pending)."""
        if finished:
            for (kind, key), entry in list(self.expected.items()):
                self.unfetched(
                    kind,
                    key,
                    entry.url,
                    NO_ANSWER,
                    "the request ended without a response (dropped as off-site, or a "
                    "redirect loop?)",
                    entry.id,
                )
        self.expected.clear()
