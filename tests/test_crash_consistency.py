"""Kills at every kind of point, damaged files, two sites at once, a full disk: every release
is recorded exactly once, and the next run with the same command finishes the work.

The statement sweeps kill a real crawl just before its Nth SQLite statement (a
``sitecustomize`` on PYTHONPATH, ``tests/killpoints``: no hook in the product). CI runs a
seeded sample; the whole sweep is ``KILL_SWEEP=all .venv/bin/python -m pytest
tests/test_crash_consistency.py -k sweep`` (``KILL_SWEEP=N`` for N points).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.output import run_files
from pipelines.warc.verify import verify_paths
from tests.conftest import ROOT, Mirror
from tests.crawling import crawl_command

KILLPOINTS = ROOT / "tests" / "killpoints"
SEED = int(os.environ.get("KILL_SWEEP_SEED", "20261203"))


@pytest.fixture(scope="module")
def site120() -> Iterator[Mirror]:
    # 10 bundled USFJ releases + 110 generated ones, 10 a page: 12 listing pages.
    with Mirror("--sites", "usfj", "usfk", "--scale", "110", "--page-size", "10") as running:
        yield running


def _command(mirror: Mirror, output: Path, site: str = "usfj", *args: str) -> list[str]:
    return crawl_command(site, mirror.url(site, ""), output, "-s", "ARCHIVE_MEDIA=0", *args)


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(KILLPOINTS), **env}
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


def _until_done(command: list[str], tries: int = 4) -> subprocess.CompletedProcess[str]:
    for _ in range(tries):
        done = _run(command)
        if done.returncode == 0:
            return done
    raise AssertionError(f"still failing after {tries} runs: {done.stdout}\n{done.stderr[-3000:]}")


def _records(output: Path) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in run_files(output / "releases")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def _listed(mirror: Mirror, site: str = "usfj") -> set[str]:
    return {f"{site}:{r['id']}" for r in mirror.control(site, "releases")}


def _assert_each_once(mirror: Mirror, output: Path, site: str = "usfj") -> None:
    recorded = Counter((str(r["id"]), r["version"]) for r in _records(output) if r["site"] == site)
    assert max(recorded.values()) == 1, [k for k, v in recorded.items() if v > 1]
    assert {i for i, _ in recorded} == _listed(mirror, site)


def _assert_archive_verifies(output: Path) -> None:
    reports = verify_paths(sorted((output / "warc").glob("*.warc.gz")))
    assert [r.problems for r in reports if r.problems] == []


def _sample(total: int, early: list[int]) -> list[int]:
    """The kill points: ``KILL_SWEEP=all`` for every statement, a number for that many,
    else a seeded handful that always includes the first statements."""
    wanted = os.environ.get("KILL_SWEEP", "")
    if wanted == "all":
        return list(range(1, total + 1))
    rng = random.Random(SEED)
    count = int(wanted) if wanted.isdigit() else 4
    points = {n for n in early if n <= total}
    points |= set(rng.sample(range(1, total + 1), min(count, total)))
    return sorted(points)


def _statements(command: list[str], folder: Path) -> int:
    """How many SQLite statements the command makes, run to completion."""
    counted = folder / "count"
    done = _run(command, KILL_COUNT_FILE=str(counted))
    assert done.returncode == 0, done.stderr[-3000:]
    return int(counted.read_text())


def test_sweep_kills_a_first_crawl_before_its_nth_statement(
    site120: Mirror, tmp_path_factory: pytest.TempPathFactory
) -> None:
    total = _statements(
        _command(site120, tmp_path_factory.mktemp("count")), tmp_path_factory.mktemp("c")
    )
    # The first statements open and migrate the store and begin the run; the first
    # listing page's transaction follows (its links, validators and cursor together).
    for point in _sample(total, early=[1, 2, 12, 25, 30, 35, 40, 47]):
        output = tmp_path_factory.mktemp(f"kill{point}")
        command = _command(site120, output)
        killed = _run(command, KILL_AT_STATEMENT=str(point))
        assert killed.returncode in (-signal.SIGKILL, 0), killed.stderr[-2000:]
        _until_done(command)
        _assert_each_once(site120, output)
        _assert_archive_verifies(output)


def test_sweep_kills_a_revisit_between_a_versions_fetch_and_its_line(
    site120: Mirror, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = tmp_path_factory.mktemp("base")
    _until_done(_command(site120, base))
    revisit = ("-a", "revisit=all")
    total = _statements(
        _command(site120, tmp_path_factory.mktemp("count"), "usfj", *revisit),
        tmp_path_factory.mktemp("c"),
    )
    live = sorted(_listed(site120))
    rng = random.Random(SEED)
    for point in _sample(total, early=[30, 40]):
        output = tmp_path_factory.mktemp(f"revisit{point}")
        shutil.copytree(base, output, dirs_exist_ok=True)
        edited = rng.sample(live, 2)
        for release in edited:
            site120.control("usfj", "edit", id=release.split(":")[1])
        command = _command(site120, output, "usfj", *revisit)
        killed = _run(command, KILL_AT_STATEMENT=str(point))
        assert killed.returncode in (-signal.SIGKILL, 0), killed.stderr[-2000:]
        _until_done(command)
        _assert_each_once(site120, output)
        newest = {}
        for record in _records(output):
            newest[record["id"]] = record  # files are in run order: the last is the newest
        for release in edited:
            assert "This release was updated" in str(newest[release]["text"])
        # Every version of an edited release once, numbered without gaps.
        versions = Counter(r["id"] for r in _records(output))
        for release in edited:
            numbers = sorted(int(str(r["version"])) for r in _records(output) if r["id"] == release)
            assert numbers == list(range(1, versions[release] + 1))


def test_a_rejected_version_keeps_the_old_validators(site120: Mirror, tmp_path: Path) -> None:
    _until_done(_command(site120, tmp_path))
    release = sorted(_listed(site120))[4]
    site120.control("usfj", "edit", id=release.split(":")[1])
    strict = json.loads((ROOT / "crawler" / "schema" / "release.schema.json").read_text())
    strict["properties"]["text"]["not"] = {"pattern": "This release was updated"}
    schema = tmp_path / "strict.schema.json"
    schema.write_text(json.dumps(strict))
    # Version 2 fails the schema: refused, and its new ETag must not be kept.
    done = _run(
        _command(site120, tmp_path, "usfj", "-a", "revisit=all", "-s", f"RELEASES_SCHEMA={schema}")
    )
    assert done.returncode == 1  # an invalid record fails the run
    assert [r["version"] for r in _records(tmp_path) if r["id"] == release] == [1]
    site120.served("usfj")
    _until_done(_command(site120, tmp_path, "usfj", "-a", "revisit=all"))
    served = [line for line in site120.served("usfj") if f"/{release.split(':')[1]}/" in line]
    assert served and served[0].endswith(" 200")  # asked unconditionally: no 304 hides it
    assert [r["version"] for r in _records(tmp_path) if r["id"] == release] == [1, 2]


def _cut(path: Path, keep_partial: int = 0) -> None:
    """Remove the last line, keeping its first ``keep_partial`` bytes (a half-written line)."""
    data = path.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[: start + keep_partial])


def test_a_cut_or_half_written_last_line_is_fetched_again(site120: Mirror, tmp_path: Path) -> None:
    _until_done(_command(site120, tmp_path))
    (first,) = run_files(tmp_path / "releases")
    lost = json.loads(first.read_text(encoding="utf-8").splitlines()[-1])["id"]
    _cut(first)
    done = _until_done(_command(site120, tmp_path))
    report = json.loads(run_files(tmp_path / "reports", ".json")[-1].read_text())
    assert report["state"]["refetch"] == [lost] and report["new_releases"] == 1
    _assert_each_once(site120, tmp_path)
    newest = run_files(tmp_path / "releases")[-1]
    _cut(newest, keep_partial=40)  # the line the second run wrote, half of it left
    _until_done(_command(site120, tmp_path))
    _assert_each_once(site120, tmp_path)
    assert done.returncode == 0
    lines = first.read_bytes().splitlines(keepends=True)
    middle = json.loads(lines[49])["id"]
    first.write_bytes(b"".join(lines[:49] + lines[50:]))  # a line deleted, as `sed -i 50d` does
    _until_done(_command(site120, tmp_path))
    report = json.loads(run_files(tmp_path / "reports", ".json")[-1].read_text())
    assert report["state"]["refetch"] == [middle] and report["new_releases"] == 1
    _assert_each_once(site120, tmp_path)


def test_two_sites_at_once_in_one_output_dir(site120: Mirror, tmp_path: Path) -> None:
    def start(site: str) -> subprocess.Popen[str]:
        # The platform spider for both: one spider name, two sites.
        command = _command(site120, tmp_path, site, "-a", f"site={site}")
        command[command.index(site)] = "articlecs"
        return subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    usfj = start("usfj")
    time.sleep(1.0)  # usfj is writing its files when usfk starts (and replays, repairs)
    both = [usfj, start("usfk")]
    assert [p.wait(timeout=300) for p in both] == [0, 0]
    for site in ("usfj", "usfk"):
        site120.control(site, "add", count=25)
    usfj, usfk = start("usfj"), start("usfk")
    time.sleep(1.0)
    usfk.send_signal(signal.SIGKILL)  # one of them dies mid-run; the other goes on
    assert usfj.wait(timeout=300) == 0 and usfk.wait(timeout=300) == -signal.SIGKILL
    both = [start("usfj"), start("usfk")]
    assert [p.wait(timeout=300) for p in both] == [0, 0]
    for site in ("usfj", "usfk"):
        _assert_each_once(site120, tmp_path, site)
        files = list((tmp_path / "releases").rglob(f"{site}-*.jsonl"))
        assert {str(r["site"]) for f in files for r in map(json.loads, f.open())} == {site}
    _assert_archive_verifies(tmp_path)


def _can_mount_tmpfs() -> str | None:
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True
    )
    return None if probe.returncode == 0 else probe.stderr.decode(errors="replace")


def test_a_full_disk_stops_the_run_and_the_next_run_loses_nothing(
    site120: Mirror, tmp_path: Path
) -> None:
    problem = _can_mount_tmpfs()
    assert problem is None, f"this test needs a mount namespace (unshare): {problem}"
    result = tmp_path / "result.json"
    copy = tmp_path / "copy"
    done = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            sys.executable,
            "-m",
            "tests.diskfull",
            json.dumps(_command(site120, Path("/OUTPUT"))),
            str(tmp_path / "mnt"),
            str(copy),
            str(result),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(result.read_text())
    # The run the disk filled up, and one started on the full disk: each stops with one line.
    for full in runs[:2]:
        assert full["returncode"] == 1, full
        lines = full["stderr"].splitlines()
        said = [line for line in lines if "[pipelines.failure] ERROR" in line]
        assert len(said) == 1 and "the disk is full" in said[0], full["stderr"][-3000:]
        # No traceback but the close monitors' own report of what failed.
        tracebacks = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
        assert all("[Spidermon]" in "".join(lines[max(i - 4, 0) : i]) for i in tracebacks), full[
            "stderr"
        ][-3000:]
        assert "usfj: FAILED (write_error)" in full["stdout"]
    rest = runs[2:]
    assert rest[-1]["returncode"] == 0, rest
    _assert_each_once(site120, copy)
    _assert_archive_verifies(copy)


def test_a_damaged_store_is_moved_aside_and_rebuilt_from_the_files(
    site120: Mirror, tmp_path: Path
) -> None:
    _until_done(_command(site120, tmp_path))
    store = tmp_path / "state" / "crawl.sqlite"
    with store.open("r+b") as handle:
        handle.truncate(64 * 1024)  # a disk error, a bad copy
    done = _until_done(_command(site120, tmp_path), tries=1)
    report = json.loads(run_files(tmp_path / "reports", ".json")[-1].read_text())
    assert report["state"]["rebuilt_from"].startswith(str(store) + ".damaged-")
    assert report["new_releases"] == 0 and "is damaged" in done.stderr
    _assert_each_once(site120, tmp_path)
    again = _run(_command(site120, tmp_path))
    assert again.returncode == 0 and "new releases 0" in again.stdout


def test_sweep_kills_a_crawl_of_articles_with_twins(
    mirror: Mirror, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """NATO: a kill between an article's fetch and its twin's (or anywhere else) loses
    nothing; the next run fetches the pair again and writes each release once, both
    languages in it."""
    releases = {"nato:228001", "nato:227990", "nato:227950", "nato:227900"}
    total = _statements(
        _command(mirror, tmp_path_factory.mktemp("count"), "nato"), tmp_path_factory.mktemp("c")
    )
    for point in _sample(total, early=[1, 2]):
        output = tmp_path_factory.mktemp(f"twin{point}")
        command = _command(mirror, output, "nato")
        killed = _run(command, KILL_AT_STATEMENT=str(point))
        assert killed.returncode in (-signal.SIGKILL, 0), killed.stderr[-2000:]
        _until_done(command)
        records = [r for r in _records(output) if "event" not in r]
        assert sorted(str(r["id"]) for r in records) == sorted(releases)
        assert all(r["languages"] == ["en", "fr"] for r in records)
        _assert_archive_verifies(output)
