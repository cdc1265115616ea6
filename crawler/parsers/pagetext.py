"""The lines around a publisher's text that are not the text (platform "page"): the number
and date header, a date line, the issuer, the kind's label, the dateline, template lines."""

from __future__ import annotations

import re

from crawler.kinds import kind_from_words

from .dates import find_date, parse_date
from .patterns import extract_dateline
from .text import normalize_space

# "Issued on 10 Jul. 2024", "Last updated: 10 Jul. 2024 22:07", "Date modified: 2025-10-17":
# the label; the date is the first one in the few characters after it.
ISSUED = re.compile(r"\b(?:issued on|publi[ée] le)\s*:?\s*", re.I)
UPDATED = re.compile(
    r"\b(?:last updated|dernière mise à jour|date modified|date de modification)\s*:?\s*", re.I
)
_LABELLED_DATE_CHARS = 40
# A number/date header line is short, and holds little besides its labels and dates.
_HEADER_MAX_CHARS = 200
_HEADER_REST_CHARS = 12
_HEADER_WORDS = r"\d{1,2}:\d{2}|[|\-–—:]|Press Release|Communiqué de presse"
# Template lines inside the content area: GCWeb's keyword links, "back to top" links.
_TEMPLATE_LINE = re.compile(
    r"^(?:Search for related information by keyword|Rechercher des renseignements connexes"
    r"|ページの先頭へ|ページの先頭に戻る|ページトップへ"
    r"|Back to top|Top of page|Haut de (?:la )?page)"
    # The reader notice under pages that link PDFs (mod.go.jp, canada.ca).
    r"|.{0,40}(?:Adobe (?:Acrobat )?Reader|Acrobat Reader).{0,60}$",
    re.IGNORECASE,
)
# A page's tools printed as one line: "Print | E-mail | Top of page", "Imprimer | E-mail".
_TOOL = re.compile(
    r"^(?:print(?: this page)?|e-?mail(?: this page)?|share(?: this)?|bookmark|top of page"
    r"|back to top|imprimer|partager|haut de (?:la )?page|印刷|ページの先頭へ|facebook|x|twitter"
    r"|linkedin)$",
    re.IGNORECASE,
)
# canada.ca's line over the text: "October 17, 2025 – Ottawa, Ontario – National Defence /
# Canadian Armed Forces" (French: "Le 17 octobre 2025 – Ottawa (Ontario) – Défense ...").
_DATE_PLACE_ISSUERS = re.compile(
    r"^(?:Le\s+)?(?P<date>[^–—]{6,30}?)\s+[–—-]\s+(?P<place>[^–—]{2,60}?)\s+[–—-]\s+"
    r"(?P<issuers>[^.!?]{2,100})$"
)
# A line that is a date and little else ("令和7年10月17日", "17 October 2025 防衛省").
_DATE_LINE_REST_CHARS = 12
HEAD_LINES = 6
# Who issued it, printed alone above a Japanese release ("防衛省", "統合幕僚監部", "報道室").
_ISSUER_LINE = re.compile(r"^[\u3400-\u9fff\u30a0-\u30ff・]{1,14}(?:省|庁|部|室|局|課|本部|隊)$")
# The closing mark of a Japanese notice ("以上": "that is all").
_CLOSING = frozenset({"以上", "以 上", "-30-", "###", "- 30 -"})
# A label naming the kind above or beside the title ("News release", "Media advisory").
KIND_LABEL_MAX_CHARS = 40
# A French dateline: "OTTAWA (Ontario), le 17 octobre 2025 —".
_FRENCH_DATELINE = re.compile(
    r"^(?P<dateline>[A-ZÀ-Ý][A-ZÀ-Ý .'’-]+(?:\s*\([^)]{2,40}\))?,\s*le\s+\d{1,2}(?:er)?"
    r"\s+[a-zéû]+\s+\d{4})\s*(?:—|–|--)\s*"
)
# canada.ca closes a dateline with the issuing organisations: "— National Defence / ...".
_ISSUERS = re.compile(r"^[A-Z][\w .'’&/,-]{2,80}$")


def is_furniture(paragraph: str, title: str, number: str | None) -> bool:
    """The title repeated, a number/date header line, a "Last updated" line, a template line,
    a line of the page's tools."""
    if paragraph == title or _TEMPLATE_LINE.match(paragraph) or is_tools_line(paragraph):
        return True
    if len(paragraph) >= _HEADER_MAX_CHARS:
        return False
    labelled = bool(ISSUED.search(paragraph) or UPDATED.search(paragraph))
    numbered = bool(number) and number in paragraph  # type: ignore[operator]
    if not (labelled or numbered):
        return False
    # What is left once the labels, the number, dates and separators are gone: a header line
    # leaves almost nothing ("Press Release (2012) 045 Issued on 12 Apr. 2012").
    rest = ISSUED.sub(" ", UPDATED.sub(" ", paragraph.replace(number or "\0", " ")))
    while (date := find_date(rest)) is not None:
        rest = rest.replace(date, " ")
    rest = re.sub(_HEADER_WORDS, " ", rest, flags=re.IGNORECASE)
    return len(normalize_space(rest)) <= _HEADER_REST_CHARS


def is_tools_line(paragraph: str) -> bool:
    parts = [part.strip() for part in re.split(r"\s*[|｜]\s*", paragraph)]
    return len(parts) >= 2 and all(_TOOL.match(part) for part in parts if part)


def is_date_line(paragraph: str) -> bool:
    """A line that is a date, perhaps with the issuer beside it."""
    found = find_date(paragraph)
    return found is not None and len(paragraph) - len(found) <= _DATE_LINE_REST_CHARS


def is_issuer_line(paragraph: str) -> bool:
    return bool(_ISSUER_LINE.match(paragraph))


def without_issuer(items: list[str]) -> list[str]:
    """The body without the issuer line above it and the closing mark under it."""
    while items and is_issuer_line(items[0]):
        items = items[1:]
    while items and items[-1] in _CLOSING:
        items = items[:-1]
    return items


def is_kind_label(paragraph: str) -> bool:
    return len(paragraph) <= KIND_LABEL_MAX_CHARS and kind_from_words(paragraph) is not None


def dateline_of(items: list[str]) -> tuple[str | None, list[str]]:
    """The dateline, and the body without it (and without canada.ca's issuers after it:
    "OTTAWA, Ontario, October 17, 2025 — National Defence / Canadian Armed Forces")."""
    opening = _DATE_PLACE_ISSUERS.match(items[0]) if items else None
    if opening is not None and find_date(opening.group("date")):
        return opening.group("place"), items[1:]
    dateline, rest = extract_dateline(items)
    french = _FRENCH_DATELINE.match(items[0]) if items and dateline is None else None
    if french is not None:
        dateline = french.group("dateline")
        rest = [items[0][french.end() :].strip(), *items[1:]]
        rest = rest if rest[0] else rest[1:]
    issuers = bool(rest) and rest[0] != items[0] and items[0].endswith(rest[0])
    if dateline and issuers and _ISSUERS.match(rest[0]) and not rest[0].endswith((".", ":")):
        rest = rest[1:] if len(rest) > 1 else rest
    return dateline, rest


def labelled_date(label: re.Pattern[str], text: str, date_order: str) -> str | None:
    """The date printed right after ``label`` in ``text`` ("Issued on 10 Jul. 2024")."""
    for found in label.finditer(text):
        tail = text[found.end() : found.end() + _LABELLED_DATE_CHARS]
        date = parse_date(tail, date_order)
        if date:
            return date[:10]
    return None
