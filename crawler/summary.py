"""``python -m crawler.summary [OUTPUT_DIR]``: releases and rejects of each site's latest run."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from crawler.records import is_status_event
from pipelines.output import run_files, site_of_run_file


def _latest_runs(folder: Path) -> dict[str, Path]:
    """Newest ``<site>-<stamp>.jsonl`` per site (stamps sort as text)."""
    latest: dict[str, Path] = {}
    for path in run_files(folder):
        latest[site_of_run_file(path.name) or path.stem] = path
    return latest


def _lines(path: Path | None) -> list[dict[str, object]]:
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def summarize(output_dir: Path) -> str:
    releases = _latest_runs(output_dir / "releases")
    rejects = _latest_runs(output_dir / "rejects")
    sites = sorted(set(releases) | set(rejects))
    width = max([8, *map(len, sites)])  # a discovered site's id is its host
    rows = [f"{'site':<{width}} {'releases':>8} {'rejects':>8}  reasons"]
    total_releases = total_rejects = 0
    for site in sites:
        emitted = [r for r in _lines(releases.get(site)) if not is_status_event(r)]
        refused = _lines(rejects.get(site))
        reasons = Counter(str(r.get("reason")) for r in refused)
        total_releases += len(emitted)
        total_rejects += len(refused)
        detail = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items()))
        rows.append(f"{site:<{width}} {len(emitted):>8} {len(refused):>8}  {detail or '-'}")
    rows.append(f"{'total':<{width}} {total_releases:>8} {total_rejects:>8}")
    rows.append("")
    rows.append(f"releases: {output_dir / 'releases'}/YYYY/MM/<site>-<run time>.jsonl")
    rows.append(f"rejects:  {output_dir / 'rejects'}/YYYY/MM/<site>-<run time>.jsonl")
    warcs = sorted((output_dir / "warc").glob("*.warc.gz"))
    if warcs:
        size = sum(p.stat().st_size for p in warcs)
        rows.append(
            f"archive:  {len(warcs)} WARC files ({size / 1e6:.1f} MB) with CDXJ "
            f"indexes in {output_dir / 'warc'}"
        )
    packages = sorted((output_dir / "wacz").glob("*.wacz"))
    if packages:
        rows.append(f"package:  {packages[-1]}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(summarize(Path(args[0] if args else "output")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
