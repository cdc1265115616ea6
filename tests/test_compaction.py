"""``scrapy compact``: a month's run files merged into one per site and kind, with nothing
lost or repeated — exports byte-identical, export cursors still valid, the state store
level with the files, a removed release still gone — and a kill between any two steps
finished by the next run."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import pipelines.compaction as compaction
from pipelines.compaction import compact, plan
from pipelines.output import run_files
from pipelines.state.store import StateStore
from tests.conftest import Mirror
from tests.crawling import crawl, scrapy_in

SITES = ("usfj", "usfk")
NEXT_MONTH = "2999/01"  # compact every month there is


def _scrapy(output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return scrapy_in(output, *args)


def _export(output: Path, target: Path, *args: str) -> bytes:
    done = _scrapy(output, "export", "-o", str(target), *args)
    assert done.returncode == 0, done.stderr
    return target.read_bytes()


def _crawl(mirror: Mirror, output: Path, site: str, *args: str) -> None:
    result = crawl(site, mirror.url(site, ""), output, "-s", "ARCHIVE_MEDIA=0", *args)
    assert result.returncode == 0, result.log[-2000:]


def _statuses(output: Path) -> dict[tuple[str, str], tuple[str, int]]:
    db = sqlite3.connect(output / "state" / "crawl.sqlite")
    try:
        rows = db.execute("SELECT site, article_id, status, version FROM releases").fetchall()
    finally:
        db.close()
    return {(s, a): (st, v) for s, a, st, v in rows}


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Mirror, Path]]:
    """Two sites, four runs each: additions, an edit, a removal."""
    output = tmp_path_factory.mktemp("compact") / "out"
    with Mirror() as mirror:
        for site in SITES:
            _crawl(mirror, output, site)
        mirror.control("usfj", "add", count=2)
        usfk = [r["id"] for r in mirror.control("usfk", "releases")]
        mirror.control("usfk", "edit", id=usfk[-1])
        mirror.control("usfk", "delete", id=usfk[0])
        for site in SITES:
            _crawl(mirror, output, site, "-a", "revisit=all")
        mirror.control("usfj", "add", count=1)
        for site in SITES:
            _crawl(mirror, output, site)
        yield mirror, output


def test_compact_merges_a_month_and_changes_nothing_else(
    collection: tuple[Mirror, Path], tmp_path: Path
) -> None:
    mirror, original = collection
    output = tmp_path / "out"
    shutil.copytree(original, output)
    before = {
        v: _export(output, tmp_path / f"before-{v}.jsonl", "--view", v) for v in ("all", "latest")
    }
    cursor_target = tmp_path / "daily.jsonl"
    _export(output, cursor_target, "--view", "all", "--incremental")
    statuses = _statuses(output)
    files_before = len(run_files(output / "releases"))
    assert files_before >= 5

    done = _scrapy(output, "compact", "--before", "2999-01")
    assert done.returncode == 0, done.stderr
    releases = run_files(output / "releases")
    assert len(releases) == len(SITES) and all(
        p.name.endswith("-compacted.jsonl") for p in releases
    )
    assert len(run_files(output / "rejects")) <= len(SITES)
    assert not run_files(output / "reports", ".json")  # one JSON line per run instead
    reports = sorted((output / "reports").rglob("*-compacted.jsonl"))
    assert sum(len(p.read_text().splitlines()) for p in reports) == 3 * len(SITES)
    for v, data in before.items():
        assert _export(output, tmp_path / f"after-{v}.jsonl", "--view", v) == data, v
    assert _export(output, cursor_target, "--view", "all", "--incremental") == b""
    assert _statuses(output) == statuses
    assert _scrapy(output, "compact", "--before", "2999-01").stdout.strip() == "nothing to compact"

    # The next crawl replays nothing and finds the store level; a new release arrives once.
    added = mirror.control("usfj", "add", count=1)
    _crawl(mirror, output, "usfj")
    report = json.loads(run_files(output / "reports", ".json")[-1].read_text())
    assert report["state"]["replayed_lines"] == 0 and not report["state"]["damaged_files"]
    rows = [
        json.loads(x)
        for x in _export(output, cursor_target, "--view", "all", "--incremental").splitlines()
    ]
    assert [r["id"] for r in rows] == [f"usfj:{added[0]}"]
    assert _statuses(output)[("usfk", str(_gone(before["latest"])))][0] == "gone"
    assert _scrapy(output, "verify").returncode == 0


def _gone(latest: bytes) -> str:
    (gone,) = [
        json.loads(x)["id"] for x in latest.splitlines() if json.loads(x)["status"] == "gone"
    ]
    return gone.split(":")[1]


@pytest.mark.parametrize("killed_at", ["before the store moved", "before the originals went"])
def test_a_compaction_killed_between_steps_is_finished_by_the_next(
    collection: tuple[Mirror, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, killed_at: str
) -> None:
    _, original = collection
    output = tmp_path / "out"
    shutil.copytree(original, output)
    before = _export(output, tmp_path / "before.jsonl", "--view", "all")
    statuses = _statuses(output)
    originals = {p: p.read_bytes() for p in run_files(output / "releases")}

    class Killed(Exception):
        pass

    def kill(*args: object, **kwargs: object) -> None:
        raise Killed

    store = StateStore(output / "state" / "crawl.sqlite", output)
    (group, *_) = [g for g in plan(output, NEXT_MONTH, {"usfk"}) if g.kind == "releases"]
    if killed_at == "before the store moved":
        monkeypatch.setattr(compaction, "_move_index", kill)
        stale = group.target.with_name(f".{group.target.name}.tmp-999999")
        stale.parent.mkdir(parents=True, exist_ok=True)
        stale.write_bytes(b"half a merged file")  # an earlier compaction killed mid-write
        with pytest.raises(Killed):
            compact(output, group, store)
    else:
        compact(output, group, store)
        for path, data in originals.items():  # as if the deletions never happened
            if "usfk" in path.name:
                path.write_bytes(data)
    store.close()
    monkeypatch.undo()
    # Both the merged file and its originals are there: readers see each line once.
    assert _export(output, tmp_path / "between.jsonl", "--view", "all") == before
    store = StateStore(output / "state" / "crawl.sqlite", output)
    from pipelines.state.replay import replay

    assert replay(store, output / "releases", "usfk").reverted == []  # a crawl's first step
    store.close()
    assert _statuses(output) == statuses
    done = _scrapy(output, "compact", "--before", "2999-01", "--site", "usfk")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in run_files(output / "releases") if "usfk" in p.name] == [
        group.target.name
    ]
    assert not list(group.target.parent.glob(".*.tmp-*"))  # no temporary file left
    assert _export(output, tmp_path / "after.jsonl", "--view", "all") == before
    assert _statuses(output) == statuses
