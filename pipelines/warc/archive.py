"""The crawl's archive: turns captured exchanges into WARC records and writes them at once.

One ``Archive`` per crawler (``archive_for``), shared by the archiving download handler
(which hands it every exchange) and the item pipeline that links releases to their
captures. Identical payloads become ``revisit`` records (identical-payload-digest), a 304
whose earlier capture is known becomes a server-not-modified revisit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from warcio.recordloader import ArcWarcRecord

from crawler import __version__
from crawler.downloader.capture import Exchange
from crawler.profiles import SiteProfile

from ..failure import stop_for_write_error
from ..output import plain_name, run_id
from ..state.crawl import state_for
from . import records
from .captures import Capture, Captures
from .files import WarcFileSet, Written, repair_open_files
from .index import cdxj_path, index_warc, refused_captures, warcinfo_field
from .package import build_wacz, release_pages
from .records import Digester, HttpMessage, build, new_record_id, warc_date
from .settle import unjudged_refusals

logger = logging.getLogger(__name__)

_ARCHIVES: WeakKeyDictionary[Crawler, Archive] = WeakKeyDictionary()
_REDACTED = "[redacted]"


def operator(settings: BaseSettings) -> str:
    """The operator the warcinfo names: ARCHIVE_OPERATOR, else CRAWLER_CONTACT, else none."""
    return str(settings.get("ARCHIVE_OPERATOR") or settings.get("CRAWLER_CONTACT") or "")


def archive_for(crawler: Crawler) -> Archive:
    """The crawler's archive, created on first use and closed when the spider closes."""
    if crawler not in _ARCHIVES:
        archive = Archive.from_crawler(crawler)
        _ARCHIVES[crawler] = archive
        crawler.signals.connect(archive.spider_closed, signal=signals.spider_closed)
    return _ARCHIVES[crawler]


class ArchiveWriteError(Exception):
    """The archive could not be written (see ``pipelines.failure``)."""


class Archive:
    def __init__(
        self,
        folder: Path,
        prefix: str,
        max_size: int,
        digest: Digester,
        warcinfo_fields: dict[str, str],
        redact_headers: frozenset[str],
        dedup_min_size: int,
        crawler: Crawler | None = None,
    ) -> None:
        self.folder = folder
        self.digest = digest
        self.redact_headers = redact_headers
        self.dedup_min_size = dedup_min_size
        self.warcinfo_fields = warcinfo_fields
        self.crawler = crawler
        self.repairs = repair_open_files(folder) if folder.exists() else []
        self.files = WarcFileSet(folder, prefix, max_size, self._warcinfo)
        self.captures = Captures()
        self.started = datetime.now(UTC)  # no record of this archive is older
        self.closed = False
        self.broken = False  # a write failed: nothing more is written, the file is left open
        self.index = True
        self.package_to: Path | None = None
        self.releases_dir = folder.parent / "releases"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Archive:
        settings = crawler.settings
        output = Path(settings.get("OUTPUT_DIR") or "output")
        max_size = settings.getint("ARCHIVE_MAX_SIZE")
        if max_size <= 0:
            raise ValueError(f"ARCHIVE_MAX_SIZE must be a positive number of bytes, got {max_size}")
        spider = crawler.spider
        fields = {
            "software": f"defense-press-crawler/{__version__} (Scrapy, warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": str(getattr(spider, "name", "crawl")),
            # Who ran the crawl, as they said; never a default (false provenance).
            "operator": operator(settings),
            "http-header-user-agent": str(settings.get("USER_AGENT")),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "accept-encoding": str(
                settings.getdict("DEFAULT_REQUEST_HEADERS").get("Accept-Encoding", "")
            ),
            "digest-convention": "payload = HTTP entity without transfer encoding",
            "redacted-request-headers": ", ".join(
                sorted(settings.getlist("ARCHIVE_REDACT_HEADERS"))
            ),
        }
        profile = getattr(spider, "profile", None)
        if profile is not None:
            fields["crawler-site"] = profile.id
            fields["crawler-base-url"] = str(getattr(spider, "base_url", profile.origin))
        if not fields["operator"]:
            logger.warning(
                "no operator: set CRAWLER_CONTACT (or ARCHIVE_OPERATOR); the warcinfo names none"
            )
        archive = cls(
            folder=output / plain_name(settings.get("ARCHIVE_DIR"), "ARCHIVE_DIR"),
            prefix=plain_name(settings.get("ARCHIVE_PREFIX"), "ARCHIVE_PREFIX"),
            max_size=max_size,
            digest=Digester(settings.get("ARCHIVE_DIGEST")),
            warcinfo_fields=fields,
            redact_headers=frozenset(h.lower() for h in settings.getlist("ARCHIVE_REDACT_HEADERS")),
            dedup_min_size=settings.getint("ARCHIVE_DEDUP_MIN_SIZE"),
            crawler=crawler,
        )
        archive.index = settings.getbool("ARCHIVE_INDEX")
        archive.releases_dir = output / "releases"
        if settings.getbool("ARCHIVE_PACKAGE"):
            run = run_id(crawler)
            archive.package_to = output / "wacz" / f"{run}.wacz"
        profile = getattr(crawler.spider, "profile", None)
        store = state_for(crawler)
        if store is not None and profile is not None:
            archive.captures.remember(store.captures(profile.id))
        archive.settle(profile)
        return archive

    def settle(self, profile: SiteProfile | None) -> None:
        """Judge what runs killed before their close left without a verdict (their WARCs
        have no index yet), and note the refusals here, so replay never lands on them."""
        site = profile.id if profile is not None else None
        for warc in sorted(self.folder.glob("*.warc.gz")) if self.folder.exists() else []:
            if cdxj_path(warc).exists() or warcinfo_field(warc, "crawler-site") != site:
                continue
            for ref, verdict in unjudged_refusals(warc, profile):
                fields = {
                    "refused": verdict.reason,
                    "detail": verdict.detail[:300],
                    "judged": "after the run that captured it was interrupted",
                }
                with contextlib.suppress(ArchiveWriteError):  # judged now: dated now
                    self.write_metadata(
                        ref, ref["target_uri"], fields, warc_date(datetime.now(UTC))
                    )
                    self._count("settled")

    # ---- records -----------------------------------------------------------------------------

    def _warcinfo(self, filename: str) -> ArcWarcRecord:
        body = "".join(f"{k}: {v}\r\n" for k, v in self.warcinfo_fields.items() if v)
        headers = [
            ("WARC-Record-ID", new_record_id()),
            # When the crawl's archive began: no record of the file is older (exchanges in
            # flight at a rotation, a release's metadata dated as its response).
            ("WARC-Date", warc_date(self.started)),
            ("WARC-Filename", filename),
        ]
        return build("warcinfo", headers, body.encode("utf-8"), self.digest)

    def _common(
        self, exchange: Exchange, record_id: str, warcinfo_id: str | None
    ) -> list[tuple[str, str]]:
        headers = [
            ("WARC-Record-ID", record_id),
            ("WARC-Date", warc_date(exchange.started)),
            ("WARC-Target-URI", exchange.target_uri),
        ]
        if exchange.peer_ip:
            headers.append(("WARC-IP-Address", exchange.peer_ip))
        headers.append(("WARC-Protocol", "http/1.1"))
        if warcinfo_id:
            headers.append(("WARC-Warcinfo-ID", warcinfo_id))
        return headers

    def _redacted(self, block: bytes) -> bytes:
        """The request as sent, with configured secret headers' values replaced."""
        if not self.redact_headers:
            return block
        head, separator, body = block.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        for index, line in enumerate(lines[1:], start=1):
            name, colon, _value = line.partition(b":")
            if colon and name.strip().lower().decode("latin-1") in self.redact_headers:
                lines[index] = name + b": " + _REDACTED.encode()
        return b"\r\n".join(lines) + separator + body

    def write_exchange(self, exchange: Exchange) -> None:
        """Archive one exchange now; its reference is left on ``exchange.ref``.

        When the archive cannot be written (a full disk) the run stops and the exchange
        is left without a reference."""
        if not exchange.request and not exchange.response:
            return
        try:
            self._write_exchange(exchange)
        except ArchiveWriteError:
            exchange.ref = None

    def _write_exchange(self, exchange: Exchange) -> None:
        # The file first (rotated if full), so the records name its own warcinfo.
        warcinfo_id = self._guard(self.files.ready)
        request_id, response_id = new_record_id(), new_record_id()
        request_block = self._redacted(bytes(exchange.request))
        request_message = HttpMessage.parse(request_block)
        request_headers = [*self._common(exchange, request_id, warcinfo_id)]
        if exchange.response:
            request_headers.append(("WARC-Concurrent-To", response_id))
        request = build(
            "request",
            request_headers,
            request_block,
            self.digest,
            payload_digest=self.digest(request_message.entity()),
        )
        if not exchange.response:
            self._write([request])
            self._count("request_only")
            return
        block = bytes(exchange.response)
        message = HttpMessage.parse(block)
        response, kind, payload_digest, refers = self._response(
            exchange, block, message, response_id, request_id, warcinfo_id
        )
        written = self._write([request, response])
        where: Written = written[1]
        ref: dict[str, Any] = {
            "target_uri": exchange.target_uri,
            "warc": where.filename,
            "offset": where.offset,
            "length": where.length,
            "record_id": response_id,
            "record_type": kind,
            "payload_digest": payload_digest,
            "date": warc_date(exchange.started),
        }
        if refers is not None:
            ref["refers_to"] = refers.ref
        exchange.ref = ref
        if kind == "response" and exchange.truncated is None:
            self.captures.added(ref, message.status)
        self._count(kind)
        self._count_bytes(sum(w.length for w in written))

    def _response(
        self,
        exchange: Exchange,
        block: bytes,
        message: HttpMessage,
        record_id: str,
        request_id: str,
        warcinfo_id: str | None,
    ) -> tuple[ArcWarcRecord, str, str, Capture | None]:
        entity = message.entity()
        payload_digest = self.digest(entity)
        headers = [
            *self._common(exchange, record_id, warcinfo_id),
            ("WARC-Concurrent-To", request_id),
        ]
        if exchange.truncated:
            headers.append(("WARC-Truncated", exchange.truncated))
        earlier: Capture | None = None
        profile = None
        if exchange.truncated is not None or message.status is None:
            pass  # a cut-short or unparsable response is kept whole, never deduplicated
        elif message.status == 304:
            earlier = self.captures.confirmed_by_304(exchange.target_uri)
            profile = records.PROFILE_NOT_MODIFIED
        elif len(entity) >= self.dedup_min_size:
            earlier = self.captures.with_payload(payload_digest)
            profile = records.PROFILE_IDENTICAL
            if earlier is not None:
                payload_digest = earlier.ref["payload_digest"]
        if earlier is None or profile is None:
            record = build("response", headers, block, self.digest, payload_digest=payload_digest)
            return record, "response", payload_digest, None
        if profile == records.PROFILE_NOT_MODIFIED:
            payload_digest = earlier.ref["payload_digest"]
        headers += [
            ("WARC-Profile", profile),
            ("WARC-Refers-To", earlier.record_id),
            ("WARC-Refers-To-Target-URI", earlier.uri),
            ("WARC-Refers-To-Date", earlier.date),
        ]
        if profile == records.PROFILE_IDENTICAL:
            # The payload left out is the one the referred record holds (WARC 1.1, 6.7.2);
            # a 304 had no payload to leave out.
            headers.append(("WARC-Truncated", "length"))
        record = build(
            "revisit",
            headers,
            block,
            self.digest,
            payload_digest=payload_digest,
            http_head=message.head,
        )
        return record, "revisit", payload_digest, earlier

    def write_metadata(
        self,
        ref: dict[str, Any],
        target_uri: str,
        fields: dict[str, str],
        date: str | None = None,
    ) -> Written:
        """A ``metadata`` record concurrent to the response ``ref`` points at, dated as it
        (or ``date``).

        Raises ``ArchiveWriteError`` when the archive cannot be written."""
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        warcinfo_id = self._guard(self.files.ready)
        headers = [
            ("WARC-Record-ID", new_record_id()),
            ("WARC-Date", date or ref["date"]),
            ("WARC-Target-URI", target_uri),
            ("WARC-Concurrent-To", ref["record_id"]),
        ]
        if warcinfo_id:
            headers.append(("WARC-Warcinfo-ID", warcinfo_id))
        record = build(
            "metadata",
            headers,
            body.encode("utf-8"),
            self.digest,
            content_type="application/warc-fields",
        )
        written = self._write([record])[0]
        self._count("metadata")
        if "refused" in fields:
            self.captures.forget(ref)
        return written

    def _guard(self, write: Callable[[], Any]) -> Any:
        """Run a write; on failure leave the file for the next run's repair and stop."""
        if self.broken:
            raise ArchiveWriteError("the archive could not be written earlier in this run")
        try:
            return write()
        except OSError as error:
            self.broken = True
            self.files.abandon()
            if self.crawler is not None:
                stop_for_write_error(self.crawler, "the WARC archive", error)
            raise ArchiveWriteError(str(error)) from error

    def sync(self) -> None:
        """Make what was written durable (the journal calls this before it commits)."""
        if not self.broken:
            self._guard(self.files.sync)

    def _write(self, batch: list[ArcWarcRecord]) -> list[Written]:
        written: list[Written] = self._guard(lambda: self.files.write(batch))
        if self.closed:
            # Something finished after the crawl closed (a late connection): keep it, in a
            # file of its own that is closed at once.
            logger.warning("archived %d records after close", len(batch))
            self.close()
        return written

    # ---- lifecycle ---------------------------------------------------------------------------

    def _count(self, kind: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"archive/records/{kind}")

    def _count_bytes(self, size: int) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("archive/bytes", size)

    def close(self) -> list[Path]:
        """Close the current file; index (and package) what this crawl wrote."""
        if not self.broken:
            try:
                self.files.close()
            except OSError as error:
                self.broken = True
                self.files.abandon()
                if self.crawler is not None:
                    stop_for_write_error(self.crawler, "the WARC archive", error)
        self.closed = True
        closed = self.files.closed_files
        if self.index:
            # This run's files, the ones it repaired, and any other closed WARC whose index
            # is missing (deleted, or its run killed while indexing). A refusal may be
            # noted in another file than its capture: the notes of all of them count.
            candidates = sorted({*closed, *self.folder.glob("*.warc.gz")})
            missing = [w for w in candidates if not cdxj_path(w).exists()]
            refused = refused_captures(missing) if missing else set()
            for warc in missing:
                self._index(warc, refused)
        return closed

    def _index(self, warc: Path, refused: set[str]) -> None:
        try:
            index_warc(warc, refused)
        except OSError as error:  # a full disk: the next run indexes it
            logger.error("could not index %s: %s", warc.name, error)
            self._count("index_failed")
        except Exception:  # the WARC is the evidence; an index can be rebuilt from it later
            logger.exception("could not index %s", warc.name)
            self._count("index_failed")

    def spider_closed(self) -> None:
        closed = self.close()
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is not None:
            stats.set_value("archive/files", [str(p) for p in closed])
            stats.set_value("archive/repaired_files", [r.path.name for r in self.repairs])
        if self.package_to is not None and closed and not self.broken:
            pages = release_pages(self.releases_dir, {p.name for p in closed})
            try:
                wacz = build_wacz(closed, self.package_to, pages)
            except OSError as error:
                logger.error("could not write the WACZ package %s: %s", self.package_to, error)
                if stats is not None:
                    stats.inc_value("archive/package_failed")
                return
            if stats is not None:
                stats.set_value("archive/wacz", str(wacz))
