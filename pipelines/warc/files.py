"""WARC files on disk: naming, ``.open`` while written, rotation by size, crash repair.

Files are named ``PREFIX-YYYYMMDDhhmmssfff-SERIAL-HOST.warc.gz`` and written as
``….warc.gz.open``; the rename on close marks them complete. Each record is its own gzip
member and is flushed when written, so a kill -9 loses at most the record in flight; on
the next start a leftover ``.open`` file is cut back to its last whole record and closed.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import mmap
import os
import re
import socket
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from .records import WARC_VERSION

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"


@dataclass(frozen=True)
class Written:
    """Where a record landed: the final file name, its offset and length in bytes."""

    filename: str
    offset: int
    length: int


class _VerbatimWriter(WARCWriter):
    """warcio's writer, without its digests: records come with theirs, in the archive's
    algorithm, and with no payload digest where WARC 1.1 defines no payload (metadata)."""

    def ensure_digest(
        self, record: ArcWarcRecord, block: bool = True, payload: bool = True
    ) -> None:
        """Digests were computed when the record was built (``records.build``)."""


class WarcFileSet:
    """The WARC files of one crawl: the current one open for appending, rotated by size.

    ``ready`` is called before a batch of records is built, so the records name the
    warcinfo of the file they land in."""

    def __init__(
        self,
        folder: Path,
        prefix: str,
        max_size: int,
        warcinfo: Callable[[str], ArcWarcRecord],
        host: str | None = None,
    ) -> None:
        self.folder = folder
        self.prefix = prefix
        self.max_size = max_size
        # The machine's name, as one plain segment of a file name.
        self.host = re.sub(r"[^A-Za-z0-9-]", "-", host or socket.gethostname().split(".")[0])
        self._warcinfo = warcinfo
        self._serial = 0
        self._handle: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._name: str | None = None
        self.closed_files: list[Path] = []
        self.warcinfo_id: str | None = None

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:-3]
        self._serial += 1
        self._name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.host}.warc.gz"
        path = self.folder / (self._name + OPEN_SUFFIX)
        # "xb": a file of another run with the same name is never overwritten.
        self._handle = path.open("xb")
        # Held while written: another site's run starting now leaves this file alone.
        fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._writer = _VerbatimWriter(self._handle, gzip=True, warc_version=WARC_VERSION)
        info = self._warcinfo(self._name)
        self.warcinfo_id = info.rec_headers.get_header("WARC-Record-ID")
        self._write_one(info)

    def _write_one(self, record: ArcWarcRecord) -> Written:
        assert self._handle is not None and self._writer is not None and self._name
        offset = self._handle.tell()
        self._writer.write_record(record)
        self._handle.flush()
        return Written(self._name, offset, self._handle.tell() - offset)

    def ready(self) -> str | None:
        """Rotate a full file, open one if none is; return its warcinfo's record id."""
        if self._handle is not None and self._handle.tell() >= self.max_size:
            self.close()
        if self._handle is None:
            self._open()
        return self.warcinfo_id

    def write(self, records: Iterable[ArcWarcRecord]) -> list[Written]:
        """Write records together in the current file (``ready`` first)."""
        assert self._handle is not None, "ready() was not called"
        return [self._write_one(record) for record in records]

    def sync(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())

    def abandon(self) -> None:
        """Stop writing the current file and leave it ``.open``: a write to it failed, so it
        may end in a partial record that the next run's repair cuts off."""
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
        self._handle = self._writer = None
        self._name = None

    def close(self) -> Path | None:
        """Close the current file and drop its ``.open`` suffix."""
        if self._handle is None or self._name is None:
            return None
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        final = self.folder / self._name
        (self.folder / (self._name + OPEN_SUFFIX)).rename(final)
        self.closed_files.append(final)
        self._handle = self._writer = None
        self._name = None
        return final


# ---- crash repair ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repair:
    path: Path
    kept_bytes: int
    dropped_bytes: int
    records: int


_CHUNK = 1 << 16


def _member_end(view: memoryview, start: int) -> int | None:
    """End offset of the gzip member starting at ``start``, or None if it is cut short."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    position = start
    try:
        while position < len(view):
            chunk = view[position : position + _CHUNK]
            decompressor.decompress(chunk)
            if decompressor.eof:
                return position + len(chunk) - len(decompressor.unused_data)
            position += len(chunk)
    except zlib.error:
        return None
    return None


def whole_members(path: Path) -> tuple[int, int]:
    """``(end offset, count)`` of the complete gzip members at the start of ``path``."""
    size = path.stat().st_size
    if size == 0:
        return 0, 0
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        view = memoryview(data)
        try:
            offset = count = 0
            while offset < size:
                end = _member_end(view, offset)
                if end is None:
                    break
                offset, count = end, count + 1
        finally:
            view.release()
    return offset, count


def _unanswered_request(handle: IO[bytes]) -> int | None:
    """Offset of a last record that is a request whose response (written with it, in the
    same batch) never reached the file; None when the file ends with a whole exchange."""
    handle.seek(0)
    ids: set[str] = set()
    last: tuple[int, str, str | None] | None = None
    iterator = ArchiveIterator(handle, no_record_parse=True)
    for record in iterator:
        headers = record.rec_headers
        ids.add(headers.get_header("WARC-Record-ID"))
        last = (
            iterator.get_record_offset(),
            record.rec_type,
            headers.get_header("WARC-Concurrent-To"),
        )
    if last is None:
        return None
    offset, rec_type, concurrent = last
    return offset if rec_type == "request" and concurrent and concurrent not in ids else None


def _being_written(path: Path) -> bool:
    """True when a live process holds the writer's lock on ``path``."""
    with path.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def repair_open_files(folder: Path) -> list[Repair]:
    """Cut each leftover ``*.warc.gz.open`` back to its last whole exchange and close it."""
    repairs = []
    for path in sorted(folder.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        if _being_written(path):
            continue  # another run (of another site) is writing it
        size = path.stat().st_size
        end, count = whole_members(path)
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        if final.exists():
            raise FileExistsError(f"cannot repair {path}: {final} already exists")
        with path.open("r+b") as handle:
            handle.truncate(end)
            cut = _unanswered_request(handle)
            if cut is not None:  # the kill fell between a request and its response
                handle.truncate(cut)
                end, count = cut, count - 1
            handle.flush()
            os.fsync(handle.fileno())
        if count:
            path.rename(final)
        else:
            path.unlink()  # nothing whole in it, not even its warcinfo
        repair = Repair(final if count else path, end, size - end, count)
        logger.warning(
            "repaired %s left by an interrupted run: kept %d records (%d bytes), dropped %d bytes",
            path.name,
            count,
            end,
            size - end,
        )
        repairs.append(repair)
    return repairs
