"""Close monitors (spidermon): the run's verdict, from what it was asked to do.

A run fails when it read no listing; when a listing page, feed, release or media file
could not be fetched after its retries (a walk left unfinished included: the ledger names
each one); on an exception in a spider callback or a pipeline; when its output could not be
written; on a wave of refusals or an invalid record; when it did not finish normally. The
run report and the exit status of ``scrapy crawl`` follow this verdict.
"""

from __future__ import annotations

import warnings
from typing import Any

from scrapy.exceptions import ScrapyDeprecationWarning
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action

from crawler.extensions.errors import ERRORS_STAT
from crawler.parsers.model import NOT_A_RELEASE
from crawler.spiders.ledger import UNFETCHED_STAT, Unfetched
from pipelines.failure import WRITE_ERROR_STAT

FAILED_STAT = "monitors/failed"
# Refusals that say a parser did not recognise a page (not that the site failed).
_GUESS_REASONS = ("missing_fields", "not_a_release", "wrong_page", "invalid")
_NAMED = 10  # failures named in the verdict; the report lists all

# spidermon 1.27 logs through Spider.log(), deprecated in Scrapy 2.19: not ours to fix.
warnings.filterwarnings(
    "ignore", message=r"Spider\.log\(\) is deprecated", category=ScrapyDeprecationWarning
)


def _count(stats: dict[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


@monitors.name("Run")
class RunMonitor(Monitor):
    def _settings(self) -> Any:
        return self.data.crawler.settings

    @monitors.name("a listing or feed was readable")
    def test_listing_readable(self) -> None:
        if getattr(self.data.spider, "profile", None) is None:
            self.skipTest("not a release spider: it reads no listing")
        stats = self.data.stats
        if stats.get("discovery/failed"):
            self.skipTest("the site was not crawled: see the finish reason")
        read = sum(
            stats.get(key, 0)
            for key in ("listing/pages", "listing/not_modified", "feed/pages", "feed/not_modified")
        )
        if not read:
            self.fail("no listing page or feed could be read")

    @monitors.name("everything asked for was fetched")
    def test_everything_fetched(self) -> None:
        entries = [Unfetched(**entry) for entry in self.data.stats.get(UNFETCHED_STAT) or []]
        if entries:
            self.fail(_listed(f"{len(entries)} could not be fetched", [e.name() for e in entries]))

    @monitors.name("no exception in a spider or a pipeline")
    def test_no_exception(self) -> None:
        stats = self.data.stats
        errors = list(stats.get(ERRORS_STAT) or [])
        count = max(stats.get("run/errors_count", 0), stats.get("spider_exceptions/count", 0))
        if count:
            self.fail(_listed(f"{count} exceptions", errors or ["(see the log)"]))

    @monitors.name("output written")
    def test_output_written(self) -> None:
        error = self.data.stats.get(WRITE_ERROR_STAT)
        if error:
            self.fail(str(error))

    @monitors.name("refusals below the threshold")
    def test_refusals(self) -> None:
        stats = self.data.stats
        # An article read right and of a kind the crawl does not take is not a refusal here.
        refused = stats.get("release/rejected", 0) - stats.get("release/other_kind", 0)
        attempted = (
            refused
            + _count(stats, "release/new")
            + stats.get("release/unchanged", 0)
            + stats.get("release/not_modified", 0)
        )
        limit = self._settings().getint("MONITOR_MAX_REFUSALS")
        ratio = self._settings().getfloat("MONITOR_MAX_REFUSAL_RATIO")
        if refused > limit and refused > ratio * max(attempted, 1):
            self.fail(f"{refused} of {attempted} releases refused (a block wave?)")

    @monitors.name("an experimental profile's guess holds")
    def test_experimental_profile(self) -> None:
        """A profile built on guessed markup fails its run at the first page it cannot
        read as a release, so a real run shows at once where the guess was wrong."""
        profile = getattr(self.data.spider, "profile", None)
        if profile is None or not profile.experimental:
            self.skipTest("not an experimental profile")
            return
        stats = self.data.stats
        # An article read right and found to be a kind the crawl does not take is no miss.
        wanted_elsewhere = {NOT_A_RELEASE: stats.get("release/other_kind", 0)}
        missed = {
            reason: count
            for reason in _GUESS_REASONS
            if (
                count := stats.get(f"release/rejected/{reason}", 0)
                - wanted_elsewhere.get(reason, 0)
            )
            > 0
        }
        if missed:
            named = ", ".join(f"{count} {reason}" for reason, count in sorted(missed.items()))
            self.fail(
                f"experimental profile {profile.id!r}: pages refused ({named}); its guessed "
                "markup may be wrong (see the rejects file)"
            )

    @monitors.name("no invalid release")
    def test_invalid(self) -> None:
        invalid = self.data.stats.get("release/rejected/invalid", 0)
        self.assertLessEqual(
            invalid,
            self._settings().getint("MONITOR_MAX_INVALID"),
            msg=f"{invalid} records failed the JSON Schema",
        )

    @monitors.name("finished normally")
    def test_finish_reason(self) -> None:
        reason = self.data.stats.get("finish_reason")
        if reason != "finished":
            why = self.data.stats.get("discovery/failed")
            self.fail(f"finish reason {reason!r}" + (f": {why}" if why else ""))


def _listed(summary: str, names: list[str]) -> str:
    more = f"; and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return f"{summary}: " + "; ".join(names[:_NAMED]) + more


class RecordFailures(Action):
    """Leave the failed monitors in the stats, for the run report and the exit status."""

    def run_action(self) -> None:
        failures = [
            f"{result.monitor.name}: {result.reason}".strip()
            for result in self.result.monitors_failed_results
        ]
        self.data.crawler.stats.set_value(FAILED_STAT, failures)


class CloseMonitors(MonitorSuite):
    monitors = [RunMonitor]  # noqa: RUF012 (spidermon's declarative API)
    monitors_failed_actions = [RecordFailures]  # noqa: RUF012
