"""What earlier runs learnt, in SQLite (WAL, one writer): releases, sources, walks.

Per site and article id: canonical URL, first seen, last checked, validators (ETag,
Last-Modified), payload and content digests, version, status (pending, live, gone) and
where its capture is. Listing and feed sources keep their validators; an interrupted
listing walk keeps its cursor. The schema is versioned (``PRAGMA user_version``) and
migrated forward on open.

The JSON Lines files are the record of what was emitted: a release becomes ``live`` in
the store only after its line is written, and on open the store replays any line it has
not applied yet (a run killed between the two), so it is never behind the files. Nothing
it holds is ahead of them either: a release is only ``pending`` until its line exists.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PENDING, LIVE, GONE, REFUSED = "pending", "live", "gone", "refused"

# One entry per schema version; never edit a released one, append a new one.
MIGRATIONS = [
    """
    CREATE TABLE releases (
        site TEXT NOT NULL,
        article_id TEXT NOT NULL,
        url TEXT NOT NULL,
        status TEXT NOT NULL,
        first_seen TEXT,
        last_checked TEXT,
        published TEXT,
        etag TEXT,
        last_modified TEXT,
        payload_digest TEXT,
        content_digest TEXT,
        version INTEGER NOT NULL DEFAULT 0,
        fetched TEXT,
        capture TEXT,
        PRIMARY KEY (site, article_id)
    );
    CREATE TABLE sources (
        site TEXT NOT NULL,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_checked TEXT,
        PRIMARY KEY (site, url)
    );
    CREATE TABLE walks (
        site TEXT NOT NULL,
        source TEXT NOT NULL,
        next_page INTEGER NOT NULL,
        PRIMARY KEY (site, source)
    );
    CREATE TABLE applied_files (
        path TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL
    );
    """,
    # 2: where a listing or feed page was captured, so its next 304 becomes a revisit of it.
    """
    ALTER TABLE sources ADD COLUMN capture TEXT
    """,
]


@dataclass(frozen=True)
class KnownRelease:
    site: str
    article_id: str
    url: str
    status: str
    first_seen: str | None
    published: str | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    content_digest: str | None
    version: int
    fetched: str | None
    capture: dict[str, Any] | None


class StateStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a power cut keeps committed transactions
        self._migrate()

    def _migrate(self) -> None:
        current = self.db.execute("PRAGMA user_version").fetchone()[0]
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"{self.path} has schema version {current}; this crawler knows "
                f"{len(MIGRATIONS)}: upgrade the crawler"
            )
        for version in range(current, len(MIGRATIONS)):
            with self.transaction():
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

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

    # ---- releases ----------------------------------------------------------------------------

    def release(self, site: str, article_id: str) -> KnownRelease | None:
        row = self.db.execute(
            "SELECT * FROM releases WHERE site = ? AND article_id = ?", (site, article_id)
        ).fetchone()
        return _known(row) if row else None

    def known_ids(self, site: str) -> set[str]:
        rows = self.db.execute("SELECT article_id FROM releases WHERE site = ?", (site,))
        return {row[0] for row in rows}

    def pending(self, site: str, refused_before: str | None = None) -> list[tuple[str, str]]:
        """Releases found but never emitted; refused ones last tried before ``refused_before``."""
        rows = self.db.execute(
            "SELECT article_id, url FROM releases WHERE site = ? AND (status = ? OR "
            "(status = ? AND last_checked < ?)) ORDER BY rowid",
            (site, PENDING, REFUSED, refused_before or ""),
        )
        return [(row[0], row[1]) for row in rows]

    def refused(self, site: str, article_id: str, when: str) -> None:
        """Every attempt ended in a refusal (block page, module error): try again later."""
        with self.transaction():
            self.db.execute(
                "UPDATE releases SET status = ?, last_checked = ? "
                "WHERE site = ? AND article_id = ? AND status IN (?, ?)",
                (REFUSED, when, site, article_id, PENDING, REFUSED),
            )

    def live(self, site: str, published_since: str | None = None) -> list[KnownRelease]:
        query = "SELECT * FROM releases WHERE site = ? AND status = ?"
        args: tuple[Any, ...] = (site, LIVE)
        if published_since:
            query += " AND published >= ?"
            args += (published_since,)
        return [_known(row) for row in self.db.execute(query + " ORDER BY rowid", args)]

    def discover(self, site: str, article_id: str, url: str) -> bool:
        """Record a release seen in a listing or feed; True if it was not known."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO releases (site, article_id, url, status) "
                "VALUES (?, ?, ?, ?)",
                (site, article_id, url, PENDING),
            )
        return cursor.rowcount == 1

    def checked(
        self,
        site: str,
        article_id: str,
        when: str,
        etag: str | None,
        last_modified: str | None,
        capture: dict[str, Any] | None = None,
    ) -> None:
        """A known release was fetched again and is unchanged (a 304, or the same content)."""
        with self.transaction():
            self.db.execute(
                "UPDATE releases SET last_checked = ?, etag = COALESCE(?, etag), "
                "last_modified = COALESCE(?, last_modified), "
                "capture = COALESCE(?, capture) WHERE site = ? AND article_id = ?",
                (
                    when,
                    etag,
                    last_modified,
                    json.dumps(capture) if capture else None,
                    site,
                    article_id,
                ),
            )

    def gone(self, site: str, article_id: str, when: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE releases SET status = ?, last_checked = ? "
                "WHERE site = ? AND article_id = ?",
                (GONE, when, site, article_id),
            )

    def emitted(
        self,
        record: dict[str, Any],
        content_digest: str,
        validators: tuple[str | None, str | None] = (None, None),
        applied: tuple[Path, int] | None = None,
    ) -> None:
        """A release's line is in the JSON Lines file: it is live at this version.

        ``applied``: the file and its size with that line, recorded in the same transaction
        so a replay starts after it.
        """
        site, article_id = record["site"], record["id"].split(":", 1)[1]
        capture = record.get("archive")
        etag, last_modified = validators
        with self.transaction():
            self.db.execute(
                "INSERT INTO releases (site, article_id, url, status, first_seen, last_checked, "
                "published, etag, last_modified, payload_digest, content_digest, version, "
                "fetched, capture) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (site, article_id) DO UPDATE SET url = excluded.url, "
                "status = excluded.status, first_seen = COALESCE(first_seen, excluded.first_seen), "
                "last_checked = excluded.last_checked, published = excluded.published, "
                "etag = COALESCE(excluded.etag, etag), "
                "last_modified = COALESCE(excluded.last_modified, last_modified), "
                "payload_digest = excluded.payload_digest, "
                "content_digest = excluded.content_digest, version = excluded.version, "
                "fetched = excluded.fetched, capture = excluded.capture "
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
                    content_digest,
                    int(record.get("version") or 1),
                    record.get("fetched"),
                    json.dumps(capture) if capture else None,
                ),
            )
            if applied is not None:
                self._applied(*applied)

    def _applied(self, path: Path, size: int) -> None:
        self.db.execute(
            "INSERT INTO applied_files (path, bytes) VALUES (?, ?) ON CONFLICT (path) "
            "DO UPDATE SET bytes = excluded.bytes",
            (str(path.resolve()), size),
        )

    # ---- sources and walks -------------------------------------------------------------------

    def source(self, site: str, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute(
            "SELECT etag, last_modified FROM sources WHERE site = ? AND url = ?", (site, url)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_source(
        self,
        site: str,
        url: str,
        etag: str | None,
        last_modified: str | None,
        when: str,
        capture: dict[str, Any] | None = None,
    ) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO sources (site, url, etag, last_modified, last_checked, capture) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site, url) DO UPDATE SET "
                "etag = excluded.etag, last_modified = excluded.last_modified, "
                "last_checked = excluded.last_checked, "
                "capture = COALESCE(excluded.capture, capture)",
                (site, url, etag, last_modified, when, json.dumps(capture) if capture else None),
            )

    def captures(self, site: str) -> list[dict[str, Any]]:
        """The last capture of each live release and of each listing or feed source."""
        rows = self.db.execute(
            "SELECT capture FROM releases WHERE site = ? AND status = ? AND capture IS NOT NULL "
            "UNION ALL SELECT capture FROM sources WHERE site = ? AND capture IS NOT NULL",
            (site, LIVE, site),
        )
        return [json.loads(row[0]) for row in rows]

    def walk(self, site: str, source: str) -> int | None:
        """The next listing page of an interrupted walk, if there is one."""
        row = self.db.execute(
            "SELECT next_page FROM walks WHERE site = ? AND source = ?", (site, source)
        ).fetchone()
        return int(row[0]) if row else None

    def set_walk(self, site: str, source: str, next_page: int | None) -> None:
        with self.transaction():
            if next_page is None:
                self.db.execute("DELETE FROM walks WHERE site = ? AND source = ?", (site, source))
            else:
                self.db.execute(
                    "INSERT INTO walks (site, source, next_page) VALUES (?, ?, ?) "
                    "ON CONFLICT (site, source) DO UPDATE SET next_page = "
                    "MAX(next_page, excluded.next_page)",
                    (site, source, next_page),
                )

    # ---- journal replay ----------------------------------------------------------------------

    def replay(self, releases_dir: Path) -> int:
        """Apply release lines written by runs that died before recording them; return how many.

        A last line cut short by the kill is removed from its file (its release is still
        pending and will be fetched again).
        """
        from crawler.records import content_digest

        applied = 0
        for path in sorted(releases_dir.glob("*.jsonl")) if releases_dir.exists() else []:
            row = self.db.execute(
                "SELECT bytes FROM applied_files WHERE path = ?", (str(path.resolve()),)
            ).fetchone()
            start = int(row[0]) if row else 0
            size = path.stat().st_size
            if start >= size:
                continue
            with path.open("rb") as handle:
                handle.seek(start)
                data = handle.read()
            complete = data[: data.rfind(b"\n") + 1]
            for line in complete.splitlines():
                if line.strip():
                    record = json.loads(line)
                    known = self.release(record["site"], record["id"].split(":", 1)[1])
                    if (
                        known is None
                        or known.status != LIVE
                        or known.version < int(record.get("version") or 1)
                    ):
                        self.emitted(record, content_digest(record))
                        applied += 1
            if len(complete) < len(data):
                logger.warning("%s ends with a line cut short by an interrupted run: removed", path)
                with path.open("r+b") as handle:
                    handle.truncate(start + len(complete))
            with self.transaction():
                self._applied(path, start + len(complete))
        return applied


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
    )
