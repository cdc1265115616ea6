"""``scrapy package``: build a WACZ from the crawl's WARCs, every release page listed."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.warc.package import build_wacz, release_pages


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[WARC ...] [-o OUT.wacz]"

    def short_desc(self) -> str:
        return "Package WARCs (default: all under OUTPUT_DIR) as a WACZ with pages.jsonl"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            help="the .wacz to write (default: OUTPUT_DIR/wacz/<prefix>-<UTC time>.wacz)",
        )
        parser.add_argument("--title", help="title of the package")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        output = Path(self.settings.get("OUTPUT_DIR") or "output")
        warcs = [Path(a) for a in args] or sorted(
            (output / self.settings.get("ARCHIVE_DIR")).glob("*.warc.gz")
        )
        if not warcs:
            raise UsageError(f"no closed WARC files under {output}")
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        target = (
            Path(opts.output)
            if opts.output
            else (output / "wacz" / f"{self.settings.get('ARCHIVE_PREFIX')}-{stamp}.wacz")
        )
        pages = release_pages(output / "releases", {w.name for w in warcs})
        build_wacz(warcs, target, pages, title=opts.title)
        print(f"{target}: {len(warcs)} WARC files, {len(pages)} release pages")
