"""The crawl's state store: one per crawler, opened (and replayed) on first use."""

from __future__ import annotations

from pathlib import Path
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler

from ..output import output_dir
from .store import StateStore

_STORES: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


def state_path(crawler: Crawler) -> Path:
    path = Path(crawler.settings.get("STATE_PATH"))
    return path if path.is_absolute() else output_dir(crawler) / path


def state_for(crawler: Crawler) -> StateStore | None:
    """The store under OUTPUT_DIR, or None when STATE_ENABLED is off."""
    if not crawler.settings.getbool("STATE_ENABLED"):
        return None
    if crawler not in _STORES:
        store = StateStore(state_path(crawler))
        replayed = store.replay(output_dir(crawler) / "releases")

        def count_replayed() -> None:
            crawler.stats.set_value("state/replayed_releases", replayed)

        _STORES[crawler] = store
        crawler.signals.connect(count_replayed, signal=signals.spider_opened, weak=False)
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return _STORES[crawler]
