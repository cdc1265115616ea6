"""Any AFPIMS site with zero code: ``scrapy profile`` and ``scrapy crawl afpims -a site=URL``
against mirror sites no profile describes (mirror/platform.py), and the named ones."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from crawler.parsers.dates import parse_date
from crawler.profiles import profile_from_toml
from mirror.site import MirrorSite, load_sites
from tests.conftest import Mirror
from tests.crawling import CrawlResult, crawl, scrapy_in

MIRROR = load_sites()
UNNAMED = ["platform-dla", "platform-dtra", "platform-dcsa"]


def _check_records(result: CrawlResult, site: MirrorSite, prefix: str) -> None:
    """Every release of the site once, nothing else, and its title, number and date."""
    assert result.returncode == 0, result.log[-3000:]
    by_id = {r["id"].split(":")[1]: r for r in result.releases}
    assert len(by_id) == len(result.releases), "a release was emitted twice"
    assert set(by_id) == {str(r.id) for r in site.releases}  # no news, no biography
    for release in site.releases:
        record = by_id[str(release.id)]
        assert record["title"] == release.title
        assert record["number"] == release.number
        assert record["published"] == parse_date(release.date)
        assert record["url"].startswith(prefix)
        assert record["kind"] == site.profile.kind


@pytest.mark.parametrize("site_id", UNNAMED)
def test_a_site_no_profile_describes_is_crawled_with_zero_code(
    mirror: Mirror, tmp_path: Path, site_id: str
) -> None:
    origin = mirror.url(site_id, "")
    site = MIRROR[site_id]
    result = crawl("afpims", origin, tmp_path, "-a", f"site={origin}")
    _check_records(result, site, origin + site.profile.article_paths[0])
    served = mirror.served(site_id)
    # The news and leadership sections were read to be told apart, never walked.
    for sibling in site.siblings:
        listing = sibling.profile.listings[0]
        assert not [line for line in served if f" {listing}?Page=" in line]
        assert not [line for line in served if sibling.profile.article_paths[0] in line]
    (report,) = result.reports
    assert (report["status"], report["site"]) == ("ok", f"127.0.0.1-{origin.rsplit(':', 1)[1]}")
    # The archive says how it was read: every record is re-extracted from it alone.
    warcs = sorted((tmp_path / "warc").glob("*.warc.gz"))
    extracted = scrapy_in(tmp_path, "extract", *map(str, warcs))
    assert extracted.returncode == 0, extracted.stderr
    replayed = {json.loads(line)["id"]: json.loads(line) for line in extracted.stdout.splitlines()}
    run_fields = ("archive", "version", "first_seen", "previous")
    for record in result.releases:
        assert {k: v for k, v in replayed[record["id"]].items() if k not in run_fields} == {
            k: v for k, v in record.items() if k not in run_fields
        }
    again = crawl("afpims", origin, tmp_path, "-a", f"site={origin}")
    assert again.returncode == 0
    assert len(again.releases) == len(site.releases)  # nothing new on the second run
    verified = scrapy_in(tmp_path, "verify")
    assert verified.returncode == 0, verified.stdout[-2000:]


def test_kinds_all_widens_a_discovered_crawl_to_the_other_sections(
    mirror: Mirror, tmp_path: Path
) -> None:
    origin = mirror.url("platform-dla", "")
    site = MIRROR["platform-dla"]
    result = crawl("afpims", origin, tmp_path, "-a", f"site={origin}", "-a", "kinds=all")
    assert result.returncode == 0, result.log[-3000:]
    kinds: dict[str, set[str]] = {}
    for record in result.releases:
        kinds.setdefault(record["kind"], set()).add(record["id"].split(":")[1])
    assert kinds["release"] == {str(r.id) for r in site.releases}
    news, bios = site.siblings
    assert kinds["biography"] == {str(r.id) for r in bios.releases}
    assert kinds["news"] == {str(r.id) for r in news.releases}  # "Top Stories"
    assert set(kinds) <= {"release", "news", "biography"}


def test_a_site_with_no_release_section_is_refused(mirror: Mirror, tmp_path: Path) -> None:
    origin = mirror.url("platform-garrison", "")
    result = crawl("afpims", origin, tmp_path, "-a", f"site={origin}")
    assert result.returncode == 1
    assert "no release section found (found news at /Media/Stories/)" in result.log
    assert result.releases == []
    (report,) = result.reports
    assert report["failures"] == [
        "Run/finished normally: finish reason 'no_release_section': no release section found"
        " (found news at /Media/Stories/)"
    ]
    served = mirror.served("platform-garrison")
    assert not [line for line in served if "?Page=" in line or "/Article/" in line]
    profiled = scrapy_in(tmp_path / "p", "profile", origin)
    assert profiled.returncode == 1
    assert profiled.stdout == ""
    assert profiled.stderr.strip().endswith(
        "no release section found (found news at /Media/Stories/)"
    )


@pytest.mark.parametrize("site_id", UNNAMED)
def test_scrapy_profile_prints_a_profile_that_crawls_the_same(
    mirror: Mirror, tmp_path: Path, site_id: str
) -> None:
    origin = mirror.url(site_id, "")
    site = MIRROR[site_id]
    done = scrapy_in(tmp_path / "unused", "profile", origin)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "unused").exists()  # nothing written: no archive, state, report
    profile = profile_from_toml(tomllib.loads(done.stdout))
    assert done.stdout.startswith("# Discovered from")
    assert profile.listings == site.profile.listings
    assert profile.article_paths == site.profile.article_paths
    assert profile.kind == "release"
    others = {s.kind: s.listings for s in profile.sections}
    for sibling in site.siblings:
        assert sibling.profile.listings in others.values()


@pytest.mark.parametrize("site_id", ["centcom", "indopacom"])
def test_named_afpims_sites_crawl_their_mirrors(
    mirror: Mirror, tmp_path: Path, site_id: str
) -> None:
    site = MIRROR[site_id]
    result = crawl(site_id, mirror.url(site_id, ""), tmp_path)
    _check_records(result, site, site.profile.origin + site.profile.article_paths[0])
    assert {r["dateline"] for r in result.releases} == {r.dateline for r in site.releases}


def test_a_real_host_crawled_from_its_mirror_names_the_real_host(
    mirror: Mirror, tmp_path: Path
) -> None:
    site = MIRROR["platform-dtra"]
    result = crawl(
        "afpims", mirror.url("platform-dtra", ""), tmp_path, "-a", "site=https://www.dtra.mil"
    )
    _check_records(result, site, "https://www.dtra.mil/Info/Bulletins/Bulletin/Article/")
    assert {r["site"] for r in result.releases} == {"dtra.mil"}


def test_an_experimental_profile_fails_loudly_when_its_guess_is_wrong(
    mirror: Mirror, tmp_path: Path
) -> None:
    """centcom's profile is a guess: a page it cannot read fails the run and says so."""
    site = MIRROR["centcom"]
    newest = max(site.releases, key=lambda r: r.id)
    path = site.profile.article_paths[0] + f"{newest.id}/*"
    mirror.control("centcom", "fault", path=path, kind="restyled", times=0)
    try:
        result = crawl("centcom", mirror.url("centcom", ""), tmp_path)
    finally:
        mirror.control("centcom", "fault", clear=1)
    assert result.returncode == 1
    assert (
        f"experimental profile centcom: centcom:{newest.id} refused: missing_fields" in result.log
    )
    (report,) = result.reports
    assert any("experimental profile 'centcom'" in failure for failure in report["failures"])
    assert len(result.releases) == len(site.releases) - 1
