"""Check WARC, WARC.gz and WACZ files the way an archivist's tools will read them.

Per file: every gzip member decompresses (warcio misses a truncated last member); each
record has the mandatory fields, no repeated field, an exact Content-Length and CRLFCRLF
after its block, a UTC W3C-DTF WARC-Date, a target URI where one belongs and none where
it must not; request/response, warcinfo and revisit links resolve; block and payload
digests recompute; HTTP blocks parse and a declared Content-Encoding decodes; warcio reads
every record; and a second reader (FastWARC, with h11 for HTTP: ``crosscheck``) finds the
same records and digests. A WACZ is checked with the ``wacz`` validator and each WARC
inside it. Across a collection (``verify_collection``: an OUTPUT_DIR), every revisit leads
to content, every pointer in the releases files lands on it, and every WARC is indexed
(``history``).
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator

from .codecs import decode_brotli, decode_zstd, install_decoders
from .crosscheck import second_reading
from .files import whole_members
from .history import catalog, index_problems, pointer_problems, revisit_problems
from .records import Digester, HttpMessage, printable

MANDATORY = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
# WARC 1.1 lets only these fields repeat.
REPEATABLE = frozenset({"warc-concurrent-to"})
NEEDS_TARGET = frozenset(
    {"request", "response", "revisit", "resource", "conversion", "continuation"}
)
WARC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$")
HTTP_TYPES = frozenset({"request", "response", "revisit"})
BLOCK_CHUNK = 1 << 20  # bytes read at a time from a record block
# What reading a damaged zip (or a member cut short) raises.
DAMAGED_ZIP = (zipfile.BadZipFile, OSError, EOFError, zlib.error)


@dataclass
class FileReport:
    path: str
    records: int = 0
    problems: list[str] = field(default_factory=list)
    # What a server sent wrong, archived as sent: worth knowing, not damage to the file.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        if self.ok:
            noted = f"; the server's faults, kept as sent: {'; '.join(self.notes[:3])}"
            return f"OK    {self.path} ({self.records} records{noted if self.notes else ''})"
        # One line whatever a problem quotes (a second reader's record id may hold a CRLF).
        shown = "; ".join(" ".join(p.split()) for p in self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        return f"FAIL  {self.path} ({self.records} records): {shown}{more}"


@dataclass
class _Record:
    offset: int
    headers: list[tuple[str, str]]
    block: bytes

    def get(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]


class _Structure(Exception):
    pass


class _PastTheEnd(_Structure):
    """A Content-Length beyond the bytes left in the file: a damaged record."""


def _records(stream: IO[bytes]) -> Iterator[_Record]:
    """Records of an uncompressed WARC stream, parsed strictly."""
    offset = 0
    while True:
        line = stream.readline()
        if not line:
            return
        if line in (b"\r\n", b"\n"):
            raise _Structure(f"offset {offset}: blank line where a record should start")
        if not line.startswith(b"WARC/"):
            raise _Structure(f"offset {offset}: record does not start with a WARC version line")
        consumed = len(line)
        headers = []
        while True:
            line = stream.readline()
            consumed += len(line)
            if not line:
                raise _Structure(f"offset {offset}: headers cut short")
            if line == b"\r\n":
                break
            if not line.endswith(b"\r\n"):
                raise _Structure(f"offset {offset}: header line not ended by CRLF")
            name, colon, value = line[:-2].decode("utf-8", "replace").partition(":")
            if not colon:
                raise _Structure(f"offset {offset}: header line without a colon")
            headers.append((name.strip(), value.strip()))
        record = _Record(offset, headers, b"")
        length_text = record.get("Content-Length")
        # ASCII digits only: str.isdigit() also takes "²" and other digits int() refuses.
        if length_text is None or not (length_text.isascii() and length_text.isdigit()):
            raise _Structure(f"offset {offset}: missing or bad Content-Length")
        length = int(length_text)
        record.block = _read_block(stream, length)
        if len(record.block) != length:
            raise _PastTheEnd(f"offset {offset}: Content-Length {length} runs past the end")
        if stream.read(4) != b"\r\n\r\n":
            raise _Structure(f"offset {offset}: no CRLFCRLF after the block")
        yield record
        offset += consumed + length + 4


def _read_block(stream: IO[bytes], length: int) -> bytes:
    """Up to ``length`` bytes, read in chunks: a damaged Content-Length allocates no more
    than the file holds."""
    chunks = []
    left = length
    while left:
        chunk = stream.read(min(left, BLOCK_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _decodes(encoding: str, body: bytes) -> bool:
    """True when ``body`` decodes fully with the declared content encoding."""
    encoding = encoding.strip().lower()
    if encoding in ("identity", ""):
        return True
    decoders = {
        "gzip": gzip.decompress,
        "x-gzip": gzip.decompress,
        "deflate": _inflate,
        "br": decode_brotli,
        "zstd": decode_zstd,
    }
    decoder = decoders.get(encoding)
    if decoder is None:
        return False
    try:
        decoder(body)
    except Exception:
        return False
    return True


def _inflate(body: bytes) -> bytes:
    try:
        return zlib.decompress(body)
    except zlib.error:
        return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send


def _check_record(record: _Record, report: FileReport) -> None:
    where = f"offset {record.offset}"
    for name in MANDATORY:
        if record.get(name) is None:
            report.problems.append(f"{where}: no {name}")
    seen: set[str] = set()
    for name, _value in record.headers:
        key = name.lower()
        if key in seen and key not in REPEATABLE:
            report.problems.append(f"{where}: {name} repeated")
        seen.add(key)
    date = record.get("WARC-Date") or ""
    if not WARC_DATE.match(date):
        report.problems.append(f"{where}: WARC-Date {date!r} is not UTC W3C-DTF")
    rec_type = record.get("WARC-Type") or ""
    target = record.get("WARC-Target-URI")
    if rec_type in NEEDS_TARGET and not target:
        report.problems.append(f"{where}: {rec_type} record without WARC-Target-URI")
    if rec_type == "warcinfo" and target:
        report.problems.append(f"{where}: warcinfo record with a WARC-Target-URI")
    _check_digests(record, rec_type, report)
    if rec_type in HTTP_TYPES:
        _check_http(record, rec_type, report)


def _digester_for(value: str) -> Digester | None:
    algorithm = value.split(":", 1)[0].lower().replace("-", "")
    return Digester(algorithm) if algorithm in ("sha1", "sha256") else None


def _check_digests(record: _Record, rec_type: str, report: FileReport) -> None:
    where = f"offset {record.offset}"
    block_digest = record.get("WARC-Block-Digest")
    if block_digest:
        digester = _digester_for(block_digest)
        if digester is None:
            report.problems.append(f"{where}: unknown block digest algorithm {block_digest!r}")
        elif digester(record.block) != block_digest:
            report.problems.append(f"{where}: block digest does not match")
    payload_digest = record.get("WARC-Payload-Digest")
    if (
        payload_digest
        and rec_type in ("response", "request")
        and record.get("WARC-Truncated") is None
    ):
        digester = _digester_for(payload_digest)
        if digester is None:
            report.problems.append(f"{where}: unknown payload digest algorithm")
            return
        message = HttpMessage.parse(record.block)
        # The payload is the entity without transfer encoding (WARC 1.1, 6.3.2); a raw-body
        # digest of a non-chunked message is the same thing.
        if payload_digest not in (digester(message.entity()), digester(message.body)):
            report.problems.append(f"{where}: payload digest does not match")


def _check_http(record: _Record, rec_type: str, report: FileReport) -> None:
    where = f"offset {record.offset}"
    message = HttpMessage.parse(record.block)
    first = message.head.split(b"\r\n", 1)[0]
    if rec_type == "request":
        if not re.match(rb"^[A-Z]+ \S+ HTTP/\d\.\d$", first):
            report.problems.append(f"{where}: request line does not parse")
        return
    if message.status is None:
        report.problems.append(f"{where}: HTTP status line does not parse")
        return
    if rec_type == "revisit" or record.get("WARC-Truncated"):
        return
    encoding = message.header("Content-Encoding")
    if encoding and message.body and not _decodes(encoding, message.entity()):
        report.notes.append(f"{where}: Content-Encoding {encoding!r} does not decode")


def _check_links(
    records: list[_Record], report: FileReport, known_ids: set[str], complete: bool = True
) -> None:
    """``complete``: the sibling files were read whole (when one is damaged, its report
    says so, and links into its unread part are not counted against this file)."""
    ids = known_ids | {r.get("WARC-Record-ID") or "" for r in records}
    # A file describes itself: its records name a warcinfo record in the same file.
    warcinfos = {r.get("WARC-Record-ID") for r in records if r.get("WARC-Type") == "warcinfo"}
    for record in records:
        where = f"offset {record.offset}"
        warcinfo = record.get("WARC-Warcinfo-ID")
        if warcinfo and warcinfo not in warcinfos:
            report.problems.append(f"{where}: WARC-Warcinfo-ID {warcinfo} is not in this file")
        refers = record.get("WARC-Refers-To")
        if refers and refers not in ids and complete:
            report.problems.append(f"{where}: WARC-Refers-To {refers} not found")
        for value in record.all("WARC-Concurrent-To"):
            if value not in ids and complete:
                report.problems.append(f"{where}: WARC-Concurrent-To {value} not found")
        if (
            record.get("WARC-Type") == "revisit"
            and not record.get("WARC-Refers-To")
            and not record.get("WARC-Refers-To-Target-URI")
        ):
            report.problems.append(f"{where}: revisit without WARC-Refers-To")


def _warcio_reads(data: IO[bytes], report: FileReport) -> None:
    install_decoders()
    try:
        for record in ArchiveIterator(data):
            record.content_stream().read()
    except Exception as error:  # warcio fails on damaged input in many ways
        report.problems.append(f"warcio cannot read it: {printable(error)}")


def readable_to_the_end(path: Path) -> bool:
    """Whether every gzip member of the file decompresses (warcio stops at a bad one and
    only prints why)."""
    if not path.name.endswith(".gz"):
        return True
    end, _count = whole_members(path)
    return end == path.stat().st_size


def verify_warc(
    path: Path, known_ids: set[str] | None = None, name: str | None = None, complete: bool = True
) -> FileReport:
    """Check one WARC file (gzip or not). ``known_ids``: record ids of sibling files
    (``complete``: all of them could be read)."""
    report = FileReport(name or str(path))
    gzipped = path.name.endswith(".gz")
    if gzipped:
        end, _count = whole_members(path)
        if end != path.stat().st_size:
            report.problems.append(f"gzip member at offset {end} does not decompress")
    records: list[_Record] = []
    past_the_end = False
    try:
        with gzip.open(path, "rb") if gzipped else path.open("rb") as stream:
            for record in _records(stream):  # type: ignore[arg-type]
                records.append(record)
                _check_record(record, report)
    except (_Structure, OSError, EOFError, zlib.error) as error:
        report.problems.append(printable(error))
        past_the_end = isinstance(error, _PastTheEnd)
    report.records = len(records)
    if not records and not report.problems:  # a WARC holds at least a warcinfo record
        report.problems.append("empty file" if _empty(path, gzipped) else "no WARC record")
    if records and records[0].get("WARC-Type") != "warcinfo":
        report.problems.append("the first record is not a warcinfo record")
    _check_links(records, report, known_ids or set(), complete)
    with path.open("rb") as raw:
        _warcio_reads(raw, report)
    if not past_the_end:  # FastWARC allocates a record's Content-Length up front (aborts)
        report.problems += second_reading(path, [r.get("WARC-Record-ID") or "" for r in records])
    return report


def _empty(path: Path, gzipped: bool) -> bool:
    """Whether the file holds no bytes, or (gzip) decompresses to none."""
    if path.stat().st_size == 0:
        return True
    if not gzipped:
        return False
    with gzip.open(path, "rb") as stream:
        return not stream.read(1)


def record_ids(path: Path) -> tuple[set[str], bool]:
    """Every WARC-Record-ID in a file (to resolve links across the files of one crawl), and
    whether the file could be read to its end."""
    ids = set()
    try:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                ids.add(record.rec_headers.get_header("WARC-Record-ID"))
    except Exception:  # warcio fails on damaged input in many ways (AttributeError too)
        return ids, False
    return ids, readable_to_the_end(path)


def _all_ids(warcs: list[Path]) -> tuple[set[str], bool]:
    read = [record_ids(w) for w in warcs]
    return set().union(*(ids for ids, _whole in read)), all(whole for _ids, whole in read)


def verify_wacz(path: Path) -> list[FileReport]:
    """The package's report (the validator's verdict), then one per WARC inside it."""
    report = FileReport(str(path))
    try:
        _validate_wacz(path, report)
        return [report, *_verify_members(path, report)]
    except DAMAGED_ZIP as error:  # cut short or not a zip: report it, never raise
        report.problems.append(f"damaged file: {printable(error)}")
        return [report]


def _validate_wacz(path: Path, report: FileReport) -> None:
    """Run the ``wacz`` validator's checks; what it prints is the problem."""
    from wacz.util import WACZ_VERSION
    from wacz.validate import OUTDATED_WACZ, Validation

    with redirect_stdout(io.StringIO()) as said:
        validation = Validation(str(path))
        checks = [
            validation.check_required_contents,
            validation.frictionless_validate,
            validation.check_file_paths,
            validation.check_file_hashes,
            validation.check_data_package_hash_and_sig,
        ]
        passed = validation.version in (WACZ_VERSION, OUTDATED_WACZ) and all(
            check() is not False for check in checks
        )
    if not passed:
        report.problems.append("wacz validate: " + " ".join(said.getvalue().split())[-300:])


def _verify_members(path: Path, report: FileReport) -> list[FileReport]:
    """Reports of the WARCs in the package (``report.records``: how many it holds)."""
    with zipfile.ZipFile(path) as package:
        names = [n for n in package.namelist() if n.startswith("archive/")]
        report.records = len(names)
        with _extracted(package, names) as files:
            ids, whole = _all_ids(files)
            return [verify_warc(f, ids, f"{path}!{f.name}", whole) for f in files]


@contextmanager
def _extracted(package: zipfile.ZipFile, names: list[str]) -> Iterator[list[Path]]:
    """The package's WARCs copied to a temporary folder (streamed, not read into memory)."""
    with tempfile.TemporaryDirectory(prefix="verify-wacz-") as folder:
        paths = []
        for name in names:
            target = Path(folder) / Path(name).name
            with package.open(name) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            paths.append(target)
        yield paths


def verify_collection(output: Path, archive_dir: str = "warc") -> list[FileReport]:
    """Check an OUTPUT_DIR: its WARCs and WACZs file by file, then the collection: revisits,
    the releases files' pointers, indexes."""
    folders = [p for p in (output / archive_dir, output / "wacz") if p.exists()]
    reports = verify_paths(folders)
    warcs = sorted((output / archive_dir).glob("*.warc.gz")) if folders else []
    entries, damaged = catalog(warcs)
    pointers, pointer_issues = pointer_problems(output / "releases", entries)
    revisits = sum(1 for e in entries.values() if e.rec_type == "revisit")
    issues = [*revisit_problems(entries), *pointer_issues]
    if damaged:  # what points into the unread part is not counted: the damage is reported
        issues = [i for i in issues if "is in no WARC" not in i and "in no file" not in i]
    history = FileReport(
        f"{output} (collection: {len(warcs)} WARCs, {revisits} revisits, {pointers} pointers)",
        records=0,
        problems=[*damaged, *issues, *index_problems(warcs)],
    )
    return [*reports, history]


def verify_paths(paths: list[Path]) -> list[FileReport]:
    """Check every file given (folders: the WARCs and WACZs in them)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.name.endswith((".warc", ".warc.gz", ".wacz"))
            )
        else:
            files.append(path)
    warcs = [f for f in files if not f.name.endswith(".wacz")]
    ids, whole = _all_ids(warcs)
    reports: list[FileReport] = []
    for file in files:
        if not file.exists():
            reports.append(FileReport(str(file), problems=["no such file"]))
        elif file.name.endswith(".wacz"):
            reports += verify_wacz(file)
        else:
            reports.append(verify_warc(file, ids, complete=whole))
    return reports
