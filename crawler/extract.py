"""Run the parsers on a saved page or an archive: what ``scrapy extract`` does.

No Scrapy here: warcio reads archives, the parsers do the rest.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeGuard
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from crawler.parsers import Reject, Release, parse
from crawler.parsers.twins import twin_url, with_twin
from crawler.profiles import SiteProfile, all_profiles, get_profile, profile_for_url
from crawler.profiles.toml import PROFILE_FIELD, profile_from_json
from pipelines.warc.codecs import install_decoders
from pipelines.warc.records import printable


def extract_file(
    path: str | Path,
    url: str,
    *,
    site: str | None = None,
    content_type: str | None = None,
    status: int | None = None,
    fetched: str | None = None,
) -> Release | Reject:
    """Parse one saved page as if it had been fetched from ``url``."""
    body = Path(path).read_bytes()
    headers = [("Content-Type", content_type)] if content_type else []
    profile: SiteProfile | None = get_profile(site) if site else None
    return parse(url, body, headers, profile=profile, status=status, fetched=fetched)


def to_json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


# ---- archives ---------------------------------------------------------------------------------

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".wacz")


def is_archive(path: str | Path) -> bool:
    return str(path).endswith(ARCHIVE_SUFFIXES)


# Not a parser's verdict: a WARC file, WACZ or record that cannot be read. Its ``url`` names
# the file (``PACKAGE.wacz!WARC`` for a WARC inside a WACZ), its ``detail`` what is wrong.
DAMAGED = "damaged_archive"


@dataclass(frozen=True)
class _Capture:
    """A release capture read whole: what the parser needs, and where the record is."""

    uri: str
    profile: SiteProfile
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    date: str | None
    ref: dict[str, Any]


def extract_archive(
    path: str | Path,
) -> Iterator[tuple[Release | Reject, dict[str, Any] | None]]:
    """``extract_archives`` of one WARC or WACZ."""
    return extract_archives([path])


def extract_archives(
    paths: Iterable[str | Path],
) -> Iterator[tuple[Release | Reject, dict[str, Any] | None]]:
    """Re-run the parsers on every release capture in a WARC or WACZ.

    The site comes from the crawl's warcinfo (``crawler-site``), so captures of a mirror
    parse like the real site's; ``fetched`` is the capture's WARC-Date and ``archive``
    points at the record, as in the live crawl. Yields each result with that pointer (a
    release's), and a ``DAMAGED`` Reject for each file or record that cannot be read.
    """
    install_decoders()
    # Releases whose twin (a page in another language) the crawl fetched after them: held
    # until that capture is read, by the twin's path (a mirror's captures name its origin).
    awaiting: dict[str, tuple[Release, dict[str, Any]]] = {}
    captures = (capture for path in paths for capture in _captures(Path(path)))
    for capture in captures:  # in order: a twin may be in the next file of the crawl
        if isinstance(capture, Reject):
            yield capture, None
            continue
        if capture.profile.is_twin_url(capture.uri):
            held = awaiting.pop(_path_of(capture.uri), None)
            if held is not None:
                merged, _ = with_twin(
                    held[0],
                    capture.uri,
                    capture.body,
                    capture.headers,
                    profile=capture.profile,
                    status=capture.status,
                )
                yield merged, held[1]
            continue
        result = parse(
            capture.uri,
            capture.body,
            capture.headers,
            profile=capture.profile,
            status=capture.status,
            fetched=capture.date,
        )
        if isinstance(result, Release):
            twin = twin_url(result, capture.body, capture.headers, capture.profile)
            if twin is not None:
                awaiting[_path_of(twin)] = (result, capture.ref)
                continue
        yield result, capture.ref if isinstance(result, Release) else None
    yield from awaiting.values()  # the twin was not captured: as the crawl kept it


def _path_of(url: str) -> str:
    return urlsplit(url).path


def is_damaged(result: Release | Reject) -> TypeGuard[Reject]:
    """Whether ``result`` reports a damaged file or record rather than a page."""
    return isinstance(result, Reject) and result.reason == DAMAGED


def _damaged(where: str, what: object) -> Reject:
    """A one-line report of a file or record that cannot be read."""
    return Reject(DAMAGED, printable(" ".join(str(what).split())), where)


def _captures(path: Path) -> Iterator[_Capture | Reject]:
    """The release captures of a WARC file or of each WARC in a WACZ (streamed)."""
    if not path.name.endswith(".wacz"):
        try:
            stream = path.open("rb")
        except OSError as error:
            yield _damaged(str(path), f"cannot open it: {error.strerror or error}")
            return
        with stream:
            yield from _read_warc(path.name, str(path), stream)
        return
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield _damaged(str(path), f"not a readable WACZ: {error}")
        return
    with package:
        for name in package.namelist():
            if name.startswith("archive/") and name.endswith((".warc", ".warc.gz")):
                yield from _read_member(package, name, f"{path}!{name}")


def _read_member(package: zipfile.ZipFile, name: str, where: str) -> Iterator[_Capture | Reject]:
    """One WARC of a WACZ; a member that cannot be opened is reported, the next ones read."""
    try:
        stream = package.open(name)
    except (zipfile.BadZipFile, OSError) as error:
        yield _damaged(where, f"cannot open it: {error}")
        return
    with stream:
        yield from _read_warc(Path(name).name, where, stream)


def _read_warc(name: str, where: str, stream: IO[bytes]) -> Iterator[_Capture | Reject]:
    """Captures of one WARC up to the first record warcio cannot read, then that damage."""
    profile: SiteProfile | None = None
    iterator = ArchiveIterator(stream)
    read = 0
    try:
        for record in iterator:
            read += 1
            if record.rec_type in ("warcinfo", "metadata"):
                fields = _warc_fields(record.content_stream().read())
                if fields.get(PROFILE_FIELD):  # a site's profile found from its pages
                    profile = _discovered(fields[PROFILE_FIELD]) or profile
                elif record.rec_type == "warcinfo":
                    site = fields.get("crawler-site")
                    profile = all_profiles().get(site) if site else None
            elif record.rec_type == "response" and record.http_headers is not None:
                capture = _capture(record, iterator, name, where, profile)
                if capture is not None:
                    yield capture
    except Exception as error:  # warcio fails on damaged input in many ways
        # warcio's offset runs negative in a gzip member holding several records
        at = f" from offset {iterator.offset}" if iterator.offset >= 0 else ""
        yield _damaged(where, f"unreadable{at}: {error}")
        return
    if not read:  # a WARC holds at least a warcinfo record
        yield _damaged(where, "empty file, no WARC record")


def _capture(
    record: ArcWarcRecord,
    iterator: ArchiveIterator,
    name: str,
    where: str,
    profile: SiteProfile | None,
) -> _Capture | Reject | None:
    """A response record read whole, or why it cannot be; None when it is no release."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    site_profile = profile or profile_for_url(uri)
    if site_profile is None or (
        site_profile.article_key(uri) is None and not site_profile.is_twin_url(uri)
    ):
        return None
    code = record.http_headers.get_statuscode() or "0"
    # ASCII digits only: a damaged status line ("abc", a NUL, "²") is reported, not int()-ed.
    if not (code.isascii() and code.isdigit()):
        iterator.read_to_end(record)
        return _damaged(
            where,
            f"record at offset {iterator.get_record_offset()} ({uri}): "
            f"HTTP status line does not parse: {code!r}",
        )
    body = record.content_stream().read()
    iterator.read_to_end(record)
    date = record.rec_headers.get_header("WARC-Date")
    ref = {
        "target_uri": uri,
        "warc": name,
        "offset": iterator.get_record_offset(),
        "length": iterator.get_record_length(),
        "record_id": record.rec_headers.get_header("WARC-Record-ID"),
        "record_type": "response",
        "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
        "date": date,
    }
    headers = record.http_headers.headers
    return _Capture(uri, site_profile, int(code), headers, body, date, ref)


def _discovered(line: str) -> SiteProfile | None:
    try:
        return profile_from_json(line)
    except (ValueError, TypeError):  # a damaged field: the host's profile, if any, is used
        return None


def _warc_fields(block: bytes) -> dict[str, str]:
    fields = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    return fields
