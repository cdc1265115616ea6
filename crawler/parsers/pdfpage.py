"""A release published only as a PDF (mod.go.jp): its text through ``pdf``, its fields from
the text's own lines and the URL, as the page parser would read them from HTML."""

from __future__ import annotations

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

# A title is a short line that is neither a date nor the issuing office ("防衛省").
_TITLE_MAX_CHARS = 120
_HEAD_LINES = 6


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
    head = items[:_HEAD_LINES]
    date_line = next((line for line in head if is_date_line(line)), None)
    title = info.get("Title") or next(
        (
            line
            for line in head
            if line != date_line and len(line) <= _TITLE_MAX_CHARS and not is_issuer_line(line)
        ),
        None,
    )
    if title is None:
        return Reject(
            MISSING_FIELDS, "the PDF opens with no title line", url, ("title",), record_id
        )
    rest = without_issuer([line for line in items if line not in (title, date_line)])
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
