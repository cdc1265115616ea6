"""The state store on its own: migrations, the emitted/pending lifecycle, journal replay."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pipelines.state.store import LIVE, MIGRATIONS, PENDING, REFUSED, StateStore


def _record(article_id: str, version: int = 1) -> dict[str, object]:
    return {
        "id": f"usfj:{article_id}",
        "site": "usfj",
        "url": f"https://x/{article_id}/",
        "fetched": "2026-11-25T00:00:00Z",
        "version": version,
        "published": "2025-01-01",
    }


def test_an_older_schema_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO sources (site, url) VALUES ('usfj', '/Media/Press-Releases/')")
    db.commit()
    db.close()
    store = StateStore(path)
    assert store.schema_version == len(MIGRATIONS) == 2
    store.set_source(
        "usfj",
        "/Media/Press-Releases/",
        '"e"',
        None,
        "now",
        {
            "record_type": "response",
            "record_id": "<urn:uuid:1>",
            "target_uri": "http://h/",
            "date": "d",
        },
    )
    assert store.source("usfj", "/Media/Press-Releases/") == ('"e"', None)
    assert store.captures("usfj")[0]["record_id"] == "<urn:uuid:1>"


def test_release_lifecycle(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    assert store.discover("usfj", "1", "https://x/1/") and not store.discover("usfj", "1", "u")
    assert store.pending("usfj") == [("1", "https://x/1/")]
    store.refused("usfj", "1", "2026-11-25T00:00:00+00:00")
    assert store.pending("usfj", "2026-11-24T00:00:00+00:00") == []  # refused after the cutoff
    assert store.pending("usfj", "2026-11-26T00:00:00+00:00") == [("1", "https://x/1/")]
    store.emitted(_record("1"), "sha256:a")
    known = store.release("usfj", "1")
    assert known is not None and known.status == LIVE and known.version == 1
    store.emitted(_record("1", 2), "sha256:b")
    store.emitted(_record("1", 1), "sha256:a")  # an older line replayed late changes nothing
    known = store.release("usfj", "1")
    assert known is not None and known.version == 2 and known.content_digest == "sha256:b"
    assert {PENDING, REFUSED}.isdisjoint({known.status})


def test_replay_applies_lines_a_killed_run_wrote_and_cuts_a_partial_one(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    releases.mkdir()
    lines = [json.dumps(_record(str(i))) for i in range(3)]
    path = releases / "usfj-20261125T000000Z.jsonl"
    path.write_text("\n".join(lines) + '\n{"id": "usfj:9", "si', encoding="utf-8")
    store = StateStore(tmp_path / "s.sqlite")
    store.discover("usfj", "9", "https://x/9/")
    assert store.replay(releases) == 3
    assert path.read_text(encoding="utf-8") == "\n".join(lines) + "\n"
    assert store.known_ids("usfj") == {"0", "1", "2", "9"}
    assert store.pending("usfj") == [("9", "https://x/9/")]  # fetched again by the next run
    assert store.replay(releases) == 0  # nothing applied twice
