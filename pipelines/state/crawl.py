"""The crawl's state store: one per crawler, opened (and its site's files replayed) on first use."""

from __future__ import annotations

from pathlib import Path
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler

from ..output import output_dir, site_id
from .replay import replay
from .store import Backoff, StateStore

_STORES: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


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


def state_for(crawler: Crawler, site: str | None = None) -> StateStore | None:
    """The store under OUTPUT_DIR, or None when STATE_ENABLED is off.

    Opening it brings it level with the site's releases files (``replay``)."""
    if not crawler.settings.getbool("STATE_ENABLED"):
        return None
    if crawler not in _STORES:
        store = StateStore(state_path(crawler), output_dir(crawler), backoff(crawler))
        result = replay(store, output_dir(crawler) / "releases", site or site_id(crawler))

        def count_replayed() -> None:
            assert crawler.stats is not None
            crawler.stats.set_value("state/replayed_releases", result.applied)
            crawler.stats.set_value("state/cut_lines", result.cut_lines)
            if result.damaged:
                crawler.stats.set_value("state/damaged_files", result.damaged)
                crawler.stats.set_value("state/refetch_releases", result.reverted)

        _STORES[crawler] = store
        crawler.signals.connect(count_replayed, signal=signals.spider_opened, weak=False)
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return _STORES[crawler]
