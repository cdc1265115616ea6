"""One export: read the runs' records, select a view, write the format, the card and, for
``--incremental``, the cursor beside the destination."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .card import dataset_card
from .formats import WRITERS, atomic
from .records import Position, read_records, release_statuses, select, with_status


@dataclass(frozen=True)
class ExportResult:
    path: Path
    card: Path
    rows: int
    records_read: int


def card_path(path: Path) -> Path:
    return path.with_name(path.name + ".md")


def cursor_path(path: Path) -> Path:
    return path.with_name(path.name + ".cursor.json")


def export(
    output_dir: Path,
    path: Path,
    fmt: str,
    view: str = "latest",
    site: str | None = None,
    since: str | None = None,
    lang: str | None = None,
    incremental: bool = False,
    state_path: Path = Path("state/crawl.sqlite"),
) -> ExportResult:
    """JSONL keeps the records as written; the other formats add the store's ``status``."""
    if fmt not in WRITERS:
        raise ValueError(f"--format must be one of {', '.join(WRITERS)}, got {fmt!r}")
    start = None
    cursor = cursor_path(path)
    if incremental and cursor.exists():
        start = Position(json.loads(cursor.read_text(encoding="utf-8"))["offsets"])
    records, position = read_records(output_dir, start)
    rows = select(records, view, site, since, lang)
    summary = view == "changes"
    written = (
        rows
        if summary or fmt == "jsonl"
        else with_status(rows, release_statuses(output_dir, state_path))
    )
    WRITERS[fmt](written, path, summary)
    card = card_path(path)
    text = dataset_card(
        rows,
        path_name=path.name,
        fmt=fmt,
        view=view,
        filters={"site": site, "since": since, "lang": lang},
        summary=summary,
    )
    with atomic(card) as temporary:
        temporary.write_text(text, encoding="utf-8")
    if incremental:
        with atomic(cursor) as temporary:
            temporary.write_text(
                json.dumps({"offsets": position.offsets}, indent=1, sort_keys=True) + "\n",
                encoding="utf-8",
            )
    return ExportResult(path, card, len(rows), len(records))
