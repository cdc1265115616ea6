"""``scrapy diff ID``: what changed between versions of a release, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.export.diff import diff_versions, unified_text
from pipelines.export.records import first_written, histories
from pipelines.export.stream import read_events


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "ID [--from N] [--to M] [--json]"

    def short_desc(self) -> str:
        return "Show what changed between two versions of a release (default: the last two)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--from", dest="old", type=int, help="older version (default: to - 1)")
        parser.add_argument("--to", dest="new", type=int, help="newer version (default: latest)")
        parser.add_argument("--json", action="store_true", help="the diff as JSON")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if len(args) != 1:
            raise UsageError("give one release id, e.g. usfj:4236221")
        output = Path(self.settings.get("OUTPUT_DIR") or "output")
        history = histories(first_written(read_events(output / "releases"))).get(args[0])
        versions = {int(r.get("version") or 1): r for r in history.versions} if history else {}
        if not versions:
            print(f"no release {args[0]!r} under OUTPUT_DIR", file=sys.stderr)
            self.exitcode = 1
            return
        if len(versions) == 1 and not (opts.old or opts.new):
            print(
                f"{args[0]}: only version {min(versions)} is known; nothing to compare",
                file=sys.stderr,
            )
            self.exitcode = 1
            return
        new = opts.new or max(versions)
        old = opts.old or max((v for v in versions if v < new), default=new)
        if old not in versions or new not in versions:
            print(f"{args[0]} has versions {sorted(versions)}", file=sys.stderr)
            self.exitcode = 1
            return
        diff = diff_versions(versions[old], versions[new])
        if opts.json:
            print(json.dumps(diff, ensure_ascii=False, indent=2))
        else:
            sys.stdout.write(unified_text(diff))
