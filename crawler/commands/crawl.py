"""``scrapy crawl``, with checked arguments, a per-site lock and an exit status that says
how the run went.

- The spider and its arguments are checked before Scrapy starts: a bad one is one line
  on stderr and exit 2, and no file is made from it.
- A second run of the same site while one is running exits at once (status 75, "try
  again later"), saying so: cron and systemd timers never stack runs.
- Exit 1 when the run report says ``failed`` (the close monitors failed: no listing read,
  a wave of refusals, invalid records, an abnormal finish), so schedulers see failure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiderloader import get_spider_loader

from crawler.monitors import FAILED_STAT
from crawler.spiders.arguments import ArgumentError, crawl_arguments
from crawler.spiders.articlecs import ArticleCSSpider, is_loopback
from pipelines.locks import Locked, site_lock
from pipelines.output import NAMED_BY_SETTINGS, plain_name
from pipelines.warc.archive import operator

EXIT_LOCKED = 75  # EX_TEMPFAIL


class Command(ScrapyCrawl):
    site = ""  # the validated site id (process_options)

    def short_desc(self) -> str:
        return "Run a spider (incremental by default); exit non-zero when the run fails"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Check the spider and its arguments before Scrapy starts: one line, exit 2."""
        super().process_options(args, opts)
        if len(args) != 1:
            return  # run() gives Scrapy's usage error
        assert self.settings is not None
        try:
            self.site = self._site(args[0], opts)
            for setting in NAMED_BY_SETTINGS:
                plain_name(self.settings.get(setting), setting)
        except (ArgumentError, ValueError) as error:
            print(f"crawl {args[0]}: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # its usage errors
            return
        assert self.settings is not None
        output = Path(self.settings.get("OUTPUT_DIR") or "output")
        try:
            with site_lock(output, self.site):
                self._crawl(args[0], opts)
        except Locked as holder:
            print(
                f"crawl {self.site}: another run is in progress ({holder}); not starting",
                file=sys.stderr,
            )
            self.exitcode = EXIT_LOCKED

    def _site(self, name: str, opts: argparse.Namespace) -> str:
        """The site the crawl is for, from validated arguments: the lock is named after it."""
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        try:
            spider_class = loader.load(name)
        except KeyError:
            raise ArgumentError(f"no such spider (known: {', '.join(loader.list())})") from None
        if not issubclass(spider_class, ArticleCSSpider):
            return name  # not a release spider: one lock per spider
        arguments = crawl_arguments(spider_class.profile_id, opts.spargs)
        if not is_loopback(arguments.base_url) and not operator(self.settings):
            raise ArgumentError(
                "set CRAWLER_CONTACT (an e-mail address or a URL): who runs this crawl, "
                "for the User-Agent and the archive's warcinfo "
                "(-s CRAWLER_CONTACT=you@example.org)"
            )
        return arguments.profile.id

    def _crawl(self, name: str, opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler: Crawler = self._create_crawler(name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        if stats.get(FAILED_STAT) or stats.get("finish_reason") not in (None, "finished"):
            self.exitcode = 1
