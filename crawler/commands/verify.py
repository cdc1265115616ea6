"""``scrapy verify PATH…``: check WARC, WARC.gz and WACZ files; non-zero exit on any failure."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.warc.verify import verify_collection, verify_paths


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[PATH ...]"

    def short_desc(self) -> str:
        return "Check WARC/WACZ files (structure, digests, links, HTTP, warcio, wacz)"

    def long_desc(self) -> str:
        return (
            "Check each file (folders: every WARC and WACZ under them) and print one line "
            "per file and a summary. With no PATH, or a PATH that is an output folder (it "
            "holds ARCHIVE_DIR), also check the collection: every revisit leads to content, "
            "every pointer in the releases files lands on its record, every WARC has its "
            "CDXJ. Exits 1 when anything fails."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        archive_dir = self.settings.get("ARCHIVE_DIR")
        paths = [Path(a) for a in args] or [Path(self.settings.get("OUTPUT_DIR") or "output")]
        reports = []
        for path in paths:
            if (path / archive_dir).is_dir():
                reports += verify_collection(path, archive_dir)
            elif not args:
                raise UsageError(f"nothing to verify under {path}")
            else:
                reports += verify_paths([path])
        for report in reports:
            print(report.line())
        failed = sum(not r.ok for r in reports)
        records = sum(r.records for r in reports if "!" not in r.path)
        print(
            f"{len(reports)} files checked, {len(reports) - failed} ok, {failed} failed"
            f" ({records} records)"
        )
        if failed or not reports:
            self.exitcode = 1
