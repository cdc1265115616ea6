"""What a spider needs from the state store to crawl only what is new.

Wraps the store and the journal for one site and one run: the run's number, what to fetch
first (pending releases, refusals due), the validators of a conditional GET, the open
walks of a listing, what a page's links are to earlier runs, and what to revisit. Without
a store (``STATE_ENABLED`` off) nothing is known and every request is unconditional.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.http import Response

from pipelines.failure import stop_for_write_error, write_failed
from pipelines.state.journal import Journal, WriteFailed
from pipelines.state.store import KnownRelease, Operation, StateStore, Walk

NOT_MODIFIED = 304


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def validators(response: Response) -> tuple[str | None, str | None]:
    etag = response.headers.get(b"ETag")
    modified = response.headers.get(b"Last-Modified")
    return (
        etag.decode("latin-1") if etag else None,
        modified.decode("latin-1") if modified else None,
    )


class SiteState:
    def __init__(self, store: StateStore | None, journal: Journal, site: str) -> None:
        self.store = store
        self.journal = journal
        self.site = site
        self.run = 0  # runs are numbered from 1 by the store

    @property
    def rebuilt(self) -> bool:
        """The store was rebuilt from the files: what the walks had reached is unknown."""
        return self.store is not None and self.store.rebuilt

    def begin_run(self, arguments: dict[str, Any]) -> list[str]:
        """Number this run; return the start times of earlier runs that never finished.

        Raises ``WriteFailed`` when the store cannot be written (the run is stopping)."""
        if self.store is None:
            return []
        try:
            self.run = self.store.begin_run(self.site, now(), arguments)
            return self.store.interrupted_runs(self.site, self.run)
        except sqlite3.Error as error:
            stop_for_write_error(self.journal.crawler, "the state store", error)
            raise WriteFailed(str(error)) from error

    def finish_run(self, reason: str) -> tuple[int, list[dict[str, Any]]]:
        """Record how the run ended; return the releases still waiting for a try."""
        if self.store is None or not self.run:
            return 0, []
        try:
            self.store.finish_run(self.run, now(), reason)
        except sqlite3.Error as error:  # a full disk: the next run lists this one as unfinished
            stop_for_write_error(self.journal.crawler, "the state store", error)
        return self.store.waiting(self.site)

    # ---- releases ----------------------------------------------------------------------------

    def pending(self, everything: bool) -> list[tuple[str, str]]:
        """Releases found but not emitted (a killed run), and refusals due for another try
        (every refusal when ``everything``: a full or revisit run)."""
        return self.store.pending(self.site, now(), everything) if self.store else []

    def lookup(self, article_ids: list[str]) -> dict[str, KnownRelease]:
        return self.store.lookup(self.site, article_ids) if self.store else {}

    def to_revisit(self, revisit: int | bool, by: str = "seen") -> list[KnownRelease]:
        """Every known release (``True``), or those of the last ``revisit`` days by ``by``
        (``crawler.spiders.arguments.REVISIT_BY``)."""
        if self.store is None or revisit is False:
            return []
        if revisit is True:
            return self.store.to_revisit(self.site)
        cutoff = datetime.now(UTC) - timedelta(days=int(revisit))
        if by == "published":
            return self.store.to_revisit(self.site, published_since=cutoff.date().isoformat())
        moment = cutoff.isoformat(timespec="seconds")
        if by == "checked":
            return self.store.to_revisit(self.site, checked_before=moment)
        return self.store.to_revisit(self.site, seen_since=moment)

    def record(self, operation: Operation) -> None:
        """A change that waits for the journal's next sync (after the files it rests on)."""
        self.journal.record(operation)

    # ---- listing and feed sources ------------------------------------------------------------

    def source_headers(self, source: str) -> dict[str, str]:
        if self.store is None:
            return {}
        return conditional_headers(*self.store.source(self.site, source))

    def walks(self, source: str) -> list[Walk]:
        return self.store.walks(self.site, source) if self.store else []

    def page_read(
        self,
        source: str,
        discoveries: list[tuple[str, str]],
        response: Response | None = None,
        walk: Walk | None = None,
        next_page: int | None = None,
    ) -> Walk | None:
        """Commit what a listing page or feed gave, in one transaction: its discoveries,
        the source's validators (when ``response`` is given: page 1, a feed) and where the
        walk goes next. The journal syncs first, so the page's capture is on disk."""
        if self.store is None:
            return walk if next_page is not None else None
        self.journal.sync()
        if write_failed(self.journal.crawler):
            raise WriteFailed("the run is stopping: its output could not be written")
        pair = validators(response) if response is not None else None
        capture = response.meta.get("archive") if response is not None else None
        try:
            return self.store.page_read(
                self.site, self.run, source, discoveries, pair, capture, now(), walk, next_page
            )
        except sqlite3.Error as error:
            stop_for_write_error(self.journal.crawler, "the state store", error)
            raise WriteFailed(str(error)) from error
