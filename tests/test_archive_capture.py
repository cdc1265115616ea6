"""Wire fidelity: every WARC block equals the bytes the test server logged, byte for byte."""

from __future__ import annotations

import base64
import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.spiders.wire import PATHS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wire_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("wire")
    log = folder / "server.jsonl"
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.mockserver.wire", str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "runspider",
                "tests/spiders/wire.py",
                "-a",
                f"base_url={url}",
                "-s",
                f"OUTPUT_DIR={folder / 'out'}",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
                "-s",
                "CONCURRENT_REQUESTS_PER_DOMAIN=4",
                "-s",
                "LOG_LEVEL=DEBUG",
                "-o",
                str(folder / "items.jsonl"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stderr[-3000:]
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    records = []
    for warc in sorted((folder / "out" / "warc").glob("*.warc.gz")):
        with warc.open("rb") as handle:
            for record in ArchiveIterator(handle, no_record_parse=True):
                records.append((record.rec_headers, record.raw_stream.read()))
    items = [json.loads(line) for line in (folder / "items.jsonl").read_text().splitlines()]
    yield {
        "url": url,
        "logged": logged,
        "records": records,
        "items": items,
        "folder": folder,
        "log": done.stderr,
    }


def _blocks(records: list[Any], rec_type: str) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for headers, block in records:
        if headers.get_header("WARC-Type") == rec_type:
            found.setdefault(headers.get_header("WARC-Target-URI"), []).append(block)
    return found


def test_every_exchange_the_server_saw_is_archived_verbatim(wire_crawl: dict[str, Any]) -> None:
    responses = _blocks(wire_crawl["records"], "response")
    requests = _blocks(wire_crawl["records"], "request")
    assert len(wire_crawl["logged"]) >= len(PATHS) + 1 + 3  # robots.txt and 3 redirect hops
    for exchange in wire_crawl["logged"]:
        uri = wire_crawl["url"] + exchange["path"]
        sent = base64.b64decode(exchange["response"])
        if exchange["path"] == "/big":  # cut by download_maxsize: what arrived, a prefix
            (block,) = responses[uri]
            assert sent.startswith(block) and len(block) < len(sent)
            continue
        # Cookie values are redacted in request records (ARCHIVE_REDACT_HEADERS).
        received = re.sub(
            rb"\r\nCookie: [^\r]*", b"\r\nCookie: [redacted]", base64.b64decode(exchange["request"])
        )
        assert responses.get(uri) == [sent], exchange["path"]
        assert requests.get(uri) == [received], exchange["path"]


def test_cookies_the_server_set_are_in_no_request_record_and_no_log(
    wire_crawl: dict[str, Any],
) -> None:
    sent = [base64.b64decode(e["request"]) for e in wire_crawl["logged"]]
    assert any(b"\r\nCookie: a=1" in request for request in sent)  # the crawler sent them
    requests = [
        block for blocks in _blocks(wire_crawl["records"], "request").values() for block in blocks
    ]
    assert any(b"\r\nCookie: [redacted]\r\n" in block for block in requests)
    assert not any(re.search(rb"Cookie: [^\[]", block) for block in requests)
    assert "Cookie:" not in wire_crawl["log"] and "a=1; b=2" not in wire_crawl["log"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/reason", b"HTTP/1.1 200 Everything Is Fine Here\r\n"),
        (
            "/headers",
            b"Set-Cookie: a=1; Path=/\r\nSet-Cookie: b=2; Path=/; HttpOnly\r\nset-cookie: c=3\r\n",
        ),
        ("/headers", b"X-MiXeD-CaSe: Value\r\n"),
        ("/chunked", b"Transfer-Encoding: chunked\r\n\r\n64\r\n"),
        ("/gzip", b"Content-Encoding: gzip\r\n"),
        ("/redirect/3", b"HTTP/1.1 302 Found\r\nLocation: /redirect/2\r\n"),
        ("/500", b"HTTP/1.1 500 Internal Server Error\r\n"),
        ("/missing-page", b"HTTP/1.1 404 Not Found\r\n"),
        ("/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
        ("/latin1", "Caf\xe9".encode("latin-1")),
    ],
)
def test_what_parsed_messages_lose_is_kept(
    wire_crawl: dict[str, Any], path: str, expected: bytes
) -> None:
    block = _blocks(wire_crawl["records"], "response")[wire_crawl["url"] + path][0]
    assert expected in block


@pytest.mark.parametrize(
    ("path", "truncated"),
    [("/truncated", "disconnect"), ("/truncated-chunked", "disconnect"), ("/big", "unspecified")],
)
def test_cut_responses_are_marked_truncated(
    wire_crawl: dict[str, Any], path: str, truncated: str
) -> None:
    uri = wire_crawl["url"] + path
    marks = [
        h.get_header("WARC-Truncated")
        for h, _ in wire_crawl["records"]
        if h.get_header("WARC-Type") == "response" and h.get_header("WARC-Target-URI") == uri
    ]
    assert marks == [truncated]


def test_query_string_is_kept_in_the_target_uri(wire_crawl: dict[str, Any]) -> None:
    uris = {h.get_header("WARC-Target-URI") for h, _ in wire_crawl["records"]}
    assert wire_crawl["url"] + "/query?b=2&a=1&empty=" in uris


def test_request_and_response_share_date_and_link(wire_crawl: dict[str, Any]) -> None:
    by_id = {h.get_header("WARC-Record-ID"): h for h, _ in wire_crawl["records"]}
    info = [h for h, _ in wire_crawl["records"] if h.get_header("WARC-Type") == "warcinfo"]
    assert info and wire_crawl["records"][0][0].get_header("WARC-Type") == "warcinfo"
    for headers, _ in wire_crawl["records"]:
        if headers.get_header("WARC-Type") != "response":
            continue
        request = by_id[headers.get_header("WARC-Concurrent-To")]
        assert request.get_header("WARC-Type") == "request"
        assert request.get_header("WARC-Date") == headers.get_header("WARC-Date")
        assert headers.get_header("WARC-Warcinfo-ID") == info[0].get_header("WARC-Record-ID")
        assert headers.get_header("WARC-IP-Address") == "127.0.0.1"
        assert len(headers.get_header("WARC-Date")) == len("2026-01-01T00:00:00.000000Z")


def test_chunked_payload_digest_is_over_the_dechunked_entity(wire_crawl: dict[str, Any]) -> None:
    from pipelines.warc.records import Digester, HttpMessage

    for headers, block in wire_crawl["records"]:
        if (
            headers.get_header("WARC-Target-URI") == wire_crawl["url"] + "/chunked"
            and headers.get_header("WARC-Type") == "response"
        ):
            message = HttpMessage.parse(block)
            entity = message.entity()
            assert entity.startswith(b"<html>") and b"\r\n" not in entity
            assert headers.get_header("WARC-Payload-Digest") == Digester()(entity)
            return
    pytest.fail("no response record for /chunked")


def test_interim_responses_stay_in_the_block_and_the_digest_covers_the_final_entity(
    wire_crawl: dict[str, Any],
) -> None:
    from pipelines.warc.records import Digester, HttpMessage

    (block,) = _blocks(wire_crawl["records"], "response")[wire_crawl["url"] + "/continue"]
    assert block.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n")
    message = HttpMessage.parse(block)
    assert message.status == 200 and message.header("Content-Encoding") == "gzip"
    assert gzip.decompress(message.entity()).startswith(b"<html>")
    (headers,) = [
        h
        for h, _ in wire_crawl["records"]
        if h.get_header("WARC-Type") == "response"
        and h.get_header("WARC-Target-URI") == wire_crawl["url"] + "/continue"
    ]
    assert headers.get_header("WARC-Payload-Digest") == Digester()(message.entity())


def test_the_archive_of_odd_responses_verifies_and_is_indexed(wire_crawl: dict[str, Any]) -> None:
    from pipelines.warc.index import cdxj_path, read_cdxj
    from pipelines.warc.verify import verify_paths

    warcs = sorted((wire_crawl["folder"] / "out" / "warc").glob("*.warc.gz"))
    assert [report.problems for report in verify_paths(warcs)] == [[] for _ in warcs]
    indexed = {
        fields["url"]: fields for warc in warcs for _key, _ts, fields in read_cdxj(cdxj_path(warc))
    }
    assert indexed[wire_crawl["url"] + "/brotli"]["status"] == "200"  # br sent unasked


def test_items_point_at_their_capture(wire_crawl: dict[str, Any]) -> None:
    warcs = wire_crawl["folder"] / "out" / "warc"
    assert len(wire_crawl["items"]) == len(PATHS) - 3  # the two /truncated and /big fail
    for item in wire_crawl["items"]:
        ref = item["archive"]
        assert ref is not None, item["url"]
        with (warcs / ref["warc"]).open("rb") as handle:
            handle.seek(ref["offset"])
            member = handle.read(ref["length"])
        record = next(iter(ArchiveIterator(__import__("io").BytesIO(member))))
        assert record.rec_headers.get_header("WARC-Record-ID") == ref["record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]
