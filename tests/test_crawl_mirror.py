"""Crawl every site of the mirror over real HTTP on 127.0.0.1 and check the JSON it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parsers.dates import parse_date
from mirror.site import BLOCKED, MODULE_ERROR, MirrorSite, load_sites
from pipelines.output import run_files
from pipelines.validate import first_error, release_validator
from tests.conftest import Mirror
from tests.crawling import CrawlResult, crawl

SITES = ["usfj", "usfk", "wargov", "afmil"]
MIRROR = load_sites()


@pytest.fixture(scope="module")
def crawls(mirror: Mirror, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CrawlResult]:
    output = tmp_path_factory.mktemp("crawl")
    return {site: crawl(site, mirror.url(site, ""), output) for site in SITES}


def _expected_ids(site: MirrorSite, statuses: tuple[str, ...]) -> set[str]:
    return {site.profile.record_id(str(r.id)) for r in site.releases if r.status in statuses}


@pytest.mark.parametrize("site_id", SITES)
def test_every_release_once(crawls: dict[str, CrawlResult], site_id: str) -> None:
    result = crawls[site_id]
    assert result.returncode == 0, result.log[-2000:]
    site = MIRROR[site_id]
    releases = [r for r in result.releases if r["site"] == site_id]
    ids = [r["id"] for r in releases]
    assert len(ids) == len(set(ids)), "a release was emitted twice"
    # Blocked and module-error pages fail two requests in three: retries get them all.
    assert set(ids) == _expected_ids(site, ("ok", "print_only", BLOCKED, MODULE_ERROR))


@pytest.mark.parametrize("site_id", SITES)
def test_flaky_pages_are_retried_until_they_pass(
    crawls: dict[str, CrawlResult], site_id: str
) -> None:
    report = crawls[site_id].report
    assert report["status"] == "ok" and report["unfetched"] == []
    assert report["refusals"] == {}
    assert report["retries"] >= 4  # the block page and the module error, twice each
    assert crawls[site_id].rejects == []  # a run with no refusal writes no rejects file


@pytest.mark.parametrize("site_id", SITES)
def test_records_are_valid_and_match_the_mirror(
    crawls: dict[str, CrawlResult], site_id: str
) -> None:
    validator = release_validator()
    site = MIRROR[site_id]
    for record in (r for r in crawls[site_id].releases if r["site"] == site_id):
        assert first_error(validator, record) is None
        assert record["url"].startswith(site.profile.origin + site.profile.article_paths[0])
        release = site.find(int(record["id"].split(":")[1]))
        assert release is not None
        if release.print_file:
            continue  # a real 2016 page: its fields are checked by its parser fixture
        if site_id != "usfk":  # usfk's heading joins both titles
            assert record["title"] == release.title
        assert record["number"] == release.number
        assert record["published"] == parse_date(f"{release.date} {release.time or ''}")
        assert record["dateline"] == release.dateline
        assert record["tags"] == release.tags
        assert [i["url"] for i in record["images"]] == [i["src"] for i in release.images]
        body = [p for s in record["sections"] for p in s["text"].split("\n\n")]
        heads = {s["title"] for s in record["sections"]} | {s["byline"] for s in record["sections"]}
        assert all(p in body or p in heads for p in release.paragraphs)


def test_wargov_hosts_and_slugs_collapse_to_one_url_per_id(crawls: dict[str, CrawlResult]) -> None:
    urls = [r["url"] for r in crawls["wargov"].releases if r["site"] == "wargov"]
    assert len(urls) == 11
    assert all(u.startswith("https://www.war.gov/News/Releases/Release/Article/") for u in urls)
    assert all("//" not in u.removeprefix("https://") for u in urls)


def test_afmil_blocked_article_views_are_read_from_the_print_view(
    crawls: dict[str, CrawlResult],
) -> None:
    real = {f"afmil:{r.id}" for r in MIRROR["afmil"].releases if r.print_file}
    printed = {r["id"]: r for r in crawls["afmil"].releases if r["id"] in real}
    assert len(real) == len(printed) == 7
    assert printed["afmil:643299"]["bylines"] == [
        {
            "name": "Senior Airman Ashley Powell",
            "role": "Secretary of the Air Force Public Affairs Command Information",
        }
    ]


def test_max_pages_limits_the_listing_walk(mirror: Mirror, tmp_path: Path) -> None:
    result = crawl("usfj", mirror.url("usfj", ""), tmp_path, "-a", "max_pages=1")
    assert result.returncode == 0, result.log[-2000:]
    site = MIRROR["usfj"]
    first_page = {site.profile.record_id(str(r.id)) for r in site.page(1)}
    seen = {r["id"] for r in result.releases} | {
        site.profile.record_id(site.profile.article_key(r["url"])[0])  # type: ignore[index]
        for r in result.rejects
    }
    assert seen == first_page


def test_everything_a_run_writes_is_under_output_dir(crawls: dict[str, CrawlResult]) -> None:
    output = next(iter(crawls.values())).output_dir
    names = sorted(p.relative_to(output).parts[0] for p in output.rglob("*.jsonl"))
    assert set(names) == {"releases"}
    assert len(list(run_files(output / "releases"))) == len(SITES)
