"""The releases files as one stream of events, each with a position that survives a move
of ``OUTPUT_DIR`` and a compaction: the run that wrote the line and its ordinal in that run,
not a file path or a byte offset (a merged file's manifest names the runs it holds).

An event is a release's version (its record) or a status line (gone, returned). Runs are
ordered by their start; a run's lines by the order it wrote them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.records import is_status_event, with_kind

from ..compaction import is_merged, read_manifest
from ..output import run_files, run_order, site_of_run_file

# A run that started less than this before an export, or before an unfinished run, may
# still write lines: the cursor keeps its place in such runs line by line.
SETTLE = timedelta(minutes=1)


@dataclass(frozen=True)
class Event:
    record: dict[str, Any]
    run: str  # the id of the run that wrote the line
    index: int  # its ordinal among that run's lines


def segments(path: Path) -> list[tuple[str, int | None]]:
    """``(run id, lines)`` in the order a file holds them: the runs a merged file's manifest
    names (``scrapy compact``), or the one run of a run's own file (all its lines)."""
    runs = read_manifest(path)
    if runs:
        return [(str(r["run"]), int(r["lines"])) for r in runs]
    return [(path.name.removesuffix(".jsonl"), None)]


def whole_lines(path: Path) -> list[bytes]:
    """The complete lines of a file (a line a running crawl is writing is left for later)."""
    data = path.read_bytes()
    return [line for line in data[: data.rfind(b"\n") + 1].splitlines() if line.strip()]


def read_events(releases_dir: Path) -> list[Event]:
    """Every event of every releases file, oldest run first."""
    events: list[Event] = []
    for path in run_files(releases_dir):
        lines = whole_lines(path)
        begin = 0
        for run, count in segments(path):
            end = len(lines) if count is None else begin + count
            events += [
                Event(_current(json.loads(raw)), run, index)
                for index, raw in enumerate(lines[begin:end])
            ]
            begin = end
    return events


def _current(record: dict[str, Any]) -> dict[str, Any]:
    """A line as today's records read: a release written before kinds gets its kind."""
    return record if is_status_event(record) else with_kind(record)


def run_stamp(run: str) -> str:
    """The UTC start stamp of a run id (``YYYYMMDDTHHMMSSZ``); empty for a name without one."""
    return run_order(Path(run + ".jsonl"))[0]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Position:
    """Where an export's reading ended: every run started before ``through`` was read whole;
    of the runs after it, ``runs`` says how many lines were read."""

    through: str
    runs: dict[str, int]

    def is_new(self, event: Event) -> bool:
        if run_stamp(event.run) < self.through:
            return False
        return event.index >= self.runs.get(event.run, 0)

    def to_json(self) -> dict[str, Any]:
        return {"format": 2, "through": self.through, "runs": dict(sorted(self.runs.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any], releases_dir: Path) -> Position:
        if "offsets" in data:  # a cursor of the first format: bytes read per file name
            return cls._from_offsets(data["offsets"], releases_dir)
        return cls(str(data["through"]), {str(k): int(v) for k, v in data["runs"].items()})

    @classmethod
    def _from_offsets(cls, offsets: dict[str, int], releases_dir: Path) -> Position:
        runs: dict[str, int] = {}
        for path in run_files(releases_dir):
            if path.name in offsets:
                with path.open("rb") as handle:
                    read = handle.read(int(offsets[path.name]))
                runs[path.name.removesuffix(".jsonl")] = sum(
                    1 for line in read.splitlines() if line.strip()
                )
        return cls("", runs)


def position_after(
    events: list[Event], releases_dir: Path, state_path: Path, now: datetime | None = None
) -> Position:
    """The position at the end of ``events``: ``through`` stops before any run that may
    still write (unfinished in the state store, or its site's latest run without a report)."""
    moment = now or datetime.now(UTC)
    starts = [moment, *unfinished_runs(releases_dir, state_path)]
    through = stamp(min(starts) - SETTLE)
    counts: dict[str, int] = {}
    for event in events:
        if run_stamp(event.run) >= through:
            counts[event.run] = max(counts.get(event.run, 0), event.index + 1)
    return Position(through, counts)


def unfinished_runs(releases_dir: Path, state_path: Path) -> list[datetime]:
    """Start times of runs that may still write lines."""
    starts: list[datetime] = []
    if state_path.exists():
        db = sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT started FROM runs WHERE finished IS NULL").fetchall()
        except sqlite3.OperationalError:  # a store without runs (an old or foreign file)
            rows = []
        finally:
            db.close()
        starts += [datetime.fromisoformat(row[0]) for row in rows if row[0]]
    reports = releases_dir.parent / "reports"
    latest: dict[str, Path] = {}
    for path in run_files(releases_dir):
        if not is_merged(path):  # merged runs were finished (compact holds the site's lock)
            latest[site_of_run_file(path.name) or path.name] = path
    for path in latest.values():
        run = path.name.removesuffix(".jsonl")
        if run_stamp(run) and not any(reports.rglob(f"{run}.json")):
            starts.append(datetime.strptime(run_stamp(run), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
    return starts
