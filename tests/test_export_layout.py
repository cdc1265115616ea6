"""The export's fixed layout and its positions in the releases stream, on small files."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.records import GONE_EVENT, status_event
from pipelines.export.flat import columns, declared_languages, flatten
from pipelines.export.formats import Layout, write_csv
from pipelines.export.records import select
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
    assert declared_languages()[0] == "en" and {"ja", "ko"} <= set(declared_languages())
    names = columns()
    french = _release("1", sections=[{"lang": "fr", "title": "Communiqué", "text": "Texte"}])
    row = flatten(french, names)
    assert "title_fr" not in names and json.loads(row["sections_other"])[0]["lang"] == "fr"
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
    assert (row["event"], row["status"], row["status_changed"]) == ("gone", "gone", "2026-11-03")
    (latest,) = select(events, "latest", start=start)
    assert latest["status"] == "gone" and latest["title"] == "Release 1"
    (change,) = select(events, "changes", start=start)
    assert change["removed"] == ["2026-11-03"] and change["status"] == "gone"
    flat = flatten(row, columns())
    assert flat["event"] == "gone" and flat["title"] is None
