"""A collection moved or restored elsewhere (mv, cp -a) is the same collection: the next run
changes nothing that earlier runs decided — a deleted release stays gone."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Mirror
from tests.crawling import crawl

ARGS = ("-s", "ARCHIVE_MEDIA=0")


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    with Mirror("--sites", "usfk", "--scale", "5") as running:
        yield running


def _statuses(output: Path) -> dict[str, str]:
    with sqlite3.connect(output / "state" / "crawl.sqlite") as db:
        rows = db.execute("SELECT site, article_id, status FROM releases").fetchall()
    return {f"{site}:{article}": status for site, article, status in rows}


@pytest.mark.parametrize("how", ["mv", "cp -a"])
def test_a_moved_output_dir_keeps_deleted_releases_gone(
    mirror: Mirror, tmp_path: Path, how: str
) -> None:
    first = tmp_path / "first"
    assert crawl("usfk", mirror.url("usfk", ""), first, *ARGS).returncode == 0
    deleted = mirror.control("usfk", "releases")[1]["id"]
    mirror.control("usfk", "delete", id=deleted)
    revisit = crawl("usfk", mirror.url("usfk", ""), first, *ARGS, "-a", "revisit=all")
    assert revisit.report["gone"] == 1
    before, lines = _statuses(first), revisit.releases
    assert before[f"usfk:{deleted}"] == "gone"
    # The report says what the run was asked to do and how much it checked.
    assert revisit.report["arguments"]["revisit"] is True
    assert revisit.report["revisited"] == sum(s in ("live", "gone") for s in before.values())

    moved = tmp_path / "elsewhere" / "output"
    moved.parent.mkdir()
    if how == "mv":
        shutil.move(first, moved)
    else:
        shutil.copytree(first, moved, symlinks=True)
    again = crawl("usfk", mirror.url("usfk", ""), moved, *ARGS)

    assert again.returncode == 0
    assert _statuses(moved) == before  # nothing replayed over a later state
    assert again.releases == lines  # no new lines: nothing fetched again
    assert again.report["state"]["replayed_lines"] == 0
    assert again.report["state"]["damaged_files"] == []
