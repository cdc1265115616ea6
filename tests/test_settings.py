"""Polite by default against real hosts; no delay against a loopback mirror."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scrapy.crawler import CrawlerRunner
from scrapy.utils.project import get_project_settings

from crawler import SOFTWARE_URL, __version__
from crawler.addons import ProjectIdentity
from crawler.spiders.wargov import WargovSpider
from pipelines.warc.archive import operator
from tests.conftest import ROOT


def test_polite_defaults() -> None:
    settings = get_project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getfloat("DOWNLOAD_DELAY") >= 2
    assert settings.getdict("DEFAULT_REQUEST_HEADERS")["Accept-Encoding"] == "gzip, deflate"


def _spider(**kwargs: str) -> WargovSpider:
    crawler = CrawlerRunner(get_project_settings()).create_crawler(WargovSpider)
    spider = WargovSpider.from_crawler(crawler, **kwargs)
    assert isinstance(spider, WargovSpider)
    return spider


def test_user_agent_names_project_and_contact() -> None:
    settings = get_project_settings()
    settings.set("CRAWLER_CONTACT", "ops@example.org", priority="cmdline")
    ProjectIdentity().update_settings(settings)
    assert settings.get("USER_AGENT") == f"defense-press-crawler/{__version__} (+ops@example.org)"
    assert "crawler.addons.ProjectIdentity" in settings.getdict("ADDONS")


def test_polite_crawl_of_a_real_host() -> None:
    spider = _spider()
    assert spider.crawler.settings.getbool("AUTOTHROTTLE_ENABLED")


def test_loopback_mirror_has_no_delay() -> None:
    spider = _spider(base_url="http://127.0.0.1:8000")
    assert not spider.crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
    assert spider.crawler.settings.getfloat("DOWNLOAD_DELAY") == 0


def test_links_to_real_hosts_are_fetched_from_the_mirror() -> None:
    spider = _spider(base_url="http://127.0.0.1:8000/")
    link = "http://www.defense.gov/News/Releases/Release/Article/5/x//"
    assert spider.localize(link) == "http://127.0.0.1:8000/News/Releases/Release/Article/5/x/"
    # The mirror serves the publisher's media too; other hosts are left alone.
    assert spider.localize("https://media.defense.gov/a.jpg") == "http://127.0.0.1:8000/a.jpg"
    assert spider.localize("https://www.youtube.com/x") == "https://www.youtube.com/x"
    real = _spider()
    assert real.localize("https://media.defense.gov/a.jpg") == "https://media.defense.gov/a.jpg"
    assert real.localize("http://defense.gov/News/x//") == "https://www.war.gov/News/x/"


def test_without_a_contact_the_user_agent_names_the_software_not_an_operator() -> None:
    settings = get_project_settings()
    ProjectIdentity().update_settings(settings)
    assert settings.get("USER_AGENT") == f"defense-press-crawler/{__version__} (+{SOFTWARE_URL})"
    assert operator(settings) == ""  # the warcinfo names no operator


def test_a_real_host_is_not_crawled_without_a_contact(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "usfj", "-s", f"OUTPUT_DIR={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("crawl usfj: set CRAWLER_CONTACT")
    assert not (tmp_path / "warc").exists()


def test_media_of_the_site_and_of_a_mirror_are_fetched_others_not() -> None:
    mirror = _spider(base_url="http://127.0.0.1:8000")
    assert mirror.allowed(mirror.localize("https://media.defense.gov/2019/Dec/a.jpg"))
    assert not mirror.allowed("https://www.youtube.com/x.jpg")
    real = _spider()
    assert real.allowed("https://media.defense.gov/2019/Dec/a.jpg")
    assert not real.allowed("https://cdn.example.org/a.jpg")
