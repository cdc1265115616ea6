"""An archive that stays whole over many runs: five crawls of one mirror (a first crawl, three
revisit runs around two rounds of silent edits, one of them killed and run again), with
file rotation on. Every 304 is a revisit; every revisit and every pointer in the releases
files leads to content; every file describes itself and is indexed; a second reader
agrees on every digest; and pywb replays the newest and the oldest capture of every
release, with its images, from the WARCs and from the WACZ."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import signal
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipelines.output import run_files
from pipelines.warc.records import PROFILE_NOT_MODIFIED
from pipelines.warc.verify import verify_collection
from tests.conftest import ROOT, Mirror
from tests.crawling import crawl_command, scrapy_command
from tests.pywb import Pywb

SITE = "usfj"
SETTINGS = ("-s", "ARCHIVE_MAX_SIZE=60000")  # several files a run: rotation on


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    output = tmp_path_factory.mktemp("history")
    with Mirror("--sites", SITE, "--scale", "10", "--page-size", "10") as mirror:
        command = crawl_command(SITE, mirror.url(SITE, ""), output, *SETTINGS)
        served: list[list[str]] = []

        def run(*args: str) -> None:
            mirror.served(SITE)
            done = subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr[-3000:]
            served.append(mirror.served(SITE))

        run()  # 1: the first crawl
        ids = sorted(str(r["id"]) for r in mirror.control(SITE, "releases"))
        for article in ids[:2]:
            mirror.control(SITE, "edit", id=article)
        run("-a", "revisit=all")  # 2: two new versions, a 304 for every other release
        run("-a", "revisit=all")  # 3: a 304 for every release
        for article in (ids[0], ids[2]):
            mirror.control(SITE, "edit", id=article)
        # 4: killed in the middle, then 5: the same command again.
        process = subprocess.Popen(
            [*command, "-a", "revisit=all"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and len(mirror.control(SITE, "requests")) < 12:
            time.sleep(0.01)  # polls the mirror: the kill point is the requests served
        process.send_signal(signal.SIGKILL)
        process.wait()
        run("-a", "revisit=all")
        yield {"output": output, "served": served, "edited": ids[:3], "mirror": mirror}


def _member_ends(data: bytes) -> list[int]:
    """Where each gzip member of a WARC ends."""
    ends, offset = [], 0
    while offset < len(data):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        inflater.decompress(data[offset:])
        offset = len(data) - len(inflater.unused_data)
        ends.append(offset)
    return ends


def _in_compressed_data(data: bytes, share: float) -> int:
    """A position about ``share`` into the file, inside a gzip member's compressed data: a
    flip in a member's header (its MTIME, its OS byte) damages nothing a reader checks."""
    position = int(len(data) * share)
    start = 0
    for end in _member_ends(data):
        if position < end:
            header, trailer = 10, 8  # warcio writes gzip headers without a name or extra field
            if not start + header <= position < end - trailer:
                position = (start + header + end - trailer) // 2
            return position
        start = end
    raise AssertionError("no gzip member")


def _silent_damage(data: bytearray) -> bytearray:
    """The first one-byte flip after which warcio reads fewer records and raises nothing
    (it prints a zlib error and stops): what a reader that trusts warcio would miss."""
    whole = len(list(ArchiveIterator(io.BytesIO(bytes(data)))))
    for position in range(len(data) // 10, len(data), 37):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                count = len(list(ArchiveIterator(io.BytesIO(bytes(damaged)))))
        except Exception:
            continue
        if count < whole:
            return damaged
    raise AssertionError("no such position in this file")


def _records(output: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in run_files(output / "releases")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_the_collection_verifies(history: dict[str, Any]) -> None:
    output: Path = history["output"]
    reports = verify_collection(output)
    assert [(r.path, r.problems) for r in reports if r.problems] == []
    assert len(list((output / "warc").glob("*.warc.gz"))) >= 6  # rotation on
    collection = reports[-1].path
    assert " revisits" in collection and " 0 pointers" not in collection
    cli = subprocess.run(
        scrapy_command("verify", "-s", f"OUTPUT_DIR={output}"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stdout[-2000:]


def test_every_304_is_a_revisit_of_content(history: dict[str, Any]) -> None:
    output: Path = history["output"]
    reports = run_files(output / "reports", ".json")
    # Runs 2 and 3 (whole runs): as many server-not-modified revisits as 304s served.
    for report_path, served in zip(reports[1:3], history["served"][1:3], strict=True):
        report = json.loads(report_path.read_text())
        revisits = 0
        for warc in report["archive_files"]:
            with Path(warc).open("rb") as handle:
                revisits += sum(
                    r.rec_type == "revisit"
                    and r.rec_headers.get_header("WARC-Profile") == PROFILE_NOT_MODIFIED
                    for r in ArchiveIterator(handle)
                )
        not_modified = sum(line.endswith(" 304") for line in served)
        assert revisits == not_modified > 15


def test_versions_point_at_responses(history: dict[str, Any]) -> None:
    records = _records(history["output"])
    for record in records:
        assert record["archive"]["record_type"] == "response"
        if record["previous"]:
            assert record["previous"]["archive"]["record_type"] == "response"
            assert record["previous"]["fetched"] == record["previous"]["archive"]["date"]
    versions = {r["id"]: r["version"] for r in records}
    first, second, third = (f"{SITE}:{i}" for i in history["edited"])
    assert (versions[first], versions[second], versions[third]) == (3, 2, 2)


def _captures(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_release: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_release.setdefault(record["id"], []).append(record)
    return by_release


def _replays_newest_and_oldest(pywb: Pywb, records: list[dict[str, Any]], edited: set[str]) -> int:
    images = 0
    for release, versions in _captures(records).items():
        oldest, newest = versions[0], versions[-1]
        url = newest["archive"]["target_uri"]
        latest = pywb.replay(url, "2099-01-01T00:00:00Z")  # the newest capture there is
        assert newest["title"] in latest.replace("&#39;", "'").replace("&amp;", "&")
        first = pywb.replay(url, oldest["archive"]["date"])
        assert oldest["title"] in first.replace("&#39;", "'").replace("&amp;", "&")
        if release in edited:
            assert "This release was updated" in latest
            assert "This release was updated" not in first
        for image in newest["images"]:
            status, kind, body = pywb.fetch(
                image["url"].replace("https://media.defense.gov", url.split("/Media/")[0]),
                newest["archive"]["date"],
                "id_",
            )
            assert status == 200 and kind.startswith("image/") and body.startswith(b"\xff\xd8")
            images += 1
    return images


def test_pywb_replays_the_newest_and_oldest_capture_from_the_warcs(
    history: dict[str, Any], tmp_path: Path
) -> None:
    output: Path = history["output"]
    warcs = sorted((output / "warc").glob("*.warc.gz"))
    indexes = sorted((output / "warc").glob("*.cdxj"))
    edited = {f"{SITE}:{i}" for i in history["edited"]}
    with Pywb(tmp_path, "history", warcs, indexes=indexes) as pywb:
        assert _replays_newest_and_oldest(pywb, _records(output), edited) > 0


def test_pywb_replays_the_newest_and_oldest_capture_from_the_wacz(
    history: dict[str, Any], tmp_path: Path
) -> None:
    output: Path = history["output"]
    wacz = tmp_path / "history.wacz"
    done = subprocess.run(
        scrapy_command("package", "-o", str(wacz), "-s", f"OUTPUT_DIR={output}"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    edited = {f"{SITE}:{i}" for i in history["edited"]}
    (tmp_path / "pywb").mkdir()
    with Pywb(tmp_path / "pywb", "wacz", [], wacz=wacz) as pywb:
        assert _replays_newest_and_oldest(pywb, _records(output), edited) > 0


@pytest.mark.parametrize("where", [0.2, 0.35, 0.5, 0.65, 0.8, "checksum", "silent"])
def test_verify_names_a_damaged_file_and_only_it(
    history: dict[str, Any], tmp_path: Path, where: float | str
) -> None:
    copy = tmp_path / "out"
    shutil.copytree(history["output"], copy)
    warc = sorted((copy / "warc").glob("*.warc.gz"))[0]
    data = bytearray(warc.read_bytes())
    if where == "checksum":  # the CRC of the third gzip member
        third = _member_ends(bytes(data))[2]
        data[third - 6] ^= 0xFF
    elif where == "silent":  # a flip after which warcio stops early without an error
        data = _silent_damage(data)
    else:
        data[_in_compressed_data(bytes(data), float(where))] ^= 0xFF  # one compressed byte
    warc.write_bytes(bytes(data))
    reports = verify_collection(copy)
    failed = [r for r in reports if r.problems]
    assert [r.path for r in failed] == [str(warc), reports[-1].path]
    assert any("can be read only" in p for p in failed[-1].problems)
