"""Run a real ``scrapy crawl`` (the command users run) and read what it wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.records import is_status_event
from pipelines.output import run_files

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CrawlResult:
    output_dir: Path
    returncode: int
    log: str
    site: str | None = None

    def _read(self, kind: str) -> list[dict[str, Any]]:
        records = []
        for path in run_files(self.output_dir / kind):
            with path.open(encoding="utf-8") as handle:
                records += [json.loads(line) for line in handle if line.strip()]
        return records

    @property
    def releases(self) -> list[dict[str, Any]]:
        """The releases' records (versions), without status lines."""
        return [r for r in self._read("releases") if not is_status_event(r)]

    @property
    def status_lines(self) -> list[dict[str, Any]]:
        """Lines saying a release is gone or returned."""
        return [r for r in self._read("releases") if is_status_event(r)]

    @property
    def rejects(self) -> list[dict[str, Any]]:
        return self._read("rejects")

    @property
    def reports(self) -> list[dict[str, Any]]:
        paths = run_files(self.output_dir / "reports", ".json")
        return [json.loads(path.read_text(encoding="utf-8")) for path in paths]

    @property
    def report(self) -> dict[str, Any]:
        """The newest run report of this crawl's site (several may share the folder)."""
        reports = [r for r in self.reports if self.site is None or r["site"] == self.site]
        return sorted(reports, key=lambda r: str(r["end"]))[-1]


def scrapy_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", *args]


def scrapy_in(output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A ``scrapy`` command (export, compact, verify, …) on the collection ``output``."""
    return subprocess.run(
        [*scrapy_command(*args), "-s", f"OUTPUT_DIR={output}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def crawl_command(
    spider: str, base_url: str, output_dir: Path, *args: str, log_level: str = "WARNING"
) -> list[str]:
    """The ``scrapy crawl`` command line a scheduler would run."""
    return [
        *scrapy_command("crawl"),
        spider,
        "-a",
        f"base_url={base_url}",
        "-s",
        f"OUTPUT_DIR={output_dir}",
        "-s",
        f"LOG_LEVEL={log_level}",
        *args,
    ]


def crawl(spider: str, base_url: str, output_dir: Path, *args: str) -> CrawlResult:
    command = crawl_command(spider, base_url, output_dir, *args, log_level="INFO")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return CrawlResult(output_dir, done.returncode, done.stderr, spider)
