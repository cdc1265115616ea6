"""Package WARCs as a WACZ (the ``wacz`` package), with every release page in pages.jsonl.

wacz streams the WARCs into the zip on disk; the package is written under a temporary
name and renamed when complete. Pages come from the JSON records, which say where each
release was captured (``archive.target_uri`` and ``archive.date``).
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

from ..output import run_files


def release_pages(releases_dir: Path, warc_names: set[str]) -> list[dict[str, Any]]:
    """One page per release capture found in ``warc_names``, in file then line order."""
    pages: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for path in run_files(releases_dir):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                capture = record.get("archive") or {}
                if capture.get("warc") not in warc_names:
                    continue
                key = (capture["target_uri"], capture["date"])
                if key not in seen:
                    seen.add(key)
                    pages.append(
                        {
                            "url": capture["target_uri"],
                            "ts": capture["date"],
                            "title": record.get("title") or capture["target_uri"],
                        }
                    )
    return pages


def build_wacz(
    warcs: Iterable[Path], target: Path, pages: list[dict[str, Any]], title: str | None = None
) -> Path:
    """Write ``target`` (.wacz) from ``warcs`` with ``pages``; return it."""
    import wacz.main

    from .index import refused_captures, replayable

    warc_list = [str(p) for p in warcs]
    if not warc_list:
        raise ValueError("no WARC files to package")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    with tempfile.TemporaryDirectory(prefix="wacz-pages-") as folder:
        pages_file = Path(folder) / "pages.jsonl"
        with pages_file.open("w", encoding="utf-8") as handle:
            handle.write(
                json.dumps(
                    {"format": "json-pages-1.0", "id": "pages", "title": title or "Release pages"}
                )
                + "\n"
            )
            for page in pages:
                handle.write(json.dumps(page, ensure_ascii=False) + "\n")
        args = ["create", "-o", str(partial), "-p", str(pages_file), *warc_list]
        if title:
            args += ["--title", title]
        # wacz builds its index with its own WACZIndexer; the same records are left out of it
        # as out of the CDXJ (a 304 revisit, a refused capture): patched for this call, as
        # wacz has no option for it.
        indexer = wacz.main.WACZIndexer
        refused = refused_captures([Path(w) for w in warc_list])
        replay_indexer = type(
            "ReplayWACZIndexer",
            (indexer,),
            {
                "filter_record": lambda self, r: (
                    indexer.filter_record(self, r) and replayable(r, refused)
                )
            },
        )
        with (
            redirect_stdout(io.StringIO()) as said,
            mock.patch.object(wacz.main, "WACZIndexer", replay_indexer),
        ):
            status = wacz.main.main(args)
    if status not in (0, None):
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"wacz create failed: {said.getvalue()[-500:]}")
    partial.replace(target)
    return target
