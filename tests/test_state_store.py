"""The state store on its own: migrations, the release lifecycle, walks, replay and damage."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from crawler.records import content_digest
from pipelines.output import json_line
from pipelines.state.replay import replay
from pipelines.state.schema import MIGRATIONS
from pipelines.state.store import (
    GONE,
    LIVE,
    PENDING,
    REFUSED,
    RETRY,
    Backoff,
    Checked,
    Emitted,
    LineRef,
    Refused,
    StateStore,
    Walk,
)

WHEN = "2026-11-25T00:00:00+00:00"


def _record(article_id: str, version: int = 1, site: str = "usfj", text: str = "a") -> dict:
    return {
        "id": f"{site}:{article_id}",
        "site": site,
        "url": f"https://x/{article_id}/",
        "text": text,
        "fetched": WHEN,
        "version": version,
        "published": "2025-01-01",
    }


def _write_lines(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        for record in records:
            handle.write(json_line(record).encode())


def _old_store(path: Path, version: int) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:
        for statement in migration.sql.split(";"):
            if statement.strip():
                db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    return db


def test_a_version_2_store_is_migrated_with_its_files_and_refusals(tmp_path: Path) -> None:
    output = tmp_path / "moved-here"
    releases = output / "releases"
    _write_lines(releases / "articlecs-20261101T000000Z.jsonl", [_record("1"), _record("2")])
    (output / "state").mkdir()
    db = _old_store(output / "state" / "crawl.sqlite", 2)
    size = (releases / "articlecs-20261101T000000Z.jsonl").stat().st_size
    # Written before OUTPUT_DIR moved: absolute paths of the old place.
    db.execute(
        "INSERT INTO applied_files VALUES (?, ?)",
        ("/old/place/releases/articlecs-20261101T000000Z.jsonl", size),
    )
    db.execute(
        "INSERT INTO releases (site, article_id, url, status) VALUES ('usfj','1','u','live')"
    )
    db.execute(
        "INSERT INTO releases (site, article_id, url, status, last_checked) "
        "VALUES ('usfj','3','u','refused', ?)",
        (WHEN,),
    )
    db.execute("INSERT INTO walks VALUES ('usfj', '/Media/Press-Releases/', 7)")
    db.commit()
    db.close()
    store = StateStore(output / "state" / "crawl.sqlite", output)
    assert store.schema_version == len(MIGRATIONS) == 4
    files = store.db.execute("SELECT path, site, bytes FROM files").fetchall()
    assert [tuple(f) for f in files] == [
        ("releases/articlecs-20261101T000000Z.jsonl", "usfj", size)
    ]
    lines = store.db.execute("SELECT article_id, offset FROM lines ORDER BY offset").fetchall()
    assert [row[0] for row in lines] == ["1", "2"]
    three = store.release("usfj", "3")
    assert three is not None and three.status == RETRY and three.attempts == 1
    assert store.pending("usfj", WHEN) == [("3", "u")]
    (walk,) = store.walks("usfj", "/Media/Press-Releases/")
    assert (walk.next_page, walk.run, walk.stop_at_known) == (7, 0, False)
    assert replay(store, releases, "usfj").applied == 0  # nothing replayed after the move


def test_a_version_3_store_gets_kinds_and_digests_that_count_them(tmp_path: Path) -> None:
    """A release written before kinds keeps its version: its digest is taken again with the
    kind its URL names, so the same page read again is unchanged, not an edit."""
    output = tmp_path / "out"
    name = "releases/2026/11/usfj-20261101T000000Z.jsonl"
    url = "https://www.usfj.mil/Media/Press-Releases/Article-View/Article/7/x/"
    old = {**_record("7"), "url": url, "publisher": "U.S. Forces Japan"}
    _write_lines(output / name, [old])
    (output / "state").mkdir()
    db = _old_store(output / "state" / "crawl.sqlite", 3)
    db.execute(
        "INSERT INTO releases (site, article_id, url, status, version, content_digest) "
        "VALUES ('usfj', '7', ?, 'live', 1, ?)",
        (url, content_digest(old)),
    )
    db.execute(
        "INSERT INTO releases (site, article_id, url, status) VALUES ('afmil', '8', ?, 'pending')",
        ("https://www.af.mil/News/Commentaries/Display/Article/8/",),
    )
    length = (output / name).stat().st_size
    db.execute(
        "INSERT INTO lines (file, offset, length, site, article_id, version, content_digest) "
        "VALUES (?, 0, ?, 'usfj', '7', 1, ?)",
        (name, length, content_digest(old)),
    )
    db.commit()
    db.close()
    store = StateStore(output / "state" / "crawl.sqlite", output)
    assert store.schema_version == 4
    today = {**old, "kind": "release", "updated": None}
    known = store.release("usfj", "7")
    assert known is not None and known.content_digest == content_digest(today)
    assert content_digest(today) != content_digest(old)
    kinds = dict(store.db.execute("SELECT article_id, kind FROM releases").fetchall())
    assert kinds == {"7": "release", "8": "commentary"}
    (line_digest,) = store.db.execute("SELECT content_digest FROM lines").fetchone()
    assert line_digest == content_digest(today)


def test_refusals_wait_longer_each_time_and_permanent_ones_wait_for_a_full_run(
    tmp_path: Path,
) -> None:
    store = StateStore(tmp_path / "s.sqlite", tmp_path, Backoff(6, 24, 3))
    store.page_read("usfj", 1, "/l/", [("1", "u1"), ("2", "u2")])
    assert store.pending("usfj", WHEN) == [("1", "u1"), ("2", "u2")]
    store.apply(
        [
            Refused("usfj", "1", WHEN, "blocked", True),
            Refused("usfj", "2", WHEN, "not_a_release", False),
        ]
    )
    one, two = store.release("usfj", "1"), store.release("usfj", "2")
    # The next run tries again at once (the run that refused it may have been killed
    # before it could say so); then 6 hours, doubling, at most 24; three attempts at most.
    assert one is not None and one.status == RETRY and one.retry_at == WHEN
    assert two is not None and two.status == REFUSED and two.retry_at is None
    assert store.pending("usfj", WHEN) == [("1", "u1")]
    store.apply([Refused("usfj", "1", WHEN, "blocked", True)])
    one = store.release("usfj", "1")
    assert one is not None and one.retry_at == "2026-11-25T06:00:00+00:00"
    assert store.pending("usfj", "2026-11-25T05:59:59+00:00") == []
    assert store.pending("usfj", "2026-11-25T06:00:00+00:00") == [("1", "u1")]
    assert store.pending("usfj", WHEN, everything=True) == [("1", "u1"), ("2", "u2")]
    assert store.waiting("usfj") == (
        1,
        [{"id": "usfj:1", "reason": "blocked", "attempts": 2, "retry_at": one.retry_at}],
    )
    store.apply([Refused("usfj", "1", WHEN, "gone", True)])  # a third attempt: the cap
    one = store.release("usfj", "1")
    assert one is not None and (one.status, one.attempts, one.refusal) == (REFUSED, 3, "gone")
    assert store.waiting("usfj") == (0, [])


def test_a_404_ends_only_a_live_release_and_a_revisit_can_bring_it_back(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite", tmp_path)
    store.page_read("usfj", 1, "/l/", [("1", "u1"), ("2", "u2")])
    store.apply([Emitted(_record("1"), "sha256:a")])
    store.apply(
        [Refused("usfj", "1", WHEN, "gone", True), Refused("usfj", "2", WHEN, "gone", True)]
    )
    one, two = store.release("usfj", "1"), store.release("usfj", "2")
    assert one is not None and one.status == GONE
    assert two is not None and two.status == RETRY  # never emitted: asked again later
    assert [k.article_id for k in store.to_revisit("usfj")] == ["1"]
    store.apply([Checked("usfj", "1", WHEN, ('"e2"', None))])
    one = store.release("usfj", "1")
    assert one is not None and one.status == LIVE and one.etag == '"e2"' and one.attempts == 0
    store.apply([Refused("usfj", "1", WHEN, "blocked", True)])  # a failed revisit
    one = store.release("usfj", "1")
    assert one is not None and one.status == LIVE and one.attempts == 1


def test_versions_never_go_back(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite", tmp_path)
    store.apply([Emitted(_record("1", 2), "sha256:b")])
    store.apply([Emitted(_record("1", 1), "sha256:a")])  # an older line replayed late
    known = store.release("usfj", "1")
    assert known is not None and known.version == 2 and known.content_digest == "sha256:b"


def test_a_listing_page_commits_its_links_validators_and_cursor_together(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite", tmp_path)
    head = Walk("/l/", run=4, next_page=1, stop_at_known=True)
    walk = store.page_read("usfj", 4, "/l/", [("1", "u1")], ('"e"', None), None, WHEN, head, 2)
    assert walk is not None and walk.id is not None and walk.next_page == 2
    assert store.source("usfj", "/l/") == ('"e"', None)
    assert store.release("usfj", "1").discovered_run == 4  # type: ignore[union-attr]
    other = store.page_read("usfj", 5, "/l/", [], None, None, WHEN, Walk("/l/", 5, 1, True, 9), 2)
    assert sorted(w.run for w in store.walks("usfj", "/l/")) == [4, 5]  # two walks, two rows
    walk = store.page_read("usfj", 4, "/l/", [("2", "u2")], None, None, WHEN, walk, 3)
    assert walk is not None and walk.next_page == 3
    assert store.page_read("usfj", 4, "/l/", [], None, None, WHEN, walk, None) is None
    assert [(w.run, w.end_page) for w in store.walks("usfj", "/l/")] == [(5, 9)]
    assert other is not None


def _site_file(tmp_path: Path, name: str, records: list[dict]) -> Path:
    path = tmp_path / "releases" / name
    _write_lines(path, records)
    return path


def test_replay_applies_what_a_killed_run_wrote_and_cuts_a_partial_line(tmp_path: Path) -> None:
    path = _site_file(tmp_path, "usfj-20261125T000000Z.jsonl", [_record(str(i)) for i in range(3)])
    whole = path.read_bytes()
    with path.open("ab") as handle:
        handle.write(b'{"id": "usfj:9", "si')
    store = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    store.page_read("usfj", 1, "/l/", [("9", "u9")])
    result = replay(store, tmp_path / "releases", "usfj")
    assert (result.applied, result.cut_lines) == (3, 1)
    assert path.read_bytes() == whole
    assert store.pending("usfj", WHEN) == [("9", "u9")]  # fetched again by the next run
    assert replay(store, tmp_path / "releases", "usfj").applied == 0  # nothing applied twice


def test_replay_leaves_another_sites_files_alone(tmp_path: Path) -> None:
    other = _site_file(tmp_path, "usfk-20261125T000000Z.jsonl", [_record("1", site="usfk")])
    with other.open("ab") as handle:
        handle.write(b'{"id": "usfk:2", "si')  # its run is still writing this line
    before = other.read_bytes()
    store = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    assert replay(store, tmp_path / "releases", "usfj").applied == 0
    assert other.read_bytes() == before
    assert store.release("usfk", "1") is None


def _emit_line(store: StateStore, path: Path, record: dict) -> None:
    offset = path.stat().st_size if path.exists() else 0
    _write_lines(path, [record])
    key = store.file_key(path)
    line = LineRef(key, offset, path.stat().st_size - offset)
    store.apply([Emitted(record, content_digest(record), ('"e"', None), line)])


def test_a_file_cut_shorter_sends_its_releases_back_to_be_fetched(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    first = tmp_path / "releases" / "usfj-20261101T000000Z.jsonl"
    second = tmp_path / "releases" / "usfj-20261102T000000Z.jsonl"
    for article_id in ("1", "2", "3"):
        _emit_line(store, first, _record(article_id))
    _emit_line(store, second, _record("1", 2, text="edited"))
    _emit_line(store, second, _record("4"))
    # A power cut (or a restore of an older copy) lost the last line of each file.
    for path in (first, second):
        data = path.read_bytes()
        path.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 1])
    result = replay(store, tmp_path / "releases", "usfj")
    assert sorted(result.damaged) == ["releases/" + first.name, "releases/" + second.name]
    assert sorted(result.reverted) == ["usfj:3", "usfj:4"]
    three, four, one = (store.release("usfj", i) for i in ("3", "4", "1"))
    assert three is not None and (three.status, three.version) == (PENDING, 0)
    assert four is not None and (four.status, four.version) == (PENDING, 0)
    # Release 1's version 2 survives; only the pending ones are fetched again.
    assert one is not None and (one.status, one.version) == (LIVE, 2)
    assert [i for i, _ in store.pending("usfj", WHEN)] == ["3", "4"]
    # Cut version 2's line too: release 1 goes back to version 1, to be fetched again.
    second.write_bytes(b"")
    result = replay(store, tmp_path / "releases", "usfj")
    one = store.release("usfj", "1")
    assert one is not None and (one.status, one.version, one.etag) == (PENDING, 1, None)
    assert one.content_digest == content_digest(_record("1"))


def test_a_missing_file_is_damage_too(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    path = tmp_path / "releases" / "usfj-20261101T000000Z.jsonl"
    _emit_line(store, path, _record("1"))
    path.unlink()
    result = replay(store, tmp_path / "releases", "usfj")
    assert result.reverted == ["usfj:1"]
    assert store.db.execute("SELECT count(*) FROM files").fetchone()[0] == 0
    assert json.loads(json.dumps(store.pending("usfj", WHEN))) == [["1", "https://x/1/"]]


def test_a_line_deleted_from_the_middle_is_the_one_fetched_again(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    path = tmp_path / "releases" / "usfj-20261101T000000Z.jsonl"
    for article_id in ("1", "2", "3", "4"):
        _emit_line(store, path, _record(article_id))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:1] + lines[2:]))  # line 2 deleted, as `sed -i 2d` does
    result = replay(store, tmp_path / "releases", "usfj")
    assert result.reverted == ["usfj:2"] and result.applied == 0
    assert [i for i, _ in store.pending("usfj", WHEN)] == ["2"]
    rows = store.db.execute("SELECT article_id, offset FROM lines ORDER BY offset").fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("1", 0),
        ("3", len(lines[0])),
        ("4", len(lines[0]) + len(lines[2])),
    ]
    assert replay(store, tmp_path / "releases", "usfj").reverted == []  # once


def test_a_line_changed_before_the_applied_end_is_reconciled(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    path = tmp_path / "releases" / "usfj-20261101T000000Z.jsonl"
    for article_id in ("1", "2"):
        _emit_line(store, path, _record(article_id))
    lines = path.read_bytes().splitlines(keepends=True)
    # Line 1 overwritten with garbage longer than itself, and a line the store never saw.
    path.write_bytes(
        b"x" * (len(lines[0]) + 5) + b"\n" + lines[1] + json_line(_record("5")).encode()
    )
    result = replay(store, tmp_path / "releases", "usfj")
    assert result.reverted == ["usfj:1"] and result.applied == 1
    assert store.release("usfj", "5").status == LIVE  # type: ignore[union-attr]


def test_retry_delays_double_up_to_the_cap() -> None:
    backoff = Backoff(base_hours=6, cap_hours=20, max_attempts=8)
    assert [backoff.retry_at(WHEN, n)[11:16] for n in (1, 2, 3, 4)] == [
        "00:00",
        "06:00",
        "12:00",
        "20:00",
    ]


def test_a_store_rebuilt_from_the_files_knows_what_is_gone_and_what_returned(
    tmp_path: Path,
) -> None:
    """Status lines are part of the record: a store built again from the releases files
    alone (lost, damaged) has the same statuses as the one that wrote them."""
    from crawler.records import GONE_EVENT, RETURNED_EVENT, status_event

    first = [_record("1"), _record("2"), _record("3")]
    _site_file(tmp_path, "usfj-20261125T000000Z.jsonl", first)
    later = [
        status_event("usfj:1", "https://x/1/", 1, GONE_EVENT, "2026-11-26T00:00:00+00:00"),
        status_event("usfj:2", "https://x/2/", 1, GONE_EVENT, "2026-11-26T00:00:00+00:00"),
        status_event("usfj:2", "https://x/2/", 1, RETURNED_EVENT, "2026-11-27T00:00:00+00:00"),
    ]
    _site_file(tmp_path, "usfj-20261126T000000Z.jsonl", later)
    store = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    replay(store, tmp_path / "releases", "usfj")
    statuses = {k: store.release("usfj", k).status for k in ("1", "2", "3")}  # type: ignore[union-attr]
    assert statuses == {"1": GONE, "2": LIVE, "3": LIVE}
    again = StateStore(tmp_path / "state" / "s.sqlite", tmp_path)
    assert replay(again, tmp_path / "releases", "usfj").applied == 0  # nothing taken twice
    assert again.release("usfj", "1").status == GONE  # type: ignore[union-attr]


def test_a_revisit_selects_by_first_seen_by_last_check_or_by_date_published(
    tmp_path: Path,
) -> None:
    store = StateStore(tmp_path / "s.sqlite", tmp_path)
    old_news = {**_record("1"), "fetched": "2026-11-30T00:00:00+00:00", "published": "2024-05-01"}
    fresh = {**_record("2"), "fetched": "2026-11-02T00:00:00+00:00", "published": "2026-11-01"}
    store.apply([Emitted(old_news, "sha256:a"), Emitted(fresh, "sha256:b")])
    store.apply([Checked("usfj", "2", "2026-12-02T00:00:00+00:00")])

    def chosen(**since: str) -> list[str]:
        return [k.article_id for k in store.to_revisit("usfj", **since)]

    # Published long ago, first seen this week: a revisit by date published misses it.
    assert chosen(seen_since="2026-11-26T00:00:00+00:00") == ["1"]
    assert chosen(published_since="2026-10-01") == ["2"]
    assert chosen(checked_before="2026-12-01T00:00:00+00:00") == ["1"]
    assert chosen() == ["1", "2"]
