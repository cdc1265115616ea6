"""Select a view of the releases stream.

Views: ``latest`` (one row per release: its newest version and its status now), ``all``
(every event: each version, and each status line — gone, returned — as a row of its own,
with the status it set) and ``changes`` (one row per release edited or removed after it
was first seen). An incremental export selects the releases touched by events after its
cursor: ``all`` gives those events, ``latest`` and ``changes`` the touched releases' rows,
computed over their whole history. Rows are ordered by site, article id, version and
event, so the same input always gives the same output.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.records import is_status_event, utc_moment

from .stream import Event, Position

VIEWS = ("latest", "all", "changes")


@dataclass
class History:
    """What the stream says of one release."""

    versions: list[dict[str, Any]] = field(default_factory=list)  # by version, each once
    statuses: list[dict[str, Any]] = field(default_factory=list)  # status lines, in order
    last: dict[str, Any] | None = None  # the last event written

    @property
    def status(self) -> str:
        if self.last is not None and is_status_event(self.last):
            return str(self.last["status"])
        return "live"

    @property
    def status_changed(self) -> str | None:
        """When the status last changed: a status line's moment, or the fetch of a version
        that brought a removed release back; None for a release that was never removed."""
        if not self.statuses or self.last is None:
            return None
        when = self.last.get("status_changed") or self.last.get("fetched")
        return utc_moment(str(when)) if when else None


def first_written(events: Iterable[Event]) -> list[Event]:
    """Each version and each status line once, where it was first written (a line written
    again, by a replay or a copy, is not a new event)."""
    seen: set[tuple[str, str, str, int]] = set()
    first: list[Event] = []
    for event in events:
        key = _row_key(event.record)
        if key not in seen:
            seen.add(key)
            first.append(event)
    return first


def histories(events: Iterable[Event]) -> dict[str, History]:
    grouped: dict[str, History] = {}
    for event in events:
        record = event.record
        history = grouped.setdefault(str(record["id"]), History())
        (history.statuses if is_status_event(record) else history.versions).append(record)
        history.last = record
    for history in grouped.values():
        history.versions.sort(key=version_of)
    return grouped


def version_of(record: dict[str, Any]) -> int:
    return int(record.get("version") or 1)


def release_statuses(state_path: Path) -> dict[str, str]:
    """``{id: status}`` from the state store, read-only (for collections written before
    status lines existed); empty without one."""
    if not state_path.exists():
        return {}
    db = sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT site, article_id, status FROM releases").fetchall()
    finally:
        db.close()
    return {f"{site}:{article_id}": status for site, article_id, status in rows}


def sort_key(record: dict[str, Any]) -> tuple[str, int, str, int, int, str]:
    site, _, article = str(record.get("id", "")).partition(":")
    number = int(article) if article.isdigit() else 0
    status_line = is_status_event(record)
    return (
        site,
        number,
        article,
        version_of(record),
        int(status_line),
        str(record.get("status_changed") or "") if status_line else "",
    )


def _event_name(record: dict[str, Any]) -> str:
    if is_status_event(record):
        return str(record["event"])
    return "new" if version_of(record) == 1 else "edited"


# What a status row borrows from the release's newest version, so it reads on its own.
DESCRIBED_BY = ("publisher", "title", "number", "published", "language")


def event_rows(events: list[Event]) -> list[tuple[Event, dict[str, Any]]]:
    """Each event with its row of ``all``: the line as written, the event it is, the status
    it set and when. A status row carries the title, date and publisher of the release's
    newest version; a version that ends a removal says when the release came back."""
    newest: dict[str, dict[str, Any]] = {}
    status: dict[str, str] = {}
    rows = []
    for event in events:
        record, release = event.record, str(event.record["id"])
        if is_status_event(record):
            described = {k: newest.get(release, {}).get(k) for k in DESCRIBED_BY}
            row = {**described, **record, "status_changed": utc_moment(record["status_changed"])}
        else:
            returned = status.get(release) == "gone"
            when = (
                utc_moment(str(record["fetched"])) if returned and record.get("fetched") else None
            )
            row = {**record, "event": _event_name(record), "status": "live", "status_changed": when}
            if version_of(record) >= version_of(newest.get(release, {})):
                newest[release] = record
        status[release] = str(row["status"])
        rows.append((event, row))
    return rows


def latest_row(history: History, fallback: str | None) -> dict[str, Any] | None:
    """The newest version with the release's status now (the store's, for a release whose
    removal predates status lines); None for a release known only by status lines."""
    if not history.versions:
        return None
    newest = history.versions[-1]
    status = history.status
    if status == "live" and not history.statuses and fallback == "gone":
        status = "gone"
    return {
        **newest,
        "event": _event_name(history.last or newest),
        "status": status,
        "status_changed": history.status_changed,
    }


def matches(
    history: History,
    site: str | None,
    since: str | None,
    lang: str | None,
    kinds: tuple[str, ...] = (),
) -> bool:
    """Filters apply to the release (its newest version), so its status lines follow it."""
    record = history.versions[-1] if history.versions else history.last or {}
    if site and record.get("site") != site:
        return False
    if kinds and record.get("kind") not in kinds:
        return False
    if since and not (record.get("published") or "") >= since:
        return False
    return not lang or lang == record.get("language") or lang in (record.get("languages") or [])


def select(
    events: list[Event],
    view: str,
    site: str | None = None,
    since: str | None = None,
    lang: str | None = None,
    start: Position | None = None,
    statuses: dict[str, str] | None = None,
    kinds: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """The rows of a view; after ``start`` only, when given (an incremental export)."""
    if view not in VIEWS:
        raise ValueError(f"--view must be one of {', '.join(VIEWS)}, got {view!r}")
    events = first_written(events)
    everything = histories(events)
    chosen = {
        release: history
        for release, history in everything.items()
        if matches(history, site, since, lang, kinds)
    }
    if view == "all":
        rows = [
            row
            for event, row in event_rows(events)
            if str(row["id"]) in chosen and (start is None or start.is_new(event))
        ]
        return sorted(rows, key=sort_key)
    touched = (
        set(chosen)
        if start is None
        else {str(e.record["id"]) for e in events if start.is_new(e)} & set(chosen)
    )
    if view == "latest":
        latest = [latest_row(chosen[r], (statuses or {}).get(r)) for r in touched]
        return sorted((r for r in latest if r is not None), key=sort_key)
    from .diff import change_summary

    summaries = [
        change_summary(
            chosen[r].versions,
            chosen[r].statuses,
            chosen[r].status,
            chosen[r].status_changed,
        )
        for r in touched
        if chosen[r].versions and (len(chosen[r].versions) > 1 or chosen[r].statuses)
    ]
    return sorted(summaries, key=sort_key)


def _row_key(record: dict[str, Any]) -> tuple[str, str, str, int]:
    if is_status_event(record):
        return str(record["id"]), str(record["event"]), str(record.get("status_changed")), 0
    return str(record["id"]), "version", "", version_of(record)
