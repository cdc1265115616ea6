"""``scrapy compact [--before YYYY-MM] [--site S] [--dry-run]``: merge each past month's run
files of a site into one, losing no line (``pipelines.compaction``)."""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.compaction import CompactionError, Group, compact, plan
from pipelines.locks import Locked, site_lock
from pipelines.state.store import StateStore

EXIT_LOCKED = 75  # as scrapy crawl: a run of the site is in progress, try again later


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--before YYYY-MM] [--site S] [--dry-run]"

    def short_desc(self) -> str:
        return "Merge each past month's releases, rejects and reports files of a site into one"

    def long_desc(self) -> str:
        return (
            "For every month before --before (default: the current UTC month) and every "
            "site: the month's releases and rejects files become one file with a manifest "
            "(runs, lines, bytes, SHA-256), checked against the originals before they are "
            "deleted; reports become one JSON line per run. Lines keep their positions, so "
            "export cursors stay valid. WARCs are never merged. Holds each site's lock; a "
            "site being crawled is skipped (exit 75)."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--before", help="compact months before YYYY-MM (default: this one)")
        parser.add_argument("--site", action="append", help="only this site (repeatable)")
        parser.add_argument("--dry-run", action="store_true", help="say what would be merged")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError("scrapy compact takes no positional arguments")
        before = opts.before or datetime.now(UTC).strftime("%Y-%m")
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", before):
            raise UsageError(f"--before must be YYYY-MM, got {before!r}")
        output = Path(self.settings.get("OUTPUT_DIR") or "output")
        if not (output / "releases").is_dir() and not (output / "state").is_dir():
            print(f"compact: no collection under {output}", file=sys.stderr)
            self.exitcode = 1
            return
        groups = plan(output, before.replace("-", "/"), set(opts.site or []))
        if opts.dry_run or not groups:
            for group in groups:
                print(f"{group.kind}/{group.month} {group.site}: {len(group.originals)} files")
            print(f"{len(groups)} groups to compact" if groups else "nothing to compact")
            return
        state = Path(self.settings.get("STATE_PATH"))
        state = state if state.is_absolute() else output / state
        for site in sorted({g.site for g in groups}):
            try:
                with site_lock(output, site, "scrapy compact"):
                    self._compact_site(output, state, [g for g in groups if g.site == site])
            except Locked as holder:
                print(f"compact {site}: a run is in progress ({holder}); skipped", file=sys.stderr)
                self.exitcode = self.exitcode or EXIT_LOCKED

    def _compact_site(self, output: Path, state: Path, groups: list[Group]) -> None:
        store = StateStore(state, output) if state.exists() else None
        try:
            for group in groups:
                try:
                    done = compact(output, group, store)
                except (CompactionError, OSError, sqlite3.Error) as error:
                    print(
                        f"compact {group.kind}/{group.month} {group.site}: {error}", file=sys.stderr
                    )
                    self.exitcode = 1
                    continue
                print(
                    f"{group.kind}/{group.month} {group.site}: {done.files} files -> "
                    f"{done.group.target.name} ({done.lines} lines added, {done.bytes} bytes)"
                )
        finally:
            if store is not None:
                store.close()
