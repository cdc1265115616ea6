"""The crawl's state store: one per crawler, opened (and its site's files replayed) on first use."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler

from ..output import output_dir, site_id
from .replay import ReplayResult, replay
from .store import Backoff, StateStore

logger = logging.getLogger(__name__)

_STORES: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()
_FAILURES: WeakKeyDictionary[Crawler, Exception] = WeakKeyDictionary()


def state_failure(crawler: Crawler) -> Exception | None:
    """Why the store could not be opened for this crawl (the spider stops the run)."""
    return _FAILURES.get(crawler)


def state_path(crawler: Crawler) -> Path:
    path = Path(crawler.settings.get("STATE_PATH"))
    return path if path.is_absolute() else output_dir(crawler) / path


def backoff(crawler: Crawler) -> Backoff:
    settings = crawler.settings
    return Backoff(
        base_hours=settings.getfloat("RELEASES_RETRY_REFUSED_AFTER"),
        cap_hours=settings.getfloat("RELEASES_RETRY_MAX_DELAY"),
        max_attempts=settings.getint("RELEASES_RETRY_MAX_ATTEMPTS"),
    )


def _open(crawler: Crawler, site: str) -> tuple[StateStore, ReplayResult]:
    store = StateStore(state_path(crawler), output_dir(crawler), backoff(crawler))
    try:
        return store, replay(store, output_dir(crawler) / "releases", site)
    except BaseException:
        store.close()
        raise


def _move_aside(path: Path, error: Exception) -> Path:
    """A damaged store is kept for inspection and a new one is built from the files."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    logger.error(
        "the state store %s is damaged (%s): moved to %s; a new one is built from the "
        "releases files, and this run walks every listing page",
        path,
        error,
        aside.name,
    )
    return aside


def state_for(crawler: Crawler, site: str | None = None) -> StateStore | None:
    """The store under OUTPUT_DIR, or None when STATE_ENABLED is off or it could not be
    opened (``state_failure`` says why).

    Opening it brings it level with the site's releases files (``replay``)."""
    if not crawler.settings.getbool("STATE_ENABLED") or crawler in _FAILURES:
        return None
    if crawler not in _STORES:
        site = site or site_id(crawler)
        rebuilt = None
        try:
            try:
                store, result = _open(crawler, site)
            except sqlite3.DatabaseError as error:
                if isinstance(error, sqlite3.OperationalError):
                    raise  # locked, full, unreadable: not damage to repair
                rebuilt = _move_aside(state_path(crawler), error)
                store, result = _open(crawler, site)
        except (OSError, sqlite3.OperationalError) as error:  # a full disk, a locked store
            _FAILURES[crawler] = error
            return None

        def count_replayed() -> None:
            assert crawler.stats is not None
            if rebuilt is not None:
                crawler.stats.set_value("state/rebuilt_from", str(rebuilt))
            crawler.stats.set_value("state/replayed_releases", result.applied)
            crawler.stats.set_value("state/cut_lines", result.cut_lines)
            if result.damaged:
                crawler.stats.set_value("state/damaged_files", result.damaged)
                crawler.stats.set_value("state/refetch_releases", result.reverted)

        store.rebuilt = rebuilt is not None
        _STORES[crawler] = store
        crawler.signals.connect(count_replayed, signal=signals.spider_opened, weak=False)
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return _STORES[crawler]
