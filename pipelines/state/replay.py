"""Bring the store level with a site's releases files when a run starts.

The files are the record of what was emitted. A file may hold lines the store has not
applied (a run killed between writing a line and committing it): they are applied. A last
line cut short is removed. A file shorter than what the store applied, or missing, has
lost lines (a cut, a restore of an older copy, a power loss on a disk that lied about its
writes): each release whose current version was on a lost line goes back to ``pending``
at the version before it, so the next run fetches it again. Only the site's own files are
read, so a run never touches another site's files while that site's run writes them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from crawler.records import content_digest

from ..output import site_of_run_file
from .store import PENDING, Emitted, LineRef, StateStore

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
    for path in sorted(releases_dir.rglob("*.jsonl")) if releases_dir.exists() else []:
        key = store.file_key(path)
        present.add(key)
        owner, applied = known.get(key, (None, 0))
        if (owner or _file_site(path)) != site:
            continue
        size = path.stat().st_size
        if size > applied:
            _apply_tail(store, path, key, site, applied, result)
        elif size < applied:
            _repair(store, path, key, site, result)
    for key, (owner, _applied) in known.items():
        if owner == site and key not in present:
            _repair(store, None, key, site, result)
    return result


def _file_site(path: Path) -> str | None:
    """The site a releases file belongs to: by its name, else by its first whole line."""
    with path.open("rb") as handle:
        first = handle.readline()
    if first.endswith(b"\n"):
        try:
            return str(json.loads(first)["site"])
        except (ValueError, KeyError, TypeError):
            return None
    return site_of_run_file(path.name)


def _complete(data: bytes) -> bytes:
    return data[: data.rfind(b"\n") + 1]


def _apply_tail(
    store: StateStore, path: Path, key: str, site: str, start: int, result: ReplayResult
) -> None:
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read()
    complete = _complete(data)
    operations = []
    offset = start
    for line in complete.splitlines(keepends=True):
        if line.strip():
            record = json.loads(line)
            operations.append(
                Emitted(record, content_digest(record), line=LineRef(key, offset, len(line)))
            )
        offset += len(line)
    if len(complete) < len(data):
        logger.warning("%s ends with a line cut short by an interrupted run: removed", key)
        with path.open("r+b") as handle:
            handle.truncate(start + len(complete))
        result.cut_lines += 1
    with store.transaction():
        for operation in operations:
            record = operation.record
            current = store.release(site, record["id"].split(":", 1)[1])
            version = int(record.get("version") or 1)
            if current is None or current.status != "live" or current.version < version:
                result.applied += 1
            store.apply_one(operation)
        store.applied(key, site, start + len(complete))


def _repair(
    store: StateStore, path: Path | None, key: str, site: str, result: ReplayResult
) -> None:
    """The file lost lines the store had applied: fetch their releases again."""
    end = 0
    if path is not None:
        data = path.read_bytes()
        end = len(_complete(data))
        if end < len(data):
            with path.open("r+b") as handle:
                handle.truncate(end)
    with store.transaction():
        lost = store.db.execute(
            "SELECT article_id, version FROM lines WHERE file = ? AND offset + length > ?",
            (key, end),
        ).fetchall()
        store.db.execute("DELETE FROM lines WHERE file = ? AND offset + length > ?", (key, end))
        for row in lost:
            if _revert(store, site, row["article_id"], int(row["version"])):
                result.reverted.append(f"{site}:{row['article_id']}")
        if path is None:
            store.db.execute("DELETE FROM files WHERE path = ?", (key,))
        else:
            store.db.execute("UPDATE files SET bytes = ? WHERE path = ?", (end, key))
    result.damaged.append(key)
    logger.error(
        "%s lost %d release lines the store had recorded (%s): their releases will be "
        "fetched again",
        key,
        len(lost),
        "file missing" if path is None else f"now {end} bytes",
    )


def _revert(store: StateStore, site: str, article_id: str, lost_version: int) -> bool:
    """Put a release back to the last version whose line survives, pending; True if changed."""
    current = store.release(site, article_id)
    if current is None or current.version != lost_version:
        return False  # only history was lost; the current version's line is intact
    survivor = store.db.execute(
        "SELECT version, content_digest, fetched, capture FROM lines "
        "WHERE site = ? AND article_id = ? ORDER BY version DESC LIMIT 1",
        (site, article_id),
    ).fetchone()
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
