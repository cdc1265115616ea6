"""CDXJ indexes (cdxj-indexer, sorted), one beside each WARC, and reading them back.

These are replay indexes: a server-not-modified revisit (a 304 that confirmed an earlier
capture) is left out, as the Internet Archive's CDX writer leaves it out, so the newest
capture a replay tool finds for a URL is one that holds content (pywb 2.10 serves a 3xx
revisit as itself: an empty 304). The WARC keeps the revisit, and ``scrapy verify``
checks that it resolves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer
from warcio.recordloader import ArcWarcRecord

from .codecs import install_decoders
from .records import PROFILE_NOT_MODIFIED


def replayable(record: ArcWarcRecord) -> bool:
    """False for a server-not-modified revisit: it confirms content, it holds none."""
    return not (
        record.rec_type == "revisit"
        and record.rec_headers.get_header("WARC-Profile") == PROFILE_NOT_MODIFIED
    )


class ReplayIndexer(CDXJIndexer):
    """cdxj-indexer's CDXJ, without the records that hold no content of their own."""

    def filter_record(self, record: ArcWarcRecord) -> bool:
        return bool(super().filter_record(record)) and replayable(record)


def cdxj_path(warc: Path) -> Path:
    return warc.with_name(warc.name.removesuffix(".gz").removesuffix(".warc") + ".cdxj")


def index_warc(warc: Path) -> Path:
    """Write ``NAME.cdxj`` (sorted, SURT keys) next to ``NAME.warc.gz``; return its path."""
    target = cdxj_path(warc)
    # Named per process: two runs may index the same file at once; each replace is whole.
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    install_decoders()  # the indexer reads every body decoded
    try:
        ReplayIndexer(str(partial), [str(warc)], sort=True, post_append=True).process_all()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def read_cdxj(path: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(surt key, timestamp, fields)`` per line."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            key, timestamp, fields = line.rstrip("\n").split(" ", 2)
            yield key, timestamp, json.loads(fields)
