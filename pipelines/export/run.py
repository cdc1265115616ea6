"""One export: read the releases stream, select a view, write the format, the card and, for
``--incremental``, the cursor beside the destination.

The cursor holds a position in the stream (``stream.Position``: a run start and the line
counts of the few runs after it) and the flat columns the path was first written with, so
a path's CSV header never changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .card import dataset_card
from .flat import columns
from .formats import WRITERS, Layout, atomic
from .records import release_statuses, select
from .stream import Position, position_after, read_events


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
    excel: bool = False,
) -> ExportResult:
    if fmt not in WRITERS:
        raise ValueError(f"--format must be one of {', '.join(WRITERS)}, got {fmt!r}")
    releases = output_dir / "releases"
    store = state_path if state_path.is_absolute() else output_dir / state_path
    cursor = cursor_path(path)
    saved = (
        json.loads(cursor.read_text(encoding="utf-8")) if incremental and cursor.exists() else {}
    )
    start = Position.from_json(saved, releases) if saved else None
    names = tuple(saved.get("columns") or columns())
    events = read_events(releases)
    rows = select(events, view, site, since, lang, start, release_statuses(store))
    layout = Layout(summary=view == "changes", columns=names, excel=excel)
    WRITERS[fmt](rows, path, layout)
    card = card_path(path)
    text = dataset_card(
        rows,
        path_name=path.name,
        fmt=fmt,
        view=view,
        filters={"site": site, "since": since, "lang": lang},
        summary=layout.summary,
    )
    with atomic(card) as temporary:
        temporary.write_text(text, encoding="utf-8")
    if incremental:
        position = position_after(events, releases, store)
        state = {**position.to_json(), "columns": list(names)}
        with atomic(cursor) as temporary:
            temporary.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    return ExportResult(path, card, len(rows), len(events))
