"""Decide the language of a piece of text: by script first, then a seeded langdetect.

langdetect alone misreads kanji-only Japanese as Korean and short English name lists as
Polish, so the writing system decides whenever it can: kana means Japanese, Hangul Korean,
Han alone Japanese on a Japanese-language site or on a page whose other CJK text is
Japanese. Latin text is confirmed with langdetect, restricted by the site's languages
unless the detector is sure.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

_LANGDETECT_SURE = 0.95
_LANGDETECT_MIN_CHARS = 200
_LANGDETECT_MAX_CHARS = 3000  # enough to be sure; langdetect's cost grows with the text
_CJK = ("ja", "ko", "zh")


def script_counts(text: str) -> dict[str, int]:
    counts = {"kana": 0, "hangul": 0, "han": 0, "latin": 0, "other": 0}
    for char in text:
        code = ord(char)
        if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D:
            counts["kana"] += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            counts["han"] += 1
        elif char.isalpha():
            name = unicodedata.name(char, "")
            counts["latin" if name.startswith("LATIN") else "other"] += 1
    return counts


def script_language(text: str, site_languages: tuple[str, ...] = ("en",)) -> str | None:
    """The language the script alone implies, ``"latin"`` for Latin text, None for no letters."""
    counts = script_counts(text)
    cjk = counts["kana"] + counts["hangul"] + counts["han"]
    if cjk == 0 and counts["latin"] == 0:
        return None
    # CJK characters carry about three Latin letters' worth of text each.
    if cjk * 3 < counts["latin"]:
        return "latin"
    if counts["kana"]:
        return "ja"
    if counts["hangul"] >= counts["han"]:
        return "ko"
    if "ja" in site_languages:
        return "ja"
    if counts["hangul"]:
        return "ko"
    return "zh"


@cache
def _seeded_detect_langs() -> Any:
    # Imported lazily (loads ~50 language profiles). The detector samples n-grams at random;
    # the documented fixed seed makes the same text get the same answer in every run.
    from langdetect import DetectorFactory, detect_langs

    DetectorFactory.seed = 0
    return detect_langs


def _langdetect(text: str) -> list[tuple[str, float]]:
    from langdetect.lang_detect_exception import LangDetectException

    try:
        return [(item.lang, item.prob) for item in _seeded_detect_langs()(text)]
    except LangDetectException:
        return []


def latin_language(text: str, site_languages: tuple[str, ...]) -> str:
    """Language of Latin-script text: the site's Latin language unless langdetect is sure."""
    latin_site = [lang for lang in site_languages if lang not in ("ja", "ko", "zh")]
    default = latin_site[0] if latin_site else "en"
    if len(text) < _LANGDETECT_MIN_CHARS:
        return default
    ranked = _langdetect(text)
    if not ranked:
        return default
    best, probability = ranked[0]
    if best in latin_site:
        return best
    if probability >= _LANGDETECT_SURE and best not in ("ja", "ko", "zh-cn", "zh-tw"):
        return best
    return default


def paragraph_languages(
    paragraphs: list[str], site_languages: tuple[str, ...] = ("en",)
) -> list[str | None]:
    """The language of each paragraph (None: no letters).

    When the site has one Latin-script language, its Latin paragraphs are confirmed
    together with one langdetect call: per-paragraph detection costs ~7 ms a paragraph
    and adds nothing there.
    """
    scripts = _han_as_neighbours([script_language(p, site_languages) for p in paragraphs])
    latin_site = [lang for lang in site_languages if lang not in _CJK]
    if len(latin_site) > 1:
        return [
            latin_language(p, site_languages) if s == "latin" else s
            for p, s in zip(paragraphs, scripts, strict=True)
        ]
    latin_text = " ".join(p for p, s in zip(paragraphs, scripts, strict=True) if s == "latin")
    latin = latin_language(latin_text[:_LANGDETECT_MAX_CHARS], site_languages)
    return [latin if s == "latin" else s for s in scripts]


# Where a paragraph may change language: after a sentence, before the next one.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\"”')])\s+|(?<=[。！？])(?![」』）)])\s*")
_MIXED_MIN_LATIN = 40
_MIXED_MIN_CJK = 10


def split_by_script(paragraph: str) -> list[str]:
    """A paragraph holding a sentence and its translation ("… said. …라고 말했다.") as one
    piece per language, in order; any other paragraph as it is."""
    counts = script_counts(paragraph)
    cjk = counts["kana"] + counts["hangul"] + counts["han"]
    if cjk < _MIXED_MIN_CJK or counts["latin"] < _MIXED_MIN_LATIN:
        return [paragraph]
    pieces: list[str] = []
    kinds: list[bool] = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE_BREAK.split(paragraph))):
        latin = script_language(sentence) in ("latin", None)
        if pieces and kinds[-1] == latin:
            pieces[-1] = f"{pieces[-1]} {sentence}"
        else:
            pieces.append(sentence)
            kinds.append(latin)
    return pieces


def _han_as_neighbours(scripts: list[str | None]) -> list[str | None]:
    """Han-only paragraphs (a kanji table cell, a date) in a page whose other CJK text is all
    Japanese, or all Korean, are in that language, not Chinese."""
    others = {s for s in scripts if s in ("ja", "ko")}
    if "zh" not in scripts or len(others) != 1:
        return scripts
    (language,) = others
    return [language if s == "zh" else s for s in scripts]


def language_of(text: str, site_languages: tuple[str, ...] = ("en",)) -> str | None:
    script = script_language(text, site_languages)
    if script == "latin":
        return latin_language(text, site_languages)
    return script
