"""The values the state store keeps and the operations it applies (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


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
    attempts: int = 0
    retry_at: str | None = None
    refusal: str | None = None
    discovered_run: int = 0


@dataclass(frozen=True)
class Walk:
    """An unfinished walk through a listing's pages, begun by run ``run``.

    A page is old for this walk when all its releases were found before the walk began;
    ``end_page`` bounds a walk that another walk continues from there.
    """

    source: str
    run: int
    next_page: int
    stop_at_known: bool
    end_page: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Backoff:
    """When a refused release is tried again: by the next run, then after ``base`` hours,
    doubling, at most ``cap``; after ``max_attempts`` a transient refusal counts as
    permanent. (The next run first: the run that refused it may have been killed before
    it could say so.)"""

    base_hours: float = 6.0
    cap_hours: float = 168.0
    max_attempts: int = 8

    def retry_at(self, when: str, attempts: int) -> str:
        hours = 0.0 if attempts <= 1 else min(self.base_hours * 2 ** (attempts - 2), self.cap_hours)
        return (datetime.fromisoformat(when) + timedelta(hours=hours)).isoformat(timespec="seconds")


# ---- operations the journal applies once the files they rest on are durable ----------------


@dataclass(frozen=True)
class LineRef:
    file: str  # relative to OUTPUT_DIR
    offset: int
    length: int


@dataclass(frozen=True)
class Emitted:
    record: dict[str, Any]
    content_digest: str
    validators: tuple[str | None, str | None] = (None, None)
    line: LineRef | None = None


@dataclass(frozen=True)
class Checked:
    """A known release fetched again, unchanged (a 304, or the same content)."""

    site: str
    article_id: str
    when: str
    validators: tuple[str | None, str | None] = (None, None)
    capture: dict[str, Any] | None = None


@dataclass(frozen=True)
class Refused:
    site: str
    article_id: str
    when: str
    reason: str
    transient: bool


@dataclass(frozen=True)
class StatusChanged:
    """A release's status line (``crawler.records.status_event``): gone, or returned."""

    record: dict[str, Any]
    line: LineRef | None = None


Operation = Emitted | Checked | Refused | StatusChanged
