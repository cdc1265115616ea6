"""The export's fixed layout and its positions in the releases stream, on small files."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.records import GONE_EVENT, status_event, with_kind
from pipelines.export.flat import columns, declared_languages, flatten
from pipelines.export.formats import Layout, write_csv
from pipelines.export.records import select
from pipelines.export.run import ExportError, export
from pipelines.export.stream import Position, position_after, read_events


def _release(article: str, version: int = 1, site: str = "usfj", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{site}:{article}",
        "url": f"https://www.{site}.mil/Article/{article}/",
        "site": site,
        "title": f"Release {article}",
        "published": "2026-11-02",
        "language": "en",
        "languages": ["en"],
        "sections": [{"lang": "en", "title": f"Release {article}", "byline": None, "text": "t"}],
        "text": "t",
        "fetched": "2026-11-02T00:00:00Z",
        "version": version,
        **extra,
    }


def _write(folder: Path, name: str, records: list[dict[str, Any]], mode: str = "w") -> Path:
    path = folder / "releases" / "2026" / "11" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode, encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return path


def test_the_columns_come_from_the_profiles_not_from_the_rows(tmp_path: Path) -> None:
    assert declared_languages()[0] == "en" and {"ja", "ko", "fr"} <= set(declared_languages())
    names = columns()
    german = _release("1", sections=[{"lang": "de", "title": "Mitteilung", "text": "Text"}])
    row = flatten(german, names)
    assert "title_fr" in names  # NATO and canada.ca declare French
    assert "title_de" not in names and json.loads(row["sections_other"])[0]["lang"] == "de"
    timed = flatten(_release("2", published="2026-11-02T09:30:00"), names)
    assert (timed["published"], timed["published_time"]) == ("2026-11-02", "09:30:00")
    empty, full = tmp_path / "empty.csv", tmp_path / "full.csv"
    write_csv([], empty, Layout())
    write_csv([_release("1")], full, Layout())
    assert empty.read_text().splitlines() == full.read_text().splitlines()[:1]
    assert next(csv.reader(io.StringIO(empty.read_text()))) == names


def test_the_excel_csv_has_a_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    target = tmp_path / "excel.csv"
    write_csv([_release("1", title="日米共同訓練")], target, Layout(excel=True))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert "日米共同訓練" in data.decode("utf-8-sig")


def _store_with_open_run(path: Path, started: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, site, started, finished, status)")
    db.execute("INSERT INTO runs (site, started) VALUES ('usfj', ?)", (started,))
    db.commit()
    db.close()


def test_a_run_still_writing_keeps_its_place_in_the_cursor(tmp_path: Path) -> None:
    """A run started before another finished, still writing when the export reads: its
    later lines are the next export's, and nothing of the finished run comes twice."""
    store = tmp_path / "state" / "crawl.sqlite"
    _store_with_open_run(store, "2026-11-02T10:00:00+00:00")
    running = _write(tmp_path, "usfj-20261102T100000Z.jsonl", [_release("1")])
    _write(tmp_path, "usfk-20261102T100500Z.jsonl", [_release("7", site="usfk")])
    (tmp_path / "reports" / "2026" / "11").mkdir(parents=True)
    (tmp_path / "reports" / "2026" / "11" / "usfk-20261102T100500Z.json").write_text("{}")
    events = read_events(tmp_path / "releases")
    moment = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
    position = position_after(events, tmp_path / "releases", store, now=moment)
    assert position.through == "20261102T095900Z"  # before the open run, less a minute
    assert position.runs == {"usfj-20261102T100000Z": 1, "usfk-20261102T100500Z": 1}
    _write(tmp_path, running.name, [_release("2")], mode="a")
    again = Position.from_json(json.loads(json.dumps(position.to_json())), tmp_path / "releases")
    fresh = select(read_events(tmp_path / "releases"), "all", start=again)
    assert [r["id"] for r in fresh] == ["usfj:2"]


def test_a_cursor_of_the_first_format_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "usfj-20261102T100000Z.jsonl", [_release("1"), _release("2")])
    first_line = len(path.read_text().splitlines()[0]) + 1
    old = Position.from_json({"offsets": {path.name: first_line}}, tmp_path / "releases")
    fresh = select(read_events(tmp_path / "releases"), "all", start=old)
    assert [r["id"] for r in fresh] == ["usfj:2"]


def test_a_removal_is_a_row_of_every_view(tmp_path: Path) -> None:
    _write(tmp_path, "usfj-20261102T100000Z.jsonl", [_release("1"), _release("2")])
    gone = status_event("usfj:1", "https://www.usfj.mil/Article/1/", 1, GONE_EVENT, "2026-11-03")
    _write(tmp_path, "usfj-20261103T100000Z.jsonl", [gone])
    events = read_events(tmp_path / "releases")
    start = Position("20261103T000000Z", {})
    (row,) = select(events, "all", start=start)
    when = "2026-11-03T00:00:00Z"
    assert (row["event"], row["status"], row["status_changed"]) == ("gone", "gone", when)
    assert row["title"] == "Release 1" and row["published"] == "2026-11-02"  # reads on its own
    (latest,) = select(events, "latest", start=start)
    assert latest["status"] == "gone" and latest["title"] == "Release 1"
    (change,) = select(events, "changes", start=start)
    assert change["removed"] == [when] and change["status"] == "gone"
    flat = flatten(row, columns())
    assert flat["event"] == "gone" and flat["text_en"] is None


def test_a_release_back_with_new_content_says_when_in_every_view(tmp_path: Path) -> None:
    _write(tmp_path, "usfj-20261102T100000Z.jsonl", [_release("1")])
    gone = status_event("usfj:1", "https://www.usfj.mil/Article/1/", 1, GONE_EVENT, "2026-11-03")
    back = _release("1", version=2, fetched="2026-11-04T08:00:00.123456Z", text="t2")
    _write(tmp_path, "usfj-20261103T100000Z.jsonl", [gone, back])
    events = read_events(tmp_path / "releases")
    rows = select(events, "all")
    assert [(r["event"], r["status"], r["status_changed"]) for r in rows] == [
        ("new", "live", None),
        ("gone", "gone", "2026-11-03T00:00:00Z"),
        ("edited", "live", "2026-11-04T08:00:00Z"),
    ]
    (latest,) = select(events, "latest")
    (change,) = select(events, "changes")
    assert latest["status_changed"] == change["status_changed"] == "2026-11-04T08:00:00Z"


def _collection(tmp_path: Path, first: str = "usfj-20261102T100000Z.jsonl") -> Path:
    output = tmp_path / "collection"
    _write(output, first, [_release("1")])
    return output


def test_an_incremental_export_refuses_what_would_skip_rows(tmp_path: Path) -> None:
    """A missing collection, a damaged cursor, a cursor made with other options or for
    another collection, a filter that can match nothing: one line, nothing written, the
    cursor where it was."""
    output = _collection(tmp_path)
    target = tmp_path / "daily.jsonl"
    cursor = tmp_path / "daily.jsonl.cursor.json"

    def attempt(folder: Path = output, **options: Any) -> str:
        with pytest.raises(ExportError) as refused:
            export(folder, target, "jsonl", incremental=True, **options)
        return str(refused.value)

    assert "no collection under" in attempt(tmp_path / "unmounted")
    assert not cursor.exists()
    export(output, target, "jsonl", view="all", incremental=True)
    saved = cursor.read_text()
    assert "made with --view all --format jsonl" in attempt(view="latest")
    assert "made with" in attempt(view="all", site="usfk")
    assert "no such site" in attempt(view="all", site="nosuch")
    assert "--since must be a date" in attempt(view="all", since="2025-1-1")
    assert "no site declares it" in attempt(view="all", lang="jp")
    other = _collection(tmp_path / "other", "usfk-20261001T000000Z.jsonl")
    assert "another collection" in attempt(other, view="all")
    assert cursor.read_text() == saved
    no_options = '{"format": 2, "through": "", "runs": {}, "collection": null, "columns": []}'
    future = '{"format": 2, "through": "29991231T000000Z", "runs": {}}'
    for damaged in ("{", "", "[]", future, no_options):
        cursor.write_text(damaged)
        assert "is not a cursor this tool wrote" in attempt(view="all")


def test_a_collection_with_nothing_yet_keeps_the_cursor_where_it_was(tmp_path: Path) -> None:
    output = tmp_path / "collection"
    (output / "releases").mkdir(parents=True)
    target = tmp_path / "daily.jsonl"
    assert export(output, target, "jsonl", view="all", incremental=True).rows == 0
    _write(output, "usfj-20000101T000000Z.jsonl", [_release("1")])  # an old run appears
    assert export(output, target, "jsonl", view="all", incremental=True).rows == 1


def test_source_type_is_a_column_and_older_lines_get_theirs() -> None:
    """Lines written before ``source_type`` existed were HTML, or JSON on GOV.UK."""
    names = columns()
    assert "source_type" in names
    pdf = flatten(_release("1", source_type="pdf"), names)
    assert pdf["source_type"] == "pdf"
    old = {k: v for k, v in _release("2").items() if k != "source_type"}
    assert flatten(with_kind(old), names)["source_type"] == "html"
    govuk = {**old, "extractor": {"name": "govuk", "version": "1.0.0"}}
    assert with_kind(govuk)["source_type"] == "json"
