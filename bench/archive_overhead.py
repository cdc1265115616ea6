"""Throughput of a mirror crawl with and without archiving (pages/s), written to RESULTS.md.

    .venv/bin/python bench/archive_overhead.py [--scale 300] [--site wargov] [--rounds 3]

Starts the mirror with generated releases, crawls one site alternately with
ARCHIVE_ENABLED on and off, and reports the median pages/s (responses / elapsed time, from
Scrapy's stats). Server and crawler share the machine's cores: compare runs of one machine.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def crawl(site: str, origin: str, archive: bool, output: Path) -> tuple[int, float]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            site,
            "-a",
            f"base_url={origin}",
            "-s",
            f"OUTPUT_DIR={output}",
            "-s",
            f"ARCHIVE_ENABLED={int(archive)}",
            "-s",
            "LOG_LEVEL=INFO",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    responses = int(re.search(r"'response_received_count': (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", done.stderr).group(1))  # type: ignore[union-attr]
    return responses, elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=300)
    parser.add_argument("--site", default="wargov")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    mirror = subprocess.Popen(
        [sys.executable, "-m", "mirror", "--scale", str(args.scale)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert mirror.stdout is not None
        origin = json.loads(mirror.stdout.readline())[args.site]
        rates: dict[bool, list[float]] = {True: [], False: []}
        pages = 0
        for _round in range(args.rounds):
            for archive in (False, True):
                with tempfile.TemporaryDirectory() as folder:
                    pages, elapsed = crawl(args.site, origin, archive, Path(folder))
                    rates[archive].append(pages / elapsed)
    finally:
        mirror.terminate()
    off, on = statistics.median(rates[False]), statistics.median(rates[True])
    line = (
        f"| {args.site} | {args.scale} | {pages} | {off:.1f} | {on:.1f} | "
        f"{(off - on) / off * 100:.1f} % |"
    )
    print(
        "| site | generated releases | responses | pages/s, archive off "
        "| pages/s, archive on | overhead |"
    )
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
