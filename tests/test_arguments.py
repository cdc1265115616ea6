"""Spider arguments are checked before anything is made from them: one line, exit 2."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crawler.spiders.arguments import ArgumentError, crawl_arguments, origin
from tests.conftest import ROOT
from tests.crawling import scrapy_command


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"site": "../../pwned"}, "unknown site '../../pwned' (known: afmil,"),
        ({"site": "ftp://HOST"}, "-a site must be a profile id or an http(s) URL"),
        ({"site": "http://ho st"}, "-a site must be a profile id or an http(s) URL"),
        ({"site": "usfj/../usfk"}, "unknown site"),
        ({}, "needs -a site=ID or -a site=URL (known: afmil,"),
        ({"site": "usfj", "max_pages": "abc"}, "-a max_pages must be a positive integer"),
        ({"site": "usfj", "max_pages": "-3"}, "-a max_pages must be a positive integer"),
        ({"site": "usfj", "max_pages": "1e9"}, "-a max_pages must be a positive integer"),
        ({"site": "usfj", "revisit": "xyz"}, "-a revisit must be 'all' or a number of days"),
        ({"site": "usfj", "revisit": "-1"}, "-a revisit must be"),
        ({"site": "usfj", "full": "maybe"}, "-a full must be 1 or 0"),
        ({"site": "usfj", "base_url": "ftp://x"}, "-a base_url must be an http(s) origin"),
        ({"site": "usfj", "base_url": "notaurl"}, "-a base_url must be an http(s) origin"),
        ({"site": "usfj", "base_url": "http://a/../b"}, "-a base_url must be"),
        ({"site": "usfj", "base_url": "http://user:pw@host"}, "-a base_url must be"),
        ({"site": "usfj", "base_url": "http://x:99999"}, "-a base_url must be"),
        ({"site": "usfj", "base_url": "http://x?a=1"}, "-a base_url must be"),
        ({"site": "usfj", "base_url": "http://ho st"}, "-a base_url must be"),
        ({"site": "usfj", "kinds": "pressrelease"}, "-a kinds: unknown kind 'pressrelease'"),
        ({"site": "usfj", "nokinds": "all"}, "unknown argument -a nokinds (known: site, base_url,"),
        ({"site": "usfj", "Site": "usfk"}, "unknown argument -a Site"),
    ],
)
def test_a_bad_argument_is_named_with_what_it_accepts(
    arguments: dict[str, str], message: str
) -> None:
    with pytest.raises(ArgumentError) as raised:
        crawl_arguments(None, arguments)
    assert str(raised.value).startswith(message) or message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_good_arguments_are_read() -> None:
    read = crawl_arguments(
        "usfk",
        {"base_url": " http://127.0.0.1:8080/ ", "max_pages": "3", "full": "yes", "_job": "x"},
    )
    assert (read.profile.id, read.base_url, read.max_pages, read.full) == (
        "usfk",
        "http://127.0.0.1:8080",
        3,
        True,
    )
    assert read.revisit is False
    assert crawl_arguments("usfj", {"revisit": "all"}).revisit is True
    assert crawl_arguments("usfj", {"revisit": "7", "max_pages": "0"}).revisit == 7
    assert crawl_arguments("usfj", {}).base_url == "https://www.usfj.mil"
    assert origin("http://[::1]:8000") == "http://[::1]:8000"


def test_kinds_default_to_the_profiles_own_and_widen_on_request() -> None:
    assert crawl_arguments("usfj", {}).kinds == ("release",)
    assert crawl_arguments("afmil", {}).kinds == ("news",)
    assert crawl_arguments("afmil", {"kinds": "news, commentary"}).kinds == ("news", "commentary")
    assert "fact_sheet" in crawl_arguments("usfj", {"kinds": "all"}).kinds


def test_a_site_url_names_a_known_profile_or_asks_for_discovery() -> None:
    known = crawl_arguments(None, {"site": "https://www.usfj.mil/Media/"})
    assert (known.profile.id, known.discover, known.base_url) == (
        "usfj",
        False,
        "https://www.usfj.mil",
    )
    unknown = crawl_arguments(None, {"site": "https://www.dla.mil"})
    assert (unknown.profile.id, unknown.discover, unknown.base_url) == (
        "dla.mil",
        True,
        "https://www.dla.mil",
    )
    mirrored = crawl_arguments(
        None, {"site": "https://www.dla.mil", "base_url": "http://127.0.0.1:8123"}
    )
    assert (mirrored.profile.origin, mirrored.base_url) == (
        "https://www.dla.mil",
        "http://127.0.0.1:8123",
    )
    local = crawl_arguments(None, {"site": "http://127.0.0.1:8123/"})
    assert (local.profile.id, local.profile.origin) == ("127.0.0.1-8123", "http://127.0.0.1:8123")


@pytest.mark.parametrize(
    ("spider", "argument", "line"),
    [
        ("articlecs", "site=../../pwned", "crawl articlecs: unknown site '../../pwned' (known: "),
        ("articlecs", "site=ftp://HOST", "crawl articlecs: -a site must be a profile id or an "),
        ("usfj", "max_pages=abc", "crawl usfj: -a max_pages must be a positive integer"),
        ("usfj", "base_url=ftp://x", "crawl usfj: -a base_url must be an http(s) origin"),
        ("usfj", "bogus=1", "crawl usfj: unknown argument -a bogus"),
        ("nosuch", "site=usfj", "crawl nosuch: no such spider (known: afmil, afpims, articlecs,"),
    ],
)
def test_the_crawl_command_answers_a_bad_argument_with_one_line_and_no_file(
    tmp_path: Path, spider: str, argument: str, line: str
) -> None:
    output = tmp_path / "runs" / "a" / "b"
    done = subprocess.run(
        [*scrapy_command("crawl"), spider, "-a", argument, "-s", f"OUTPUT_DIR={output}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [done.stderr.strip()]  # one line, no Scrapy banner
    assert done.stderr.startswith(line)
    assert list(tmp_path.rglob("*")) == []  # no lock, no folder, inside OUTPUT_DIR or out


@pytest.mark.parametrize(
    "setting", ["ARCHIVE_PREFIX=../../x", "ARCHIVE_DIR=/etc", "ARCHIVE_DIR=.."]
)
def test_a_setting_that_names_a_path_outside_output_dir_is_refused(
    tmp_path: Path, setting: str
) -> None:
    output = tmp_path / "out"
    command = scrapy_command("crawl", "usfj", "-a", "base_url=http://127.0.0.1:9", "-s", setting)
    done = subprocess.run(
        [*command, "-s", f"OUTPUT_DIR={output}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"crawl usfj: {setting.split('=')[0]} must be a plain name (letters, digits, '.', '_', "
        f"'-'), got {setting.split('=')[1]!r}"
    )
    assert list(tmp_path.rglob("*")) == []


def test_revisit_by_is_checked_and_defaults_to_first_seen() -> None:
    from crawler.spiders.arguments import ArgumentError, crawl_arguments

    assert crawl_arguments("usfj", {"revisit": "7"}).revisit_by == "seen"
    assert (
        crawl_arguments("usfj", {"revisit": "7", "revisit_by": "checked"}).revisit_by == "checked"
    )
    with pytest.raises(ArgumentError, match="revisit_by must be one of seen, checked, published"):
        crawl_arguments("usfj", {"revisit": "7", "revisit_by": "modified"})
    for alone in ({"revisit_by": "seen"}, {"revisit": "all", "revisit_by": "published"}):
        with pytest.raises(ArgumentError, match="give both"):
            crawl_arguments("usfj", alone)


def test_a_publishers_rate_limit_is_a_floor_under_the_delay() -> None:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from crawler.spiders.ukmod import UkmodSpider

    def delay(**arguments: str) -> float:
        settings = Settings({"DOWNLOAD_DELAY": 0, "STATE_ENABLED": False})
        crawler = Crawler(UkmodSpider, settings)  # settings not applied yet, as in a crawl
        UkmodSpider.from_crawler(crawler, **arguments)
        return crawler.settings.getfloat("DOWNLOAD_DELAY")

    assert delay() == 0.1  # GOV.UK: 10 requests a second, whatever DOWNLOAD_DELAY says
    assert delay(base_url="http://127.0.0.1:9") == 0  # a local mirror has no limit


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (
            ["ftp://x"],
            "profile: URL must be an http(s) address such as https://www.dla.mil, got 'ftp://x'",
        ),
        (
            ["http://127.0.0.1:9", "--base-url", "nope"],
            "profile: --base-url must be an http(s) address",
        ),
        (["https://www.dla.mil"], "profile: set CRAWLER_CONTACT"),
    ],
)
def test_scrapy_profile_refuses_a_bad_address_with_one_line(
    tmp_path: Path, arguments: list[str], line: str
) -> None:
    done = subprocess.run(
        [*scrapy_command("profile"), *arguments, "-s", f"OUTPUT_DIR={tmp_path / 'out'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(line) and done.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()
