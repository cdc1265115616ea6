"""A release published only as a PDF (mod.go.jp): its text through ``pdf``, its fields from
the text's own lines and the URL, as the page parser would read them from HTML."""

from __future__ import annotations

import re
from dataclasses import replace

from crawler.profiles import ArticleKey, SiteProfile

from .dates import find_date, parse_date
from .model import MISSING_FIELDS, Reject, Release, Section
from .page import url_date
from .pagetext import is_date_line, is_issuer_line, without_issuer
from .patterns import extract_dateline
from .pdf import PdfUnreadable, pdf_metadata, pdf_paragraphs
from .sections import split_sections, split_title

NAME = "page-pdf"
VERSION = "1.0.0"

# A title is a line of the head that is neither a date nor the issuing office ("防衛省"),
# the longest-enough first: a short one is more likely a label the template prints.
_TITLE_MAX_CHARS = 120
_TITLE_MIN_CHARS = 8
_HEAD_LINES = 6
# What a press-release template prints that is not the release: its label, page numbers.
_LABELS = frozenset({"報道資料", "報道発表", "お知らせ", "Press Release", "PRESS RELEASE"})
_PAGE_NUMBER = re.compile(r"^(?:[-－—―]\s*\d{1,3}\s*[-－—―]|\d{1,3}\s*/\s*\d{1,3})$")
# Titles PDF writers fill in for themselves: "Microsoft Word - 190617b.docx", "Untitled".
_WRITER_TITLE = re.compile(r"^(?:Microsoft \w+ - |untitled)|\.(?:docx?|xlsx?|pptx?|pdf)$", re.I)


def _title(head: list[str], date_line: str | None, stated: str | None) -> str | None:
    """The title line; the PDF's own Title only when the text prints it too."""
    if stated and not _WRITER_TITLE.search(stated) and stated in head:
        return stated
    lines = [
        line
        for line in head
        if line != date_line and len(line) <= _TITLE_MAX_CHARS and not is_issuer_line(line)
    ]
    return next((line for line in lines if len(line) >= _TITLE_MIN_CHARS), None) or next(
        iter(lines), None
    )


def is_pdf(body: bytes, headers: list[tuple[str, str]]) -> bool:
    """A PDF by its magic bytes (servers label PDFs ``application/octet-stream`` too)."""
    if body.lstrip()[:5] == b"%PDF-":
        return True
    return any(
        name.lower() == "content-type" and "application/pdf" in value.lower()
        for name, value in headers
    )


def parse(
    url: str,
    body: bytes,
    profile: SiteProfile,
    key: ArticleKey,
    fetched: str | None,
) -> Release | Reject:
    record_id = profile.record_id(key.id)
    try:
        items = pdf_paragraphs(body)
    except PdfUnreadable as error:
        return Reject(
            MISSING_FIELDS, f"a PDF with no readable text: {error}", url, ("text",), record_id
        )
    info = pdf_metadata(body)
    items = [line for line in items if not _PAGE_NUMBER.match(line) and line not in _LABELS]
    head = items[:_HEAD_LINES]
    date_line = next((line for line in head if is_date_line(line)), None)
    title = _title(head, date_line, info.get("Title"))
    if title is None:
        return Reject(
            MISSING_FIELDS, "the PDF opens with no title line", url, ("title",), record_id
        )
    rest = [line for line in items if line not in (title, date_line)]
    while rest and is_issuer_line(rest[0]):  # the issuer printed under the title
        rest = rest[1:]
    rest = without_issuer(rest)
    dateline, rest = extract_dateline(rest)
    languages = (
        (info["Lang"][:2].lower(), *profile.languages) if info.get("Lang") else profile.languages
    )
    sections, _ = split_sections(
        rest, tuple(dict.fromkeys(languages)), split_title(title, languages), None
    )
    if not sections or not sections[0].text:
        return Reject(
            MISSING_FIELDS, "the PDF holds a title and no text", url, ("text",), record_id
        )
    if sections[0].title is None:
        sections[0] = replace(sections[0], title=title)
    primary: Section = sections[0]
    published = parse_date(find_date(date_line or ""), profile.date_order) or url_date(key, profile)
    return Release(
        id=record_id,
        url=profile.key_url(key),
        site=profile.id,
        publisher=profile.publisher,
        kind=profile.kind,
        title=primary.title or title,
        number=None,
        published=published,
        updated=None,
        dateline=dateline,
        bylines=[],
        tags=[],
        images=[],
        documents=[],
        language=primary.lang,
        languages=[section.lang for section in sections],
        sections=sections,
        text=primary.text,
        extractor={"name": NAME, "version": VERSION},
        fetched=fetched,
        source_type="pdf",
    )
