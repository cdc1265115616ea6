"""Exports of crawled releases, each loaded back with its own tool; diffs of an edited one."""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipelines.output import run_files
from tests.conftest import ROOT, Mirror
from tests.crawling import crawl, scrapy_in

SITES = ("usfj", "usfk")
GONE = "usfk:3336908"  # deleted by the publisher after the first crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Mirror, Path, str]]:
    """Two sites crawled; one USFJ release edited (a version 2), one USFK release deleted."""
    output = tmp_path_factory.mktemp("export")
    with Mirror() as mirror:
        for site in SITES:
            assert (
                crawl(site, mirror.url(site, ""), output, "-s", "ARCHIVE_MEDIA=0").returncode == 0
            )
        edited = "4287416"
        mirror.control("usfj", "edit", id=edited)
        result = crawl(
            "usfj", mirror.url("usfj", ""), output, "-a", "revisit=all", "-s", "ARCHIVE_MEDIA=0"
        )
        assert result.returncode == 0, result.log[-2000:]
        mirror.control("usfk", "delete", id=GONE.split(":")[1])
        result = crawl(
            "usfk", mirror.url("usfk", ""), output, "-a", "revisit=all", "-s", "ARCHIVE_MEDIA=0"
        )
        assert result.returncode == 0, result.log[-2000:]
        yield mirror, output, f"usfj:{edited}"


def _scrapy(output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return scrapy_in(output, *args)


def _records(output: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in run_files(output / "releases")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def _versions(output: Path) -> list[dict[str, Any]]:
    """The releases' records, without status lines."""
    return [r for r in _records(output) if "event" not in r]


EXPORTED = ("event", "status", "status_changed")  # what an export adds to a record


def _export(output: Path, target: Path, *args: str) -> None:
    done = _scrapy(output, "export", "-o", str(target), *args)
    assert done.returncode == 0, done.stderr


def test_every_format_loads_with_its_own_tool(
    crawled: tuple[Mirror, Path, str], tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    _, output, edited = crawled
    records = _versions(output)
    latest = {r["id"]: r for r in sorted(records, key=lambda r: r["version"])}
    for fmt in ("jsonl", "csv", "parquet", "sqlite"):
        _export(output, tmp_path / f"latest.{fmt}")
    lines = [json.loads(x) for x in (tmp_path / "latest.jsonl").read_text().splitlines()]
    assert {r["id"]: {k: v for k, v in r.items() if k not in EXPORTED} for r in lines} == latest
    assert {r["id"]: r["status"] for r in lines if r["status"] != "live"} == {GONE: "gone"}
    assert next(r for r in lines if r["id"] == GONE)["status_changed"]
    with (tmp_path / "latest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["id"] for r in rows) == sorted(latest)
    row = next(r for r in rows if r["id"] == edited)
    assert row["version"] == "2" and row["text_en"] == latest[edited]["sections"][0]["text"]
    assert {r["id"]: r["status"] for r in rows if r["status"] != "live"} == {GONE: "gone"}
    assert row["title_ja"] == latest[edited]["sections"][1]["title"]
    table = pq.read_table(tmp_path / "latest.parquet").to_pylist()
    assert len(table) == len(latest)
    first = next(r for r in table if r["id"] == edited)
    assert isinstance(first["published"], date) and isinstance(first["tags"], list)
    assert first["sections"][1]["lang"] == "ja" and first["version"] == 2
    assert first["status"] == "live"
    db = sqlite3.connect(tmp_path / "latest.sqlite")
    assert db.execute("SELECT count(*) FROM releases").fetchone()[0] == len(latest)
    hits = db.execute(
        "SELECT release_id FROM sections_fts_ja WHERE sections_fts_ja MATCH ?", ("日米部隊",)
    ).fetchall()
    assert (edited,) in hits
    korean = db.execute(
        "SELECT count(*) FROM sections_fts_ko WHERE sections_fts_ko MATCH ?", ("주한미군",)
    ).fetchone()[0]
    assert korean > 0


def test_views_and_filters(crawled: tuple[Mirror, Path, str], tmp_path: Path) -> None:
    _, output, edited = crawled
    records = _records(output)
    _export(output, tmp_path / "all.jsonl", "--view", "all")
    assert len((tmp_path / "all.jsonl").read_text().splitlines()) == len(records)
    _export(output, tmp_path / "changes.jsonl", "--view", "changes")
    changes = [json.loads(x) for x in (tmp_path / "changes.jsonl").read_text().splitlines()]
    assert sorted(c["id"] for c in changes) == sorted([edited, GONE])
    removed = next(c for c in changes if c["id"] == GONE)
    assert removed["status"] == "gone" and removed["versions"] == 1 and removed["removed"]
    change = next(c for c in changes if c["id"] == edited)
    assert change["versions"] == 2 and change["status"] == "live"
    assert change["sections_changed"] == ["en"] and 0.9 < change["text_similarity"] < 1
    _export(
        output, tmp_path / "ko.jsonl", "--lang", "ko", "--site", "usfk", "--since", "2024-01-01"
    )
    chosen = [json.loads(x) for x in (tmp_path / "ko.jsonl").read_text().splitlines()]
    assert chosen and all(r["site"] == "usfk" and r["published"] >= "2024-01-01" for r in chosen)
    _export(output, tmp_path / "kinds.jsonl", "--kind", "release,statement")
    kinds = [json.loads(x) for x in (tmp_path / "kinds.jsonl").read_text().splitlines()]
    expected = {r["id"] for r in records if r.get("kind") in ("release", "statement")}
    assert kinds and {r["id"] for r in kinds} == expected
    assert {r["kind"] for r in kinds} <= {"release", "statement"}


def test_exports_are_byte_identical_and_atomic(
    crawled: tuple[Mirror, Path, str], tmp_path: Path
) -> None:
    _, output, _ = crawled
    for fmt in ("jsonl", "csv", "parquet", "sqlite"):
        target = tmp_path / f"all.{fmt}"
        _export(output, target, "--view", "all")
        first, card = target.read_bytes(), target.with_name(target.name + ".md").read_bytes()
        _export(output, target, "--view", "all")
        assert target.read_bytes() == first, fmt
        assert target.with_name(target.name + ".md").read_bytes() == card
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_dataset_card(crawled: tuple[Mirror, Path, str], tmp_path: Path) -> None:
    _, output, _ = crawled
    _export(output, tmp_path / "latest.parquet")
    card = (tmp_path / "latest.parquet.md").read_text()
    for expected in (
        "| `published` | string or null |",
        "| usfj |",
        "| usk |"[:0],
        "public domain",
        "## Archive",
        "year published",
        "| ja |",
    ):
        assert expected in card


def test_incremental_exports_only_what_is_new(
    crawled: tuple[Mirror, Path, str], tmp_path: Path
) -> None:
    mirror, output, _ = crawled
    target = tmp_path / "delta.jsonl"
    _export(output, target, "--incremental", "--view", "all")
    assert len(target.read_text().splitlines()) == len(_records(output))
    _export(output, target, "--incremental", "--view", "all")
    assert target.read_text() == ""
    added = mirror.control("usfk", "add", count=2)
    assert crawl("usfk", mirror.url("usfk", ""), output, "-s", "ARCHIVE_MEDIA=0").returncode == 0
    _export(output, target, "--incremental", "--view", "all")
    assert sorted(json.loads(x)["id"] for x in target.read_text().splitlines()) == sorted(
        f"usfk:{i}" for i in added
    )


def test_diff_of_an_edited_release(crawled: tuple[Mirror, Path, str]) -> None:
    _, output, edited = crawled
    text = _scrapy(output, "diff", edited)
    assert text.returncode == 0, text.stderr
    assert "version 1" in text.stdout and "version 2" in text.stdout
    assert "+This release was updated" in text.stdout
    as_json = json.loads(_scrapy(output, "diff", edited, "--json").stdout)
    assert as_json["from_version"] == 1 and as_json["to_version"] == 2
    assert list(as_json["sections"]) == ["en"]
    assert _scrapy(output, "diff", "usfj:1").returncode == 1
    single = next(r["id"] for r in _records(output) if r["id"] != edited)
    once = _scrapy(output, "diff", single)
    assert once.returncode == 1 and once.stdout == ""
    assert once.stderr == f"{single}: only version 1 is known; nothing to compare\n"


def test_sqlite_export_serves_in_datasette(
    crawled: tuple[Mirror, Path, str], tmp_path: Path
) -> None:
    from datasette.app import Datasette

    _, output, _ = crawled
    target = tmp_path / "releases.sqlite"
    _export(output, target)

    async def search() -> Any:
        datasette = Datasette([str(target)])
        response = await datasette.client.get(
            "/releases/releases.json?_search=alliance&_shape=array"
        )
        return response.status_code, response.json()

    status, rows = asyncio.run(search())
    assert status == 200 and rows
    assert all("alliance" in (r["title"] + r["text"]).lower() for r in rows)


def test_feed_exporters_during_a_crawl(crawled: tuple[Mirror, Path, str], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    mirror, _, _ = crawled
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "usfk",
            "-a",
            f"base_url={mirror.url('usfk', '')}",
            "-s",
            f"OUTPUT_DIR={tmp_path}",
            "-s",
            "ARCHIVE_MEDIA=0",
            "-O",
            f"{tmp_path}/feed.parquet:parquet",
            "-O",
            f"{tmp_path}/feed.csv:release_csv",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    emitted = len(_records(tmp_path))
    assert pq.read_table(tmp_path / "feed.parquet").num_rows == emitted > 0
    with (tmp_path / "feed.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == emitted
