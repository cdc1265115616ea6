"""``scrapy crawl``, with a per-site lock and an exit status that says how the run went.

- A second run of the same site while one is running exits at once (status 75, "try
  again later"), saying so: cron and systemd timers never stack runs.
- Exit 1 when the run report says ``failed`` (the close monitors failed: no listing read,
  a wave of refusals, invalid records, an abnormal finish), so schedulers see failure.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler

from crawler.monitors import FAILED_STAT
from crawler.profiles import get_profile
from crawler.spiders.articlecs import is_loopback
from pipelines.warc.archive import operator

EXIT_LOCKED = 75  # EX_TEMPFAIL


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider (incremental by default); exit non-zero when the run fails"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # its usage errors
            return
        assert self.settings is not None
        site = self._site(args[0], opts)
        if site is None or not self._operator_known(site, opts):
            self.exitcode = 2
            return
        lock_dir = Path(self.settings.get("OUTPUT_DIR") or "output") / "state"
        lock_dir.mkdir(parents=True, exist_ok=True)
        with (lock_dir / f"{site}.lock").open("a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                print(
                    f"crawl {site}: another run is in progress ({holder}); not starting",
                    file=sys.stderr,
                )
                self.exitcode = EXIT_LOCKED
                return
            lock.seek(0)
            lock.truncate()
            lock.write(f"pid {os.getpid()}\n")
            lock.flush()
            self._crawl(args[0], opts)

    def _site(self, name: str, opts: argparse.Namespace) -> str | None:
        """The site the crawl is for, validated: the lock file is named after it."""
        assert self.crawler_process is not None
        try:
            spider_class = self.crawler_process.spider_loader.load(name)
        except KeyError:
            known = ", ".join(self.crawler_process.spider_loader.list())
            print(f"crawl: no spider {name!r} (known: {known})", file=sys.stderr)
            return None
        if not hasattr(spider_class, "profile_id"):
            return name  # not a release spider: one lock per spider
        site = opts.spargs.get("site") or spider_class.profile_id or ""
        try:
            return get_profile(site).id
        except KeyError as error:
            print(f"crawl {name}: {error.args[0]}", file=sys.stderr)
            return None

    def _operator_known(self, site: str, opts: argparse.Namespace) -> bool:
        """A crawl of a real host says who runs it (User-Agent, warcinfo operator)."""
        assert self.settings is not None
        try:
            origin = opts.spargs.get("base_url") or get_profile(site).origin
        except KeyError:
            return True  # not a release spider
        if is_loopback(origin) or operator(self.settings):
            return True
        print(
            f"crawl {site}: set CRAWLER_CONTACT (an e-mail address or a URL): who runs this "
            f"crawl, for the User-Agent and the archive's warcinfo "
            f"(-s CRAWLER_CONTACT=you@example.org)",
            file=sys.stderr,
        )
        return False

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
