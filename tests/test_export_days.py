"""Exports an analyst runs every day: six simulated days on the mirror, two sites in one
OUTPUT_DIR, with additions, silent edits, a removal and its return, an empty day, weekly
revisits and a move of OUTPUT_DIR. Each day ends with incremental exports (every event as
JSONL and CSV, and the changes view), as a scheduler would run them.

What must hold: the union of the daily incremental exports of every event is the full
export, each row once; each edit reaches the incremental changes; the removal and the
return reach every incremental view; the CSV header never changes, empty days included;
the move changes nothing; no run leaves an empty file, and run files go under YYYY/MM/.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipelines.output import run_files
from tests.conftest import Mirror
from tests.crawling import crawl, scrapy_in

SITES = ("usfj", "usfk")


def _scrapy(output: Path, *args: str) -> str:
    done = scrapy_in(output, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@dataclass
class Day:
    events: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    csv_header: list[str]
    csv_rows: int


@dataclass
class Simulation:
    output: Path
    days: list[Day] = field(default_factory=list)
    edited: set[str] = field(default_factory=set)
    removed: str = ""
    moved_on: int = 0


def _export_day(output: Path, exports: Path) -> Day:
    for name, view in (
        ("events.jsonl", "all"),
        ("events.csv", "all"),
        ("changes.jsonl", "changes"),
    ):
        _scrapy(output, "export", "-o", str(exports / name), "--view", view, "--incremental")
    with (exports / "events.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = sum(1 for _ in reader)
    return Day(_lines(exports / "events.jsonl"), _lines(exports / "changes.jsonl"), header, rows)


def _crawl_all(mirror: Mirror, output: Path, *args: str) -> None:
    for site in SITES:
        result = crawl(site, mirror.url(site, ""), output, "-s", "ARCHIVE_MEDIA=0", *args)
        assert result.returncode == 0, result.log[-2000:]


@pytest.fixture(scope="module")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    root = tmp_path_factory.mktemp("days")
    exports = root / "exports"
    exports.mkdir()
    sim = Simulation(root / "collection")
    with Mirror() as mirror:
        _crawl_all(mirror, sim.output)  # day 0: the first crawl
        sim.days.append(_export_day(sim.output, exports))
        usfj = [int(r["id"]) for r in mirror.control("usfj", "releases")]
        usfk = [int(r["id"]) for r in mirror.control("usfk", "releases")]

        mirror.control("usfj", "add", count=2)  # day 1: new releases, a silent edit
        mirror.control("usfk", "edit", id=usfk[-1])
        sim.edited.add(f"usfk:{usfk[-1]}")
        _crawl_all(mirror, sim.output)
        sim.days.append(_export_day(sim.output, exports))

        _crawl_all(mirror, sim.output)  # day 2: nothing changed
        sim.days.append(_export_day(sim.output, exports))

        mirror.control("usfj", "delete", id=usfj[-1])  # day 3: a removal; the weekly revisit
        sim.removed = f"usfj:{usfj[-1]}"
        _crawl_all(mirror, sim.output, "-a", "revisit=all")
        sim.days.append(_export_day(sim.output, exports))

        moved = root / "moved"  # day 4: OUTPUT_DIR moved; an edit and an addition
        shutil.move(sim.output, moved)
        sim.output, sim.moved_on = moved, 4
        mirror.control("usfj", "edit", id=usfj[0])
        sim.edited.add(f"usfj:{usfj[0]}")
        mirror.control("usfk", "add", count=1)
        _crawl_all(mirror, sim.output, "-a", "revisit=all")
        sim.days.append(_export_day(sim.output, exports))

        mirror.control("usfj", "restore", id=usfj[-1])  # day 5: the removed one is back
        _crawl_all(mirror, sim.output, "-a", "revisit=all")
        sim.days.append(_export_day(sim.output, exports))
    yield sim


def test_the_daily_exports_add_up_to_the_full_export(
    simulation: Simulation, tmp_path: Path
) -> None:
    full = tmp_path / "full.jsonl"
    _scrapy(simulation.output, "export", "-o", str(full), "--view", "all")
    daily = Counter(json.dumps(r, sort_keys=True) for day in simulation.days for r in day.events)
    assert max(daily.values()) == 1  # nothing exported twice
    assert daily == Counter(json.dumps(r, sort_keys=True) for r in _lines(full))
    assert simulation.days[2].events == []  # the empty day
    assert [len(d.events) for d in simulation.days][1] == 2  # day 1: two new ones (edit unseen)


def test_edits_and_the_removal_reach_the_incremental_changes(simulation: Simulation) -> None:
    changed = {c["id"]: c for day in simulation.days for c in day.changes if c["versions"] > 1}
    assert set(changed) == simulation.edited
    removals = [(n, c) for n, day in enumerate(simulation.days) for c in day.changes]
    removed = [(n, c["status"]) for n, c in removals if c["id"] == simulation.removed]
    assert removed == [(3, "gone"), (5, "live")]
    events = [
        (n, r["event"])
        for n, day in enumerate(simulation.days)
        for r in day.events
        if r["id"] == simulation.removed
    ]
    assert events == [(0, "new"), (3, "gone"), (5, "returned")]


def test_the_csv_header_is_the_same_every_day(simulation: Simulation) -> None:
    headers = {tuple(day.csv_header) for day in simulation.days}
    assert len(headers) == 1
    (header,) = headers
    assert {"title_ja", "text_ko", "published_time", "status", "status_changed"} <= set(header)
    assert [day.csv_rows for day in simulation.days] == [len(d.events) for d in simulation.days]


def test_the_move_replayed_nothing(simulation: Simulation) -> None:
    after_move = simulation.days[simulation.moved_on].events
    assert {r["event"] for r in after_move} <= {"new", "edited"}
    assert len(after_move) == 2  # the edit and the addition, nothing replayed
    latest = [r for r in _lines_of_latest(simulation.output) if r["status"] == "gone"]
    assert latest == []  # the removed release is back, and nothing else was ever gone


def _lines_of_latest(output: Path) -> list[dict[str, Any]]:
    target = output.parent / "latest.jsonl"
    _scrapy(output, "export", "-o", str(target))
    return _lines(target)


def test_runs_leave_no_empty_file_and_partition_by_month(simulation: Simulation) -> None:
    files = [p for p in simulation.output.rglob("*") if p.is_file() and p.parent.name != "state"]
    assert not [p for p in files if p.stat().st_size == 0]
    for kind in ("releases", "rejects", "reports"):
        for path in run_files(simulation.output / kind, ".json" if kind == "reports" else ".jsonl"):
            year, month = path.parent.relative_to(simulation.output / kind).parts
            assert path.name.split("-")[1].startswith(year + month)
