"""Run the parsers on a saved page or an archive: what ``scrapy extract`` does.

No Scrapy here: warcio reads archives, the parsers do the rest.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from crawler.parsers import Reject, Release, parse
from crawler.profiles import SiteProfile, all_profiles, get_profile, profile_for_url
from pipelines.warc.codecs import install_decoders


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


def _warc_streams(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """``(file name, stream)`` of each WARC in a WARC file or a WACZ, streamed."""
    if path.name.endswith(".wacz"):
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                if name.startswith("archive/") and name.endswith((".warc", ".warc.gz")):
                    with package.open(name) as stream:
                        yield Path(name).name, stream
    else:
        with path.open("rb") as stream:
            yield path.name, stream


def extract_archive(
    path: str | Path,
) -> Iterator[tuple[Release | Reject, dict[str, Any] | None]]:
    """Re-run the parsers on every release capture in a WARC or WACZ.

    The site comes from the crawl's warcinfo (``crawler-site``), so captures of a mirror
    parse like the real site's; ``fetched`` is the capture's WARC-Date and ``archive``
    points at the record, as in the live crawl. Yields each result with that pointer.
    """
    install_decoders()
    for name, stream in _warc_streams(Path(path)):
        profile: SiteProfile | None = None
        iterator = ArchiveIterator(stream)
        for record in iterator:
            if record.rec_type == "warcinfo":
                fields = _warc_fields(record.content_stream().read())
                site = fields.get("crawler-site")
                profile = all_profiles().get(site) if site else None
                continue
            if record.rec_type != "response" or record.http_headers is None:
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            site_profile = profile or profile_for_url(uri)
            if site_profile is None or site_profile.article_key(uri) is None:
                continue
            status = int(record.http_headers.get_statuscode() or 0)
            body = record.content_stream().read()
            date = record.rec_headers.get_header("WARC-Date")
            result = parse(
                uri,
                body,
                record.http_headers.headers,
                profile=site_profile,
                status=status,
                fetched=date,
            )
            ref = None
            if isinstance(result, Release):
                iterator.read_to_end(record)
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
            yield result, ref


def _warc_fields(block: bytes) -> dict[str, str]:
    fields = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    return fields
