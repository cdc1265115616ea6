"""A hostile server: every release is recorded once, or refused and named — never lost,
never doubled, never a block page or a cut page as a release, never a request off-site —
the run ends in bounded time, and its archive verifies. (Faults: ``mirror/faults.py``.)"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.extensions.report import summary
from pipelines.warc.verify import verify_paths
from tests.conftest import Mirror
from tests.crawling import CrawlResult, crawl

ARTICLES = "/Media/Press-Releases/Article-View/Article/"
# A stalled answer outlasts the timeout: every try of it costs at most this.
FAST = ("-s", "DOWNLOAD_TIMEOUT=2", "-s", "ARCHIVE_MEDIA=0")


@pytest.fixture(scope="module")
def hostile() -> Iterator[Mirror]:
    with Mirror("--sites", "usfj", "wargov", "--scale", "20") as running:
        yield running


@pytest.fixture
def mirror(hostile: Mirror) -> Mirror:
    return hostile.mended()


def _listed(mirror: Mirror, site: str) -> list[str]:
    return [f"{site}:{r['id']}" for r in mirror.control(site, "releases")]


def _named(result: CrawlResult) -> dict[str, str]:
    """Release id -> reason, for every release the run's report names as not recorded."""
    report = result.report
    named = {u["id"]: u["reason"] for u in report["unfetched"] if u.get("id")}
    named.update({r["id"]: r["reason"] for r in report["refused"] if r.get("id")})
    return named


def _archive_verifies(output: Path) -> None:
    reports = verify_paths(sorted((output / "warc").glob("*.warc.gz")))
    assert reports and all(report.ok for report in reports), [str(r) for r in reports]


def _fault(mirror: Mirror, site: str, path: str, kind: str, times: int = 0, **extra: Any) -> None:
    mirror.control(site, "fault", path=path, kind=kind, times=times, **extra)


def test_article_faults_are_survived_or_named_and_nothing_is_lost_or_doubled(
    mirror: Mirror, tmp_path: Path
) -> None:
    listed = _listed(mirror, "usfj")
    ids = [release.split(":")[1] for release in listed if release.startswith("usfj:3260")]
    expected = {  # release -> what a mature crawler makes of it
        "reset": ("recorded", 1),  # a reset once: retried
        "503": ("recorded", 2),  # twice, with Retry-After: retried
        "charset": ("recorded", 0),
        "nocharset": ("recorded", 0),
        "malformed": ("recorded", 0),
        "short": ("download_error", 0),
        "stall": ("download_error", 0),
        "loop": ("redirected", 0),
        "offsite": ("redirected", 0),
        "huge": ("too_large", 0),
        "429": ("blocked", 0),
        "cloudflare": ("blocked", 0),
    }
    faulted = dict(zip(expected, ids, strict=False))
    for kind, article in faulted.items():
        extra = (
            {"seconds": 4} if kind == "stall" else {"size": 20_000_000} if kind == "huge" else {}
        )
        extra |= {"retry_after": 1} if kind == "503" else {}
        _fault(mirror, "usfj", f"{ARTICLES}{article}/*", kind, expected[kind][1], **extra)
    _fault(mirror, "usfj", "/Media/Press-Releases/?Page=2", "aliases")

    started = time.monotonic()
    first = crawl("usfj", mirror.url("usfj", ""), tmp_path, *FAST)
    assert time.monotonic() - started < 240  # bounded: no stall or loop holds the run
    served = mirror.served("usfj")

    recorded = Counter(record["id"] for record in first.releases)
    assert max(recorded.values()) == 1
    named = _named(first)
    for kind, article in faulted.items():
        outcome = "recorded" if f"usfj:{article}" in recorded else named.get(f"usfj:{article}")
        assert outcome == expected[kind][0], (kind, article)
        if outcome != "recorded":  # named in the rejects file too, with its reason
            assert {(r["id"], r["reason"]) for r in first.rejects} >= {(f"usfj:{article}", outcome)}
    # Nothing else is missing: the mirror's own flaky releases pass within their retries.
    assert set(listed) == set(recorded) | set(named)
    assert first.returncode == 1 and first.report["status"] == "failed"
    assert not any("offsite.invalid" in line for line in served)
    assert "CannotResolveHostError" not in str(first.report["errors"])
    for record in first.releases:  # bytes a broken server sent are not text
        text = " ".join(section["text"] for section in record["sections"])
        assert "\ufffd" not in text and not any(ord(c) < 32 and c not in "\n\t" for c in text)
        assert "Access Denied" not in text and "Just a moment" not in text
    charset = next(r for r in first.releases if r["id"] == f"usfj:{faulted['charset']}")
    assert any(section["lang"] == "ja" for section in charset["sections"])
    _archive_verifies(tmp_path)

    # The server mends; a full run fetches what was refused, and nothing twice.
    mirror.control("usfj", "fault", clear=1)
    second = crawl("usfj", mirror.url("usfj", ""), tmp_path, *FAST, "-a", "full=1")
    recorded = Counter(record["id"] for record in second.releases)
    assert set(recorded) == set(listed) and max(recorded.values()) == 1
    assert second.returncode == 0
    _archive_verifies(tmp_path)


def test_a_listing_without_end_stops_where_it_repeats_and_says_so(
    mirror: Mirror, tmp_path: Path
) -> None:
    _fault(mirror, "wargov", "/News/Releases/?Page=*", "endless")
    _fault(mirror, "wargov", "/News/Releases/", "aliases")
    _fault(mirror, "wargov", "/News/Releases/", "reset", times=1)

    result = crawl("wargov", mirror.url("wargov", ""), tmp_path, *FAST, "-a", "full=1")

    pages = [line for line in mirror.served("wargov") if "/News/Releases/?Page=" in line]
    assert len(pages) < 20  # the walk stops at the first page that repeats earlier ones
    failed = [(u["kind"], u["reason"]) for u in result.report["unfetched"]]
    assert failed == [("listing", "repeated")] and result.returncode == 1
    # Links under several URLs are one release each; the feed lists the last page's.
    recorded = Counter(record["id"] for record in result.releases)
    assert set(recorded) == set(_listed(mirror, "wargov")) and max(recorded.values()) == 1


def test_a_listing_page_a_cache_answers_with_page_one_is_read_again_not_the_end(
    mirror: Mirror, tmp_path: Path
) -> None:
    listed = set(_listed(mirror, "usfj"))
    _fault(mirror, "usfj", "/Media/Press-Releases/?Page=2", "stale", times=1)
    once = crawl("usfj", mirror.url("usfj", ""), tmp_path / "once", *FAST)
    assert {record["id"] for record in once.releases} == listed and once.returncode == 0

    _fault(mirror, "usfj", "/Media/Press-Releases/?Page=2", "stale", times=0)
    always = crawl("usfj", mirror.url("usfj", ""), tmp_path / "always", *FAST)
    failed = [(u["kind"], u["reason"]) for u in always.report["unfetched"]]
    assert failed == [("listing", "repeated")] and always.returncode == 1
    mirror.control("usfj", "fault", clear=1)
    again = crawl("usfj", mirror.url("usfj", ""), tmp_path / "always", *FAST)
    recorded = Counter(record["id"] for record in again.releases)  # both runs' files
    assert set(recorded) == listed and max(recorded.values()) == 1 and again.returncode == 0


@pytest.mark.parametrize("kind", ["empty_body", "badgzip"])
def test_an_empty_or_undecodable_answer_is_retried_in_the_run(
    mirror: Mirror, tmp_path: Path, kind: str
) -> None:
    article = _listed(mirror, "usfj")[-1].split(":")[1]
    _fault(mirror, "usfj", f"{ARTICLES}{article}/*", kind, times=1)
    _fault(mirror, "usfj", "/Media/Press-Releases/", kind, times=1)
    result = crawl("usfj", mirror.url("usfj", ""), tmp_path, *FAST)
    assert f"usfj:{article}" in {record["id"] for record in result.releases}
    assert result.returncode == 0 and result.rejects == []
    _archive_verifies(tmp_path)  # the server's bad answers are kept as sent, not damage


@pytest.mark.parametrize("kind", ["xxe", "laughs"])
def test_a_hostile_feed_is_refused_unread_once_and_named(
    mirror: Mirror, tmp_path: Path, kind: str
) -> None:
    _fault(mirror, "wargov", "/DesktopModules/ArticleCS/RSS.ashx*", kind)

    result = crawl("wargov", mirror.url("wargov", ""), tmp_path, *FAST)

    feeds = [line for line in mirror.served("wargov") if "RSS.ashx" in line]
    assert len(feeds) == 1  # a permanent refusal: not retried
    assert [(u["kind"], u["reason"]) for u in result.report["unfetched"]] == [("feed", "hostile")]
    assert result.returncode == 1
    assert "root:" not in str(result.report)  # /etc/passwd was never read into it
    recorded = Counter(record["id"] for record in result.releases)
    assert set(recorded) == set(_listed(mirror, "wargov"))  # the listing found them all


def test_a_wave_of_blocks_slows_the_crawl_down_and_is_reported(
    mirror: Mirror, tmp_path: Path
) -> None:
    _fault(mirror, "usfj", f"{ARTICLES}*", "akamai", times=12)

    result = crawl("usfj", mirror.url("usfj", ""), tmp_path, *FAST)

    slowdown = result.report["slowdown"]
    assert slowdown["blocks"] >= 12
    assert 0.05 < slowdown["max_delay"] <= 0.5  # doubled from the start, up to the cap
    assert f"slowed down: {slowdown['blocks']} blocks" in summary(result.report)
