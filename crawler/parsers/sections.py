"""Split a release into one section per language.

USFJ prints the whole English release and then the whole Japanese translation (block
mode); USFK interleaves English and Korean paragraph by paragraph (interleaved mode).
Grouping each paragraph under its own language, in order, handles both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .languages import language_of, paragraph_languages, script_language, split_by_script
from .model import Section
from .text import join_paragraphs

# A heading-like paragraph: short and not ending like a sentence.
_TITLE_MAX_CHARS = 160
_LINE_MAX_CHARS = 80
_SENTENCE_END = re.compile(r"[.。!?！？」”\"]$")
# A short place (and date) before a spaced dash (or a CJK one, "横田基地―") at the start
# of a paragraph.
_TRANSLATED_DATELINE = re.compile(
    r"^[^\s。、.!?！？][^。!?！？]{0,30}?(?:\s(?:—|–|--|-)\s+|\s*[―—]\s*)(?=\S)"
)


@dataclass
class _Draft:
    lang: str
    paragraphs: list[str] = field(default_factory=list)
    title: str | None = None
    byline: str | None = None


def split_title(title: str, site_languages: tuple[str, ...]) -> dict[str, str]:
    """Map language -> title; a joined bilingual heading gives one entry per language."""
    lines = [line.strip(" /|-–—") for line in re.split(r"\s*[\n|]\s*|\s+/\s+", title)]
    lines = [line for line in lines if line]
    if len(lines) == 1:
        lines = _split_at_script_change(lines[0])
    titles: dict[str, str] = {}
    for line in lines:
        lang = language_of(line, site_languages) or site_languages[0]
        titles[lang] = f"{titles[lang]} {line}" if lang in titles else line
    return titles


def _split_at_script_change(title: str) -> list[str]:
    """``English Title 한국어 제목`` -> both halves, split where the script first changes."""
    words = title.split()
    kinds = [script_language(word) for word in words]
    first = next((k for k in kinds if k), None)
    for index, kind in enumerate(kinds):
        if kind and kind != first and kind != "latin" and first == "latin":
            return [" ".join(words[:index]), " ".join(words[index:])]
        if kind == "latin" and first not in (None, "latin"):
            # CJK first, Latin after: only split at a run of several Latin words.
            rest = kinds[index:]
            if len(rest) >= 3 and all(k in (None, "latin") for k in rest):
                return [" ".join(words[:index]), " ".join(words[index:])]
    return [title]


DatelineFinder = Callable[[list[str]], tuple[str | None, list[str]]]


def split_sections(
    paragraphs: list[str],
    site_languages: tuple[str, ...],
    titles: dict[str, str],
    primary_byline: str | None,
    find_dateline: DatelineFinder | None = None,
) -> tuple[list[Section], str | None]:
    """Group paragraphs by language, one section each, the primary language first.

    The dateline is looked for at the start of the primary section (``find_dateline``);
    when there is one, the translations' own datelines are dropped from their text.
    """
    drafts: dict[str, _Draft] = {}
    current: _Draft | None = None
    paragraphs = [piece for paragraph in paragraphs for piece in split_by_script(paragraph)]
    languages = paragraph_languages(paragraphs, site_languages)
    for paragraph, lang in zip(paragraphs, languages, strict=True):
        if lang is None:  # no letters ("-30-", "###"): stays with the running section
            if current is not None:
                current.paragraphs.append(paragraph)
            continue
        current = drafts.setdefault(lang, _Draft(lang))
        current.paragraphs.append(paragraph)
    if not drafts:
        return [], None
    ordered = list(drafts.values())
    # The primary language is the heading's (its first part, when it joins two); without a
    # heading in a body language, the body's first.
    heading = next((lang for lang in titles if lang in drafts), None)
    if heading is not None:
        ordered.sort(key=lambda draft: draft.lang != heading)
    primary = ordered[0]
    primary.title = titles.get(primary.lang)
    primary.byline = primary_byline
    dateline = None
    if find_dateline is not None:
        dateline, primary.paragraphs = find_dateline(primary.paragraphs)
    for draft in ordered[1:]:
        draft.title = titles.get(draft.lang)
        if draft.title is None:
            _take_heading(draft)
        else:
            _drop_repeated_heading(draft)
        if dateline and draft.paragraphs:
            # The translation repeats the dateline in its language ("東京 --", "서울 –").
            draft.paragraphs[0] = _TRANSLATED_DATELINE.sub("", draft.paragraphs[0], count=1)
    sections = [
        Section(lang=d.lang, title=d.title, byline=d.byline, text=join_paragraphs(d.paragraphs))
        for d in ordered
        if d.paragraphs or d.title
    ]
    return sections, dateline


def _take_heading(draft: _Draft) -> None:
    """A translation printed as its own block opens with its title and its own line."""
    paragraphs = draft.paragraphs
    if len(paragraphs) < 2 or not _is_heading(paragraphs[0], _TITLE_MAX_CHARS):
        return
    draft.title = paragraphs.pop(0)
    if len(paragraphs) >= 2 and _is_heading(paragraphs[0], _LINE_MAX_CHARS):
        draft.byline = paragraphs.pop(0)


def _drop_repeated_heading(draft: _Draft) -> None:
    """A translation block may repeat its title (already known from the page heading) and
    print its own number/date line: neither is body text."""
    paragraphs = draft.paragraphs
    if paragraphs and draft.title and _same(paragraphs[0], draft.title):
        paragraphs.pop(0)
        if len(paragraphs) >= 2 and _is_heading(paragraphs[0], _LINE_MAX_CHARS):
            draft.byline = paragraphs.pop(0)


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a) == re.sub(r"\W+", "", b)


def _is_heading(paragraph: str, max_chars: int) -> bool:
    return len(paragraph) <= max_chars and not _SENTENCE_END.search(paragraph)
