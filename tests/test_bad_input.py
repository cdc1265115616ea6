"""Commands given bad input: one line on stderr saying what is wrong, a non-zero exit, no
traceback, and nothing written where it must not be (``verify``, ``extract``, ``export``)."""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from pathlib import Path

import pytest

from tests import fuzzing as fz
from tests.conftest import ROOT
from tests.crawling import scrapy_command

ARTICLE_URL = "https://www.af.mil/News/Article-Display/Article/643299/"


def _scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        scrapy_command(*args), cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (and nothing on stdout)."""
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), lines
    return lines[0]


# ---- verify: an empty WARC is a failure ------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "data"),
    [(".warc", b""), (".warc.gz", b""), (".warc.gz", gzip.compress(b""))],
    ids=["0-byte warc", "0-byte warc.gz", "gzip of nothing"],
)
def test_verify_fails_an_empty_warc(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(data)
    done = _scrapy("verify", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == f"FAIL  {path} (0 records): empty file"


# ---- extract: a damaged archive --------------------------------------------------------------


def test_extract_prints_what_it_reads_then_names_the_damage(tmp_path: Path) -> None:
    """The 4th record has Content-Length -77 and an empty version line: the releases
    before it are printed, then one line naming the file, then the summary; exit 1."""
    damaged = fz.damage_warc("plain", [("content_length", 4, -77), ("version", 4, b"")], [])
    path = tmp_path / f"damaged{damaged.suffix}"
    path.write_bytes(damaged.data)
    done = _scrapy("extract", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    releases = [json.loads(line) for line in done.stdout.splitlines()]
    assert releases and all(r["archive"]["warc"] == path.name for r in releases)
    errors = [line for line in done.stderr.splitlines() if line.startswith("extract:")]
    assert len(errors) == 1 and errors[0].startswith(f"extract: damaged {path}: "), errors
    assert done.stderr.splitlines()[-1] == f"{len(releases)} releases, refused: none; 1 damaged"


@pytest.mark.parametrize("data", [b"", b"\x00\x01 not a warc"], ids=["empty", "random"])
def test_extract_names_an_unreadable_archive(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(data)
    done = _scrapy("extract", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout == ""
    damage, summary = done.stderr.splitlines()
    assert damage.startswith(f"extract: damaged {path}: ")
    assert summary == "0 releases, refused: none; 1 damaged"


# ---- extract: a path that is no page ---------------------------------------------------------


def test_extract_refuses_a_directory(tmp_path: Path) -> None:
    for url in ([], ["--url", ARTICLE_URL]):
        done = _scrapy("extract", str(tmp_path), *url)
        assert done.returncode == 2
        assert _one_line(done) == f"extract: {tmp_path} is a directory"


def test_extract_refuses_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    for url in ([], ["--url", ARTICLE_URL]):
        done = _scrapy("extract", str(missing), *url)
        assert done.returncode == 2
        assert _one_line(done) == f"extract: no such file: {missing}"


@pytest.mark.parametrize("data", [b"", bytes(range(256)) * 8], ids=["empty", "binary"])
def test_extract_without_url_says_why(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "page.bin"
    path.write_bytes(data)
    done = _scrapy("extract", str(path))
    assert done.returncode == 2
    assert _one_line(done) == (
        f"extract: {path} is not a WARC or WACZ file; to parse a saved page give --url URL"
    )


@pytest.mark.parametrize("data", [b"", bytes(range(256)) * 8], ids=["empty", "binary"])
def test_extract_with_url_refuses_a_page_that_is_none(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(data)
    done = _scrapy("extract", str(path), "--url", ARTICLE_URL)
    assert done.returncode == 1
    assert _one_line(done).startswith("refused: ")


def test_extract_refuses_a_file_over_download_maxsize_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    with path.open("wb") as handle:
        handle.truncate(50 * 1000 * 1000)  # sparse: 50 MB that no one writes or reads
    start = time.perf_counter()
    done = _scrapy("extract", str(path), "--url", ARTICLE_URL)
    took = time.perf_counter() - start
    assert done.returncode == 1
    assert _one_line(done) == (
        f"refused: too_large: {path} is 50000000 bytes, over DOWNLOAD_MAXSIZE (16777216)"
    )
    assert took < 30, f"took {took:.1f} s: the file was read"
    smaller = _scrapy("extract", str(path), "--url", ARTICLE_URL, "-s", "DOWNLOAD_MAXSIZE=1000")
    assert "over DOWNLOAD_MAXSIZE (1000)" in _one_line(smaller)


# ---- export: an output that cannot be written ------------------------------------------------


def _export(output: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Export an empty collection (a releases folder, no run yet)."""
    (tmp_path / "output" / "releases").mkdir(parents=True, exist_ok=True)
    return _scrapy("export", "-o", str(output), "-s", f"OUTPUT_DIR={tmp_path / 'output'}")


def test_compact_of_a_missing_collection_is_one_line(tmp_path: Path) -> None:
    done = _scrapy("compact", "-s", f"OUTPUT_DIR={tmp_path / 'unmounted'}")
    assert done.returncode == 1
    assert _one_line(done) == f"compact: no collection under {tmp_path / 'unmounted'}"


def test_export_of_a_missing_collection_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    done = _scrapy("export", "-o", str(target), "-s", f"OUTPUT_DIR={tmp_path / 'unmounted'}")
    assert done.returncode == 1
    assert _one_line(done).startswith(f"export: no collection under {tmp_path / 'unmounted'}")
    assert not target.exists()


@pytest.mark.parametrize("name", ["x.csv", "x.jsonl", "x.parquet", "x.sqlite"])
def test_export_to_an_unwritable_place_is_one_line(tmp_path: Path, name: str) -> None:
    output = Path("/proc") / name  # no file can be created in /proc on any Linux machine
    done = _export(output, tmp_path)
    assert done.returncode == 1
    assert _one_line(done).startswith(f"export: cannot write {output}: ")
    assert not output.exists()


def test_export_does_not_create_a_missing_folder(tmp_path: Path) -> None:
    output = tmp_path / "missing" / "x.csv"
    done = _export(output, tmp_path)
    assert done.returncode == 1
    assert _one_line(done) == f"export: cannot write {output}: no folder {output.parent}"
    assert not output.parent.exists()


def test_export_leaves_no_temporary_file(tmp_path: Path) -> None:
    output = tmp_path / "out" / "x.csv"
    output.parent.mkdir()
    done = _export(output, tmp_path)
    assert done.returncode == 0, done.stderr
    assert not [p.name for p in output.parent.iterdir() if ".tmp-" in p.name]
    assert output.exists()
