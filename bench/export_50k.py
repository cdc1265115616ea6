"""Time and size of each export format for 50,000 records (written to RESULTS.md by hand).

    .venv/bin/python bench/export_50k.py [--records 50000]

Builds an OUTPUT_DIR of synthetic records from the parser fixtures (ids made unique, every
tenth release given a second version), then runs `scrapy export` for each format and view.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixturetool import all_fixtures  # noqa: E402


def build(output: Path, count: int) -> None:
    models = [f.run() for f in all_fixtures() if "reject" not in f.expected()]
    folder = output / "releases"
    folder.mkdir(parents=True)
    with (folder / "bench-20261125T000000Z.jsonl").open("w", encoding="utf-8") as handle:
        for index in range(count):
            record = copy.deepcopy(models[index % len(models)])
            site = record["site"]
            record["id"] = f"{site}:{1_000_000 + index}"
            record.update(
                fetched="2026-11-25T00:00:00.000000Z",
                version=1,
                first_seen="2026-11-25T00:00:00.000000Z",
                previous=None,
            )
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            if index % 10 == 0:
                edited = dict(
                    record,
                    text=record["text"] + "\n\nCorrection.",
                    version=2,
                    previous={
                        "version": 1,
                        "fetched": record["fetched"],
                        "content_digest": "sha256:x",
                    },
                )
                handle.write(json.dumps(edited, ensure_ascii=False) + "\n")


OUT = "OUTPUT_DIR="


def _export(output: Path, target: Path, *args: str) -> tuple[str, float]:
    """Run ``scrapy export``; its row count and wall time (interpreter start included)."""
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "export",
            "-o",
            str(target),
            *args,
            "-s",
            OUT + str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split(": ", 1)[1].split(" rows")[0], time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder)
        build(output, args.records)
        (output / "exports").mkdir()
        print("| format | view | rows | seconds | size |")
        print("|---|---|---|---|---|")
        for fmt in ("jsonl", "csv", "parquet", "sqlite"):
            for view in ("latest", "all", "changes"):
                target = output / "exports" / f"{view}.{fmt}"
                rows, seconds = _export(output, target, "--view", view)
                size = target.stat().st_size / 1e6
                print(f"| {fmt} | {view} | {rows} | {seconds:.1f} | {size:.1f} MB |")
        # A scheduled incremental export: the first reads everything, the next finds nothing
        # new (it still reads every line: the cost grows with the collection).
        for attempt in ("first", "next"):
            for view in ("all", "changes"):
                target = output / "exports" / f"daily-{view}.csv"
                rows, seconds = _export(output, target, "--view", view, "--incremental")
                cursor = target.with_name(target.name + ".cursor.json").stat().st_size
                print(
                    f"| csv --incremental ({attempt}) | {view} | {rows} | {seconds:.1f} | "
                    f"cursor {cursor} bytes |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
