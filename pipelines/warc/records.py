"""WARC/1.1 records built from captured bytes, with the block written verbatim.

warcio re-serialises HTTP headers it has parsed, so records are built with no parsed HTTP
headers and the digests computed here: the block is exactly the bytes on the wire.

Digest convention: ``WARC-Block-Digest`` covers the block as stored;
``WARC-Payload-Digest`` covers the HTTP entity with the transfer encoding removed
(de-chunked) but any content encoding kept (still gzip if it was sent gzipped), as WARC
1.1 section 6.3.2 defines it. For a chunked response this differs from what tools that
digest the raw body compute (warcio issue 74).
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

WARC_VERSION = "WARC/1.1"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# The end of a head; bare LF line ends are not HTTP, but some servers send them and
# clients (Twisted's among them) accept them.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# An interim response before the final one (101 switches protocol: it is final).
_INTERIM = re.compile(rb"HTTP/\d(?:\.\d)? +1(?!01)\d\d\b")
CONTENT_TYPES = {
    "warcinfo": "application/warc-fields",
    "request": "application/http;msgtype=request",
    "response": "application/http;msgtype=response",
    "revisit": "application/http;msgtype=response",
}


def printable(error: object, limit: int = 160) -> str:
    """An error message fit for one report line: readers quote the damaged bytes."""
    text = "".join(c if c.isascii() and c.isprintable() else "?" for c in str(error))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(when: datetime) -> str:
    """W3C-DTF in UTC with microseconds: ``2026-11-25T14:07:31.123456Z``."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Digester:
    """``sha256:BASE32`` (default) or ``sha1:BASE32`` digests, as warcio writes them."""

    def __init__(self, algorithm: str = "sha256") -> None:
        if algorithm not in ("sha256", "sha1"):
            raise ValueError(f"ARCHIVE_DIGEST must be sha256 or sha1, got {algorithm!r}")
        self.algorithm = algorithm

    def __call__(self, data: bytes) -> str:
        digest = hashlib.new(self.algorithm, data).digest()
        return f"{self.algorithm}:{base64.b32encode(digest).decode('ascii')}"


@dataclass(frozen=True)
class HttpMessage:
    """An HTTP message split at the end of its header block."""

    head: bytes  # status/request line and headers, with the blank line that ends them
    body: bytes  # as sent: chunked framing and content encoding kept
    status: int | None
    headers: list[tuple[str, str]]

    @classmethod
    def parse(cls, block: bytes) -> HttpMessage:
        """Split at the end of the final head: interim ``1xx`` heads (100 Continue, 103
        Early Hints) stay in ``head``, and status and headers are the final response's."""
        start = 0
        while True:
            blank = _BLANK_LINE.search(block, start)
            if blank is None:
                return cls(block, b"", None, [])
            if not _INTERIM.match(block, start):
                break
            start = blank.end()
        head, body = block[: blank.end()], block[blank.end() :]
        lines = re.split(r"\r?\n", block[start : blank.start()].decode("iso-8859-1"))
        status = None
        parts = lines[0].split(" ", 2)
        if lines[0].startswith("HTTP/") and len(parts) > 1 and parts[1].isdigit():
            status = int(parts[1])
        headers = []
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers.append((name.strip(), value.strip()))
        return cls(head, body, status, headers)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def chunked(self) -> bool:
        return "chunked" in (self.header("Transfer-Encoding") or "").lower()

    def complete(self) -> bool:
        """True when the body is whole by its own framing (Content-Length or chunks); a
        body delimited by the connection closing always is."""
        if self.status is None:
            return False
        if self.status in (204, 304):
            return True
        if self.chunked:
            return _chunks_complete(self.body)
        length = self.header("Content-Length")
        return not (length and length.isdigit() and len(self.body) < int(length))

    def entity(self) -> bytes:
        """The body without transfer encoding (de-chunked), content encoding kept."""
        return dechunk(self.body) if self.chunked else self.body


def dechunk(body: bytes) -> bytes:
    """The data of a chunked body, up to its last chunk: trailers are not data.

    Written here because warcio's ChunkedDataReader keeps the trailer section as data, and
    h11 (verify's check) needs a whole well-formed head, which an archived response may
    lack. A body cut short gives the data of its whole chunks and of the cut one so far.
    """
    data = bytearray()
    position = 0
    while True:
        line_end = body.find(b"\n", position)
        if line_end < 0:
            return bytes(data)
        try:
            size = int(body[position:line_end].split(b";", 1)[0].strip(), 16)
        except ValueError:
            return bytes(data)
        if size <= 0:
            return bytes(data)
        start = line_end + 1
        data += body[start : start + size]
        position = start + size
        if body.startswith(b"\r\n", position):
            position += 2
        elif body.startswith(b"\n", position):
            position += 1
        else:
            return bytes(data)


def _chunks_complete(body: bytes) -> bool:
    """True when chunked framing reaches its last chunk and the blank line after trailers."""
    position = 0
    while True:
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            return False
        size = body[position:line_end].split(b";", 1)[0].strip()
        try:
            length = int(size, 16)
        except ValueError:
            return False
        if length == 0:
            return body.find(b"\r\n\r\n", line_end) >= 0
        position = line_end + 2 + length
        if body[position : position + 2] != b"\r\n":
            return False
        position += 2


class _VerbatimHttpHead:
    """Stands in for warcio's parsed headers so a revisit keeps the header bytes as sent."""

    def __init__(self, head: bytes) -> None:
        self.headers_buff = head

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        """Nothing to compute: the buffer is the wire bytes."""


def build(
    rec_type: str,
    headers: list[tuple[str, str]],
    block: bytes,
    digest: Digester,
    payload_digest: str | None = None,
    content_type: str | None = None,
    http_head: bytes | None = None,
) -> ArcWarcRecord:
    """A record whose block is ``block`` verbatim (for revisits: ``http_head`` only)."""
    stored = http_head if rec_type == "revisit" and http_head is not None else block
    fields = [("WARC-Type", rec_type), *headers, ("WARC-Block-Digest", digest(stored))]
    if payload_digest is not None:
        fields.append(("WARC-Payload-Digest", payload_digest))
    content_type = content_type or CONTENT_TYPES.get(rec_type, "application/warc-record")
    rec_headers = StatusAndHeaders("", fields, protocol=WARC_VERSION)
    http_headers = _VerbatimHttpHead(http_head) if rec_type == "revisit" and http_head else None
    length = 0 if http_headers is not None else len(block)
    record = ArcWarcRecord(
        "warc",
        rec_type,
        rec_headers,
        BytesIO(b"" if http_headers else block),
        http_headers,
        content_type,
        length,
    )
    record.payload_length = length
    return record
