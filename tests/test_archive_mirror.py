"""The archive of a mirror crawl: verified, indexed, packaged, re-extractable, repairable."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.records import content_digest
from pipelines.warc.files import repair_open_files
from pipelines.warc.index import read_cdxj
from pipelines.warc.verify import verify_paths, verify_warc
from tests.conftest import ROOT, Mirror
from tests.crawling import CrawlResult, crawl


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A command-line tool installed beside this interpreter (scrapy, warcio, wacz)."""
    executable = Path(sys.executable).parent / tool
    return subprocess.run(
        [str(executable), *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def afmil(mirror: Mirror, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    output = tmp_path_factory.mktemp("archive")
    result = crawl("afmil", mirror.url("afmil", ""), output, "-s", "ARCHIVE_PACKAGE=1")
    assert result.returncode == 0, result.log[-2000:]
    return result


def _warcs(result: CrawlResult) -> list[Path]:
    return sorted((result.output_dir / "warc").glob("*.warc.gz"))


def _wacz(result: CrawlResult) -> Path:
    packages = list((result.output_dir / "wacz").glob("*.wacz"))
    assert len(packages) == 1
    return packages[0]


def test_files_are_closed_named_and_indexed(afmil: CrawlResult) -> None:
    warcs = _warcs(afmil)
    assert warcs and not list((afmil.output_dir / "warc").glob("*.open"))
    for warc in warcs:
        prefix, stamp, serial, _host = warc.name.removesuffix(".warc.gz").split("-", 3)
        assert prefix == "dpc" and len(stamp) == 17 and serial == "00001"
        assert warc.with_name(warc.name.replace(".warc.gz", ".cdxj")).exists()


def test_scrapy_verify_warcio_check_and_wacz_validate_pass(afmil: CrawlResult) -> None:
    verify = _run("scrapy", "verify", str(afmil.output_dir / "warc"), str(_wacz(afmil)))
    assert verify.returncode == 0, verify.stdout
    assert " 0 failed" in verify.stdout
    check = _run("warcio", "check", *map(str, _warcs(afmil)))
    assert check.returncode == 0, check.stdout
    validate = _run("wacz", "validate", "-f", str(_wacz(afmil)))
    assert validate.returncode == 0, validate.stdout


def test_every_cdxj_line_rereads_its_record(afmil: CrawlResult) -> None:
    lines = 0
    for warc in _warcs(afmil):
        for _key, _ts, fields in read_cdxj(warc.with_name(warc.name.replace(".warc.gz", ".cdxj"))):
            with (warc.parent / fields["filename"]).open("rb") as handle:
                handle.seek(int(fields["offset"]))
                member = handle.read(int(fields["length"]))
            record = next(iter(ArchiveIterator(io.BytesIO(member))))
            assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]
            lines += 1
    assert lines > len(afmil.releases)


def test_wacz_lists_every_release_page(afmil: CrawlResult) -> None:
    with zipfile.ZipFile(_wacz(afmil)) as package:
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()[1:]]
    assert sorted(p["url"] for p in pages) == sorted(
        r["archive"]["target_uri"] for r in afmil.releases
    )


def test_reextraction_from_the_wacz_equals_the_live_crawl(afmil: CrawlResult) -> None:
    done = _run("scrapy", "extract", str(_wacz(afmil)))
    assert done.returncode == 0, done.stderr
    history = ("version", "first_seen", "previous")  # what the state store adds, run by run
    again = {r["id"]: r for r in map(json.loads, done.stdout.splitlines())}
    live = {r["id"]: {k: v for k, v in r.items() if k not in history} for r in afmil.releases}
    assert again == live  # even fetched and archive agree


def test_records_point_at_their_capture_and_its_metadata(afmil: CrawlResult) -> None:
    metadata: dict[str, dict[str, str]] = {}
    for warc in _warcs(afmil):
        with warc.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "metadata":
                    fields = dict(
                        line.split(": ", 1)
                        for line in record.content_stream().read().decode().splitlines()
                    )
                    metadata[record.rec_headers.get_header("WARC-Concurrent-To")] = fields
    for release in afmil.releases:
        ref: dict[str, Any] = release["archive"]
        with (afmil.output_dir / "warc" / ref["warc"]).open("rb") as handle:
            handle.seek(ref["offset"])
            record = next(iter(ArchiveIterator(io.BytesIO(handle.read(ref["length"])))))
        assert record.rec_headers.get_header("WARC-Record-ID") == ref["record_id"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == ref["payload_digest"]
        assert release["fetched"] == record.rec_headers.get_header("WARC-Date")
        fields = metadata[ref["record_id"]]
        assert fields["release-digest"] == content_digest(release)
        assert fields["extractor"] == "articlecs/" + release["extractor"]["version"]


def test_repeated_block_pages_are_revisits_of_the_first(afmil: CrawlResult) -> None:
    records = []
    for warc in _warcs(afmil):
        with warc.open("rb") as handle:
            records += [(r.rec_type, r.rec_headers) for r in ArchiveIterator(handle)]
    ids = {h.get_header("WARC-Record-ID"): h for _t, h in records}
    revisits = [h for t, h in records if t == "revisit"]
    assert revisits
    for headers in revisits:
        original = ids[headers.get_header("WARC-Refers-To")]
        assert original.get_header("WARC-Payload-Digest") == headers.get_header(
            "WARC-Payload-Digest"
        )
        assert headers.get_header("WARC-Refers-To-Target-URI") == original.get_header(
            "WARC-Target-URI"
        )
        assert headers.get_header("WARC-Truncated") == "length"


# ---- broken files ----------------------------------------------------------------------------


def _members(warc: Path) -> list[bytes]:
    data, members, offset = warc.read_bytes(), [], 0
    with warc.open("rb") as handle:
        iterator = ArchiveIterator(handle)
        for _record in iterator:
            iterator.read_to_end()
            members.append(
                data[
                    iterator.get_record_offset() : iterator.get_record_offset()
                    + iterator.get_record_length()
                ]
            )
    assert sum(map(len, members)) == len(data) - offset
    return members


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("truncate", "does not decompress"),
        ("flip", "digest does not match"),
        ("repeat", "repeated"),
        ("no-crlf", "CRLFCRLF"),
        ("bad-date", "W3C-DTF"),
    ],
)
def test_verify_finds_damage(afmil: CrawlResult, tmp_path: Path, damage: str, problem: str) -> None:
    members = _members(_warcs(afmil)[0])
    third = gzip.decompress(members[2])
    if damage == "truncate":
        members[-1] = members[-1][: len(members[-1]) // 2]
    elif damage == "flip":
        members[2] = gzip.compress(third[:-10] + bytes([third[-10] ^ 1]) + third[-9:])
    elif damage == "repeat":
        line = third.split(b"\r\n")[1] + b"\r\n"  # the record's first field, written twice
        members[2] = gzip.compress(third.replace(line, line + line, 1))
    elif damage == "no-crlf":
        members[2] = gzip.compress(third[:-4] + b"\r\n")
    elif damage == "bad-date":
        head, _, rest = third.partition(b"WARC-Date: ")
        members[2] = gzip.compress(head + b"WARC-Date: 2026-11-25 10:00:00" + rest[27:])
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(b"".join(members))
    report = verify_warc(broken)
    assert not report.ok
    assert any(problem in p for p in report.problems), report.problems
    done = _run("scrapy", "verify", str(broken))
    assert done.returncode == 1 and "FAIL" in done.stdout


@pytest.mark.parametrize("whole", [5, 4])
def test_leftover_open_file_is_cut_back_to_a_whole_exchange_and_closed(
    afmil: CrawlResult, tmp_path: Path, whole: int
) -> None:
    warc = _warcs(afmil)[0]
    members = _members(warc)
    kinds = [next(iter(ArchiveIterator(io.BytesIO(m)))).rec_type for m in members[:6]]
    assert kinds == ["warcinfo", "request", "response", "request", "response", "request"]
    leftover = tmp_path / (warc.name + ".open")
    leftover.write_bytes(b"".join(members[:whole]) + members[whole][:40])
    repairs = repair_open_files(tmp_path)
    # Killed after a whole exchange: the torn record goes. Killed between a request and
    # its response: the unanswered request goes with it.
    kept = 5 if whole == 5 else 3
    dropped = sum(len(m) for m in members[kept:whole]) + 40
    assert [(r.records, r.dropped_bytes) for r in repairs] == [(kept, dropped)]
    repaired = tmp_path / warc.name
    assert repaired.exists() and not leftover.exists()
    assert verify_paths([repaired])[0].problems == []


def test_sigkill_mid_crawl_then_rerun_repairs_and_verifies(mirror: Mirror, tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "afmil",
        "-a",
        f"base_url={mirror.url('afmil', '')}",
        "-s",
        f"OUTPUT_DIR={tmp_path}",
        "-s",
        "DOWNLOAD_DELAY=0.2",
        "-s",
        "DOWNLOAD_DELAY_JITTER=0",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    folder = tmp_path / "warc"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until records are on disk, then kill -9
        open_files = list(folder.glob("*.open")) if folder.exists() else []
        if open_files and open_files[0].stat().st_size > 8000:
            break
        assert process.poll() is None, "the crawl ended before it could be killed"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert list(folder.glob("*.open"))
    done = subprocess.run(command[:-4], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "repaired" in done.stderr
    assert not list(folder.glob("*.open"))
    warcs = sorted(folder.glob("*.warc.gz"))
    assert len(warcs) == 2
    # The repair cuts the killed run's file back to its last whole exchange.
    assert [report.problems for report in verify_paths(warcs)] == [[], []]
    check = _run("warcio", "check", *map(str, warcs))
    assert check.returncode == 0, check.stdout
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.slow
def test_every_release_page_replays_in_pywb(afmil: CrawlResult, tmp_path: Path) -> None:
    from parsel import Selector

    from tests.pywb import Pywb

    with Pywb(tmp_path, "mirror", _warcs(afmil)) as pywb:
        for release in afmil.releases:
            page = pywb.replay(release["archive"]["target_uri"], release["archive"]["date"])
            headings = " ".join(Selector(text=page).css("h1 ::text").getall())
            assert release["title"] in " ".join(headings.split()), release["id"]
