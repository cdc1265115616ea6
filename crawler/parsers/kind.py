"""What kind of article a page holds, from its content: the layer after the URL.

A fact sheet or a biography ends with "(Current as of …)" and carries its own headings; a
commentary is signed "Commentary by …"; a page's breadcrumb names its section. The URL's
section and the print view's module come first (``crawler.profiles``); these decide when
the URL says nothing, and a reference page is one wherever it is served.
"""

from __future__ import annotations

import re

from parsel import Selector

from crawler.kinds import BIOGRAPHY, FACT_SHEET, kind_from_words

from .text import normalize_space

_CURRENT_AS_OF = re.compile(
    r"^\W*current as of\s+(?P<date>(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2},?\s+)?\d{4})\W*$",
    re.IGNORECASE,
)
_REFERENCE_HEADINGS = (
    (FACT_SHEET, ("general characteristics", "point of contact")),
    (BIOGRAPHY, ("education", "assignments")),
)
# Ranks and offices that open a biography's title as printed ("REAR ADMIRAL JOHN DOE",
# "COMMAND SERGEANT MAJOR ...", "THE HONORABLE ...").
_PERSON_TITLE = re.compile(
    r"^(?:the\s+)?(?:(?:rear|vice|brigadier|major|lieutenant|command|force|fleet|chief|master|"
    r"senior|staff|first|technical|sergeant)\s+)*(?:admiral|general|sergeant|chief|officer|"
    r"colonel|captain|commander|honorable|hon\.|secretary|director|airman|"
    r"(?:sgt|gen|adm|col|capt|lt|cmdr|cdr|maj|brig)\.?)\s+\w",
    re.IGNORECASE,
)
_COMMENTARY_BYLINE = re.compile(r"^\W*(?:by\s+)?commentary\s+by\b", re.IGNORECASE)
_COMMENTARY_TITLE = re.compile(r"^\s*commentary\s*:", re.IGNORECASE)
_COMMENTARY_TAG = re.compile(r"^\s*commentar(?:y|ies)\s*$", re.IGNORECASE)
_BREADCRUMB = (
    "[class*='breadcrumb'] a::text",
    "[id*='Breadcrumb'] a::text",
    "[id*='breadcrumb'] a::text",
)
# Breadcrumb items that name a page type rather than a section.
_PAGE_TYPES = re.compile(r"^(?:home|article (?:view|display)|display|view|print)$", re.I)


def current_as_of(paragraphs: list[str]) -> str | None:
    """The date text of a closing "(Current as of September 2015)"."""
    for paragraph in paragraphs[-3:]:
        match = _CURRENT_AS_OF.match(paragraph)
        if match:
            return match.group("date")
    return None


def reference_kind(paragraphs: list[str], title: str) -> str | None:
    """``fact_sheet`` or ``biography`` for a reference page, else None."""
    headings = {p.strip(" :").lower() for p in paragraphs if len(p) < 40}
    for kind, names in _REFERENCE_HEADINGS:
        if all(name in headings for name in names):
            return kind
    if current_as_of(paragraphs) is None:
        return None
    # A biography's title is its subject: a name with a rank or a title.
    return BIOGRAPHY if _PERSON_TITLE.search(title[:60]) else FACT_SHEET


def commentary(byline_text: str | None, title: str, tags: list[str]) -> bool:
    """A commentary as af.mil prints one in its news module: signed "Commentary by …",
    titled "Commentary: …", or tagged "commentary"."""
    return bool(
        (byline_text and _COMMENTARY_BYLINE.match(byline_text))
        or _COMMENTARY_TITLE.match(title)
        or any(_COMMENTARY_TAG.match(tag) for tag in tags)
    )


def breadcrumb_kind(selector: Selector) -> str | None:
    """The kind the page's breadcrumb names (``Home : Media : Press Releases : Article View``)."""
    for css in _BREADCRUMB:
        items = [normalize_space(t) for t in selector.css(css).getall()]
        items = [t for t in items if t and not _PAGE_TYPES.match(t)]
        for item in reversed(items):
            kind = kind_from_words(item)
            if kind is not None:
                return kind
    return None
