"""Bring the store level with a site's releases files when a run starts.

The files are the record of what was emitted. A file may hold lines the store has not
applied (a run killed between writing a line and committing it): they are applied. A last
line cut short is removed. A file shorter than what the store applied, edited, or missing
has lost lines (a cut, a line deleted, a restore of an older copy, a power loss on a disk
that lied about its writes): its lines are indexed again, and each release whose current
version's line is gone goes back to ``pending`` at the version before it, so the next run
fetches it again. Only the site's own files are
read, so a run never touches another site's files while that site's run writes them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.records import content_digest, is_status_event

from ..output import run_files, site_of_run_file
from .store import LIVE, PENDING, Emitted, LineRef, StateStore, StatusChanged

logger = logging.getLogger(__name__)


@dataclass
class ReplayResult:
    applied: int = 0  # lines the store had missed, now applied
    cut_lines: int = 0  # partial last lines removed
    damaged: list[str] = field(default_factory=list)  # files shorter than what was applied
    reverted: list[str] = field(default_factory=list)  # releases to fetch again


def replay(store: StateStore, releases_dir: Path, site: str) -> ReplayResult:
    """Apply what the store missed in ``site``'s files and take back what they lost."""
    result = ReplayResult()
    known = {
        row["path"]: (row["site"], int(row["bytes"]))
        for row in store.db.execute("SELECT path, site, bytes FROM files")
    }
    present: set[str] = set()
    for path in run_files(releases_dir):
        key = store.file_key(path)
        present.add(key)
        owner, applied = known.get(key, (None, 0))
        if (owner or _file_site(path)) != site:
            continue
        size = path.stat().st_size
        if size < applied or (
            size > applied and not _apply_tail(store, path, key, site, applied, result)
        ):
            _reconcile(store, path, key, site, result)
    for key, (owner, _applied) in known.items():
        if owner == site and key not in present:
            _reconcile(store, None, key, site, result)
    return result


def _file_site(path: Path) -> str | None:
    """The site a releases file belongs to: by its first whole line, else by its name."""
    with path.open("rb") as handle:
        first = handle.readline()
    if first.endswith(b"\n"):
        try:
            return str(json.loads(first)["site"])
        except (ValueError, KeyError, TypeError):
            return None
    return site_of_run_file(path.name)


Line = tuple[int, int, dict[str, Any]]  # offset, length, record


def _lines(data: bytes, start: int) -> tuple[list[Line], int]:
    """The records of the whole lines in ``data`` (read from ``start``), and how many
    lines did not parse."""
    lines: list[Line] = []
    bad = 0
    offset = start
    for raw in data.splitlines(keepends=True):
        if raw.strip():
            try:
                record = json.loads(raw)
                record["id"].split(":", 1)[1]  # a release line names its release
                lines.append((offset, len(raw), record))
            except (ValueError, KeyError, TypeError, AttributeError, IndexError):
                bad += 1
        offset += len(raw)
    return lines, bad


def _cut_partial(path: Path, data: bytes, start: int, key: str, result: ReplayResult) -> bytes:
    """Remove a last line cut short; return the whole lines."""
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) < len(data):
        logger.warning("%s ends with a line cut short by an interrupted run: removed", key)
        with path.open("r+b") as handle:
            handle.truncate(start + len(complete))
        result.cut_lines += 1
    return complete


def _apply_tail(
    store: StateStore, path: Path, key: str, site: str, start: int, result: ReplayResult
) -> bool:
    """Apply the lines written after what the store applied; False when they do not parse
    (the file was changed before that point: reconcile it instead)."""
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read()
    lines, bad = _lines(data[: data.rfind(b"\n") + 1], start)
    if bad:
        return False
    complete = _cut_partial(path, data, start, key, result)
    with store.transaction():
        for offset, length, record in lines:
            if is_status_event(record):
                store.apply_one(StatusChanged(record, LineRef(key, offset, length)))
                continue
            digest = content_digest(record)
            if _held(store, site, record, digest):  # a copy of a line the store applied
                store.index_line(LineRef(key, offset, length), record, digest)
                store.applied(key, site, offset + length)
                continue
            operation = Emitted(record, digest, line=LineRef(key, offset, length))
            current = store.release(site, record["id"].split(":", 1)[1])
            if current is None or current.status != LIVE or current.version < _version(record):
                result.applied += 1
            store.apply_one(operation)
        store.applied(key, site, start + len(complete))
    return True


def _reconcile(
    store: StateStore, path: Path | None, key: str, site: str, result: ReplayResult
) -> None:
    """The file is not what the store applied (shorter, edited, missing): index the lines it
    holds now, apply those the store never saw, and fetch again the releases whose current
    version's line is gone."""
    data = path.read_bytes() if path is not None else b""
    complete = _cut_partial(path, data, 0, key, result) if path is not None else b""
    lines, bad = _lines(complete, 0)
    with store.transaction():
        indexed = {
            (row["article_id"], int(row["version"]))
            for row in store.db.execute(
                "SELECT article_id, version FROM lines WHERE file = ?", (key,)
            )
        }
        store.db.execute("DELETE FROM lines WHERE file = ?", (key,))
        held: set[tuple[str, int]] = set()
        for offset, length, record in lines:
            if is_status_event(record):  # a status line: taken again unless news has come since
                store.apply_one(StatusChanged(record))
                continue
            release = (record["id"].split(":", 1)[1], _version(record))
            held.add(release)
            line = LineRef(key, offset, length)
            if release in indexed:
                store.index_line(line, record, content_digest(record))
            else:  # written by a run the store did not hear from
                store.apply_one(Emitted(record, content_digest(record), line=line))
                result.applied += 1
        lost = sorted(indexed - held)
        for article_id, version in lost:
            if _revert(store, site, article_id, version):
                result.reverted.append(f"{site}:{article_id}")
        if path is None:
            store.db.execute("DELETE FROM files WHERE path = ?", (key,))
        else:
            store.db.execute(
                "UPDATE files SET bytes = ?, site = ? WHERE path = ?", (len(complete), site, key)
            )
    if lost or bad:
        result.damaged.append(key)
        logger.error(
            "%s %s %d release lines the store had recorded%s: their releases will be fetched again",
            key,
            "is missing: it held" if path is None else "lost",
            len(lost),
            f" ({bad} lines no longer parse)" if bad else "",
        )


def _held(store: StateStore, site: str, record: dict[str, Any], digest: str) -> bool:
    """Whether the store already indexed this version, with this content, in another line
    (a file merged by ``scrapy compact``, a copy): applying it again could only undo a
    later status."""
    row = store.db.execute(
        "SELECT 1 FROM lines WHERE site = ? AND article_id = ? AND version = ? "
        "AND content_digest = ? LIMIT 1",
        (site, record["id"].split(":", 1)[1], _version(record), digest),
    ).fetchone()
    return row is not None


def _version(record: dict[str, Any]) -> int:
    return int(record.get("version") or 1)


def _revert(store: StateStore, site: str, article_id: str, lost_version: int) -> bool:
    """Put a release back to the last version whose line survives, pending; True if changed."""
    current = store.release(site, article_id)
    survivor = store.db.execute(
        "SELECT version, content_digest, fetched, capture FROM lines "
        "WHERE site = ? AND article_id = ? ORDER BY version DESC LIMIT 1",
        (site, article_id),
    ).fetchone()
    if current is None or current.version != lost_version:
        return False  # only history was lost; the current version is another line
    if survivor is not None and int(survivor["version"]) >= lost_version:
        return False  # the same version's line is in another file too
    store.db.execute(
        "UPDATE releases SET status = ?, version = ?, content_digest = ?, fetched = ?, "
        "capture = ?, etag = NULL, last_modified = NULL, "
        "first_seen = CASE WHEN ? = 0 THEN NULL ELSE first_seen END "
        "WHERE site = ? AND article_id = ?",
        (
            PENDING,
            survivor["version"] if survivor else 0,
            survivor["content_digest"] if survivor else None,
            survivor["fetched"] if survivor else None,
            survivor["capture"] if survivor else None,
            survivor["version"] if survivor else 0,
            site,
            article_id,
        ),
    )
    return True
