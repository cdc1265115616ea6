"""``scrapy export -o PATH --format jsonl|csv|parquet|sqlite``: what the runs wrote, exported."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.export.formats import FORMATS
from pipelines.export.records import VIEWS
from pipelines.export.run import ExportError, export


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return (
            "-o PATH [--format FORMAT] [--view VIEW] [--site S] [--since DATE] [--lang L] "
            "[--incremental] [--excel]"
        )

    def short_desc(self) -> str:
        return "Export the releases under OUTPUT_DIR (JSONL, CSV, Parquet, SQLite) with a card"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", required=True, help="file to write")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="default: from the file extension (.jsonl .csv .parquet .sqlite)",
        )
        parser.add_argument(
            "--view",
            choices=VIEWS,
            default="latest",
            help="the newest version and status of each release (latest, the default), "
            "every event, each version and each removal or return (all), or one row per "
            "release edited or removed (changes)",
        )
        parser.add_argument("--site", help="one site id")
        parser.add_argument("--since", help="published on or after DATE (YYYY-MM-DD)")
        parser.add_argument("--lang", help="releases with a section in this language")
        parser.add_argument(
            "--kind", help="only these kinds (release, news, commentary, ...; comma-separated)"
        )
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="only what is new since the last export to this PATH (a cursor beside it)",
        )
        parser.add_argument(
            "--excel",
            action="store_true",
            help="CSV for Excel: UTF-8 with a byte order mark, CRLF line ends",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError("scrapy export takes no positional arguments")
        path = Path(opts.output)
        fmt = opts.format or {
            ".jsonl": "jsonl",
            ".csv": "csv",
            ".parquet": "parquet",
            ".sqlite": "sqlite",
            ".db": "sqlite",
        }.get(path.suffix)
        if fmt is None:
            raise UsageError("give --format (the file extension does not name one)")
        if opts.excel and fmt != "csv":
            raise UsageError("--excel is for CSV (UTF-8 with a byte order mark)")
        if not path.parent.is_dir():  # a mistyped folder is refused, not created
            print(f"export: cannot write {path}: no folder {path.parent}", file=sys.stderr)
            self.exitcode = 1
            return
        output = Path(self.settings.get("OUTPUT_DIR") or "output")
        try:
            result = export(
                output,
                path,
                fmt,
                opts.view,
                opts.site,
                opts.since,
                opts.lang,
                opts.incremental,
                Path(self.settings.get("STATE_PATH")),
                excel=opts.excel,
                kind=opts.kind,
            )
        except ExportError as error:
            print(f"export: {error}", file=sys.stderr)
            self.exitcode = 1
            return
        except (OSError, sqlite3.Error) as error:  # the writers remove their temporary files
            print(_failure(path, error), file=sys.stderr)
            self.exitcode = 1
            return
        print(
            f"{result.path}: {result.rows} rows ({opts.view}) from {result.records_read} "
            f"records; card {result.card}"
        )


def _failure(path: Path, error: OSError | sqlite3.Error) -> str:
    """One line for a failed export, naming the file the user gave (not a temporary one)."""
    filename = getattr(error, "filename", None)
    reason = getattr(error, "strerror", None) or str(error)
    if filename is not None and Path(filename).parent != path.parent:
        return f"export: cannot read {filename}: {reason}"
    return f"export: cannot write {path}: {reason}"
