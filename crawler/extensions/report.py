"""A report of every run: JSON in OUTPUT_DIR/reports, and a one-screen summary on stdout.

Written when the engine stops, after the close monitors ran, so it carries their verdict:
``status`` is ``ok`` or ``failed`` (with the reasons), and ``scrapy crawl`` exits non-zero
on ``failed``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.errors import ERRORS_STAT
from crawler.monitors import FAILED_STAT
from crawler.spiders.ledger import UNFETCHED_STAT, Unfetched
from pipelines.output import run_file
from pipelines.rejects import REFUSED_STAT

REPORT_KEY = "report/path"

logger = logging.getLogger(__name__)


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {
        k.removeprefix(prefix): v
        for k, v in sorted(stats.items())
        if k.startswith(prefix) and isinstance(v, int)
    }


def _iso(value: Any) -> str | None:
    return (
        value.astimezone(UTC).isoformat(timespec="seconds") if isinstance(value, datetime) else None
    )


def build_report(stats: dict[str, Any], spider: Spider) -> dict[str, Any]:
    failures = list(stats.get(FAILED_STAT) or [])
    profile = getattr(spider, "profile", None)
    return {
        "spider": spider.name,
        "site": profile.id if profile is not None else None,
        "status": "failed" if failures else "ok",
        "failures": failures,
        # What the run was asked to do (a revisit that checked nothing reads as one).
        "arguments": stats.get("run/arguments") or {},
        "revisited": stats.get("release/revisited", 0),
        "start": _iso(stats.get("start_time")),
        "end": _iso(stats.get("finish_time")),
        "finish_reason": stats.get("finish_reason"),
        "requests": stats.get("downloader/request_count", 0),
        "responses_304": stats.get("downloader/response_status_count/304", 0),
        "new_releases": stats.get("release/new", 0),
        "new_versions": stats.get("release/new_version", 0),
        "unchanged": stats.get("release/unchanged", 0) + stats.get("release/not_modified", 0),
        "gone": stats.get("release/gone", 0),
        "returned": stats.get("release/returned", 0),
        # Requests (redirects among them) to hosts outside the site, dropped by Scrapy.
        "offsite_dropped": stats.get("offsite/filtered", 0),
        "refusals": _prefixed(stats, "release/rejected/"),
        # Every page refused in this run: id, URL, reason (the rejects file has the detail).
        "refused": list(stats.get(REFUSED_STAT) or []),
        # What it was asked to fetch and did not get, by name (the run failed on them).
        "unfetched": list(stats.get(UNFETCHED_STAT) or []),
        "retries": stats.get("retry/count", 0),
        # Blocks seen, and the longest delay between requests they imposed on the host.
        "slowdown": {
            "blocks": stats.get("slowdown/blocks", 0),
            "max_delay": stats.get("slowdown/max_delay", 0.0),
        },
        "errors": {
            "log_errors": stats.get("log_count/ERROR", 0),
            "exceptions": list(stats.get(ERRORS_STAT) or []),
            **_prefixed(stats, "downloader/exception_type_count/"),
        },
        # What the start of the run found in the files earlier runs left.
        "state": {
            "replayed_lines": stats.get("state/replayed_releases", 0),
            "cut_lines": stats.get("state/cut_lines", 0),
            "damaged_files": list(stats.get("state/damaged_files") or []),
            "refetch": list(stats.get("state/refetch_releases") or []),
            # WARCs an interrupted run left open, cut back to whole exchanges and indexed.
            "repaired_warcs": list(stats.get("archive/repaired_files") or []),
            # A damaged store moved aside (its new path) and rebuilt from the files.
            "rebuilt_from": stats.get("state/rebuilt_from"),
            # Earlier runs of the site that were killed before they could report.
            "interrupted_runs": list(stats.get("state/interrupted_runs") or []),
        },
        # Releases refused by this or an earlier run, not recorded yet: when each is tried.
        "waiting": stats.get("state/waiting") or {"count": 0, "releases": []},
        "bytes_archived": stats.get("archive/bytes", 0),
        "files": {
            k.removeprefix("output/"): v
            for k, v in stats.items()
            if k.startswith("output/") and isinstance(v, str)
        },
        "archive_files": stats.get("archive/files", []),
    }


def _revisited(report: dict[str, Any]) -> str:
    """How many known releases the run checked again, and which (a revisit of none shows)."""
    revisit, by = report["arguments"].get("revisit"), report["arguments"].get("revisit_by")
    if not revisit:
        return ""
    which = "all known" if revisit is True else f"{by} in the last {revisit} days"
    return f", revisited {report['revisited']} ({which})"


def summary(report: dict[str, Any]) -> str:
    refusals = ", ".join(f"{k} {v}" for k, v in report["refusals"].items()) or "none"
    lines = [
        f"{report['spider']}: {report['status'].upper()} ({report['finish_reason']}), "
        f"{report['start']} to {report['end']}",
        f"  requests {report['requests']} (304: {report['responses_304']}), "
        f"new releases {report['new_releases']}, new versions {report['new_versions']}, "
        f"unchanged {report['unchanged']}, gone {report['gone']}, returned {report['returned']}"
        + _revisited(report),
        f"  refusals: {refusals}; errors: {report['errors']['log_errors']}; "
        f"archived {report['bytes_archived']} bytes",
    ]
    slowdown = report["slowdown"]
    if slowdown["blocks"]:
        lines.append(
            f"  slowed down: {slowdown['blocks']} blocks, up to "
            f"{round(slowdown['max_delay'], 2):g} s between requests"
        )
    waiting = report["waiting"]
    if waiting["count"]:
        first = min((r["retry_at"] or "" for r in waiting["releases"]), default="")
        lines.append(
            f"  waiting: {waiting['count']} releases refused and not recorded yet "
            f"(next try from {first or 'the next run'})"
        )
    interrupted = report["state"]["interrupted_runs"]
    if interrupted:
        lines.append(f"  earlier runs that did not finish: {', '.join(interrupted)}")
    if report["unfetched"]:
        names = [Unfetched(**entry).name() for entry in report["unfetched"]]
        lines.append(f"  not fetched ({len(names)}): " + "; ".join(names[:3]))
    lines += [f"  failed: {failure}" for failure in report["failures"]]
    return "\n".join(lines)


class RunReport:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        if not crawler.settings.getbool("REPORT_ENABLED"):
            raise NotConfigured("REPORT_ENABLED is off")
        extension = cls(crawler)
        # After everything that runs on spider_closed: the close monitors, and the archive,
        # which closes and indexes its files there.
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        stats = self.crawler.stats
        spider = self.crawler.spider
        if stats is None or spider is None:
            return
        collected = stats.get_stats()
        collected.setdefault("finish_time", datetime.now(UTC))
        report = build_report(collected, spider)
        try:
            path: Path = run_file(self.crawler, "reports", ".json")
            path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
        except OSError as error:  # a full disk: the summary below still says how it went
            logger.error("could not write the run report: %s", error)
        else:
            stats.set_value(REPORT_KEY, str(path))
        print(summary(report), file=sys.stdout, flush=True)
