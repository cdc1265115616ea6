"""The state store's schema, versioned with ``PRAGMA user_version`` and migrated forward.

Each migration is SQL, optionally followed by a Python step that needs the files under
``OUTPUT_DIR`` (``root``). Never edit a released migration; append a new one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Migration:
    sql: str
    step: Callable[[sqlite3.Connection, Path | None], None] | None = None


def _relative_files(db: sqlite3.Connection, root: Path | None) -> None:
    """3: applied files keyed by their path under OUTPUT_DIR, with their site and lines.

    Absolute paths broke when OUTPUT_DIR moved; every run file was written to
    ``OUTPUT_DIR/releases/NAME``, so the name is enough to find it again.
    """
    for path, size in db.execute("SELECT path, bytes FROM applied_files").fetchall():
        key = f"releases/{Path(path).name}"
        site = None
        if root is not None and (root / key).exists():
            site = _index_lines(db, root, key, int(size))
        db.execute(
            "INSERT OR REPLACE INTO files (path, site, bytes) VALUES (?, ?, ?)", (key, site, size)
        )
    db.execute("DROP TABLE applied_files")


def _index_lines(db: sqlite3.Connection, root: Path, key: str, size: int) -> str | None:
    """Record where each applied line of a releases file is; return the file's site."""
    from crawler.records import content_digest

    site = None
    offset = 0
    with (root / key).open("rb") as handle:
        for line in handle.read(size).splitlines(keepends=True):
            if line.strip() and line.endswith(b"\n"):
                record = json.loads(line)
                site = record["site"]
                db.execute(
                    "INSERT OR IGNORE INTO lines (file, offset, length, site, article_id, "
                    "version, content_digest, fetched, capture) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        offset,
                        len(line),
                        site,
                        record["id"].split(":", 1)[1],
                        int(record.get("version") or 1),
                        content_digest(record),
                        record.get("fetched"),
                        json.dumps(record["archive"]) if record.get("archive") else None,
                    ),
                )
            offset += len(line)
    return site


def _kinds(db: sqlite3.Connection, root: Path | None) -> None:
    """4: every release has a kind, and its content digest counts ``kind`` and ``updated``.

    Records gained both fields; a release whose last version predates them would otherwise
    look edited the next time its page is read whole. Its last line is read back, given
    the kind its URL names (crawler.records.with_kind) and digested again.
    """
    from crawler.records import content_digest, record_kind, with_kind

    rows = db.execute(
        "SELECT l.file, l.offset, l.length, r.site, r.article_id FROM releases r "
        "JOIN lines l ON l.site = r.site AND l.article_id = r.article_id "
        "AND l.version = r.version"
    ).fetchall()
    for file, offset, length, site, article_id in rows:
        path = root / file if root is not None else None
        if path is None or not path.is_file():
            continue  # a file gone missing: the release keeps its digest
        with path.open("rb") as handle:
            handle.seek(offset)
            raw = handle.read(length)
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        current = with_kind(record)
        digest = content_digest(current)
        db.execute(
            "UPDATE releases SET kind = ?, content_digest = ? WHERE site = ? AND article_id = ?",
            (current["kind"], digest, site, article_id),
        )
        db.execute(
            "UPDATE lines SET content_digest = ? WHERE file = ? AND offset = ?",
            (digest, file, offset),
        )
    for site, article_id, url in db.execute(
        "SELECT site, article_id, url FROM releases WHERE kind IS NULL"
    ).fetchall():
        db.execute(
            "UPDATE releases SET kind = ? WHERE site = ? AND article_id = ?",
            (record_kind({"site": site, "url": url}), site, article_id),
        )


MIGRATIONS: list[Migration] = [
    Migration(
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
        """
    ),
    # 2: where a listing or feed page was captured, so its next 304 becomes a revisit of it.
    Migration("ALTER TABLE sources ADD COLUMN capture TEXT"),
    # 3: crash consistency. Runs are numbered; a walk belongs to the run that began it and
    # several walks of one source can be open at once; a refusal has attempts and a time to
    # retry; every emitted line is indexed, so a file found shorter than what was applied
    # says which releases to fetch again; file paths are relative to OUTPUT_DIR.
    Migration(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            site TEXT NOT NULL,
            started TEXT NOT NULL,
            arguments TEXT,
            finished TEXT,
            status TEXT
        );
        ALTER TABLE releases ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE releases ADD COLUMN retry_at TEXT;
        ALTER TABLE releases ADD COLUMN refusal TEXT;
        ALTER TABLE releases ADD COLUMN discovered_run INTEGER NOT NULL DEFAULT 0;
        UPDATE releases SET status = 'retry', attempts = 1, retry_at = last_checked
            WHERE status = 'refused';
        CREATE TABLE listing_walks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            site TEXT NOT NULL,
            source TEXT NOT NULL,
            run INTEGER NOT NULL,
            next_page INTEGER NOT NULL,
            end_page INTEGER,
            stop_at_known INTEGER NOT NULL
        );
        INSERT INTO listing_walks (site, source, run, next_page, end_page, stop_at_known)
            SELECT site, source, 0, next_page, NULL, 0 FROM walks;
        DROP TABLE walks;
        CREATE TABLE lines (
            file TEXT NOT NULL,
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            site TEXT NOT NULL,
            article_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            content_digest TEXT,
            fetched TEXT,
            capture TEXT,
            PRIMARY KEY (file, offset)
        );
        CREATE INDEX lines_by_release ON lines (site, article_id, version);
        CREATE TABLE files (
            path TEXT PRIMARY KEY,
            site TEXT,
            bytes INTEGER NOT NULL
        );
        """,
        _relative_files,
    ),
    # 4: records have a kind (release, news, commentary, ...): kept per release.
    Migration("ALTER TABLE releases ADD COLUMN kind TEXT", _kinds),
]


def migrate(db: sqlite3.Connection, path: Path, root: Path | None) -> None:
    """Bring the schema to the newest version, one transaction per migration."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"{path} has schema version {current}; this crawler knows "
            f"{len(MIGRATIONS)}: upgrade the crawler"
        )
    for version in range(current, len(MIGRATIONS)):
        migration = MIGRATIONS[version]
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in migration.sql.split(";"):
                if statement.strip():
                    db.execute(statement)
            if migration.step is not None:
                migration.step(db, root)
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
