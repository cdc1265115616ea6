"""Checks across a collection of runs: every capture a release points at holds content.

A collection is many runs' WARCs. Every revisit must lead, through its WARC-Refers-To
chain, to a response with the same payload digest; every ``archive`` and
``previous.archive`` pointer in the releases files must land on the record it names (file,
offset, id, type) and that record must hold content or lead to it; every WARC must have
its CDXJ index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from ..output import run_files
from .files import whole_members
from .index import cdxj_path
from .records import printable

_MAX_HOPS = 20


@dataclass(frozen=True)
class Entry:
    file: str
    offset: int
    rec_type: str
    payload_digest: str | None
    refers_to: str | None


def catalog(warcs: list[Path]) -> tuple[dict[str, Entry], list[str]]:
    """Every record of the collection by id (where it is, what it refers to), and the files
    that could not be read to their end (their own checks say why)."""
    entries: dict[str, Entry] = {}
    damaged: list[str] = []  # the pointers and revisits into the unread part go unchecked
    for warc in warcs:
        try:
            with warc.open("rb") as handle:
                iterator = ArchiveIterator(handle, no_record_parse=True)
                for record in iterator:
                    headers = record.rec_headers
                    entries[headers.get_header("WARC-Record-ID")] = Entry(
                        warc.name,
                        iterator.get_record_offset(),
                        record.rec_type,
                        headers.get_header("WARC-Payload-Digest"),
                        headers.get_header("WARC-Refers-To"),
                    )
        except Exception as error:  # warcio fails on damaged input in many ways
            damaged.append(f"{warc.name} can be read only in part ({printable(error)})")
            continue
        end, _count = whole_members(warc)
        if end != warc.stat().st_size:  # warcio stops at a bad gzip member, silently
            damaged.append(f"{warc.name} can be read only to offset {end}")
    return entries, damaged


def content_of(record_id: str, entries: dict[str, Entry]) -> tuple[Entry | None, str | None]:
    """The response a record's content is in (following revisits), or why there is none."""
    entry = entries.get(record_id)
    for _ in range(_MAX_HOPS):
        if entry is None:
            return None, f"{record_id} is in no file of the collection"
        if entry.rec_type in ("response", "resource"):
            return entry, None
        if entry.rec_type != "revisit" or not entry.refers_to:
            return None, f"{record_id} is a {entry.rec_type} record that holds no content"
        target = entries.get(entry.refers_to)
        if target is not None and target.payload_digest != entry.payload_digest:
            return None, f"revisit {record_id} and the record it refers to differ in payload"
        record_id, entry = entry.refers_to, target
    return None, f"{record_id}: a chain of more than {_MAX_HOPS} revisits"


def revisit_problems(entries: dict[str, Entry]) -> list[str]:
    return [
        f"{entry.file} offset {entry.offset}: {problem}"
        for record_id, entry in entries.items()
        if entry.rec_type == "revisit"
        for _content, problem in [content_of(record_id, entries)]
        if problem
    ]


def _pointers(releases_dir: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(where, field, pointer)`` for every capture pointer in the releases files."""
    for path in run_files(releases_dir):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                record = json.loads(line)
                where = f"{path.name}:{number} ({record.get('id')})"
                if record.get("archive"):
                    yield where, "archive", record["archive"]
                previous = record.get("previous") or {}
                if previous.get("archive"):
                    yield where, "previous.archive", previous["archive"]


def pointer_problems(releases_dir: Path, entries: dict[str, Entry]) -> tuple[int, list[str]]:
    """How many pointers were checked, and the problems found."""
    problems: list[str] = []
    count = 0
    for where, name, pointer in _pointers(releases_dir):
        count += 1
        record_id = pointer.get("record_id", "")
        entry = entries.get(record_id)
        if entry is None:
            problems.append(f"{where}: {name} {record_id} is in no WARC of the collection")
            continue
        if (entry.file, entry.offset, entry.rec_type) != (
            pointer.get("warc"),
            pointer.get("offset"),
            pointer.get("record_type"),
        ):
            problems.append(f"{where}: {name} does not land on {record_id} ({entry.file})")
        _content, problem = content_of(record_id, entries)
        if problem:
            problems.append(f"{where}: {name}: {problem}")
    return count, problems


def index_problems(warcs: list[Path]) -> list[str]:
    return [f"{warc.name}: no CDXJ index" for warc in warcs if not cdxj_path(warc).exists()]
