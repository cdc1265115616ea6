"""Where a run's files go: everything under ``OUTPUT_DIR``, named by spider and run time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar, Self
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

_RUN_IDS: WeakKeyDictionary[Crawler, str] = WeakKeyDictionary()


def run_id(crawler: Crawler) -> str:
    """``<spider>-<UTC time of first use>``: one value for every file of the run."""
    if crawler not in _RUN_IDS:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        _RUN_IDS[crawler] = f"{getattr(crawler.spider, 'name', 'crawl')}-{stamp}"
    return _RUN_IDS[crawler]


def output_dir(crawler: Crawler) -> Path:
    return Path(crawler.settings.get("OUTPUT_DIR") or "output")


def run_file(crawler: Crawler, kind: str, suffix: str = ".jsonl") -> Path:
    """``OUTPUT_DIR/<kind>/<run id><suffix>``, its folder created."""
    folder = output_dir(crawler) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{run_id(crawler)}{suffix}"


def write_json_line(handle: IO[str], record: dict[str, Any]) -> None:
    """One record per line, UTF-8 unescaped, keys in the record's own order; flushed at once."""
    handle.write(json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n")
    handle.flush()


class RunFileWriter:
    """Base of the pipelines that write one JSON Lines file per run under OUTPUT_DIR/<kind>."""

    kind: ClassVar[str]

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.handle: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        path = run_file(self.crawler, self.kind)
        self.handle = path.open("a", encoding="utf-8")
        self.crawler.stats.set_value(f"output/{self.kind}_file", str(path))

    def close_spider(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def write(self, record: dict[str, Any]) -> None:
        assert self.handle is not None, "open_spider() was not called"
        write_json_line(self.handle, record)
