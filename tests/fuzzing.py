"""Inputs for the property-based tests in ``test_fuzz.py``: real pages and a small real WARC,
and the damage done to them, each damage a plain tuple so a failing example reads as a recipe.

Pages come from the parser fixtures (``tests/fixtures``), the bundled mirror's listings and
feeds, ``tests/sample_data`` and, when the shared folder is beside the checkout, the real
af.mil pages in ``shared/fixtures-real``. The WARC is written with warcio: a warcinfo
naming the site, a request, two responses holding real release pages (one gzip-encoded), a
listing page and a revisit, one gzip member per record.

``FUZZ_EXAMPLES=N`` runs about N examples per in-process property (default 100) and
proportionally more subprocess ones; ``FUZZ_SAVE_DIR=DIR`` keeps the input of a failing
example (the last one hypothesis runs is the shrunk one) as files in DIR.
"""

from __future__ import annotations

import base64
import codecs
import gzip
import hashlib
import io
import json
import os
import re
import traceback
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.fixturetool import all_fixtures

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "tests" / "sample_data"
BASE_EXAMPLES = 100
MB = 1_000_000


def examples(default: int) -> int:
    """``default`` examples, scaled by ``FUZZ_EXAMPLES`` (the count for a default of 100)."""
    wanted = os.environ.get("FUZZ_EXAMPLES")
    if not wanted:
        return default
    return max(1, round(default * int(wanted) / BASE_EXAMPLES))


def shared_real() -> Path | None:
    """``shared/fixtures-real`` beside the checkout (as CI lays it) or in the workplace."""
    for folder in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")):
        if (folder / "fixtures-real").is_dir():
            return folder / "fixtures-real"
    return None


# ---- saving a failing example --------------------------------------------------------------


def save_failure(case: str, error: BaseException, files: dict[str, bytes], recipe: str) -> None:
    """Keep a failing input under ``FUZZ_SAVE_DIR`` (a no-op without it), one folder per
    property and kind of failure, overwritten as hypothesis shrinks it."""
    target = os.environ.get("FUZZ_SAVE_DIR")
    if not target:
        return
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/crawler/" in f.filename or "/pipelines/" in f.filename]
    where = ours[-1] if ours else (frames[-1] if frames else None)
    place = f"{Path(where.filename).stem}-{where.lineno}" if where else "unknown"
    folder = Path(target) / f"{case}--{type(error).__name__}--{place}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # the files of a larger example of the same failure
        old.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    summary = "".join(traceback.format_exception(error))
    (folder / "README.txt").write_text(
        f"property: {case}\nrecipe: {recipe}\n\n{summary[-6000:]}", encoding="utf-8"
    )


# ---- pages ----------------------------------------------------------------------------------


class Page:
    """A real page and how it was served: what the parsers are handed. (Not a dataclass:
    hypothesis prints a dataclass field by field, and a failing example would print the
    whole page.)"""

    def __init__(
        self,
        name: str,
        url: str,
        body: bytes,
        headers: tuple[tuple[str, str], ...] = (),
        site: str | None = None,
        status: int | None = None,
    ) -> None:
        self.name, self.url, self.body, self.headers = name, url, body, headers
        self.site, self.status = site, status

    def __repr__(self) -> str:
        return f"page({self.name!r})"


@cache
def release_pages() -> tuple[Page, ...]:
    """Every parser fixture, plus the shared real af.mil print views not already among them."""
    pages = []
    seen = set()
    for fixture in all_fixtures():
        info = fixture.info
        body = (fixture.path / "input" / "body.html").read_bytes()
        seen.add(hashlib.sha1(body).digest())
        headers = tuple((str(k), str(v)) for k, v in info.get("headers", []))
        pages.append(
            Page(fixture.name, info["url"], body, headers, info.get("site"), info.get("status"))
        )
    real = shared_real()
    manifest = real / "af.mil" / "print_view_2016" / "MANIFEST.tsv" if real else None
    if manifest is not None and manifest.is_file():
        for line in manifest.read_text("utf-8").splitlines()[1:]:
            name, url, *_rest = line.split("\t")
            body = (manifest.parent / name).read_bytes()
            if hashlib.sha1(body).digest() not in seen:
                pages.append(Page(f"shared/{name}", url, body, _HTML_UTF8))
    return tuple(pages)


_HTML_UTF8 = (("Content-Type", "text/html; charset=utf-8"),)
_XML_UTF8 = (("Content-Type", "application/rss+xml; charset=utf-8"),)


def page(name: str) -> Page:
    """A page by name, from any of the seed lists."""
    for pages in (release_pages, listing_pages, feed_pages):
        found = [p for p in pages() if p.name == name]
        if found:
            return found[0]
    raise KeyError(name)


@cache
def listing_pages() -> tuple[Page, ...]:
    """Listing pages: the fixtures of listings, the mirror's first listing page of each site
    (under the site's real listing URL), and a few release pages (any page may be fetched
    where a listing was expected)."""
    from crawler.profiles import all_profiles
    from mirror import render
    from mirror.site import load_sites

    pages = [p for p in release_pages() if "listing" in p.name or p.name.endswith("module-error")]
    for site_id, site in sorted(load_sites().items()):
        if not site.profile.listings or site_id not in all_profiles():
            continue  # GOV.UK has no listing pages; an unnamed site has no profile to use
        url = site.profile.origin + site.profile.listings[0]
        html = render.listing(site, 1).encode("utf-8")
        pages.append(Page(f"mirror/{site_id}-listing", url, html, _HTML_UTF8, site_id))
    pages += [p for p in release_pages() if p.name.startswith("articlecs/rt-0")][:4]
    return tuple(pages)


@cache
def feed_pages() -> tuple[Page, ...]:
    """RSS feeds: af.mil's real 2016 feeds and the mirror's feed of each site."""
    from crawler.profiles import all_profiles
    from mirror import render
    from mirror.site import load_sites

    feed_url = "https://www.af.mil/DesktopModules/ArticleCS/RSS.ashx?ContentType=1&Site=1"
    pages = [
        Page(
            "sample_data/afmil-rss-2016.xml",
            feed_url,
            (SAMPLE_DATA / "afmil-rss-2016.xml").read_bytes(),
            _XML_UTF8,
            "afmil",
        )
    ]
    real = shared_real()
    folder = real / "af.mil" / "rss_2016" if real else None
    if folder is not None and folder.is_dir():
        known = {hashlib.sha1(pages[0].body).digest()}
        for path in sorted(folder.iterdir()):
            body = path.read_bytes()
            if hashlib.sha1(body).digest() not in known:
                pages.append(Page(f"shared/{path.name}", feed_url, body, _XML_UTF8, "afmil"))
    for site_id, site in sorted(load_sites().items()):
        if site.profile.platform != "articlecs" or site_id not in all_profiles():
            continue
        body = render.rss(site, site.profile.origin).encode("utf-8")
        pages.append(Page(f"mirror/{site_id}-rss", site.profile.origin, body, _XML_UTF8, site_id))
    return tuple(pages)


# ---- damage to a page -----------------------------------------------------------------------

_TAG = re.compile(rb"<[^<>]*>")
_CHARSET = re.compile(rb"""(charset\s*=\s*["']?)([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""(encoding\s*=\s*["'])([\w.:-]+)""", re.IGNORECASE)

TAG_NAMES = [
    "html", "head", "body", "title", "meta", "h1", "h2", "p", "div", "span", "a", "img",
    "br", "script", "style", "main", "article", "time", "strong", "li", "ul", "figure",
    "item", "link", "guid", "channel", "rss", "!--", "!DOCTYPE", "?xml",
]  # fmt: skip
CODECS = [
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "shift_jis",
    "euc-kr", "koi8-r", "utf-7", "cp500", "big5", "iso-2022-jp", "gb18030", "ascii",
]  # fmt: skip
DECLARED = [*CODECS, "bogus-charset", "x-user-defined", "", "utf-8;;", "UTF8", "euc-jp"]
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]
CONTENT_TYPES = [
    None, "text/html", "text/html; charset=", "text/html; charset=bogus",
    "text/html; charset=utf-16", "text/html; charset=shift_jis", "application/pdf",
    "application/octet-stream", "image/png", "text/plain; charset=latin-1",
    "text/html; charset=\"utf-8", "text/html;;;charset=utf-8;charset=koi8-r", "",
    "application/rss+xml; charset=utf-32", "text/html; charset=" + "x" * 300,
]  # fmt: skip
ENTITIES = [
    b"&#0;", b"&#xD800;", b"&#99999999999;", b"&bogus;", b"&#x110000;", b"&amp", b"&#",
    b"&nbsp;" * 1000, b"&#x1F600;", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<?php ?>",
]  # fmt: skip
_LAUGHS = '<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
DOCTYPES = [
    b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    f"<!DOCTYPE rss [{_LAUGHS}]>".encode(),
    b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
    b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://127.0.0.1:9/rss-0.91.dtd">',
    b'<!DOCTYPE html [<!ENTITY t "text">]>',
    b"<!DOCTYPE rss [<!ELEMENT rss ANY>",
    b"<!DOCTYPE",
]
ENTITY_USES = [b"&x;", b"&i;", b"&t;", b"&undefined;", b"&amp;amp;", b"&#x0;"]
STATUSES = ["as captured", 200, 203, 404, 410, 500, 503, 0, 999]

_positions = st.integers(min_value=0, max_value=1 << 20)
_some_bytes = st.binary(min_size=1, max_size=64)


def page_ops(mild: bool = False) -> st.SearchStrategy[tuple[Any, ...]]:
    """One damage to a page's bytes or headers. ``mild``: damage a page can survive
    (so some Releases come out of it)."""
    ops: list[st.SearchStrategy[tuple[Any, ...]]] = [
        st.tuples(st.just("drop_tag"), _positions),
        st.tuples(st.just("drop_tags"), _positions, st.integers(min_value=2, max_value=50)),
        st.tuples(st.just("drop_tag_name"), st.sampled_from(TAG_NAMES)),
        st.tuples(
            st.just("encode"),
            st.sampled_from(CODECS),
            st.sampled_from([None, *DECLARED]),
            st.sampled_from(["keep", "same", "other", "remove"]),
            st.sampled_from(DECLARED),
        ),
        st.tuples(st.just("bom"), st.sampled_from(BOMS)),
        st.tuples(st.just("content_type"), st.sampled_from(CONTENT_TYPES)),
        st.tuples(
            st.just("huge_attr"),
            _positions,
            st.sampled_from(["data-x", "class", "href", "content", "style", "id", "src"]),
            st.sampled_from(["a", "x ", "\u00e9", "&amp;", "http://x/"]),
            st.booleans(),
        ),
        st.tuples(
            st.just("nest"),
            _positions,
            st.sampled_from(["div", "p", "span", "table", "b", "li", "a", "font"]),
            st.sampled_from([5000, 20000]),
            st.booleans(),
        ),
        st.tuples(st.just("nul"), _positions, st.integers(min_value=1, max_value=1000)),
        st.tuples(st.just("nul_every"), st.integers(min_value=1, max_value=4096)),
        st.tuples(st.just("entity"), _positions, st.sampled_from(ENTITIES)),
        st.tuples(st.just("line_ends"), st.sampled_from([b"\r\n", b"\r", b"", b"\x0b"])),
        st.tuples(st.just("huge_text"), _positions, st.sampled_from(["word ", "x", "\u2028"])),
        st.tuples(
            st.just("doctype"),
            st.sampled_from(DOCTYPES),
            st.sampled_from(["after_prolog", "start", "replace_prolog"]),
            _positions,
            st.sampled_from(ENTITY_USES),
        ),
    ]
    if not mild:
        ops += [
            st.tuples(st.just("truncate"), _positions),
            st.tuples(st.just("insert"), _positions, _some_bytes),
            st.tuples(st.just("overwrite"), _positions, _some_bytes),
            st.tuples(st.just("duplicate"), _positions, _positions, _positions),
            st.tuples(st.just("random"), st.binary(max_size=1024)),
            st.tuples(st.just("empty")),
        ]
    else:
        ops.append(st.tuples(st.just("truncate_tail"), st.integers(min_value=0, max_value=64)))
    return st.one_of(ops)


@dataclass
class Served:
    """A page after damage: what the parser is handed."""

    body: bytes
    headers: list[tuple[str, str]]


def _at(position: int, data: bytes) -> int:
    return position % (len(data) + 1)


def _tags(body: bytes) -> list[re.Match[bytes]]:
    return list(_TAG.finditer(body))


def _tag_boundary(body: bytes, position: int) -> int:
    """A position between two tags (or anywhere, in a page without tags)."""
    tags = _tags(body)
    if not tags:
        return _at(position, body)
    return tags[position % len(tags)].end()


def _set_content_type(headers: list[tuple[str, str]], value: str | None) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in headers if k.lower() != "content-type"]
    return kept if value is None else [*kept, ("Content-Type", value)]


def _declared(headers: list[tuple[str, str]]) -> str:
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    match = re.search(r"charset=([\w.:-]+)", content_type)
    return match.group(1) if match else "utf-8"


def apply_page_op(page: Served, op: tuple[Any, ...]) -> Served:
    body, headers = page.body, list(page.headers)
    kind = op[0]
    if kind == "truncate":
        body = body[: _at(op[1], body)]
    elif kind == "truncate_tail":
        body = body[: max(0, len(body) - op[1])]
    elif kind == "drop_tag":
        tags = _tags(body)
        if tags:
            tag = tags[op[1] % len(tags)]
            body = body[: tag.start()] + body[tag.end() :]
    elif kind == "drop_tags":
        tags = _tags(body)
        start = op[1] % (len(tags) or 1)
        dropped = {i for i in range(start, len(tags), op[2])}
        body = _TAG.sub(_drop_indexed(dropped), body)
    elif kind == "drop_tag_name":
        name = re.escape(op[1].encode())
        body = re.sub(rb"</?" + name + rb"(?=[\s>/])[^<>]*>", b"", body, flags=re.IGNORECASE)
    elif kind == "encode":
        _, codec, header_charset, meta, meta_charset = op
        text = body.decode(_python_codec(_declared(headers)), "replace")
        if meta != "keep":
            replacement = {"same": codec, "other": meta_charset, "remove": "none"}[meta]
            text = _CHARSET.sub(rb"\g<1>" + replacement.encode(), text.encode()).decode()
            text = _XML_ENCODING.sub(rb"\g<1>" + replacement.encode(), text.encode()).decode()
        body = text.encode(codec, "xmlcharrefreplace" if codec != "utf-7" else "strict")
        content_type = None if header_charset is None else f"text/html; charset={header_charset}"
        headers = _set_content_type(headers, content_type)
    elif kind == "bom":
        body = op[1] + body
    elif kind == "content_type":
        headers = _set_content_type(headers, op[1])
    elif kind == "huge_attr":
        _, position, name, unit, closed = op
        tags = [t for t in _tags(body) if re.match(rb"<[A-Za-z]", t.group())]
        value = (unit * (MB // len(unit)))[:MB].encode("utf-8")
        attribute = b" " + name.encode() + b'="' + value + (b'"' if closed else b"")
        if tags:
            tag = tags[position % len(tags)]
            name_end = re.match(rb"<[A-Za-z][\w:-]*", tag.group()).end()  # type: ignore[union-attr]
            at = tag.start() + name_end
        else:
            at = _at(position, body)
        body = body[:at] + attribute + body[at:]
    elif kind == "nest":
        _, position, tag, depth, closed = op
        at = _tag_boundary(body, position)
        inner = f"<{tag}>".encode() * depth + b"deep"
        if closed:
            inner += f"</{tag}>".encode() * depth
        body = body[:at] + inner + body[at:]
    elif kind == "nul":
        at = _at(op[1], body)
        body = body[:at] + b"\x00" * op[2] + body[at:]
    elif kind == "nul_every":
        step = op[1]
        body = b"\x00".join(body[i : i + step] for i in range(0, len(body), step))
    elif kind == "entity":
        at = _tag_boundary(body, op[1])
        body = body[:at] + op[2] + body[at:]
    elif kind == "line_ends":
        body = body.replace(b"\r\n", b"\n").replace(b"\n", op[1])
    elif kind == "huge_text":
        at = _tag_boundary(body, op[1])
        body = body[:at] + (op[2] * (MB // len(op[2]))).encode("utf-8") + body[at:]
    elif kind == "doctype":
        _, doctype, where, position, use = op
        prolog = re.match(rb"\s*<\?xml[^>]*\?>", body)
        if where == "start":
            body = doctype + body
        elif where == "replace_prolog" and prolog:
            body = doctype + body[prolog.end() :]
        else:
            end = prolog.end() if prolog else 0
            body = body[:end] + doctype + body[end:]
        at = _tag_boundary(body, position)
        body = body[:at] + use + body[at:]
    elif kind == "insert":
        at = _at(op[1], body)
        body = body[:at] + op[2] + body[at:]
    elif kind == "overwrite":
        at = _at(op[1], body)
        body = body[:at] + op[2] + body[at + len(op[2]) :]
    elif kind == "duplicate":
        start = _at(op[1], body)
        end = min(len(body), start + op[2] % (64 * 1024))
        at = _at(op[3], body)
        body = body[:at] + body[start:end] + body[at:]
    elif kind == "random":
        body = op[1]
    elif kind == "empty":
        body = b""
    else:  # pragma: no cover - a recipe this module does not know
        raise AssertionError(f"unknown page damage {op!r}")
    return Served(body, headers)


def _drop_indexed(dropped: set[int]) -> Callable[[re.Match[bytes]], bytes]:
    counter = iter(range(1 << 62))

    def replace(match: re.Match[bytes]) -> bytes:
        return b"" if next(counter) in dropped else match.group()

    return replace


def _python_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name if name else "utf-8"
    except LookupError:
        return "utf-8"


def damage_page(page: Page, ops: Sequence[tuple[Any, ...]]) -> Served:
    served = Served(page.body, list(page.headers))
    for op in ops:
        served = apply_page_op(served, op)
    return served


# ---- a small real WARC ----------------------------------------------------------------------

WARC_DATE = "2024-05-01T12:00:00.000000Z"
WARC_PAGE_A = "articlecs/afmil-print-2016-643299"  # a print view, served as UTF-8
WARC_PAGE_B = "articlecs/afmil-display-two-authors"  # an Article-Display page, served gzipped
CRLF = b"\r\n"


def _record_id(number: int) -> str:
    return f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>"


@dataclass
class RawRecord:
    """One WARC record as bytes: version line, header lines, block, the CRLFCRLF after it."""

    version: bytes
    lines: list[bytes]
    block: bytes
    end: bytes = CRLF + CRLF

    def header(self, name: str) -> str | None:
        for line in self.lines:
            key, colon, value = line.partition(b":")
            if colon and key.strip().lower() == name.lower().encode():
                return value.strip().decode("utf-8", "replace")
        return None

    def set_header(self, name: str, value: bytes | None) -> None:
        """Replace (or, with None, drop) the header; add it when missing."""
        index = next(
            (
                i
                for i, line in enumerate(self.lines)
                if line.partition(b":")[0].strip().lower() == name.lower().encode()
            ),
            None,
        )
        if index is None:
            if value is not None:
                self.lines.append(name.encode() + b": " + value)
        elif value is None:
            del self.lines[index]
        else:
            self.lines[index] = name.encode() + b": " + value

    def to_bytes(self) -> bytes:
        head = b"".join(line + CRLF for line in [self.version, *self.lines])
        return head + CRLF + self.block + self.end

    def resync(self) -> None:
        """Content-Length and digests that fit the (changed) block again."""
        self.set_header("Content-Length", str(len(self.block)).encode())
        if self.header("WARC-Block-Digest"):
            self.set_header("WARC-Block-Digest", sha1_digest(self.block).encode())
        if self.header("WARC-Payload-Digest") and self.header("WARC-Type") != "revisit":
            _head, _blank, payload = self.block.partition(b"\r\n\r\n")
            self.set_header("WARC-Payload-Digest", sha1_digest(payload).encode())


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _split_record(data: bytes) -> RawRecord:
    """A record as the builder wrote it; after an earlier damage (a bad or missing
    Content-Length), the whole rest is its block."""
    head, _blank, rest = data.partition(CRLF + CRLF)
    version, *lines = head.split(CRLF)
    found = [ln.partition(b": ")[2] for ln in lines if ln.startswith(b"Content-Length: ")]
    length = int(found[0]) if found and found[0].isdigit() else len(rest)
    return RawRecord(version, lines, rest[:length], rest[length:])


@cache
def _warc_record_bytes() -> tuple[bytes, ...]:
    """The records of the WARC to damage, each serialised alone (uncompressed)."""
    page_a, page_b = page(WARC_PAGE_A), page(WARC_PAGE_B)
    listing = next(p for p in release_pages() if p.name.endswith("rt-32-listing-afmil-tag"))
    writer_out = io.BytesIO()
    writer = WARCWriter(writer_out, gzip=False, warc_version="WARC/1.1")
    warcinfo_id = _record_id(1)

    def headers(number: int, **extra: str) -> dict[str, str]:
        return {"WARC-Record-ID": _record_id(number), "WARC-Date": WARC_DATE, **extra}

    def response(number: int, url: str, body: bytes, extra: list[tuple[str, str]]) -> Any:
        http = StatusAndHeaders(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                *extra,
                ("Content-Length", str(len(body))),
            ],
            protocol="HTTP/1.1",
        )
        return writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict=headers(number, **{"WARC-Warcinfo-ID": warcinfo_id}),
        )

    fields = (
        b"software: tests/fuzzing.py\r\nformat: WARC File Format 1.1\r\ncrawler-site: afmil\r\n"
    )
    records = [
        writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict=headers(1, **{"WARC-Filename": "fuzz.warc.gz"}),
        ),
        writer.create_warc_record(
            page_a.url,
            "request",
            http_headers=StatusAndHeaders(
                "GET " + page_a.url.split("af.mil", 1)[1] + " HTTP/1.1",
                [("Host", "www.af.mil"), ("User-Agent", "fuzz")],
                is_http_request=True,
            ),
            warc_headers_dict=headers(
                2, **{"WARC-Warcinfo-ID": warcinfo_id, "WARC-Concurrent-To": _record_id(3)}
            ),
        ),
        response(3, page_a.url, page_a.body, []),
        response(
            4, page_b.url, gzip.compress(page_b.body, mtime=0), [("Content-Encoding", "gzip")]
        ),
        response(5, listing.url, listing.body, []),
    ]
    payload_a = records[2].rec_headers.get_header("WARC-Payload-Digest")
    records.append(
        writer.create_revisit_record(
            page_a.url,
            payload_a,
            page_a.url,
            WARC_DATE,
            http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            ),
            warc_headers_dict=headers(
                6, **{"WARC-Warcinfo-ID": warcinfo_id, "WARC-Refers-To": _record_id(3)}
            ),
        )
    )
    out = []
    for record in records:
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=False, warc_version="WARC/1.1").write_record(record)
        out.append(buffer.getvalue())
    return tuple(out)


def warc_records() -> list[RawRecord]:
    """Fresh, mutable copies of the WARC's records."""
    return [_split_record(data) for data in _warc_record_bytes()]


MANDATORY = ["WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type"]
HEADER_NAMES = [
    *MANDATORY, "WARC-Target-URI", "WARC-Block-Digest", "WARC-Payload-Digest",
    "WARC-Concurrent-To", "WARC-Refers-To", "WARC-Warcinfo-ID", "Content-Type",
    "WARC-Truncated", "WARC-Filename", "WARC-Profile",
]  # fmt: skip
HEADER_VALUES = [
    b"", b"response", b"request", b"revisit", b"warcinfo", b"resource", b"metadata",
    b"bogus", b"2024-13-45T99:99:99Z", b"2024-05-01", b"not a date", b"<urn:uuid:bad>",
    b"https://www.af.mil/News/Article-Display/Article/1/x/", b"http://[::1", b"\xff\xfe",
    b"http://www.af.mil/DesktopModules/ArticleCS/Print.aspx?Article=%ff%00",
    b"sha1:AAAA", b"md5:1234", b"length", b"12", b"\xc2\xb2", b"-1", b"x" * 70000,
    b"<urn:uuid:00000000-0000-4000-8000-000000000003>",
]  # fmt: skip
CONTENT_LENGTHS = [
    "-1", "abc", "", "\u00b2", "\u0661\u0662", "99999999999999999999", "999999999999",
    "0x10", "1e3", " 12 ", "+5",
]  # fmt: skip
DIGEST_KINDS = ["flip", "md5", "empty", "garbage", "other_algorithm", "lowercase"]
HTTP_STATUS_LINES = [
    b"HTTP/1.1 abc OK", b"garbage", b"", b"HTTP/1.1", b"HTTP/1.1 99999999999999999999 Big",
    b"HTTP/1.1 404 Not Found", b"HTTP/1.1 100 Continue", b"HTTP/1.1 200", b"HTTP/9.9 200 OK",
    b"ICY 200 OK", b"HTTP/1.1 -200 OK", b"HTTP/1.1 \xff\xfe OK", b"HTTP/1.1 204 No Content",
]  # fmt: skip
HTTP_HEADERS = [
    (b"Content-Encoding", b"gzip"), (b"Content-Encoding", b"br"), (b"Content-Encoding", b"zstd"),
    (b"Content-Encoding", b"deflate"), (b"Content-Encoding", b"bogus"),
    (b"Transfer-Encoding", b"chunked"), (b"Content-Length", b"99999999"),
    (b"Content-Length", b"abc"), (b"Content-Type", b"text/html; charset=utf-16"),
    (b"Content-Type", b"application/pdf"), (b"X-Long", b"y" * 100000), (b"\xff", b"\xfe"),
    (b"", b"no name"), (b"Bad Header Line Without Colon", None),
]  # fmt: skip
TRAILERS = [b"", CRLF, b"\n\n", CRLF * 3, b"\r\n\r", b"\x00\x00\x00\x00"]

_record_index = st.integers(min_value=0, max_value=7)


def record_ops() -> st.SearchStrategy[tuple[Any, ...]]:
    """One damage to the records before they are written to a file (wrong lengths and
    digests drawn three times as often as the rest)."""
    lengths = st.tuples(
        st.just("content_length"),
        _record_index,
        st.one_of(st.integers(min_value=-200, max_value=200), st.sampled_from(CONTENT_LENGTHS)),
    )
    digests = st.tuples(
        st.just("digest"),
        _record_index,
        st.sampled_from(["WARC-Block-Digest", "WARC-Payload-Digest"]),
        st.sampled_from(DIGEST_KINDS),
    )
    return st.one_of(
        lengths,
        digests,
        lengths,
        digests,
        st.tuples(
            st.just("content_length"),
            _record_index,
            st.one_of(st.integers(min_value=-200, max_value=200), st.sampled_from(CONTENT_LENGTHS)),
        ),
        st.tuples(
            st.just("digest"),
            _record_index,
            st.sampled_from(["WARC-Block-Digest", "WARC-Payload-Digest"]),
            st.sampled_from(DIGEST_KINDS),
        ),
        st.tuples(st.just("drop_header"), _record_index, st.sampled_from(HEADER_NAMES)),
        st.tuples(
            st.just("set_header"),
            _record_index,
            st.sampled_from(HEADER_NAMES),
            st.sampled_from(HEADER_VALUES),
        ),
        st.tuples(st.just("repeat_header"), _record_index, st.sampled_from(HEADER_NAMES)),
        st.tuples(st.just("raw_line"), _record_index, _positions, st.binary(max_size=40)),
        st.tuples(st.just("lf_only"), _record_index, _positions),
        st.tuples(
            st.just("version"),
            _record_index,
            st.sampled_from([b"WARC/1.0", b"WARC/9.9", b"", b"ARC/1.0", b"warc/1.1", b"WARC/"]),
        ),
        st.tuples(
            st.just("http_status"), _record_index, st.sampled_from(HTTP_STATUS_LINES), st.booleans()
        ),
        st.tuples(
            st.just("http_header"), _record_index, st.sampled_from(HTTP_HEADERS), st.booleans()
        ),
        st.tuples(st.just("block_cut"), _record_index, _positions, st.booleans()),
        st.tuples(st.just("block_insert"), _record_index, _positions, _some_bytes, st.booleans()),
        st.tuples(st.just("end"), _record_index, st.sampled_from(TRAILERS)),
        st.tuples(st.just("drop_record"), _record_index),
        st.tuples(st.just("repeat_record"), _record_index),
        st.tuples(st.just("swap_records"), _record_index, _record_index),
        st.tuples(st.just("garbage_after"), _record_index, _some_bytes),
    )


def apply_record_op(records: list[RawRecord], op: tuple[Any, ...]) -> None:
    kind = op[0]
    if not records:
        return
    record = records[op[1] % len(records)]
    if kind == "content_length":
        value = op[2]
        if isinstance(value, int):
            value = str(len(record.block) + value)
        record.set_header("Content-Length", value.encode("utf-8"))
    elif kind == "digest":
        _, _, name, how = op
        current = record.header(name)
        if current is None:
            return
        algorithm, _colon, digest = current.partition(":")
        new = {
            "flip": f"{algorithm}:{('B' if digest[:1] != 'B' else 'C')}{digest[1:]}",
            "md5": "md5:" + hashlib.md5(record.block).hexdigest(),
            "empty": "",
            "garbage": "sha1:!!not base32!!",
            "other_algorithm": "sha256:" + digest,
            "lowercase": current.lower(),
        }[how]
        record.set_header(name, new.encode("ascii"))
    elif kind == "drop_header":
        record.set_header(op[2], None)
    elif kind == "set_header":
        record.set_header(op[2], op[3])
    elif kind == "repeat_header":
        value = record.header(op[2])
        record.lines.append(op[2].encode() + b": " + (value or "").encode("utf-8"))
    elif kind == "raw_line":
        at = op[2] % (len(record.lines) + 1)
        record.lines.insert(at, op[3])
    elif kind == "lf_only":
        if len(record.lines) >= 2:
            at = op[2] % (len(record.lines) - 1)
            record.lines[at : at + 2] = [record.lines[at] + b"\n" + record.lines[at + 1]]
    elif kind == "version":
        record.version = op[2]
    elif kind == "http_status":
        first, sep, rest = record.block.partition(CRLF)
        if first.startswith(b"HTTP/"):
            record.block = op[2] + sep + rest
            if op[3]:
                record.resync()
    elif kind == "http_header":
        (name, value), resync = op[2], op[3]
        head, sep, rest = record.block.partition(CRLF)
        if head.startswith(b"HTTP/"):
            line = name if value is None else name + b": " + value
            record.block = head + sep + line + CRLF + rest
            if resync:
                record.resync()
    elif kind == "block_cut":
        record.block = record.block[: _at(op[2], record.block)]
        if op[3]:
            record.resync()
    elif kind == "block_insert":
        at = _at(op[2], record.block)
        record.block = record.block[:at] + op[3] + record.block[at:]
        if op[4]:
            record.resync()
    elif kind == "end":
        record.end = op[2]
    elif kind == "drop_record":
        records.remove(record)
    elif kind == "repeat_record":
        records.append(_split_record(record.to_bytes()))
    elif kind == "swap_records":
        i, j = op[1] % len(records), op[2] % len(records)
        records[i], records[j] = records[j], records[i]
    elif kind == "garbage_after":
        record.end += op[2]
    else:  # pragma: no cover
        raise AssertionError(f"unknown record damage {op!r}")


# ``wacz``: the damage is done to the WARC inside the package; ``wacz_damaged``: to the
# package's own bytes.
CONTAINERS = [
    "gz_members", "plain", "gz_single", "gz_named_plain", "plain_named_gz", "wacz",
    "wacz_damaged",
]  # fmt: skip
FILE_SUFFIX = {
    "gz_members": ".warc.gz",
    "plain": ".warc",
    "gz_single": ".warc.gz",
    "gz_named_plain": ".warc",
    "plain_named_gz": ".warc.gz",
    "wacz": ".wacz",
    "wacz_damaged": ".wacz",
}


def file_ops() -> st.SearchStrategy[tuple[Any, ...]]:
    """One damage to the file's bytes as written."""
    return st.one_of(
        st.tuples(st.just("cut"), _positions),
        st.tuples(st.just("flip"), _positions, st.integers(min_value=1, max_value=255)),
        st.tuples(st.just("insert"), _positions, _some_bytes),
        st.tuples(st.just("overwrite"), _positions, _some_bytes),
        st.tuples(st.just("zero_fill"), _positions, st.integers(min_value=1, max_value=4096)),
        st.tuples(st.just("append"), _some_bytes),
        st.tuples(st.just("random"), st.binary(min_size=1, max_size=1024)),
        st.tuples(st.just("empty")),
    )


def apply_file_op(data: bytes, op: tuple[Any, ...]) -> bytes:
    kind = op[0]
    if kind == "cut":
        return data[: _at(op[1], data)]
    if kind == "flip":
        if not data:
            return data
        at = op[1] % len(data)
        return data[:at] + bytes([data[at] ^ op[2]]) + data[at + 1 :]
    if kind == "insert":
        at = _at(op[1], data)
        return data[:at] + op[2] + data[at:]
    if kind == "overwrite":
        at = _at(op[1], data)
        return data[:at] + op[2] + data[at + len(op[2]) :]
    if kind == "zero_fill":
        at = _at(op[1], data)
        return data[:at] + b"\x00" * op[2] + data[at + op[2] :]
    if kind == "append":
        return data + op[1]
    if kind == "random":
        return op[1]
    if kind == "empty":
        return b""
    raise AssertionError(f"unknown file damage {op!r}")  # pragma: no cover


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def write_container(records: list[RawRecord], container: str) -> tuple[bytes, list[int]]:
    """The file's bytes and the offsets where its records (gzip members) start and end."""
    pieces = [r.to_bytes() for r in records]
    if container in ("gz_members", "gz_named_plain", "wacz", "wacz_damaged"):
        pieces = [gzip_member(p) for p in pieces]
    elif container == "gz_single":
        pieces = [gzip_member(b"".join(pieces))]
    boundaries = [0]
    for piece in pieces:
        boundaries.append(boundaries[-1] + len(piece))
    data = b"".join(pieces)
    return data, boundaries


def wacz_bytes(warc: bytes) -> bytes:
    """A WACZ-shaped zip holding the WARC (no index or datapackage: a damaged package)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        package.writestr("archive/data.warc.gz", warc)
        package.writestr(
            "datapackage.json",
            json.dumps({"profile": "data-package", "wacz_version": "1.1.1", "resources": []}),
        )
    return buffer.getvalue()


@dataclass
class DamagedWarc:
    data: bytes
    suffix: str
    harmful: str | None  # why the damage must be reported, when it surely must


def damage_warc(
    container: str, record_damage: Sequence[tuple[Any, ...]], file_damage: Sequence[tuple[Any, ...]]
) -> DamagedWarc:
    records = warc_records()
    originals = warc_records()
    for op in record_damage:
        apply_record_op(records, op)
    data, boundaries = write_container(records, container)
    inner = data
    if container == "wacz_damaged":
        data = wacz_bytes(data)
    for op in file_damage:
        data = apply_file_op(data, op)
    harmful = None
    if container in ("gz_members", "plain") and len(record_damage) + len(file_damage) == 1:
        if record_damage:
            harmful = _record_damage_harm(originals, record_damage[0])
        else:
            harmful = _file_damage_harm(inner, boundaries, container, file_damage[0])
    if container == "wacz":
        data = wacz_bytes(data)
    return DamagedWarc(data, FILE_SUFFIX[container], harmful)


def _record_damage_harm(originals: list[RawRecord], op: tuple[Any, ...]) -> str | None:
    kind = op[0]
    record = originals[op[1] % len(originals)]
    if kind == "content_length":
        value = op[2] if isinstance(op[2], str) else str(len(record.block) + op[2])
        stripped = value.strip()
        if not (stripped.isascii() and stripped.isdigit() and int(stripped) == len(record.block)):
            return f"Content-Length {value!r} instead of {len(record.block)}"
    elif kind == "digest":
        name, how = op[2], op[3]
        rec_type = record.header("WARC-Type")
        checked = name == "WARC-Block-Digest" or rec_type in ("response", "request")
        if record.header(name) and checked and how in ("flip", "md5", "garbage", "other_algorithm"):
            return f"{name} of the {rec_type} record altered ({how})"
    elif kind == "drop_header" and op[2] in MANDATORY:
        return f"mandatory {op[2]} dropped"
    elif kind == "end" and op[2] != CRLF + CRLF:
        return f"record ended by {op[2]!r} instead of CRLFCRLF"
    elif kind == "version" and not op[2].startswith(b"WARC/"):
        return f"version line {op[2]!r}"
    return None


def _file_damage_harm(
    data: bytes, boundaries: list[int], container: str, op: tuple[Any, ...]
) -> str | None:
    kind = op[0]
    if kind == "cut":
        at = _at(op[1], data)
        if at not in boundaries:
            return f"cut at byte {at}, inside a record"
    elif kind == "flip" and container == "gz_members" and data:
        at = op[1] % len(data)
        start = max(b for b in boundaries if b <= at)
        if at - start >= 10:  # past the gzip header's magic, flags, mtime and OS bytes
            return f"byte {at} of a gzip member's data changed"
    elif kind == "random":
        return "random bytes"
    elif kind == "empty":
        return "empty file"
    return None
