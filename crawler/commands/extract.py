"""``scrapy extract PATH --url URL``: one JSON record on stdout, or the refusal on stderr."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.extract import extract_archive, extract_file, is_archive, to_json
from crawler.parsers import Reject

EXIT_REFUSED = 1


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "PATH --url URL [--site SITE] | ARCHIVE.warc.gz | ARCHIVE.wacz"

    def short_desc(self) -> str:
        return "Extract the release of a saved page, or every release in a WARC/WACZ (JSON Lines)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="URL the page was fetched from (finds the site profile)")
        parser.add_argument("--site", help="site profile id, when the URL is not the real host")
        parser.add_argument("--content-type", help="Content-Type header (charset) of the page")
        parser.add_argument("--status", type=int, help="HTTP status the page was served with")
        parser.add_argument("--fetched", help="when the page was fetched (ISO 8601)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one PATH")
        if is_archive(args[0]):
            self.run_archive(Path(args[0]))
            return
        if not opts.url:
            raise UsageError("--url is required: the parser needs the page's URL")
        try:
            result = extract_file(
                args[0],
                opts.url,
                site=opts.site,
                content_type=opts.content_type,
                status=opts.status,
                fetched=opts.fetched,
            )
        except (OSError, KeyError) as error:
            print(f"error: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        if isinstance(result, Reject):
            print(f"refused: {result.reason}: {result.detail}", file=sys.stderr)
            self.exitcode = EXIT_REFUSED
            return
        print(to_json(result.to_dict()))

    def run_archive(self, path: Path) -> None:
        """Every release in a WARC or WACZ as JSON Lines; refusals summed up on stderr."""
        if not path.exists():
            print(f"error: no such file: {path}", file=sys.stderr)
            self.exitcode = 2
            return
        emitted = 0
        refused: Counter[str] = Counter()
        for result, capture in extract_archive(path):
            if isinstance(result, Reject):
                refused[result.reason] += 1
                print(f"refused: {result.url}: {result.reason}: {result.detail}", file=sys.stderr)
                continue
            record = result.to_dict()
            if capture is not None:
                record["archive"] = capture
            print(to_json(record))
            emitted += 1
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(refused.items())) or "none"
        print(f"{emitted} releases, refused: {reasons}", file=sys.stderr)
        if not emitted:
            self.exitcode = EXIT_REFUSED
