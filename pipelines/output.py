"""Where a run's files go: everything under ``OUTPUT_DIR``, named by site and run time."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

_RUN_IDS: WeakKeyDictionary[Crawler, str] = WeakKeyDictionary()
# Folders that hold one file per run, named by the run id.
RUN_FOLDERS = ("releases", "rejects", "reports")


# A name a setting gives to a file or folder inside OUTPUT_DIR: one plain path segment.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
NAMED_BY_SETTINGS = ("ARCHIVE_DIR", "ARCHIVE_PREFIX")


def plain_name(value: str, setting: str) -> str:
    """``value`` when it is one plain path segment, so it cannot point outside OUTPUT_DIR;
    else ValueError, one line naming the setting."""
    if not _PLAIN_NAME.fullmatch(value or "") or ".." in value:
        raise ValueError(
            f"{setting} must be a plain name (letters, digits, '.', '_', '-'), got {value!r}"
        )
    return value


def output_dir(crawler: Crawler) -> Path:
    return Path(crawler.settings.get("OUTPUT_DIR") or "output")


def site_id(crawler: Crawler) -> str:
    """The site a crawl is for (its profile id), else the spider's name."""
    spider = crawler.spider
    profile = getattr(spider, "profile", None)
    return str(profile.id if profile is not None else getattr(spider, "name", "crawl"))


def run_id(crawler: Crawler) -> str:
    """``<site>-<UTC time of first use>``, one value for every file of the run; ``-N`` is
    added when a run of the same site started in the same second left files."""
    if crawler not in _RUN_IDS:
        base = f"{site_id(crawler)}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
        output = output_dir(crawler)
        candidate, serial = base, 1
        while any(next(output.glob(f"{kind}/{candidate}.*"), None) for kind in RUN_FOLDERS):
            serial += 1
            candidate = f"{base}-{serial}"
        _RUN_IDS[crawler] = candidate
    return _RUN_IDS[crawler]


def run_file(crawler: Crawler, kind: str, suffix: str = ".jsonl") -> Path:
    """``OUTPUT_DIR/<kind>/<run id><suffix>``, its folder created."""
    folder = output_dir(crawler) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{run_id(crawler)}{suffix}"


# "<site>-<UTC stamp>[-N].<suffix>": the name of a run's file (``run_id``).
_RUN_NAME = re.compile(r"^(?P<site>.+)-\d{8}T\d{6}Z(?:-\d+)?\.\w+$")


def site_of_run_file(name: str) -> str | None:
    """The site a run's file is named after (files of old runs may name the spider)."""
    match = _RUN_NAME.match(name)
    return match.group("site") if match else None


def json_line(record: dict[str, Any]) -> str:
    """One record per line, UTF-8 unescaped, keys in the record's own order."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n"
