"""Writers of the export formats. Each writes a temporary file and renames it: a reader
never sees half an export, and the same records always give the same bytes."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .flat import SUMMARY, columns, flatten, flatten_summary, languages_in

FORMATS = ("jsonl", "csv", "parquet", "sqlite")


@dataclass(frozen=True)
class Layout:
    """How rows are laid out: a ``changes`` summary or release rows, the flat columns (fixed
    per export path), and CSV for Excel (UTF-8 with a byte order mark)."""

    summary: bool = False
    columns: tuple[str, ...] = field(default_factory=lambda: tuple(columns()))
    excel: bool = False


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_jsonl(records: list[dict[str, Any]], path: Path, layout: Layout) -> None:
    with atomic(path) as temporary, temporary.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_csv(records: list[dict[str, Any]], path: Path, layout: Layout) -> None:
    """The header always, the same for every export to a path, rows or none."""
    names = list(SUMMARY if layout.summary else layout.columns)
    encoding = "utf-8-sig" if layout.excel else "utf-8"
    with atomic(path) as temporary, temporary.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(
            out, fieldnames=names, lineterminator="\r\n" if layout.excel else "\n"
        )
        writer.writeheader()
        for record in records:
            writer.writerow(flatten_summary(record) if layout.summary else flatten(record, names))


# ---- Parquet ------------------------------------------------------------------------------


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def parquet_schema(summary: bool = False) -> Any:
    import pyarrow as pa

    text, stamp = pa.string(), pa.timestamp("us", tz="UTC")
    if summary:
        return pa.schema(
            [
                ("id", text),
                ("site", text),
                ("url", text),
                ("title", text),
                ("published", pa.date32()),
                ("versions", pa.int32()),
                ("first_seen", stamp),
                ("changed", pa.list_(stamp)),
                ("fields_changed", pa.list_(text)),
                ("sections_changed", pa.list_(text)),
                ("text_similarity", pa.float64()),
                ("text_chars_delta", pa.int64()),
                ("language", text),
                ("status", text),
                ("status_changed", stamp),
                ("removed", pa.list_(stamp)),
            ]
        )
    return pa.schema(
        [
            ("id", text),
            ("url", text),
            ("site", text),
            ("publisher", text),
            pa.field("kind", text, metadata={"description": "release, news, commentary, ..."}),
            ("title", text),
            ("number", text),
            pa.field("published", pa.date32(), metadata={"description": "date the page states"}),
            pa.field(
                "published_time",
                pa.timestamp("us"),
                metadata={"description": "set only when the page gives a time (no zone)"},
            ),
            pa.field("updated", text, metadata={"description": "a later date the page states"}),
            ("dateline", text),
            ("bylines", pa.list_(pa.struct([("name", text), ("role", text)]))),
            ("tags", pa.list_(text)),
            ("images", pa.list_(pa.struct([("url", text), ("caption", text), ("alt", text)]))),
            ("documents", pa.list_(text)),
            ("language", text),
            ("languages", pa.list_(text)),
            (
                "sections",
                pa.list_(
                    pa.struct([("lang", text), ("title", text), ("byline", text), ("text", text)])
                ),
            ),
            ("text", text),
            ("extractor", pa.struct([("name", text), ("version", text)])),
            ("fetched", stamp),
            pa.field("source_type", text, metadata={"description": "html, json or pdf"}),
            ("version", pa.int32()),
            ("first_seen", stamp),
            ("previous_version", pa.int32()),
            pa.field("event", text, metadata={"description": "new, edited, gone or returned"}),
            pa.field("status", text, metadata={"description": "live or gone"}),
            ("status_changed", stamp),
            ("detail", text),
            (
                "archive",
                pa.struct(
                    [
                        ("target_uri", text),
                        ("warc", text),
                        ("offset", pa.int64()),
                        ("length", pa.int64()),
                        ("record_id", text),
                        ("record_type", text),
                        ("payload_digest", text),
                        ("date", stamp),
                    ]
                ),
            ),
        ]
    )


def _parquet_row(record: dict[str, Any]) -> dict[str, Any]:
    published = record.get("published")
    archive = record.get("archive")
    return {
        **{
            k: record.get(k)
            for k in (
                "id",
                "url",
                "site",
                "publisher",
                "kind",
                "title",
                "number",
                "updated",
                "dateline",
                "bylines",
                "tags",
                "images",
                "documents",
                "language",
                "languages",
                "sections",
                "text",
                "extractor",
            )
        },
        "published": _date(published),
        "published_time": datetime.fromisoformat(published).replace(tzinfo=None)
        if published and "T" in published
        else None,
        "fetched": _time(record.get("fetched")),
        "source_type": record.get("source_type"),
        "version": record.get("version") or 1,
        "first_seen": _time(record.get("first_seen")),
        "previous_version": (record.get("previous") or {}).get("version"),
        "event": record.get("event"),
        "status": record.get("status"),
        "status_changed": _time(record.get("status_changed")),
        "detail": record.get("detail"),
        "archive": {**archive, "date": _time(archive.get("date"))} if archive else None,
    }


def _summary_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "published": _date(row.get("published")),
        "first_seen": _time(row.get("first_seen")),
        "changed": [_time(t) for t in row.get("changed") or []],
        "status_changed": _time(row.get("status_changed")),
        "removed": [_time(t) for t in row.get("removed") or []],
    }


def write_parquet(records: list[dict[str, Any]], path: Path, layout: Layout) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(layout.summary)
    convert = _summary_row if layout.summary else _parquet_row
    table = pa.Table.from_pylist([convert(r) for r in records], schema=schema)
    with atomic(path) as temporary:
        pq.write_table(table, temporary, compression="zstd")


# ---- SQLite ----------------------------------------------------------------------------------

# Full-text search per language: words for Latin scripts, trigrams for Japanese and Korean,
# which are not written with spaces between words.
_TOKENIZERS = {"ja": "trigram", "ko": "trigram", "zh": "trigram"}


def write_sqlite(records: list[dict[str, Any]], path: Path, layout: Layout) -> None:
    with atomic(path) as temporary:
        db = sqlite3.connect(temporary)
        try:
            if layout.summary:
                _table(db, "changes", [flatten_summary(r) for r in records], list(SUMMARY))
            else:
                _releases(db, records, list(layout.columns))
            db.commit()
        finally:
            db.close()


def _table(db: sqlite3.Connection, name: str, rows: list[dict[str, Any]], names: list[str]) -> None:
    quoted = ", ".join(f'"{n}"' for n in names)
    db.execute(f'CREATE TABLE "{name}" ({quoted})')
    marks = ", ".join("?" for _ in names)
    db.executemany(
        f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})',
        ([row.get(n) for n in names] for row in rows),
    )


def _releases(db: sqlite3.Connection, records: list[dict[str, Any]], names: list[str]) -> None:
    _table(db, "releases", [flatten(r, names) for r in records], names)
    db.execute("ALTER TABLE releases ADD COLUMN record")  # the whole record, as JSON
    db.executemany(
        "UPDATE releases SET record = ? WHERE rowid = ?",
        ((json.dumps(r, ensure_ascii=False), i) for i, r in enumerate(records, 1)),
    )
    db.execute("CREATE INDEX releases_id ON releases (id, version)")
    db.execute("CREATE TABLE sections (release_id, version, lang, title, byline, text)")
    db.executemany(
        "INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                r["id"],
                r.get("version") or 1,
                s["lang"],
                s.get("title"),
                s.get("byline"),
                s.get("text"),
            )
            for r in records
            for s in r.get("sections") or []
        ),
    )
    # Datasette's search box on "releases" uses releases_fts (title and primary text).
    db.execute(
        'CREATE VIRTUAL TABLE releases_fts USING fts5(title, text, content="releases", '
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "INSERT INTO releases_fts (rowid, title, text) SELECT rowid, title, text FROM releases"
    )
    present = {s["lang"] for r in records for s in r.get("sections") or []}
    for lang in sorted(lang for lang in set(languages_in(names)) | present if lang.isalpha()):
        tokenizer = _TOKENIZERS.get(lang, "porter unicode61 remove_diacritics 2")
        db.execute(
            f"CREATE VIRTUAL TABLE sections_fts_{lang} USING fts5(release_id UNINDEXED, "
            f"version UNINDEXED, title, text, tokenize='{tokenizer}')"
        )
        db.execute(
            f"INSERT INTO sections_fts_{lang} SELECT release_id, version, title, text "
            f"FROM sections WHERE lang = ?",
            (lang,),
        )


WRITERS: dict[str, Callable[[list[dict[str, Any]], Path, Layout], None]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "parquet": write_parquet,
    "sqlite": write_sqlite,
}
