"""Read every release record the runs wrote, and select a view of them.

Views: ``latest`` (one row per release, its newest version), ``all`` (every version) and
``changes`` (releases edited after publication). Records are ordered by site, article id
and version, so the same input always gives the same output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VIEWS = ("latest", "all", "changes")


@dataclass(frozen=True)
class Position:
    """How far into each releases file an export has read (for --incremental)."""

    offsets: dict[str, int]


def release_files(output_dir: Path) -> list[Path]:
    folder = output_dir / "releases"
    return sorted(folder.glob("*.jsonl")) if folder.exists() else []


def read_records(
    output_dir: Path, start: Position | None = None
) -> tuple[list[dict[str, Any]], Position]:
    """Every complete line of every releases file (after ``start``), and where reading ended."""
    records: list[dict[str, Any]] = []
    offsets: dict[str, int] = {}
    for path in release_files(output_dir):
        begin = start.offsets.get(path.name, 0) if start else 0
        with path.open("rb") as handle:
            handle.seek(begin)
            data = handle.read()
        complete = data[: data.rfind(b"\n") + 1]
        records += [json.loads(line) for line in complete.splitlines() if line.strip()]
        offsets[path.name] = begin + len(complete)
    return records, Position(offsets)


def release_statuses(output_dir: Path, state_path: Path) -> dict[str, str]:
    """``{id: status}`` from the state store (live, gone, …), read-only; empty without one."""
    path = state_path if state_path.is_absolute() else output_dir / state_path
    if not path.exists():
        return {}
    import sqlite3

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT site, article_id, status FROM releases").fetchall()
    finally:
        db.close()
    return {f"{site}:{article_id}": status for site, article_id, status in rows}


def with_status(records: list[dict[str, Any]], statuses: dict[str, str]) -> list[dict[str, Any]]:
    """Copies of the records with the store's ``status`` (for the flat and Parquet formats)."""
    return [{**r, "status": statuses.get(str(r.get("id")))} for r in records]


def sort_key(record: dict[str, Any]) -> tuple[str, int, str, int]:
    site, _, article = str(record.get("id", "")).partition(":")
    number = int(article) if article.isdigit() else 0
    return site, number, article, int(record.get("version") or 1)


def unique_versions(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per (id, version), the first written; sorted."""
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for record in records:
        seen.setdefault((str(record["id"]), int(record.get("version") or 1)), record)
    return sorted(seen.values(), key=sort_key)


def latest(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    newest: dict[str, dict[str, Any]] = {}
    for record in unique_versions(records):
        newest[str(record["id"])] = record
    return sorted(newest.values(), key=sort_key)


def by_release(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in unique_versions(records):
        grouped.setdefault(str(record["id"]), []).append(record)
    return grouped


def matches(record: dict[str, Any], site: str | None, since: str | None, lang: str | None) -> bool:
    if site and record.get("site") != site:
        return False
    if since and not (record.get("published") or "") >= since:
        return False
    return not lang or lang == record.get("language") or lang in (record.get("languages") or [])


def select(
    records: list[dict[str, Any]],
    view: str,
    site: str | None = None,
    since: str | None = None,
    lang: str | None = None,
) -> list[dict[str, Any]]:
    """The records of a view, filtered; ``changes`` gives one summary row per edited release."""
    if view not in VIEWS:
        raise ValueError(f"--view must be one of {', '.join(VIEWS)}, got {view!r}")
    chosen = latest(records) if view == "latest" else unique_versions(records)
    chosen = [r for r in chosen if matches(r, site, since, lang)]
    if view != "changes":
        return chosen
    from .diff import change_summary

    wanted = {str(r["id"]) for r in chosen}
    return [
        change_summary(versions)
        for release_id, versions in sorted(
            by_release(records).items(), key=lambda item: sort_key(item[1][0])
        )
        if release_id in wanted and len(versions) > 1
    ]
