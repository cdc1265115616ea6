"""Content decoders warcio lacks, so a server that sends ``br`` or ``zstd`` unasked cannot
break indexing, verification or re-extraction.

warcio 1.8.1 expects the old ``brotlipy`` API (warcio issue 73: with Google's Brotli,
which Scrapy needs, every ``br`` record raises) and has no ``zstd`` at all. The crawl
asks for ``gzip, deflate`` only; these cover servers that do not listen.
"""

from __future__ import annotations

from typing import Any

import brotli
from backports import zstd
from warcio.bufferedreaders import BufferedReader


class _BrotliStream:
    """Google Brotli's streaming decoder behind the zlib-like face warcio reads through."""

    unused_data = b""

    def __init__(self) -> None:
        self._decoder = brotli.Decompressor()

    def decompress(self, data: bytes) -> bytes:
        result: bytes = self._decoder.process(data)
        return result


def decode_brotli(body: bytes) -> bytes:
    result: bytes = brotli.decompress(body)
    return result


def decode_zstd(body: bytes) -> bytes:
    return zstd.decompress(body)


def install_decoders() -> None:
    """Register the decoders with warcio (idempotent)."""
    decoders: dict[str, Any] = BufferedReader.DECOMPRESSORS
    decoders["br"] = _BrotliStream
    decoders["zstd"] = zstd.ZstdDecompressor
