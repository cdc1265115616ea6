"""The archive writer on its own: revisits, digests, redaction, rotation, naming."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.downloader.capture import Exchange
from pipelines.warc.archive import Archive
from pipelines.warc.index import read_cdxj
from pipelines.warc.records import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, Digester, dechunk
from pipelines.warc.verify import verify_paths

PAGE = b"<html><body>" + b"A release body. " * 40 + b"</body></html>"


def _archive(folder: Path, **overrides: object) -> Archive:
    options: dict[str, object] = {
        "folder": folder,
        "prefix": "test",
        "max_size": 10**9,
        "digest": Digester(),
        "warcinfo_fields": {"software": "tests"},
        "redact_headers": frozenset({"authorization"}),
        "dedup_min_size": 256,
    }
    options.update(overrides)
    return Archive(**options)  # type: ignore[arg-type]


def _exchange(uri: str, response: bytes, request: bytes | None = None) -> Exchange:
    exchange = Exchange(target_uri=uri, started=datetime.now(UTC), peer_ip="127.0.0.1")
    exchange.request += (
        request or f"GET {uri.split('/', 3)[3]} HTTP/1.1\r\nHost: h\r\n\r\n".encode()
    )
    exchange.response += response
    return exchange


def _ok(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (len(body), extra) + body


def _records(folder: Path) -> list[tuple[str, dict[str, str], bytes]]:
    found = []
    for warc in sorted(folder.glob("*.warc.gz")):
        with warc.open("rb") as handle:
            for record in ArchiveIterator(handle, no_record_parse=True):
                headers = dict(record.rec_headers.headers)
                found.append((record.rec_type, headers, record.raw_stream.read()))
    return found


def test_304_becomes_a_server_not_modified_revisit(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    first = _exchange("http://h/a", _ok(PAGE, b'ETag: "1"\r\n'))
    archive.write_exchange(first)
    not_modified = _exchange("http://h/a", b'HTTP/1.1 304 Not Modified\r\nETag: "1"\r\n\r\n')
    archive.write_exchange(not_modified)
    archive.close()
    revisits = [h for t, h, _ in _records(tmp_path) if t == "revisit"]
    assert len(revisits) == 1
    (revisit,) = revisits
    assert revisit["WARC-Profile"] == PROFILE_NOT_MODIFIED
    assert revisit["WARC-Refers-To"] == first.ref["record_id"]  # type: ignore[index]
    assert revisit["WARC-Refers-To-Date"] == first.ref["date"]  # type: ignore[index]
    assert revisit["WARC-Payload-Digest"] == first.ref["payload_digest"]  # type: ignore[index]
    assert "WARC-Truncated" not in revisit  # nothing was left out: a 304 has no payload
    assert not_modified.ref is not None and not_modified.ref["record_type"] == "revisit"
    assert all(r.ok for r in verify_paths([tmp_path]))
    # The replay index leaves the 304 out: the newest capture it offers holds the page.
    (index,) = tmp_path.glob("*.cdxj")
    entries = [fields for _key, _ts, fields in read_cdxj(index)]
    assert [e["status"] for e in entries] == ["200"]


def test_identical_payload_elsewhere_is_stored_once(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    archive.write_exchange(_exchange("http://h/a", _ok(PAGE)))
    archive.write_exchange(_exchange("http://h/b", _ok(PAGE, b"X-Other: 1\r\n")))
    archive.write_exchange(_exchange("http://h/small", _ok(b"tiny")))
    archive.write_exchange(_exchange("http://h/small2", _ok(b"tiny")))
    archive.close()
    records = _records(tmp_path)
    kinds = {h.get("WARC-Target-URI"): t for t, h, _ in records if t in ("response", "revisit")}
    assert kinds == {
        "http://h/a": "response",
        "http://h/b": "revisit",
        "http://h/small": "response",
        "http://h/small2": "response",
    }
    (revisit,) = [(h, block) for t, h, block in records if t == "revisit"]
    assert revisit[0]["WARC-Profile"] == PROFILE_IDENTICAL
    assert revisit[1] == b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Other: 1\r\n\r\n" % len(PAGE)


def test_sha1_digests_and_redacted_secrets(tmp_path: Path) -> None:
    archive = _archive(tmp_path, digest=Digester("sha1"))
    request = b"GET /a HTTP/1.1\r\nAuthorization: Bearer s3cret\r\nHost: h\r\n\r\n"
    archive.write_exchange(_exchange("http://h/a", _ok(PAGE), request))
    archive.close()
    records = _records(tmp_path)
    (request_block,) = [b for t, _h, b in records if t == "request"]
    assert request_block == b"GET /a HTTP/1.1\r\nAuthorization: [redacted]\r\nHost: h\r\n\r\n"
    assert all(h["WARC-Block-Digest"].startswith("sha1:") for _t, h, _b in records)
    assert all(r.ok for r in verify_paths([tmp_path]))


def test_files_rotate_by_size_each_with_its_warcinfo(tmp_path: Path) -> None:
    archive = _archive(tmp_path, max_size=1500)
    in_flight = _exchange("http://h/slow", _ok(PAGE + b"slow"))  # begun before the others
    first = _exchange("http://h/first", _ok(PAGE + b"first"))
    archive.write_exchange(first)
    for index in range(6):
        archive.write_exchange(_exchange(f"http://h/{index}", _ok(PAGE + bytes([65 + index]))))
    archive.write_exchange(in_flight)  # finishes after rotations
    assert first.ref is not None
    archive.write_metadata(first.ref, "http://h/first", {"release-id": "x:1"})  # a later file
    closed = archive.close()
    assert len(closed) >= 3
    assert [p.name.split("-")[2] for p in closed] == [f"{n:05d}" for n in range(1, len(closed) + 1)]
    for warc in closed:
        with gzip.open(warc) as stream:
            assert stream.readline() == b"WARC/1.1\r\n"
        with warc.open("rb") as handle:
            info, *rest = list(ArchiveIterator(handle))
        assert info.rec_type == "warcinfo" and rest
        own = info.rec_headers.get_header("WARC-Record-ID")
        # Every record names the warcinfo of its own file, which is dated no later.
        assert {r.rec_headers.get_header("WARC-Warcinfo-ID") for r in rest} == {own}
        first = min(r.rec_headers.get_header("WARC-Date") for r in rest)
        assert info.rec_headers.get_header("WARC-Date") <= first
    assert not list(tmp_path.glob("*.open"))
    assert all(r.ok for r in verify_paths([tmp_path]))


def test_a_metadata_record_has_no_payload_digest(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    exchange = _exchange("http://h/a", _ok(PAGE))
    archive.write_exchange(exchange)
    assert exchange.ref is not None
    archive.write_metadata(exchange.ref, "http://h/a", {"release-id": "x:1"})
    archive.close()
    (metadata,) = [h for t, h, _ in _records(tmp_path) if t == "metadata"]
    assert "WARC-Payload-Digest" not in metadata  # WARC 1.1: no payload, no payload digest
    assert metadata["WARC-Block-Digest"].startswith("sha256:")
    assert all(r.ok for r in verify_paths([tmp_path]))


def test_a_chunked_body_with_trailers_has_the_digest_of_its_entity(tmp_path: Path) -> None:
    entity = PAGE
    half = len(entity) // 2
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x;name=value\r\n" % half
        + entity[:half]
        + b"\r\n%x\r\n" % (len(entity) - half)
        + entity[half:]
        + b"\r\n0\r\nX-Checksum: abc\r\nX-Other: def\r\n\r\n"
    )
    assert dechunk(chunked.split(b"\r\n\r\n", 1)[1]) == entity  # trailers are not data
    archive = _archive(tmp_path)
    archive.write_exchange(_exchange("http://h/chunked", chunked))
    plain = _exchange("http://h/plain", _ok(entity))
    archive.write_exchange(plain)  # the same entity: stored once
    archive.close()
    assert plain.ref is not None and plain.ref["record_type"] == "revisit"
    assert all(r.ok for r in verify_paths([tmp_path]))
