"""What kind of article a record is: one documented vocabulary for every publisher.

A kind is decided from the URL's section first (``/Press-Releases/``, ``/Commentaries/``),
then the platform's module (an ArticleCS print view's ``ModuleId``), then the content (a
listing's ``content-type-name``, a heading or breadcrumb that names it). The words below
are how publishers name their sections; the first kind whose words match wins, so the more
specific kinds come first (a "News Release" is a release, not news).
"""

from __future__ import annotations

import re

RELEASE = "release"
NEWS = "news"
COMMENTARY = "commentary"
SPEECH = "speech"
TRANSCRIPT = "transcript"
STATEMENT = "statement"
FACT_SHEET = "fact_sheet"
BIOGRAPHY = "biography"
CONTRACT = "contract"
ADVISORY = "advisory"
FEATURE = "feature"

# The vocabulary, in the order documented in the README and the schema.
KINDS = (
    RELEASE,
    NEWS,
    COMMENTARY,
    SPEECH,
    TRANSCRIPT,
    STATEMENT,
    FACT_SHEET,
    BIOGRAPHY,
    CONTRACT,
    ADVISORY,
    FEATURE,
)
# What a spider crawls when ``-a kinds`` is not given: what it crawled before kinds existed.
DEFAULT_KINDS = (RELEASE,)

# How sections, modules and content types name each kind (lowercase words, ``-``/``_``
# read as spaces). Order matters: the first match wins.
_WORDS: tuple[tuple[str, str], ...] = (
    (TRANSCRIPT, r"transcripts?"),
    (SPEECH, r"speech(?:es)?|remarks|testimon(?:y|ies)|discours"),
    (FACT_SHEET, r"fact ?sheets?|factsheets?|backgrounders?|documents? d'information"),
    (BIOGRAPHY, r"biograph(?:y|ies)|bios?|leadership"),
    (COMMENTARY, r"commentar(?:y|ies)|op eds?|opinions?|perspectives?|viewpoints?"),
    # "Releases and Advisories", "Press Releases and Statements": releases first.
    (RELEASE, r"(?:press|news|media) releases?|releases?|pressemitteilung(?:en)?"),
    (CONTRACT, r"contracts?(?: announcements?)?"),
    (ADVISORY, r"(?:media )?advisor(?:y|ies)|avis aux médias"),
    (STATEMENT, r"statements?|readouts?|government responses?|déclarations?"),
    (RELEASE, r"press products|announcements?|communiqu[eé]s?"),
    # "Feature Stories" are features; "Stories" alone are news stories (as on war.gov).
    (FEATURE, r"features?|spotlights?"),
    (NEWS, r"news|stor(?:y|ies)|actualités|nouvelles"),
)
_PATTERNS = tuple((kind, re.compile(rf"(?<![a-z])(?:{words})(?![a-z])")) for kind, words in _WORDS)


def kind_from_words(text: str | None) -> str | None:
    """The kind a section name, path or content type names (``Press-Releases`` -> release)."""
    if not text:
        return None
    words = re.sub(r"[-_/+.]+", " ", text.lower())
    for kind, pattern in _PATTERNS:
        if pattern.search(words):
            return kind
    return None


def parse_kinds(value: str | None) -> tuple[str, ...] | None:
    """``release,commentary`` -> those kinds; ``all`` -> every kind; empty -> None (the
    spider's default). Raises ValueError naming an unknown kind."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text == "all":
        return KINDS
    chosen: list[str] = []
    for item in text.split(","):
        name = item.strip().replace(" ", "_").replace("-", "_")
        if name not in KINDS:
            raise ValueError(f"unknown kind {item.strip()!r} (known: {', '.join(KINDS)}, all)")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)
