"""What earlier runs learnt, in SQLite (WAL, ``synchronous=FULL``): releases, sources, walks.

Per site and article id: canonical URL, status, when first seen and last checked,
validators (ETag, Last-Modified), digests, version, where its capture is, and its refusals
(attempts, reason, when to try again). Statuses:

- ``pending``: found in a listing or feed, not emitted yet; fetched by the next run;
- ``retry``: refused for a reason that may pass (a block page, a server error, a link that
  answered 404 before the release was ever emitted); tried again after a growing delay;
- ``refused``: refused for good (not a release, fields missing) or after too many
  attempts; tried again only by a full or revisit run;
- ``live``: its line is in a releases file; ``gone``: it was live and now answers 404/410
  (revisits check it again).

The store is never ahead of the files: the journal (``journal.py``) makes a line durable
before it applies the operation that records it, and ``replay.py`` applies lines the store
missed and takes back what a damaged file lost. A listing page's validators are committed
with that page's discoveries and its walk's cursor, in one transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from crawler.records import record_kind

from .model import (
    Backoff,
    Checked,
    Emitted,
    KnownRelease,
    LineRef,
    Operation,
    Refused,
    StatusChanged,
    Walk,
)
from .schema import MIGRATIONS, migrate

logger = logging.getLogger(__name__)

PENDING, RETRY, REFUSED, LIVE, GONE = "pending", "retry", "refused", "live", "gone"
GONE_REASON = "gone"  # crawler.parsers.model.GONE: a 404, a 410, a not-found page

__all__ = [
    "GONE",
    "LIVE",
    "MIGRATIONS",
    "PENDING",
    "REFUSED",
    "RETRY",
    "Backoff",
    "Checked",
    "Emitted",
    "KnownRelease",
    "LineRef",
    "Operation",
    "Refused",
    "StateStore",
    "StatusChanged",
    "Walk",
]


class StateStore:
    def __init__(
        self, path: Path, root: Path | None = None, backoff: Backoff | None = None
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.root = root if root is not None else path.parent.parent
        self.backoff = backoff or Backoff()
        self.rebuilt = False  # a new store built from the files (the old one was damaged)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=60)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a power cut keeps committed transactions
        migrate(self.db, path, self.root)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def file_key(self, path: Path) -> str:
        """A file's name in the store: its path under OUTPUT_DIR (so the folder can move)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    # ---- runs --------------------------------------------------------------------------------

    def begin_run(self, site: str, when: str, arguments: dict[str, Any]) -> int:
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (site, started, arguments) VALUES (?, ?, ?)",
                (site, when, json.dumps(arguments, sort_keys=True)),
            )
        return int(cursor.lastrowid or 0)

    def interrupted_runs(self, site: str, before: int) -> list[str]:
        """Start times of earlier runs of ``site`` that never finished (killed); each is
        reported once."""
        with self.transaction():
            rows = self.db.execute(
                "SELECT started FROM runs WHERE site = ? AND id < ? AND finished IS NULL "
                "ORDER BY id",
                (site, before),
            ).fetchall()
            self.db.execute(
                "UPDATE runs SET status = 'interrupted', finished = '' "
                "WHERE site = ? AND id < ? AND finished IS NULL",
                (site, before),
            )
        return [row[0] for row in rows]

    def waiting(self, site: str, limit: int = 20) -> tuple[int, list[dict[str, Any]]]:
        """Releases refused earlier and not yet recorded, waiting for their next try."""
        count = self.db.execute(
            "SELECT count(*) FROM releases WHERE site = ? AND status = ?", (site, RETRY)
        ).fetchone()[0]
        rows = self.db.execute(
            "SELECT article_id, refusal, attempts, retry_at FROM releases "
            "WHERE site = ? AND status = ? ORDER BY retry_at, rowid LIMIT ?",
            (site, RETRY, limit),
        )
        return int(count), [
            {
                "id": f"{site}:{row[0]}",
                "reason": row[1],
                "attempts": row[2],
                "retry_at": row[3],
            }
            for row in rows
        ]

    def finish_run(self, run: int, when: str, status: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, status = ? WHERE id = ?", (when, status, run)
            )

    # ---- releases ----------------------------------------------------------------------------

    def release(self, site: str, article_id: str) -> KnownRelease | None:
        row = self.db.execute(
            "SELECT * FROM releases WHERE site = ? AND article_id = ?", (site, article_id)
        ).fetchone()
        return _known(row) if row else None

    def lookup(self, site: str, article_ids: Iterable[str]) -> dict[str, KnownRelease]:
        """The known releases among ``article_ids`` (a page's worth at a time)."""
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, KnownRelease] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT * FROM releases WHERE site = ? AND article_id IN ({marks})",
                (site, *chunk),
            )
            found.update((row["article_id"], _known(row)) for row in rows)
        return found

    def known_ids(self, site: str) -> set[str]:
        rows = self.db.execute("SELECT article_id FROM releases WHERE site = ?", (site,))
        return {row[0] for row in rows}

    def pending(self, site: str, now: str, everything: bool = False) -> list[tuple[str, str]]:
        """Releases to fetch before anything else: found but not emitted, refusals due for
        another try (all refusals, when ``everything``: a full or revisit run)."""
        rows = self.db.execute(
            "SELECT article_id, url FROM releases WHERE site = ? AND (status = ? "
            "OR (status = ? AND (retry_at IS NULL OR retry_at <= ? OR ?)) "
            "OR (status = ? AND ?)) ORDER BY rowid",
            (site, PENDING, RETRY, now, everything, REFUSED, everything),
        )
        return [(row[0], row[1]) for row in rows]

    def to_revisit(
        self,
        site: str,
        published_since: str | None = None,
        seen_since: str | None = None,
        checked_before: str | None = None,
    ) -> list[KnownRelease]:
        """Live releases (and gone ones, which may come back), oldest found first: all, or
        those published or first seen since a moment, or not checked since one."""
        query = "SELECT * FROM releases WHERE site = ? AND status IN (?, ?)"
        args: tuple[Any, ...] = (site, LIVE, GONE)
        if published_since:
            query += " AND published >= ?"
            args += (published_since,)
        if seen_since:
            query += " AND first_seen >= ?"
            args += (seen_since,)
        if checked_before:
            query += " AND (last_checked IS NULL OR last_checked < ?)"
            args += (checked_before,)
        return [_known(row) for row in self.db.execute(query + " ORDER BY rowid", args)]

    def captures(self, site: str) -> list[dict[str, Any]]:
        """The last capture of each live release and of each listing or feed source."""
        rows = self.db.execute(
            "SELECT capture FROM releases WHERE site = ? AND status = ? AND capture IS NOT NULL "
            "UNION ALL SELECT capture FROM sources WHERE site = ? AND capture IS NOT NULL",
            (site, LIVE, site),
        )
        return [json.loads(row[0]) for row in rows]

    # ---- operations ----------------------------------------------------------------------

    def apply(self, operations: Iterable[Operation]) -> None:
        """Apply operations in one transaction (the journal calls this after a sync)."""
        with self.transaction():
            for operation in operations:
                self.apply_one(operation)

    def apply_one(self, operation: Operation) -> None:
        """Apply one operation (inside a transaction)."""
        if isinstance(operation, Emitted):
            self._emitted(operation)
        elif isinstance(operation, Checked):
            self._checked(operation)
        elif isinstance(operation, StatusChanged):
            self._status_changed(operation)
        else:
            self._refused(operation)

    def _emitted(self, op: Emitted) -> None:
        record = op.record
        site, article_id = record["site"], record["id"].split(":", 1)[1]
        capture = record.get("archive")
        version = int(record.get("version") or 1)
        etag, last_modified = op.validators
        self.db.execute(
            "INSERT INTO releases (site, article_id, url, status, first_seen, last_checked, "
            "published, etag, last_modified, payload_digest, content_digest, version, "
            "fetched, capture, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (site, article_id) DO UPDATE SET url = excluded.url, "
            "status = excluded.status, first_seen = COALESCE(first_seen, excluded.first_seen), "
            "last_checked = excluded.last_checked, published = excluded.published, "
            "etag = COALESCE(excluded.etag, etag), "
            "last_modified = COALESCE(excluded.last_modified, last_modified), "
            "payload_digest = excluded.payload_digest, "
            "content_digest = excluded.content_digest, version = excluded.version, "
            "fetched = excluded.fetched, capture = excluded.capture, kind = excluded.kind, "
            "attempts = 0, "
            "retry_at = NULL, refusal = NULL "
            "WHERE excluded.version >= releases.version",
            (
                site,
                article_id,
                record["url"],
                LIVE,
                record.get("first_seen") or record.get("fetched"),
                record.get("fetched"),
                record.get("published"),
                etag,
                last_modified,
                capture.get("payload_digest") if capture else None,
                op.content_digest,
                version,
                record.get("fetched"),
                json.dumps(capture) if capture else None,
                record_kind(record),
            ),
        )
        if op.line is not None:
            self.index_line(op.line, record, op.content_digest)
            self.applied(op.line.file, site, op.line.offset + op.line.length)

    def index_line(self, line: LineRef, record: dict[str, Any], content_digest: str) -> None:
        """Note where a release's line is (inside a transaction)."""
        capture = record.get("archive")
        self.db.execute(
            "INSERT OR REPLACE INTO lines (file, offset, length, site, article_id, version, "
            "content_digest, fetched, capture) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                line.file,
                line.offset,
                line.length,
                record["site"],
                record["id"].split(":", 1)[1],
                int(record.get("version") or 1),
                content_digest,
                record.get("fetched"),
                json.dumps(capture) if capture else None,
            ),
        )

    def _checked(self, op: Checked) -> None:
        etag, last_modified = op.validators
        self.db.execute(
            "UPDATE releases SET last_checked = ?, etag = COALESCE(?, etag), "
            "last_modified = COALESCE(?, last_modified), capture = COALESCE(?, capture), "
            "status = CASE WHEN version > 0 THEN ? ELSE status END, attempts = 0, "
            "retry_at = NULL, refusal = NULL WHERE site = ? AND article_id = ?",
            (
                op.when,
                etag,
                last_modified,
                json.dumps(op.capture) if op.capture else None,
                LIVE,
                op.site,
                op.article_id,
            ),
        )

    def _refused(self, op: Refused) -> None:
        row = self.db.execute(
            "SELECT status, attempts FROM releases WHERE site = ? AND article_id = ?",
            (op.site, op.article_id),
        ).fetchone()
        if row is None:
            return
        attempts = int(row["attempts"]) + 1
        status, retry_at = row["status"], None
        if status in (LIVE, GONE):
            # A revisit: 404/410 is the release's deletion; any other refusal changes
            # nothing but the count (the release stays as it was last seen).
            if op.reason == GONE_REASON:
                status = GONE
        elif op.transient and attempts < self.backoff.max_attempts:
            status, retry_at = RETRY, self.backoff.retry_at(op.when, attempts)
        else:
            status = REFUSED
        self.db.execute(
            "UPDATE releases SET status = ?, attempts = ?, retry_at = ?, refusal = ?, "
            "last_checked = ? WHERE site = ? AND article_id = ?",
            (status, attempts, retry_at, op.reason, op.when, op.site, op.article_id),
        )

    def _status_changed(self, op: StatusChanged) -> None:
        """A status line: the release is gone (or live again) at the version it names. A line
        about an older version, or older than the last check (a file replayed late), changes
        nothing but how much of its file was applied."""
        record = op.record
        site, article_id = record["site"], record["id"].split(":", 1)[1]
        gone = record["status"] == GONE
        self.db.execute(
            "UPDATE releases SET status = ?, last_checked = ?, refusal = ?, retry_at = NULL, "
            "attempts = CASE WHEN ? THEN attempts + 1 ELSE 0 END "
            "WHERE site = ? AND article_id = ? AND version <= ? AND status IN (?, ?) "
            "AND (last_checked IS NULL OR last_checked <= ?)",
            (
                record["status"],
                record["status_changed"],
                GONE_REASON if gone else None,
                gone,
                site,
                article_id,
                int(record["version"]),
                LIVE,
                GONE,
                record["status_changed"],
            ),
        )
        if op.line is not None:
            self.applied(op.line.file, site, op.line.offset + op.line.length)

    # ---- files -------------------------------------------------------------------------------

    def applied(self, file: str, site: str | None, size: int) -> None:
        """How much of a releases file the store has applied (inside a transaction)."""
        self.db.execute(
            "INSERT INTO files (path, site, bytes) VALUES (?, ?, ?) ON CONFLICT (path) "
            "DO UPDATE SET bytes = MAX(bytes, excluded.bytes), "
            "site = COALESCE(site, excluded.site)",
            (file, site, size),
        )

    # ---- sources and walks -------------------------------------------------------------------

    def source(self, site: str, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute(
            "SELECT etag, last_modified FROM sources WHERE site = ? AND url = ?", (site, url)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def walks(self, site: str, source: str) -> list[Walk]:
        """The unfinished walks of a listing, deepest first."""
        rows = self.db.execute(
            "SELECT * FROM listing_walks WHERE site = ? AND source = ? ORDER BY next_page DESC",
            (site, source),
        )
        return [
            Walk(
                source=row["source"],
                run=int(row["run"]),
                next_page=int(row["next_page"]),
                stop_at_known=bool(row["stop_at_known"]),
                end_page=row["end_page"],
                id=int(row["id"]),
            )
            for row in rows
        ]

    def page_read(
        self,
        site: str,
        run: int,
        source: str,
        discoveries: list[tuple[str, str]],
        validators: tuple[str | None, str | None] | None = None,
        capture: dict[str, Any] | None = None,
        when: str = "",
        walk: Walk | None = None,
        next_page: int | None = None,
    ) -> Walk | None:
        """A listing page or feed read: its discoveries, the source's validators (page 1 and
        feeds) and where its walk goes next (None: the walk is done), in one transaction.
        Returns the walk as stored, or None when it is done."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO releases (site, article_id, url, status, discovered_run) "
                "VALUES (?, ?, ?, ?, ?)",
                [(site, article_id, url, PENDING, run) for article_id, url in discoveries],
            )
            if validators is not None:
                self.db.execute(
                    "INSERT INTO sources (site, url, etag, last_modified, last_checked, capture) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site, url) DO UPDATE SET "
                    "etag = excluded.etag, last_modified = excluded.last_modified, "
                    "last_checked = excluded.last_checked, "
                    "capture = COALESCE(excluded.capture, capture)",
                    (site, source, *validators, when, json.dumps(capture) if capture else None),
                )
            if walk is None:
                return None
            if next_page is None:
                if walk.id is not None:
                    self.db.execute("DELETE FROM listing_walks WHERE id = ?", (walk.id,))
                return None
            if walk.id is not None:
                self.db.execute(
                    "UPDATE listing_walks SET next_page = ?, stop_at_known = ? WHERE id = ?",
                    (next_page, walk.stop_at_known, walk.id),
                )
                return replace(walk, next_page=next_page)
            cursor = self.db.execute(
                "INSERT INTO listing_walks (site, source, run, next_page, end_page, "
                "stop_at_known) VALUES (?, ?, ?, ?, ?, ?)",
                (site, source, walk.run, next_page, walk.end_page, walk.stop_at_known),
            )
            return Walk(
                walk.source,
                walk.run,
                next_page,
                walk.stop_at_known,
                walk.end_page,
                cursor.lastrowid,
            )


def _known(row: sqlite3.Row) -> KnownRelease:
    return KnownRelease(
        site=row["site"],
        article_id=row["article_id"],
        url=row["url"],
        status=row["status"],
        first_seen=row["first_seen"],
        published=row["published"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        payload_digest=row["payload_digest"],
        content_digest=row["content_digest"],
        version=int(row["version"]),
        fetched=row["fetched"],
        capture=json.loads(row["capture"]) if row["capture"] else None,
        attempts=int(row["attempts"]),
        retry_at=row["retry_at"],
        refusal=row["refusal"],
        discovered_run=int(row["discovered_run"]),
    )
