"""Scheduled recrawls of a 300-release mirror: only what is new, edits as versions, gone."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipelines.output import run_files
from pipelines.warc.records import PROFILE_NOT_MODIFIED
from pipelines.warc.verify import verify_paths
from tests.conftest import ROOT, Mirror
from tests.crawling import CrawlResult, crawl, crawl_command

SITE = "usfj"


@pytest.fixture(scope="module")
def big_mirror() -> Iterator[Mirror]:
    # 10 bundled USFJ releases + 290 generated ones, 10 a page: 30 listing pages.
    with Mirror("--scale", "290", "--page-size", "10") as running:
        yield running


def _crawl(mirror: Mirror, output: Path, *args: str) -> tuple[CrawlResult, list[str]]:
    mirror.served(SITE)
    result = crawl(SITE, mirror.url(SITE, ""), output, "-s", "ARCHIVE_MEDIA=0", *args)
    assert result.returncode == 0, result.log[-3000:]
    return result, [line for line in mirror.served(SITE) if "/robots.txt" not in line]


def _run_releases(result: CrawlResult, before: int) -> list[dict[str, object]]:
    return result.releases[before:]


def test_runs_fetch_only_what_is_new(big_mirror: Mirror, tmp_path: Path) -> None:
    run1, served1 = _crawl(big_mirror, tmp_path)
    emitted1 = run1.releases
    assert len(emitted1) == 300  # the block page and the module error pass on a retry
    assert len({r["id"] for r in emitted1}) == 300
    assert sum("?Page=" in line for line in served1) == 29
    assert all(r["version"] == 1 and r["previous"] is None for r in emitted1)

    run2, served2 = _crawl(big_mirror, tmp_path)
    assert len(run2.releases) == len(emitted1)  # nothing new
    assert served2 == ["GET /Media/Press-Releases/ 304"]
    with sorted((tmp_path / "warc").glob("*.warc.gz"))[-1].open("rb") as handle:
        kinds = [
            (r.rec_type, r.rec_headers.get_header("WARC-Profile"))
            for r in ArchiveIterator(handle)
            if r.rec_type in ("response", "revisit")
        ]
    # robots.txt, and the listing's 304 as a revisit of run 1's capture of it
    assert kinds == [("response", None), ("revisit", PROFILE_NOT_MODIFIED)]

    added = big_mirror.control(SITE, "add", count=3)
    run3, served3 = _crawl(big_mirror, tmp_path)
    new = _run_releases(run3, len(emitted1))
    assert sorted(r["id"] for r in new) == sorted(f"{SITE}:{i}" for i in added)
    # Listing page 1, then (in whatever order the scheduler interleaves them) page 2,
    # where the known releases begin, and the three new releases; no page 3.
    paths = [line.split()[1] for line in served3]
    assert paths[0] == "/Media/Press-Releases/"
    fetched = sorted(
        path.split("/Article/")[1].split("/")[0] if "/Article/" in path else path
        for path in paths[1:]
    )
    assert fetched == sorted(["/Media/Press-Releases/?Page=2", *(str(i) for i in added)])

    edited, deleted = emitted1[5], emitted1[9]
    big_mirror.control(SITE, "edit", id=edited["id"].split(":")[1])  # type: ignore[union-attr]
    big_mirror.control(SITE, "delete", id=deleted["id"].split(":")[1])  # type: ignore[union-attr]
    before = len(run3.releases)
    run4, served4 = _crawl(big_mirror, tmp_path, "-a", "revisit=all")
    versions = _run_releases(run4, before)
    assert [(r["id"], r["version"]) for r in versions] == [(edited["id"], 2)]
    (version2,) = versions
    assert version2["first_seen"] == edited["first_seen"]
    assert version2["previous"]["version"] == 1  # type: ignore[index]
    assert version2["previous"]["content_digest"] != version2.get("content_digest")  # type: ignore[index]
    assert "This release was updated" in str(version2["text"])
    (gone,) = run4.status_lines  # the deletion: a status line, not a release
    assert (gone["id"], gone["event"], gone["version"]) == (deleted["id"], "gone", 1)
    live = {str(r["id"]).split(":")[1] for r in run3.releases}
    statuses = [
        line.rsplit(" ", 1)[1]
        for line in served4
        if "/Article/" in line and line.split("/Article/")[1].split("/")[0] in live
    ]
    # The edited release, and the two flaky ones' block pages (twice each, served with 200)
    assert statuses.count("200") == 1 + 4 and statuses.count("410") == 1
    # Every other live release answered 304, or was blocked on its first tries (two of
    # them fail two requests in three) and then answered 304.
    assert statuses.count("304") == len(live) - 2
    assert len(served4) == 1 + len(live) + 4
    # Each 304 is archived as a revisit of the capture an earlier run made.
    warcs = sorted((tmp_path / "warc").glob("*.warc.gz"))
    profiles = []
    with warcs[-1].open("rb") as handle:
        profiles = [
            r.rec_headers.get_header("WARC-Profile")
            for r in ArchiveIterator(handle)
            if r.rec_type == "revisit"
        ]
    assert profiles.count(PROFILE_NOT_MODIFIED) == sum(line.endswith(" 304") for line in served4)
    assert all(report.ok for report in verify_paths(warcs))


def test_full_walks_every_page_but_fetches_nothing_known(
    big_mirror: Mirror, tmp_path: Path
) -> None:
    first, _ = _crawl(big_mirror, tmp_path)
    run, served = _crawl(big_mirror, tmp_path, "-a", "full=1")
    pages = [
        int(line.split("?Page=")[1].split()[0]) if "?Page=" in line else 1
        for line in served
        if "/Article/" not in line
    ]
    assert pages == list(range(1, len(pages) + 1)) and len(pages) >= 30
    articles = {line.split("/Article/")[1].split("/")[0] for line in served if "/Article/" in line}
    refused = {r["url"].split("/Article/")[1].split("/")[0] for r in first.rejects}
    assert articles == refused  # a full run retries refusals, and fetches nothing else known
    assert len(run.releases) == len(first.releases)


def test_an_interrupted_walk_resumes_a_page_early(big_mirror: Mirror, tmp_path: Path) -> None:
    # The first run stops mid-walk, as a kill would leave it, with its cursor saved.
    big_mirror.served(SITE)
    stopped = crawl(
        SITE,
        big_mirror.url(SITE, ""),
        tmp_path,
        "-s",
        "ARCHIVE_MEDIA=0",
        "-s",
        "CLOSESPIDER_PAGECOUNT=120",
    )
    assert stopped.returncode == 1  # finish reason "closespider_pagecount" fails the run
    fetched = {r["id"] for r in stopped.releases}
    live = [r["id"] for r in big_mirror.control(SITE, "releases")]
    assert 50 < len(fetched) < len(live) - 50
    # The publisher deletes five releases it had already fetched: the unfetched ones
    # behind them move up by five, some onto the page before the saved cursor.
    for article_id in [i for i in live if f"{SITE}:{i}" in fetched][:5]:
        big_mirror.control(SITE, "delete", id=article_id)
    resumed, _ = _crawl(big_mirror, tmp_path)
    live = [r["id"] for r in big_mirror.control(SITE, "releases")]
    emitted = [r["id"] for r in resumed.releases]
    assert len(emitted) == len(set(emitted))
    assert set(emitted) >= {f"{SITE}:{i}" for i in live}


def _lines(folder: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in run_files(folder)) if folder.exists() else 0


def test_sigkill_loop_loses_nothing_and_repeats_nothing(big_mirror: Mirror, tmp_path: Path) -> None:
    """Kill the crawl at seeded random points until it finishes; KILL_LOOP_ROUNDS=20 for more."""
    rounds = int(os.environ.get("KILL_LOOP_ROUNDS", "3"))
    rng = random.Random(int(os.environ.get("KILL_LOOP_SEED", "20261125")))
    command = crawl_command(SITE, big_mirror.url(SITE, ""), tmp_path, "-s", "ARCHIVE_MEDIA=0")
    releases = tmp_path / "releases"
    kills = 0
    for _round in range(rounds):
        # 0: killed at once, before its first line (or even before the store is open).
        target = _lines(releases) + rng.randint(0, 60)
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while process.poll() is None and _lines(releases) < target:
            time.sleep(0.01)  # polls progress on disk; the kill point is the line count
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert kills >= 1
    records = [
        json.loads(line)
        for path in run_files(releases)
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "a release was emitted twice"
    listed = big_mirror.control(SITE, "releases")
    assert set(ids) == {f"{SITE}:{r['id']}" for r in listed}
    reports = verify_paths(sorted((tmp_path / "warc").glob("*.warc.gz")))
    assert [r.problems for r in reports if r.problems] == []  # repairs end on whole exchanges
