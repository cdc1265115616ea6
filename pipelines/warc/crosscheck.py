"""A second, independent reading of a WARC file: FastWARC for the records, h11 for HTTP.

The writer and ``verify``'s first reading share this project's record parser and
de-chunker, so a bug in them could pass both. Here FastWARC (resiliparse) must find the
same records, in the same order, with block digests that verify, and h11 must find in each
HTTP response the entity whose digest is the record's WARC-Payload-Digest (the body without
transfer encoding, as WARC 1.1 defines the payload).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import h11
from fastwarc.warc import ArchiveIterator, WarcRecordType

from .records import printable

_CHECKED = WarcRecordType.any_type


def second_reading(path: Path, expected_ids: list[str]) -> list[str]:
    """Problems the second reading finds in ``path`` (``expected_ids``: the record ids the
    first reading found, in order)."""
    problems: list[str] = []
    ids: list[str] = []
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, record_types=_CHECKED, parse_http=False):
                record_id = record.headers.get("WARC-Record-ID") or ""
                ids.append(record_id)
                where = f"record {record_id}"
                if record.headers.get("WARC-Block-Digest") and not record.verify_block_digest():
                    problems.append(f"{where}: FastWARC finds another block digest")
                    continue
                problem = _payload(record.headers, record.reader.read())
                if problem:
                    problems.append(f"{where}: {problem}")
    except Exception as error:  # the second reader's own failure is what we report
        problems.append(f"FastWARC cannot read it: {type(error).__name__}: {printable(error)}")
    if ids != expected_ids:
        problems.append(
            f"FastWARC reads {len(ids)} records, the first reading {len(expected_ids)}"
            if len(ids) != len(expected_ids)
            else "FastWARC reads the records in another order"
        )
    return problems


def _payload(headers: object, block: bytes) -> str | None:
    """A problem with the payload digest of an HTTP response, as h11 reads the block."""
    get = headers.get  # type: ignore[attr-defined]
    if get("WARC-Type") not in ("response", "revisit") or get("WARC-Truncated"):
        return None
    claimed = get("WARC-Payload-Digest")
    if not claimed or get("WARC-Type") == "revisit":
        return None  # a revisit's payload is the record it refers to (history checks it)
    entity = _entity(block)
    if entity is None:
        return None  # not HTTP h11 can read (the first reading checked its framing)
    algorithm = claimed.split(":", 1)[0].lower()
    if algorithm not in ("sha1", "sha256"):
        return None
    digest = base64.b32encode(hashlib.new(algorithm, entity).digest()).decode("ascii")
    if claimed != f"{algorithm}:{digest}":
        return "h11 finds another payload (the entity without transfer encoding)"
    return None


def _entity(block: bytes) -> bytes | None:
    """The final response's entity, read by h11 as a client would; None if it cannot."""
    connection = h11.Connection(h11.CLIENT, max_incomplete_event_size=1 << 20)
    connection.send(h11.Request(method="GET", target="/", headers=[("Host", "archive")]))
    connection.send(h11.EndOfMessage())
    data = bytearray()
    try:
        connection.receive_data(block)
        connection.receive_data(b"")
        while True:
            event = connection.next_event()
            if isinstance(event, h11.Data):
                data += event.data
            elif isinstance(event, h11.EndOfMessage):
                return bytes(data)
            elif event is h11.NEED_DATA or isinstance(event, h11.ConnectionClosed):
                return None
    except h11.RemoteProtocolError:
        return None
