"""Every run reports; failures make the exit status non-zero; runs of a site never overlap."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from pipelines.output import run_files
from tests.conftest import ROOT, Mirror
from tests.crawling import crawl_command


def _crawl(site: str, base_url: str, output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command(site, base_url, output, *args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _report(output: Path) -> dict[str, object]:
    (path,) = run_files(output / "reports", ".json")[-1:]
    data: dict[str, object] = json.loads(path.read_text())
    return data


def test_report_and_summary_of_a_good_run(mirror: Mirror, tmp_path: Path) -> None:
    done = _crawl("wargov", mirror.url("wargov", ""), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    report = _report(tmp_path)
    assert report["status"] == "ok" and report["finish_reason"] == "finished"
    assert report["new_releases"] == 11
    assert report["refusals"] == {} and report["unfetched"] == []
    assert report["bytes_archived"] > 0  # type: ignore[operator]
    archived = [Path(p) for p in report["archive_files"]]  # type: ignore[union-attr]
    assert archived == sorted((tmp_path / "warc").glob("*.warc.gz")) and len(archived) == 1
    assert {"start", "end", "requests", "responses_304", "new_versions", "gone", "errors"} <= set(
        report
    )
    assert done.stdout.startswith("wargov: OK (finished)")
    again = _crawl("wargov", mirror.url("wargov", ""), tmp_path)
    assert again.returncode == 0
    second = _report(tmp_path)
    assert second["new_releases"] == 0 and second["responses_304"] == 2  # listing and feed


def test_a_run_that_reads_no_listing_fails(tmp_path: Path) -> None:
    done = _crawl("usfj", "http://127.0.0.1:9", tmp_path)  # nothing listens there
    assert done.returncode == 1
    report = _report(tmp_path)
    assert report["status"] == "failed"
    assert any("no listing" in str(f) for f in report["failures"])  # type: ignore[union-attr]
    assert "FAILED" in done.stdout


def test_a_wave_of_refusals_fails_the_run(tmp_path: Path) -> None:
    with Mirror("--sites", "usfk") as mirror:
        # Every article answers with the site's chrome and no article in it: read, and
        # refused for good (a parser that no longer fits the markup looks like this).
        mirror.control(
            "usfk",
            "fault",
            path="/Media/Press-Products/Press-Releases/Article/*",
            kind="empty",
            times=0,
        )
        done = _crawl(
            "usfk",
            mirror.url("usfk", ""),
            tmp_path,
            "-s",
            "MONITOR_MAX_REFUSALS=1",
            "-s",
            "MONITOR_MAX_REFUSAL_RATIO=0.2",
        )
    assert done.returncode == 1
    report = _report(tmp_path)
    assert report["unfetched"] == []  # every page was fetched; none was a release
    assert any("refused" in str(f) for f in report["failures"])  # type: ignore[union-attr]


def test_second_run_of_a_site_exits_at_once(mirror: Mirror, tmp_path: Path) -> None:
    lock_path = tmp_path / "state" / "usfj.lock"
    lock_path.parent.mkdir(parents=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("pid 12345\n")
        lock.flush()
        done = _crawl("usfj", mirror.url("usfj", ""), tmp_path)
    assert done.returncode == 75
    assert "another run is in progress (pid 12345)" in done.stderr
    assert not (tmp_path / "releases").exists()


def test_progress_line_only_on_a_terminal(mirror: Mirror, tmp_path: Path) -> None:
    plain = _crawl("usfk", mirror.url("usfk", ""), tmp_path / "plain")
    assert "pages/s" not in plain.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "usfk",
            "-a",
            f"base_url={mirror.url('usfk', '')}",
            "-s",
            f"OUTPUT_DIR={tmp_path / 'tty'}",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the crawl ended
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=120)
    os.close(leader)
    assert process.returncode == 0
    assert b"listing pages" in seen and b"pages/s" in seen


def test_report_counts_what_scrapy_dropped_and_why() -> None:
    from scrapy import Spider

    from crawler.extensions.report import build_report

    stats = {
        "offsite/filtered": 2,
        "release/rejected/blocked": 3,
        "finish_reason": "finished",
        "downloader/exception_type_count/builtins.TimeoutError": 1,
        "log_count/ERROR": 4,
        "monitors/failed": ["Run/finished normally: finish reason 'shutdown'"],
    }
    report = build_report(stats, Spider(name="usfj"))
    assert report["offsite_dropped"] == 2
    assert report["refusals"] == {"blocked": 3}
    assert report["errors"] == {"log_errors": 4, "exceptions": [], "builtins.TimeoutError": 1}
    assert report["status"] == "failed" and report["site"] is None
