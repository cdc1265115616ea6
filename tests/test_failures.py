"""Faults on listings, feeds and articles: every one retried, survived or named, and the run
fails exactly when something could not be fetched (``mirror/faults.py`` injects them)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.profiles import get_profile
from mirror.site import load_sites
from pipelines.output import run_files
from tests.conftest import ROOT, Mirror
from tests.crawling import crawl_command

LISTING = "/Media/Press-Releases/"
ARTICLES = "/Media/Press-Releases/Article-View/Article/"


@pytest.fixture(scope="module")
def faulty() -> Iterator[Mirror]:
    # usfj: 10 bundled + 40 generated releases, 5 a page: 10 listing pages.
    with Mirror("--sites", "usfj", "wargov", "afmil", "--scale", "40") as running:
        yield running


@pytest.fixture
def mirror(faulty: Mirror) -> Mirror:
    return faulty.mended()


def _run(
    mirror: Mirror, site: str, output: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], list[str]]:
    """Crawl; return the exit status, the run's report and what the mirror served.

    ``env`` may hold the kill switches of ``tests/killpoints`` (on PYTHONPATH here)."""
    done = subprocess.run(
        crawl_command(site, mirror.url(site, ""), output, "-s", "ARCHIVE_MEDIA=0", *args),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tests" / "killpoints"), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    reports = run_files(output / "reports", ".json")
    report = json.loads(reports[-1].read_text()) if reports else {}
    served = [line for line in mirror.served(site) if "/robots.txt" not in line]
    return done.returncode, report, served


def _recorded(output: Path) -> Counter[str]:
    return Counter(
        json.loads(line)["id"]
        for path in run_files(output / "releases")
        for line in path.read_text(encoding="utf-8").splitlines()
    )


def _listed(mirror: Mirror, site: str) -> set[str]:
    return {f"{site}:{r['id']}" for r in mirror.control(site, "releases")}


def _every_release_once(mirror: Mirror, site: str, output: Path) -> None:
    recorded = _recorded(output)
    assert set(recorded) == _listed(mirror, site)
    assert max(recorded.values()) == 1


def _unfetched(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(u["kind"], u["url"].split("/", 3)[-1], u["reason"]) for u in report["unfetched"]]


def test_a_listing_page_blocked_once_is_retried(mirror: Mirror, tmp_path: Path) -> None:
    mirror.control("usfj", "fault", path=f"{LISTING}?Page=10", kind="akamai")
    status, report, served = _run(mirror, "usfj", tmp_path)
    assert status == 0 and report["status"] == "ok"
    assert f"GET {LISTING}?Page=10 200 fault:akamai" in served
    _every_release_once(mirror, "usfj", tmp_path)


@pytest.mark.parametrize("kind", ["503", "module_error", "cloudflare"])
def test_a_listing_page_that_keeps_failing_fails_the_run_and_is_resumed(
    mirror: Mirror, tmp_path: Path, kind: str
) -> None:
    mirror.control("usfj", "fault", path=f"{LISTING}?Page=5", kind=kind, times=0)
    status, report, served = _run(mirror, "usfj", tmp_path)
    assert status == 1 and report["status"] == "failed"
    reason = {"503": "server_error", "module_error": "module_unavailable"}.get(kind, "blocked")
    assert _unfetched(report) == [("listing", "Media/Press-Releases/?Page=5", reason)]
    assert sum(f"{LISTING}?Page=5 " in line for line in served) == 3  # tried three times
    assert not any("?Page=6" in line for line in served)  # the walk stopped there
    mirror.control("usfj", "fault", clear=1)
    status, report, served = _run(mirror, "usfj", tmp_path)
    assert status == 0 and report["status"] == "ok"
    assert f"GET {LISTING} 304" in served  # page 1 is unchanged; the walk resumes
    assert f"GET {LISTING}?Page=4 200" in served  # a page before the one that failed
    _every_release_once(mirror, "usfj", tmp_path)


def test_an_empty_first_page_fails_the_run_and_keeps_no_validators(
    mirror: Mirror, tmp_path: Path
) -> None:
    mirror.control("usfj", "fault", path=LISTING, kind="empty", times=0)
    status, report, _ = _run(mirror, "usfj", tmp_path)
    assert status == 1
    assert _unfetched(report) == [("listing", "Media/Press-Releases/", "empty_listing")]
    assert not (tmp_path / "releases").exists()
    mirror.control("usfj", "fault", clear=1)
    status, _, served = _run(mirror, "usfj", tmp_path)
    assert status == 0 and f"GET {LISTING} 200" in served  # no ETag of the shell was kept
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_feed_that_keeps_failing_fails_the_run(mirror: Mirror, tmp_path: Path) -> None:
    feed = get_profile("wargov").feeds[0].path()
    mirror.control("wargov", "fault", path=feed, kind="502", times=0)
    status, report, _ = _run(mirror, "wargov", tmp_path)
    assert status == 1
    assert [(k, r) for k, _, r in _unfetched(report)] == [("feed", "server_error")]
    _every_release_once(mirror, "wargov", tmp_path)  # the listing still found every one


def test_a_retried_conditional_request_can_still_answer_304(mirror: Mirror, tmp_path: Path) -> None:
    status, _, _ = _run(mirror, "usfj", tmp_path)
    assert status == 0
    article = next(iter(sorted(_listed(mirror, "usfj")))).split(":")[1]
    mirror.control("usfj", "fault", path=f"{ARTICLES}{article}/*", kind="503")
    status, report, served = _run(mirror, "usfj", tmp_path, "-a", "revisit=all")
    assert status == 0 and report["refusals"] == {} and report["unfetched"] == []
    statuses = [line.split()[2] for line in served if f"/Article/{article}/" in line]
    assert statuses == ["503", "304"]  # the retry was still a conditional request
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_challenge_on_every_article_view_falls_back_to_print_views(
    mirror: Mirror, tmp_path: Path
) -> None:
    profile = get_profile("afmil")
    for prefix in (*profile.article_paths, *profile.legacy_article_paths):
        mirror.control("afmil", "fault", path=f"{prefix}*", kind="cloudflare", times=0)
    status, report, _ = _run(mirror, "afmil", tmp_path)
    assert status == 1
    recorded = set(_recorded(tmp_path))
    printed = {f"afmil:{r.id}" for r in load_sites()["afmil"].releases if r.print_file}
    assert len(printed) == 7
    assert printed <= recorded  # read through their print views
    unfetched = {u["id"]: u["reason"] for u in report["unfetched"]}
    assert set(unfetched) == _listed(mirror, "afmil") - recorded
    assert set(unfetched.values()) == {"blocked"}  # a challenge, never a "server error"


def test_a_404_on_a_new_release_is_asked_again_later(mirror: Mirror, tmp_path: Path) -> None:
    article = sorted(_listed(mirror, "usfj"))[3].split(":")[1]
    mirror.control("usfj", "fault", path=f"{ARTICLES}{article}/*", kind="404", times=2)
    status, report, _ = _run(mirror, "usfj", tmp_path)
    assert status == 1
    assert [(u["id"], u["reason"]) for u in report["unfetched"]] == [(f"usfj:{article}", "gone")]
    status, report, served = _run(mirror, "usfj", tmp_path)  # the next run asks again
    assert status == 1 and any(f"/{article}/" in line for line in served)
    status, report, served = _run(mirror, "usfj", tmp_path)  # then it waits (6 hours)
    assert status == 0 and not any(f"/{article}/" in line for line in served)
    assert report["waiting"]["count"] == 1
    assert report["waiting"]["releases"][0]["id"] == f"usfj:{article}"
    status, _, served = _run(mirror, "usfj", tmp_path, "-a", "revisit=all")
    assert status == 0 and any(f"/{article}/" in line for line in served)
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_refusal_by_a_killed_run_is_tried_and_reported_by_the_next(
    mirror: Mirror, tmp_path: Path
) -> None:
    # A release on the first listing page: refused early in the run, with more to come.
    article = str(mirror.control("usfj", "releases")[1]["id"])
    mirror.control("usfj", "fault", path=f"{ARTICLES}{article}/*", kind="akamai", times=0)
    command = crawl_command("usfj", mirror.url("usfj", ""), tmp_path, "-s", "ARCHIVE_MEDIA=0")
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    rejects = tmp_path / "rejects"
    while process.poll() is None and not any(p.stat().st_size for p in rejects.rglob("*.jsonl")):
        time.sleep(0.01)  # polls the disk: the kill point is the refusal's line
    process.kill()  # killed right after it refused the release, before it could report
    assert process.wait() == -9 and not (tmp_path / "reports").exists()
    status, report, served = _run(mirror, "usfj", tmp_path)
    assert status == 1 and any(f"/{article}/" in line for line in served)
    assert [u["id"] for u in report["unfetched"]] == [f"usfj:{article}"]
    assert len(report["state"]["interrupted_runs"]) == 1
    mirror.control("usfj", "fault", clear=1)
    status, _, _ = _run(mirror, "usfj", tmp_path, "-a", "full=1")
    assert status == 0
    _every_release_once(mirror, "usfj", tmp_path)


@pytest.mark.parametrize(
    ("page", "kind"), [("", "truncated"), ("?Page=4", "truncated"), ("?Page=5", "half")]
)
def test_a_listing_page_cut_short_is_not_the_end_of_the_listing(
    mirror: Mirror, tmp_path: Path, page: str, kind: str
) -> None:
    # "truncated": the page cut to two fifths; "half": half its items gone, pager kept.
    mirror.control("usfj", "fault", path=f"{LISTING}{page}", kind=kind, times=0)
    status, report, _ = _run(mirror, "usfj", tmp_path)
    assert status == 1
    assert _unfetched(report) == [("listing", f"Media/Press-Releases/{page}", "truncated")]
    mirror.control("usfj", "fault", clear=1)
    status, _, _ = _run(mirror, "usfj", tmp_path)
    assert status == 0
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_second_page_with_fewer_releases_than_the_third_is_read_again(
    mirror: Mirror, tmp_path: Path
) -> None:
    mirror.control("usfj", "fault", path=f"{LISTING}?Page=2", kind="half", times=0)
    status, report, served = _run(mirror, "usfj", tmp_path)
    assert status == 1
    assert _unfetched(report) == [("listing", "Media/Press-Releases/?Page=2", "truncated")]
    assert sum(f"{LISTING}?Page=2 " in line for line in served) == 4  # once, then 3 rechecks
    mirror.control("usfj", "fault", clear=1)
    status, _, served = _run(mirror, "usfj", tmp_path)
    assert status == 0 and f"GET {LISTING}?Page=2 200" in served  # the next run reads it
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_page_that_names_another_release_is_not_that_release(
    mirror: Mirror, tmp_path: Path
) -> None:
    listed = [str(r["id"]) for r in mirror.control("usfj", "releases")]
    article = listed[4]
    mirror.control("usfj", "fault", path=f"{ARTICLES}{article}/*", kind="other", times=0)
    status, report, _ = _run(mirror, "usfj", tmp_path)
    assert status == 1
    assert [(u["id"], u["reason"]) for u in report["unfetched"]] == [
        (f"usfj:{article}", "wrong_page")
    ]
    assert _recorded(tmp_path)[f"usfj:{listed[5]}"] == 1  # the page it served, once
    mirror.control("usfj", "fault", clear=1)
    status, _, _ = _run(mirror, "usfj", tmp_path)
    assert status == 0
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_resumed_walk_steps_back_over_more_deletions_than_a_page(
    mirror: Mirror, tmp_path: Path
) -> None:
    mirror.control("usfj", "fault", path=f"{LISTING}?Page=8", kind="503", times=0)
    status, _, _ = _run(mirror, "usfj", tmp_path)
    assert status == 1  # pages 1 to 7 read, then the walk stopped
    read = [str(r["id"]) for r in mirror.control("usfj", "releases")][1:36]
    for article in read[:12]:  # more than two pages of releases already read are deleted
        mirror.control("usfj", "delete", id=article)
    mirror.control("usfj", "fault", clear=1)
    status, report, served = _run(mirror, "usfj", tmp_path)
    assert status == 0 and report["unfetched"] == []
    assert f"GET {LISTING}?Page=5 200" in served  # stepped back from page 7
    recorded = _recorded(tmp_path)  # the deleted ones too: they were recorded before
    assert _listed(mirror, "usfj") <= set(recorded) and max(recorded.values()) == 1


def test_a_permanent_refusal_waits_for_a_full_run(mirror: Mirror, tmp_path: Path) -> None:
    article = sorted(_listed(mirror, "usfj"))[5].split(":")[1]
    mirror.control("usfj", "fault", path=f"{ARTICLES}{article}/*", kind="empty", times=0)
    status, report, _ = _run(mirror, "usfj", tmp_path)
    assert status == 0 and report["unfetched"] == []  # read; not a release: not a failure
    (refused,) = [json.loads(line) for p in run_files(tmp_path / "rejects") for line in p.open()]
    assert refused["id"] == f"usfj:{article}" and refused["reason"] == "missing_fields"
    mirror.control("usfj", "fault", clear=1)
    mirror.control("usfj", "add", count=1)
    status, _, served = _run(mirror, "usfj", tmp_path, "-s", "RELEASES_RETRY_REFUSED_AFTER=0")
    assert status == 0 and not any(f"/{article}/" in line for line in served)
    status, _, served = _run(mirror, "usfj", tmp_path, "-a", "full=1")
    assert status == 0 and any(f"/{article}/" in line for line in served)
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_pipeline_exception_fails_the_run_and_loses_nothing(
    mirror: Mirror, tmp_path: Path
) -> None:
    target = sorted(_listed(mirror, "usfj"))[7]
    pipelines = json.dumps(
        {
            "pipelines.dedupe.DedupeReleasesPipeline": 200,
            "tests.components.raising.RaiseOn": 210,
            "pipelines.versions.VersionPipeline": 250,
            "pipelines.validate.ValidateReleasePipeline": 300,
            "pipelines.rejects.RejectsPipeline": 400,
            "pipelines.archive_link.ArchiveLinkPipeline": 500,
            "pipelines.jsonlines.ReleasesJsonLinesPipeline": 800,
        }
    )
    status, report, _ = _run(
        mirror, "usfj", tmp_path, "-s", f"ITEM_PIPELINES={pipelines}", "-s", f"RAISE_ON={target}"
    )
    assert status == 1
    assert any(target in error for error in report["errors"]["exceptions"])
    assert target not in _recorded(tmp_path)
    status, _, _ = _run(mirror, "usfj", tmp_path)
    assert status == 0
    _every_release_once(mirror, "usfj", tmp_path)


def test_two_walks_never_fetch_a_listing_page_twice(mirror: Mirror, tmp_path: Path) -> None:
    status, _, _ = _run(mirror, "usfj", tmp_path, "-a", "full=1", "-s", "CLOSESPIDER_PAGECOUNT=14")
    assert status == 1  # stopped early: a walk is left unfinished
    status, _, served = _run(mirror, "usfj", tmp_path, "-a", "full=1")
    assert status == 0
    pages = Counter(line.split()[1] for line in served if "/Article/" not in line)
    assert max(pages.values()) == 1, pages
    _every_release_once(mirror, "usfj", tmp_path)


def test_a_walk_resumed_past_the_end_of_a_shorter_listing_ends(
    mirror: Mirror, tmp_path: Path
) -> None:
    pages = len(_listed(mirror, "usfj")) // 5
    mirror.control("usfj", "fault", path=f"{LISTING}?Page={pages}", kind="503", times=0)
    status, _, _ = _run(mirror, "usfj", tmp_path)
    assert status == 1  # the walk stops before the last page
    for release in sorted(_listed(mirror, "usfj"))[:12]:  # the listing loses two pages
        mirror.control("usfj", "delete", id=release.split(":")[1])
    mirror.control("usfj", "fault", clear=1)
    status, report, served = _run(mirror, "usfj", tmp_path)
    assert status == 0 and report["unfetched"] == []
    assert f"GET {LISTING}?Page={pages - 1} 200" in served  # resumed a page early: past the end
    recorded = set(_recorded(tmp_path))
    assert _listed(mirror, "usfj") <= recorded and max(_recorded(tmp_path).values()) == 1
