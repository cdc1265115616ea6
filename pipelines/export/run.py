"""One export: read the releases stream, select a view, write the format, the card and, for
``--incremental``, the cursor beside the destination.

The cursor holds a position in the stream (``stream.Position``: a run start and the line
counts of the few runs after it), the options it was made with, the collection it reads
(its first run) and the flat columns the path was first written with, so a path's CSV
header never changes and a path never mixes two selections. A cursor that is damaged, made
with other options or for another collection stops the export with one line: nothing is
written and the cursor stays where it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from crawler.kinds import parse_kinds
from crawler.profiles import all_profiles

from .card import dataset_card
from .flat import columns, declared_languages
from .formats import WRITERS, Layout, atomic
from .records import release_statuses, select
from .stream import Event, Position, position_after, read_events, stamp


class ExportError(ValueError):
    """An export that cannot be made as asked; the message is one line for the user."""


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
    kind: str | None = None,
) -> ExportResult:
    if fmt not in WRITERS:
        raise ValueError(f"--format must be one of {', '.join(WRITERS)}, got {fmt!r}")
    releases = output_dir / "releases"
    store = state_path if state_path.is_absolute() else output_dir / state_path
    if not releases.is_dir() and not store.exists():  # a mistyped or unmounted OUTPUT_DIR
        raise ExportError(f"no collection under {output_dir} (no releases/, no state store)")
    options = {"view": view, "format": fmt, "site": site, "since": since, "lang": lang}
    if kind:  # only when given: a cursor made before --kind existed keeps matching
        options["kind"] = kind
    kinds = _kinds(kind)
    events = read_events(releases)
    _check_filters(events, site, since, lang)
    collection = first_run(events)
    cursor = cursor_path(path)
    saved = read_cursor(cursor, options, collection) if incremental and cursor.exists() else {}
    start = Position.from_json(saved, releases) if saved else None
    names = tuple(saved.get("columns") or columns())
    rows = select(events, view, site, since, lang, start, release_statuses(store), kinds)
    layout = Layout(summary=view == "changes", columns=names, excel=excel)
    WRITERS[fmt](rows, path, layout)
    card = card_path(path)
    text = dataset_card(
        rows,
        path_name=path.name,
        fmt=fmt,
        view=view,
        filters={"site": site, "since": since, "lang": lang, "kind": kind},
        summary=layout.summary,
        incremental=incremental,
    )
    with atomic(card) as temporary:
        temporary.write_text(text, encoding="utf-8")
    if incremental:
        position = position_after(events, releases, store)
        if not events:  # nothing read: the position stays where it was
            position = start or Position("", {})
        state = {
            **position.to_json(),
            "options": options,
            "collection": collection or saved.get("collection"),
            "columns": list(names),
        }
        with atomic(cursor) as temporary:
            temporary.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    return ExportResult(path, card, len(rows), len(events))


def first_run(events: list[Event]) -> str | None:
    """What names a collection: the run that wrote its first line (moves and compaction
    keep it)."""
    return events[0].run if events else None


_STAMP = re.compile(r"(\d{8}T\d{6}Z)?")


def read_cursor(cursor: Path, options: dict[str, Any], collection: str | None) -> dict[str, Any]:
    """The saved cursor, checked: its shape, its options and its collection."""
    try:
        saved = json.loads(cursor.read_text(encoding="utf-8"))
        if not isinstance(saved, dict):
            raise ValueError("not a JSON object")
        if "offsets" not in saved:
            _check_position(saved)
    except (OSError, ValueError, TypeError, AttributeError) as error:
        raise ExportError(
            f"{cursor} is not a cursor this tool wrote ({error}); delete it to export "
            f"everything to this path again"
        ) from None
    made_with = saved.get("options")
    if made_with is not None and made_with != options:
        raise ExportError(
            f"{cursor} was made with {_describe(made_with)}, not {_describe(options)}: export "
            f"with the same options, or to another path"
        )
    if saved.get("collection") and collection and saved["collection"] != collection:
        raise ExportError(
            f"{cursor} belongs to another collection (first run {saved['collection']}, this "
            f"one {collection}): export to another path"
        )
    return saved


def _check_position(saved: dict[str, Any]) -> None:
    if saved.get("format") != 2:
        raise ValueError(f"unknown cursor format {saved.get('format')!r}")
    missing = [k for k in ("options", "collection", "columns") if k not in saved]
    if missing:
        raise ValueError(f"no {', '.join(missing)}")
    through, runs = saved.get("through"), saved.get("runs")
    if not isinstance(through, str) or not _STAMP.fullmatch(through):
        raise ValueError(f"'through' is not a run time: {through!r}")
    if through > stamp(datetime.now(UTC)):
        raise ValueError(f"'through' is in the future: {through}")
    if not isinstance(runs, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in runs.items()
    ):
        raise ValueError("'runs' is not a map of run ids to line counts")


def _check_filters(
    events: list[Event], site: str | None, since: str | None, lang: str | None
) -> None:
    """A filter that can match nothing is a mistake to say, not an empty export (which an
    incremental path would then skip past)."""
    if site:
        known = {str(e.record.get("site")) for e in events} | set(all_profiles())
        if site not in known:
            raise ExportError(f"--site {site!r}: no such site (known: {', '.join(sorted(known))})")
    if since:
        try:
            if len(since) != 10:
                raise ValueError
            date.fromisoformat(since)
        except ValueError:
            raise ExportError(f"--since must be a date, YYYY-MM-DD, got {since!r}") from None
    if lang:
        languages = set(declared_languages()) | {
            str(s.get("lang")) for e in events for s in e.record.get("sections") or []
        }
        if lang not in languages:
            raise ExportError(
                f"--lang {lang!r}: no site declares it and no release has it "
                f"(known: {', '.join(sorted(languages))})"
            )


def _kinds(kind: str | None) -> tuple[str, ...]:
    """``--kind release,commentary`` as kinds; an unknown one is refused."""
    try:
        return parse_kinds(kind) or ()
    except ValueError as error:
        raise ExportError(f"--kind: {error}") from None


def _describe(options: dict[str, Any]) -> str:
    return " ".join(f"--{k} {v}" for k, v in options.items() if v) or "no options"
