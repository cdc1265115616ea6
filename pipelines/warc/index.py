"""CDXJ indexes (cdxj-indexer, sorted), one beside each WARC, and reading them back.

These are replay indexes: the newest capture a replay tool finds for a URL must hold the
page. Left out: a server-not-modified revisit (a 304 that confirmed an earlier capture),
as the Internet Archive's CDX writer leaves it out (pywb 2.10 serves a 3xx revisit as
itself: an empty 304); and a response the crawl refused as not the site's content (a
block page, a module error, a server error, a page cut short), which the archive notes in
a ``metadata`` record (``refused: REASON``) beside it. The WARC keeps both; ``scrapy
verify`` checks that revisits resolve.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from .codecs import install_decoders
from .records import PROFILE_NOT_MODIFIED


def refused_captures(warcs: list[Path]) -> set[str]:
    """Record ids of captures the crawl refused, from the notes beside them, and of the
    revisits that repeat one of them (an identical block page stored once)."""
    refused: set[str] = set()
    repeats: dict[str, str] = {}  # revisit id -> the record it repeats
    for warc in warcs:
        with warc.open("rb") as handle:
            for record in ArchiveIterator(handle):
                headers = record.rec_headers
                if record.rec_type == "revisit" and headers.get_header("WARC-Refers-To"):
                    repeats[headers.get_header("WARC-Record-ID")] = headers.get_header(
                        "WARC-Refers-To"
                    )
                elif record.rec_type == "metadata" and record.content_stream().read().startswith(
                    b"refused:"
                ):
                    refused.update(headers.get_header("WARC-Concurrent-To", "").split())
    refused |= {revisit for revisit, target in repeats.items() if target in refused}
    return refused


def replayable(record: ArcWarcRecord, refused: set[str]) -> bool:
    """False for a record that holds no content of its own (a 304 revisit) or that the
    crawl refused as not the site's content."""
    if record.rec_headers.get_header("WARC-Record-ID") in refused:
        return False
    return not (
        record.rec_type == "revisit"
        and record.rec_headers.get_header("WARC-Profile") == PROFILE_NOT_MODIFIED
    )


class ReplayIndexer(CDXJIndexer):
    """cdxj-indexer's CDXJ, without the records a replay must not land on."""

    def __init__(self, *args: Any, refused: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused = refused

    def filter_record(self, record: ArcWarcRecord) -> bool:
        return bool(super().filter_record(record)) and replayable(record, self.refused)


def cdxj_path(warc: Path) -> Path:
    return warc.with_name(warc.name.removesuffix(".gz").removesuffix(".warc") + ".cdxj")


def index_warc(warc: Path, refused: set[str] | None = None) -> Path:
    """Write ``NAME.cdxj`` (sorted, SURT keys) next to ``NAME.warc.gz``; return its path.

    ``refused``: the captures to leave out (``refused_captures``; by default the file's own
    notes)."""
    target = cdxj_path(warc)
    # Named per process: two runs may index the same file at once; each replace is whole.
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    install_decoders()  # the indexer reads every body decoded
    try:
        indexer = ReplayIndexer(
            str(partial),
            [str(warc)],
            sort=True,
            post_append=True,
            refused=refused_captures([warc]) if refused is None else refused,
        )
        indexer.process_all()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def warcinfo_field(warc: Path, name: str) -> str | None:
    """A field of the file's warcinfo record (its first record), if it has one."""
    with warc.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "warcinfo":
                return None
            for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
            return None
    return None


def read_cdxj(path: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(surt key, timestamp, fields)`` per line."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            key, timestamp, fields = line.rstrip("\n").split(" ", 2)
            yield key, timestamp, json.loads(fields)
