"""``scrapy profile URL``: describe an AFPIMS site from its own pages, as a profile file.

Prints the TOML of ``crawler/profiles/*.toml`` with what was found, and why, as comments,
so it can be saved as a named site. Exit 1 with the reason when the site shows no release
section (or its home page cannot be read); nothing is written under OUTPUT_DIR.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from crawler.profiles.discovery import Discovery, NoReleaseSection
from crawler.profiles.toml import profile_toml
from crawler.spiders.arguments import ArgumentError, origin
from crawler.spiders.articlecs import is_loopback, relax_for_mirror
from crawler.spiders.discovering import discover_site
from pipelines.warc.archive import operator

EXIT_NOTHING_FOUND = 1
EXIT_USAGE = 2
# Discovery only: no pipeline, archive, state, report or monitor runs.
_DISCOVERY_ONLY: dict[str, object] = {
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {
        "crawler.extensions.errors.ErrorCollector": None,
        "spidermon.contrib.scrapy.extensions.Spidermon": None,
        "crawler.extensions.report.RunReport": None,
        "crawler.extensions.progress.ProgressLine": None,
    },
    "SPIDERMON_ENABLED": False,
    "ARCHIVE_ENABLED": False,
    "STATE_ENABLED": False,
}


class ProfileSpider(scrapy.Spider):
    """Reads the pages discovery asks for; keeps the result (or why there is none)."""

    name = "profile"
    found: Discovery | None = None
    problem: str | None = None

    def __init__(self, base_url: str, site_origin: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url
        self.site_origin = site_origin

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProfileSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        relax_for_mirror(crawler.settings, spider.base_url)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        try:
            self.found = await discover_site(self.crawler, self.base_url, self.site_origin)
        except NoReleaseSection as error:
            self.problem = str(error)
        return
        yield  # an async generator that yields nothing: discovery is all it does


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = True

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # Over the project's settings: a profile run reads pages and writes nothing.
        self.settings.setdict(_DISCOVERY_ONLY, priority="cmdline")
        if not opts.loglevel:  # the profile on stdout, problems on stderr, no chatter
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def syntax(self) -> str:
        return "URL [--base-url MIRROR]"

    def short_desc(self) -> str:
        return "Describe an AFPIMS site from its pages: print its profile (TOML)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--base-url", help="read the pages here (a mirror of URL) instead of at URL"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one URL")
        assert self.settings is not None and self.crawler_process is not None
        for value, name in ((_origin_part(args[0]), "URL"), (opts.base_url, "--base-url")):
            try:
                if value:
                    origin(value)
            except ArgumentError:
                print(
                    f"profile: {name} must be an http(s) address such as https://www.dla.mil,"
                    f" got {value!r}",
                    file=sys.stderr,
                )
                self.exitcode = EXIT_USAGE
                return
        site_origin = origin(_origin_part(args[0]))
        base_url = origin(opts.base_url) if opts.base_url else site_origin
        if not is_loopback(base_url) and not operator(self.settings):
            print(
                "profile: set CRAWLER_CONTACT (an e-mail address or a URL): who reads the "
                "site, for the User-Agent (-s CRAWLER_CONTACT=you@example.org)",
                file=sys.stderr,
            )
            self.exitcode = EXIT_USAGE
            return
        crawler = self.crawler_process.create_crawler(ProfileSpider)
        self.crawler_process.crawl(crawler, base_url=base_url, site_origin=site_origin)
        self.crawler_process.start()
        spider = crawler.spider
        assert isinstance(spider, ProfileSpider)
        if spider.found is None:
            reason = spider.problem or "discovery did not finish (see the log)"
            print(f"profile {site_origin}: {reason}", file=sys.stderr)
            self.exitcode = EXIT_NOTHING_FOUND
            return
        notes = [f"Discovered from {base_url} by `scrapy profile`.", *spider.found.notes]
        sys.stdout.write(profile_toml(spider.found.profile, notes))


def _origin_part(url: str) -> str:
    """``https://www.dla.mil/News/`` -> ``https://www.dla.mil``: discovery starts at home."""
    scheme, _, rest = url.strip().partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else url
