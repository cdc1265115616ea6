"""The one component that writes a run's lines and then records them in the store.

A release's line (or its status line: gone, returned) is written to
``releases/YYYY/MM/<run>.jsonl`` (a refusal's to ``rejects/``),
and what it stands for — the release live at its version with its validators, a refusal
and when to retry — waits in memory. Every ``RELEASES_SYNC_LINES`` lines or
``RELEASES_SYNC_INTERVAL`` seconds, and when the spider closes, the journal makes the
files durable (the WARC first, then the lines, each fsynced) and only then applies the
waiting operations in one transaction. So the store is never ahead of the files: a kill
or a power cut at any point leaves lines the store has not applied (replayed on the next
start), never a store entry without its line.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import IO, Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

from crawler.records import content_digest

from ..failure import stop_for_write_error, write_failed
from ..output import json_line, run_file
from .crawl import state_for
from .store import Emitted, LineRef, Operation, StateStore, StatusChanged

_JOURNALS: WeakKeyDictionary[Crawler, Journal] = WeakKeyDictionary()


class WriteFailed(Exception):
    """The journal could not write; the run is stopping (see ``pipelines.failure``)."""


def journal_for(crawler: Crawler) -> Journal:
    """The crawler's journal, created on first use and closed when the spider closes."""
    if crawler not in _JOURNALS:
        journal = Journal(
            crawler,
            state_for(crawler),
            sync_lines=crawler.settings.getint("RELEASES_SYNC_LINES"),
            sync_interval=crawler.settings.getfloat("RELEASES_SYNC_INTERVAL"),
        )
        _JOURNALS[crawler] = journal
        crawler.signals.connect(journal.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(journal.spider_closed, signal=signals.spider_closed)
    return _JOURNALS[crawler]


class _RunFile:
    """A run's JSON Lines file, opened on its first line (a run with none writes no file)."""

    def __init__(self, crawler: Crawler, kind: str) -> None:
        self.crawler = crawler
        self.kind = kind
        self.path: Path | None = None
        self.handle: IO[bytes] | None = None
        self.dirty = False

    def write(self, record: dict[str, Any]) -> tuple[Path, int, int]:
        """Write one line; return ``(path, offset, length)`` in bytes."""
        if self.handle is None:
            self.path = run_file(self.crawler, self.kind)
            self.handle = self.path.open("ab")
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(f"output/{self.kind}_file", str(self.path))
        data = json_line(record).encode("utf-8")
        offset = self.handle.seek(0, os.SEEK_END)
        self.handle.write(data)
        self.handle.flush()  # a kill loses nothing written; fsync waits for sync()
        self.dirty = True
        assert self.path is not None
        return self.path, offset, len(data)

    def sync(self) -> None:
        if self.handle is not None and self.dirty:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.dirty = False

    def close(self) -> None:
        if self.handle is not None:
            self.sync()
            self.handle.close()
            self.handle = None


class Journal:
    def __init__(
        self,
        crawler: Crawler,
        store: StateStore | None,
        sync_lines: int = 50,
        sync_interval: float = 1.0,
    ) -> None:
        self.crawler = crawler
        self.store = store
        self.sync_lines = max(sync_lines, 1)
        self.sync_interval = sync_interval
        self.releases = _RunFile(crawler, "releases")
        self.rejects = _RunFile(crawler, "rejects")
        self.waiting: list[Operation] = []
        self.unsynced_since: float | None = None
        self.timer: task.LoopingCall | None = None

    # ---- what pipelines and the spider hand in ---------------------------------------------

    def emit(self, record: dict[str, Any], validators: tuple[str | None, str | None]) -> None:
        """Write a release's line; it becomes live in the store once the line is durable."""
        path, offset, length = self._guarded(self.releases.write, record)
        line = LineRef(self.store.file_key(path), offset, length) if self.store else None
        self.record(Emitted(record, content_digest(record), validators, line))

    def status(self, record: dict[str, Any]) -> None:
        """Write a release's status line (gone, returned) to the releases file; the store
        takes the status once the line is durable."""
        path, offset, length = self._guarded(self.releases.write, record)
        line = LineRef(self.store.file_key(path), offset, length) if self.store else None
        self.record(StatusChanged(record, line))

    def reject(self, record: dict[str, Any], operation: Operation | None) -> None:
        """Write a refusal's line, and the store's note of it."""
        self._guarded(self.rejects.write, record)
        if operation is not None:
            self.record(operation)

    def record(self, operation: Operation) -> None:
        """A change to the store that rests on what is (or will be) written."""
        if self.store is None:
            return
        self.waiting.append(operation)
        if self.unsynced_since is None:
            self.unsynced_since = time.monotonic()
        due = time.monotonic() - self.unsynced_since >= self.sync_interval
        if len(self.waiting) >= self.sync_lines or due:
            self.sync()

    # ---- durability --------------------------------------------------------------------------

    def sync(self) -> None:
        """Make the WARC and the lines durable, then apply what waits, in one transaction."""
        if write_failed(self.crawler):
            return
        try:
            self._sync_archive()
            self.releases.sync()
            self.rejects.sync()
            if self.store is not None and self.waiting:
                self.store.apply(self.waiting)
        except (OSError, sqlite3.Error) as error:
            stop_for_write_error(self.crawler, "the releases or the state store", error)
            return
        self.waiting = []
        self.unsynced_since = None

    def _sync_archive(self) -> None:
        if not self.crawler.settings.getbool("ARCHIVE_ENABLED"):
            return
        from pipelines.warc.archive import archive_for

        archive_for(self.crawler).sync()

    def _guarded(self, write: Any, record: dict[str, Any]) -> Any:
        if write_failed(self.crawler):
            raise WriteFailed("the run is stopping: its output could not be written")
        try:
            return write(record)
        except OSError as error:
            stop_for_write_error(self.crawler, "a JSON line", error)
            raise WriteFailed(str(error)) from error

    # ---- lifecycle ---------------------------------------------------------------------------

    def spider_opened(self) -> None:
        if self.store is not None and self.sync_interval > 0:
            self.timer = task.LoopingCall(self._tick)
            self.timer.start(self.sync_interval, now=False)

    def _tick(self) -> None:
        if self.waiting:
            self.sync()

    def spider_closed(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.sync()
        for run_file_ in (self.releases, self.rejects):
            try:
                run_file_.close()
            except OSError as error:
                stop_for_write_error(self.crawler, "a JSON line", error)
