"""Find and normalise the publication date printed on a page.

``dateparser`` does the parsing. Two things it cannot do are done here: locating a date
inside a longer line (``Published Jan. 14, 2016``) and Japanese era years
(``令和7年7月8日``), which it does not know.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# French months (NATO's and canada.ca's French pages: "17 juin 2024", "1er oct. 2025").
_MOIS = (
    r"(?:janv(?:ier)?|févr(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|août"
    r"|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|déc(?:embre)?)\.?"
)
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
# Candidates, most specific first. Each match is handed to dateparser as is.
_CANDIDATES = [
    re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
    re.compile(rf"\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}{_TIME}", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}\s+{_MONTH}\s+\d{{4}}", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}-{_MONTH}-\d{{4}}", re.IGNORECASE),  # NATO's "12-Apr-2012"
    re.compile(rf"\b\d{{1,2}}(?:er)?\s+{_MOIS}\s+\d{{4}}", re.IGNORECASE),
    re.compile(r"(?:令和|平成|昭和)\s*(?:\d{1,2}|元)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"),
    re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"),
    re.compile(r"\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"),
]
# First year of each Japanese era, minus one: 令和 n = 2018 + n.
_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_ERA_DATE = re.compile(r"(令和|平成|昭和)\s*(\d{1,2}|元)\s*年")
_ISO_FRACTION = re.compile(r"(T\d{2}:\d{2}:\d{2})\.\d+")
# .NET writes a date-only value as local midnight with no zone: that states no time.
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00(?::00(?:\.0+)?)?$")


def _western_year(match: re.Match[str]) -> str:
    era, year = match.group(1), match.group(2)
    number = 1 if year == "元" else int(year)
    return f"{_ERAS[era] + number}年"


@cache
def _parser(date_order: str) -> Any:
    # Imported lazily: dateparser takes ~0.1 s to import and loads its data on first use.
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en", "fr", "ja", "ko"],
        settings={
            "DATE_ORDER": date_order,
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_TIME_AS_PERIOD": True,
            "PREFER_DATES_FROM": "past",
        },
    )


def find_date(text: str) -> str | None:
    """The first date-like substring of ``text``, or None."""
    best: re.Match[str] | None = None
    for pattern in _CANDIDATES:
        match = pattern.search(text)
        if match and (best is None or match.start() < best.start()):
            best = match
    return best.group(0) if best else None


def parse_date(text: str | None, date_order: str = "MDY") -> str | None:
    """ISO 8601 for the first date in ``text``: a date, or a datetime when a time is given.

    A zone is kept only when the page states one. Returns None when there is no date; it
    never guesses one.
    """
    if not text:
        return None
    found = find_date(text)
    if found is None:
        return None
    found = _ISO_MIDNIGHT.sub(r"\1", found)
    found = _ERA_DATE.sub(_western_year, found)
    # dateparser rejects fractions longer than 6 digits (ArticleCS writes 7).
    found = _ISO_FRACTION.sub(r"\1", found)
    data = _parser(date_order).get_date_data(found)
    value: datetime | None = data.date_obj
    if value is None:
        return None
    if data.period == "time":
        stamp = value.replace(microsecond=0)
        return stamp.isoformat()
    return value.date().isoformat()
