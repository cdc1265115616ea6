"""Where a run's files go: everything under ``OUTPUT_DIR``, named by site and run time.

A run's releases, rejects and report are ``<kind>/YYYY/MM/<site>-<UTC stamp>.<suffix>``:
a month's folder stays small under hourly runs, and a period can be compacted or moved
away as a whole. Files of older runs, written flat in ``<kind>/``, are read the same way.
"""

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
        while any(
            next(output.glob(f"{kind}/{partition(candidate)}/{candidate}.*"), None)
            for kind in RUN_FOLDERS
        ):
            serial += 1
            candidate = f"{base}-{serial}"
        _RUN_IDS[crawler] = candidate
    return _RUN_IDS[crawler]


def run_file(crawler: Crawler, kind: str, suffix: str = ".jsonl") -> Path:
    """``OUTPUT_DIR/<kind>/YYYY/MM/<run id><suffix>``, its folder created."""
    run = run_id(crawler)
    folder = output_dir(crawler) / kind / partition(run)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{run}{suffix}"


# "<site>-<UTC stamp>[-N]": a run's id; its files are named "<run id>.<suffix>". A file
# compacted from a month's runs is "<site>-<first stamp>-compacted.jsonl".
_RUN_NAME = re.compile(
    r"^(?P<site>.+)-(?P<stamp>\d{8}T\d{6}Z)(?P<serial>-\d+)?(?P<compacted>-compacted)?\.\w+$"
)


def site_of_run_file(name: str) -> str | None:
    """The site a run's file is named after (files of old runs may name the spider)."""
    match = _RUN_NAME.match(name)
    return match.group("site") if match else None


def partition(run: str) -> str:
    """``YYYY/MM`` of a run id or file name (its UTC start)."""
    stamp = re.search(r"-(\d{4})(\d{2})\d{2}T\d{6}Z", run)
    return f"{stamp.group(1)}/{stamp.group(2)}" if stamp else "undated"


def run_order(path: Path) -> tuple[str, int, str]:
    """Sort key of run files: by start time, then serial, then name (flat or partitioned)."""
    match = _RUN_NAME.match(path.name)
    if match is None:
        return "", 0, path.name
    serial = int(match.group("serial")[1:]) if match.group("serial") else 1
    return match.group("stamp"), serial, path.name


def run_files(folder: Path, suffix: str = ".jsonl") -> list[Path]:
    """Every run file under ``folder`` (a ``<kind>`` folder), oldest run first."""
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.rglob(f"*{suffix}") if not p.name.startswith(".")), key=run_order
    )


def json_line(record: dict[str, Any]) -> str:
    """One record per line, UTF-8 unescaped, keys in the record's own order."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n"
