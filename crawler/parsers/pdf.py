"""Press releases published only as PDF (Japan's Ministry of Defense): their text as paragraphs.

Pure: bytes in, text out, no Scrapy and no network. pypdf reads the file non-strictly, so the
small defects real PDFs carry are mended; what it cannot read raises PdfUnreadable, whose
one-line message goes to the rejects file.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pypdf
from pypdf.errors import LimitReachedError

# pypdf caps each stream's inflated size at 75 MB by default (Configuration.
# zlib_maximum_output_length, formerly pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH); a press release's
# page is well under 1 MB, so we tighten that and its siblings to 8 MB, inside the call only
# (apply_configuration is context-local), so a compressed bomb stops at 8 MB, not 75 per stream.
_STREAM_LIMIT = 8_000_000
_LIMITED = ("zlib", "lzw", "run_length", "brotli", "array_based_stream")
_SENTENCE_END = tuple("。．.!?！？")
_CLOSERS = "」』）)]\"'”’"
_quiet_lock = threading.Lock()


class PdfUnreadable(Exception):
    """Why a PDF gives no text: str(exc) is a one-line reason for a rejects file."""


@dataclass
class _Line:
    text: str  # whitespace collapsed
    indent: int  # layout columns before the text
    width: int  # display width: wide (CJK) characters count 2


def pdf_paragraphs(body: bytes, *, max_pages: int = 200) -> list[str]:
    """The PDF's text as paragraphs, page headers/footers that repeat on every page dropped.

    Lines come from pypdf's layout mode (it keeps indents and vertical gaps, which plain mode
    loses). A new paragraph starts after a blank line; after a line ending a sentence (。．.!?
    ！？) when the next line is indented more; after a line that stops short (under 3/4 of the
    widest line: a heading, a paragraph's last line); and at a line set off from the margin
    (right-aligned or centred: a date, a title, a signature), which stands alone. Lines joined
    into one paragraph meet without a space when either side is Japanese (wide), with one
    space otherwise, and "exer-" + "cise" becomes "exercise"."""
    with _pypdf_quiet():
        reader = _open(body)
        if (count := len(reader.pages)) > max_pages:
            raise PdfUnreadable(f"PDF has {count} pages, more than the {max_pages} allowed")
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                # layout, not plain: only layout keeps the indents and blank lines we split on.
                pages.append(page.extract_text(extraction_mode="layout"))
            except LimitReachedError as exc:
                raise PdfUnreadable(f"PDF page {number} exceeds a safety limit: {exc}") from exc
            except Exception as exc:  # pypdf raises many types on a damaged page
                raise PdfUnreadable(f"PDF page {number} is damaged: {_reason(exc)}") from exc
    lines = [[_line(raw) for raw in text.splitlines()] for text in pages]
    if not any(line.text for page in lines for line in page):
        raise PdfUnreadable(f"PDF has no extractable text in {count} page(s): image-only (a scan)")
    paragraphs = _paragraphs(_without_running_lines(lines))
    if not paragraphs:
        raise PdfUnreadable("PDF has no text but its running headers: image-only pages (a scan)")
    return paragraphs


def pdf_metadata(body: bytes) -> dict[str, str]:
    """Title, Author, CreationDate and ModDate (YYYY-MM-DD when they start D:YYYYMMDD, else as
    written) and Lang (the catalog's /Lang): only those present and non-empty. Raises
    PdfUnreadable as pdf_paragraphs does for a file that is not a readable PDF; a damaged
    Info dictionary only loses its values (it costs the release its metadata, not its text)."""
    with _pypdf_quiet():
        reader = _open(body)
        try:
            info: Mapping[str, object] = reader.metadata or {}
        except Exception:  # pypdf raises when /Info is no dictionary
            info = {}
        found = {key: _text(info.get(f"/{key}")) for key in ("Title", "Author")}
        found |= {key: _date(_text(info.get(f"/{key}"))) for key in ("CreationDate", "ModDate")}
        found["Lang"] = _text(reader.root_object.get("/Lang"))
    return {key: value for key, value in found.items() if value}


@contextmanager
def _pypdf_quiet() -> Iterator[None]:
    """pypdf logs a warning for every defect it mends: mute its logger for the call, then put
    the level back (the lock keeps concurrent calls from restoring each other's level)."""
    logger = logging.getLogger("pypdf")
    limits = {f"{name}_maximum_output_length": _STREAM_LIMIT for name in _LIMITED}
    limits["stream_decoding_work_maximum_length"] = 4 * _STREAM_LIMIT  # all filters of a stream
    with _quiet_lock, warnings.catch_warnings(), pypdf.apply_configuration(None, **limits):
        warnings.simplefilter("ignore")
        level = logger.level
        logger.setLevel(logging.CRITICAL + 1)
        try:
            yield
        finally:
            logger.setLevel(level)


def _open(body: bytes) -> pypdf.PdfReader:
    if b"%PDF-" not in body[:1024]:  # readers allow junk before the header, within 1 KB
        raise PdfUnreadable("not a PDF: no %PDF- header")
    try:
        reader = pypdf.PdfReader(io.BytesIO(body), strict=False)
        # pypdf has already tried the empty password; asking again tells whether it worked.
        if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            raise PdfUnreadable("PDF is encrypted with a password")
        len(reader.pages)  # the page tree: damaged here is damaged for both functions
    except PdfUnreadable:
        raise
    except Exception as exc:  # pypdf raises many types on a damaged file
        # pypdf 7 reads nothing of a file cut short (it needs %%EOF and startxref): say so.
        cut = "truncated (no %%EOF at its end)" if b"%%EOF" not in body[-1024:] else "damaged"
        raise PdfUnreadable(f"PDF is {cut}, pypdf cannot read it: {_reason(exc)}") from exc
    return reader


def _reason(exc: Exception) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


def _text(value: object) -> str:
    try:
        value = value.get_object() if isinstance(value, pypdf.generic.PdfObject) else value
    except Exception:  # a reference to a missing or broken object
        return ""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _date(text: str) -> str:
    if match := re.match(r"(?:D:)?(\d{4})(\d\d)(\d\d)", text):
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            pass
    return text


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _line(raw: str) -> _Line:
    text = " ".join(raw.split())
    indent = len(raw) - len(raw.lstrip())
    return _Line(text, indent, sum(2 if _wide(ch) else 1 for ch in text))


def _without_running_lines(pages: list[list[_Line]]) -> list[_Line]:
    """All pages' lines, less those among the first or last two of every page that recur on
    every page (page numbers too: digits are compared as #). Only for two pages or more."""

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text)

    def ends(page: list[_Line]) -> set[str]:
        texts = [key(line) for line in page if line.text]
        return set(texts[:2] + texts[-2:])

    texted = [page for page in pages if any(line.text for line in page)]
    running = set.intersection(*map(ends, texted)) if len(texted) > 1 else set()
    lines: list[_Line] = []
    for page in texted:
        kept = [line for line in page if not (line.text and key(line) in running)]
        while kept and not kept[0].text:  # a page break is no blank line
            kept.pop(0)
        while kept and not kept[-1].text:
            kept.pop()
        lines += kept
    return lines


def _paragraphs(lines: list[_Line]) -> list[str]:
    full = max((line.width for line in lines), default=0)
    # Indents are layout columns, widths half-ems: a rough match, but centred or right-aligned
    # lines start far further in than a paragraph's first-line indent.
    set_off = [line.indent > full * 0.15 for line in lines]
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line, apart in zip(lines, set_off, strict=True):
        if not line.text:
            previous = None
            continue
        if previous is None or apart or not _continues(previous, line, full):
            paragraphs.append(line.text)
        else:
            paragraphs[-1] = _join(paragraphs[-1], line.text)
        previous = None if apart else line
    return paragraphs


def _continues(previous: _Line, line: _Line, full: int) -> bool:
    if previous.width < full * 0.75:
        return False
    ends_sentence = previous.text.rstrip(_CLOSERS).endswith(_SENTENCE_END)
    return not (ends_sentence and line.indent > previous.indent)


def _join(text: str, more: str) -> str:
    if re.search(r"[^\W\d_]-$", text):  # "exer-" + "cise", but "Self-" + "Defense"
        return (text[:-1] if more[0].islower() else text) + more
    return text + ("" if _wide(text[-1]) or _wide(more[0]) else " ") + more
