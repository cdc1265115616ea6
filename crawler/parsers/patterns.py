"""The text-pattern layer: what press copy prints at the start and end of its body.

Header lines ("NEWS RELEASE", "Release No. 24-004"), the dateline (``YOKOTA AIR BASE,
Japan —``, ``横田飛行場 –``), end marks and boilerplate paragraphs. Works on paragraphs,
not HTML, so any template's body goes through the same rules.
"""

from __future__ import annotations

import re

from .dates import find_date
from .heading import is_bare_number, number_line
from .text import normalize_space

# A date some datelines print after the place: "WASHINGTON, June 4, 2015 –".
_DATELINE_DATE = (
    r"(?:,\s*(?:Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
    r"\s+\d{1,2},\s*\d{4})?"
)
# "YOKOTA AIR BASE, Japan —", "FALLS CHURCH, Va. (AFNS) --", "WASHINGTON —"
_DATELINE = re.compile(
    r"^(?P<dateline>[A-Z0-9À-ÖØ-Þ][A-Z0-9À-ÖØ-Þ .,'’&/\-]*[A-ZÀ-ÖØ-Þ.]"
    r"(?:,\s*(?:[A-Z][A-Za-z.'’]*)(?:\s+(?:of\s+)?[A-Z][A-Za-z.'’]*){0,3})?"
    rf"{_DATELINE_DATE}(?:\s*\([A-Za-z0-9 .,]{{2,30}}\))?)"
    r"\s*(?:—|–|\s--?|--)(?:\s+|$)"
)
# Title-case places ("Camp Humphreys, Republic of Korea —"): only before a long dash and
# a capitalised sentence, as a name opening a sentence ("General Smith - said") is not.
_TITLE_CASE_DATELINE = re.compile(
    r"^(?P<dateline>[A-Z][\w.'’&-]*(?:,?\s+(?:[A-Z][\w.'’&-]*|of|the|de|del|la|do)){0,6}"
    rf"{_DATELINE_DATE}(?:\s*\([A-Za-z0-9 .,]{{2,30}}\))?)"
    r"\s*(?:—|–|--)(?:\s+(?=[A-Z0-9\"“‘'(])|\s*$)"
)
_DATELINE_MAX_CHARS = 90
_EMPTY_DATELINE = re.compile(r"^\s*(?:--?|—|–)\s+(?=\S)")
# A place (and date) in Japanese or Korean script before a spaced dash.
_CJK_DATELINE = re.compile(
    r"^(?P<dateline>[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af][^。、.!?！？\s]{0,20}"
    r"(?:\s[^。、.!?！？\s]{1,12})?(?:\s*[(（][^)）]{1,24}[)）])?)\s+(?:—|–|--|-|―)\s+(?=\S)"
)
_EDITORS_NOTE = re.compile(r"^\s*[(\[]?\s*editor['’]?s\s+note\b", re.IGNORECASE)
_HEADER_MAX_LINES = 4
_HEADER_LINE = re.compile(
    r"^(?:(?:news|press)\s+release|for\s+immediate\s+release|media\s+(?:advisory|release)"
    r"|immediate\s+release)[\s.:]*$",
    re.IGNORECASE,
)
_RELEASE_NUMBER = re.compile(
    r"^(?:(?:news\s+|press\s+)?release\s+)?(?:no\.?|number|#)\s*:?\s*"
    r"(?P<number>[A-Z0-9][A-Z0-9\-]*\d[A-Z0-9\-]*)\b",
    re.IGNORECASE,
)
BOILERPLATE = (
    re.compile(r"choose which .{0,80}products you want delivered", re.I),
    re.compile(r"^subscribe to\b", re.I),
    re.compile(r"hosted by defense media activity", re.I),
    re.compile(r"^(?:related (?:stories|links|articles)|print|e-?mail|share)$", re.I),
    # End marks and separators of press copy: "-30-", "###", "- END -", "-以上-", a rule.
    re.compile(r"^[\s\-–—#*－―]*(?:30|end|#+|以上|끝)?[\s\-–—#*－―]*$", re.I),
    re.compile(r"^[_=~*\s]{3,}$"),
    # A label on a translation ("参考訳(英文が正文です。)": the English is authoritative).
    re.compile(
        r"^(?=.{0,60}$).*(?:参考訳|仮訳|仮翻訳|英文が正文|正文は英文|참고\s?번역|비공식\s?번역)"
    ),
    # The translation's own "press release" label.
    re.compile(r"^\W*(?:報道資料|報道発表|プレスリリース|보도\s?자료)\W*$"),
    # A line announcing the translation that follows ("-Japanese translation follows-").
    re.compile(
        r"^[\s\-–—(\[]*(?:\w+ )?(?:translation|version) (?:follows|below)[\s\-–—)\].:]*$", re.I
    ),
)


def clean_paragraphs(items: list[str]) -> list[str]:
    return [p for p in items if not any(b.search(p) for b in BOILERPLATE)]


def extract_header(items: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Header lines some releases open their body with ("NEWS RELEASE", "Release No. 24-004",
    "PA-2025-014 | Oct. 3, 2025", "FOR IMMEDIATE RELEASE", a date alone): the number and the
    date they print, and the body without them.
    """
    number = date_text = None
    index = 0
    while index < min(len(items), _HEADER_MAX_LINES) and len(items[index]) <= 100:
        line = items[index]
        index += 1
        printed = number_line(line)
        if printed is not None:
            number, date_text = number or printed[0], date_text or printed[1]
            continue
        if is_bare_number(line):
            number = number or line.strip(" |")
            continue
        date = find_date(line)
        undated = line[len(date) :].strip(" ,.") if date and line.startswith(date) else line
        found = _RELEASE_NUMBER.match(undated)
        if found and number is None:
            number = found.group("number")
        if date and (found or not undated):
            date_text = date_text or date
        if not (found or _HEADER_LINE.match(undated) or not undated):
            index -= 1
            break
    return number, date_text, items[index:]


def extract_dateline(items: list[str]) -> tuple[str | None, list[str]]:
    """The dateline opening the body, without its dash; the body loses it.

    It may follow an editor's note in parentheses; a body in Japanese or Korean may open
    with a dateline in its own script ("横田飛行場 –").
    """
    if items and _EMPTY_DATELINE.match(items[0]):  # the template printed a dash, no place
        return None, [_EMPTY_DATELINE.sub("", items[0]), *items[1:]]
    for index, paragraph in enumerate(items[:2]):
        if index and not _EDITORS_NOTE.match(items[0]):
            break
        found = _dateline_at(paragraph)
        if found is not None:
            dateline, rest = found
            return dateline, items[:index] + ([rest] if rest else []) + items[index + 1 :]
    return None, items


def _dateline_at(paragraph: str) -> tuple[str, str] | None:
    match = _DATELINE.match(paragraph)
    if match and len(match.group("dateline")) <= _DATELINE_MAX_CHARS:
        dateline = normalize_space(match.group("dateline")).rstrip(" ,")
        if re.search(r"[A-Z]{3}", dateline):
            return dateline, paragraph[match.end() :].strip()
    match = _TITLE_CASE_DATELINE.match(paragraph)
    if match and len(match.group("dateline")) <= _DATELINE_MAX_CHARS:
        return normalize_space(match.group("dateline")), paragraph[match.end() :].strip()
    match = _CJK_DATELINE.match(paragraph)
    if match:
        return match.group("dateline").strip(), paragraph[match.end() :].strip()
    return None
