"""Scheduled recrawls of a 300-release mirror: only what is new, edits as versions, gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Mirror
from tests.crawling import CrawlResult, crawl

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
    assert len(emitted1) == 298  # 300 minus the block page and the module error
    assert len({r["id"] for r in emitted1}) == 298
    assert sum("?Page=" in line for line in served1) == 29
    assert all(r["version"] == 1 and r["previous"] is None for r in emitted1)

    run2, served2 = _crawl(big_mirror, tmp_path)
    assert len(run2.releases) == len(emitted1)  # nothing new
    assert served2 == ["GET /Media/Press-Releases/ 304"]

    added = big_mirror.control(SITE, "add", count=3)
    run3, served3 = _crawl(big_mirror, tmp_path)
    new = _run_releases(run3, len(emitted1))
    assert sorted(r["id"] for r in new) == sorted(f"{SITE}:{i}" for i in added)
    assert [line.split()[1].split("?")[-1] for line in served3[:2]] == [
        "/Media/Press-Releases/", "Page=2"]
    assert len(served3) == 2 + 3  # listing pages 1 and 2, the three new releases

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
    live = {str(r["id"]).split(":")[1] for r in run3.releases}
    statuses = [line.rsplit(" ", 1)[1] for line in served4
                if "/Article/" in line and line.split("/Article/")[1].split("/")[0] in live]
    assert statuses.count("200") == 1 and statuses.count("410") == 1
    assert statuses.count("304") == len(live) - 2  # every other live release answered 304
    # A revisit run also retries the two refused releases (3 attempts each).
    assert len(served4) == 1 + len(live) + 6


def test_full_walks_every_page_but_fetches_nothing_known(big_mirror: Mirror, tmp_path: Path) -> None:
    first, _ = _crawl(big_mirror, tmp_path)
    run, served = _crawl(big_mirror, tmp_path, "-a", "full=1")
    pages = [int(line.split("?Page=")[1].split()[0]) if "?Page=" in line else 1
             for line in served if "/Article/" not in line]
    assert pages == list(range(1, len(pages) + 1)) and len(pages) >= 30
    articles = {line.split("/Article/")[1].split("/")[0] for line in served if "/Article/" in line}
    refused = {r["url"].split("/Article/")[1].split("/")[0] for r in first.rejects}
    assert articles == refused  # a full run retries refusals, and fetches nothing else known
    assert len(run.releases) == len(first.releases)
