"""The article's heading and its ``NUMBER | DATE`` line, wherever the page prints them.

The line may have its own element (``div.category-date``), sit inside the heading (after a
``<br>`` or in a child), follow it as a bare text node, or be split over elements with
bare separators; a line of its own may print the date alone or the number alone.
"""

from __future__ import annotations

import re

from parsel import Selector

from .dates import find_date
from .selectors import BODY, NUMBER_DATE, TITLE, first_in, meta
from .text import node_text, normalize_space, paragraphs

# "25-009 | July 8, 2025", "PA-001-20 | Dec. 9, 2020"
_NUMBER_LINE = re.compile(r"^\s*(?P<number>[^|]{1,30}?)\s*\|\s*(?P<date>.+?)\s*$")
_NUMBER = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9.\-/#]*(?: [A-Za-z0-9.\-/#]+)?$")
# The number alone, when the line prints no date: "PA-006-24", "25-009".
_BARE_NUMBER = re.compile(r"^(?:[A-Z]{1,5}-)?\d{1,4}-\d{1,4}(?:-\d{1,4})?$")
# A heading ending with its number line: "Title 25-009 | July 8, 2025".
_TRAILING_LINE = re.compile(r"^(?P<title>.+?)\s+(?P<line>[^\s|]{1,30}\s*\|\s*[^|]{6,40})$")
_TITLE_SUFFIXES = re.compile(r"\s*(?:>|\||»|::)\s.*$")
_GENERIC_TITLES = re.compile(r"^(?:articlecs\b.*|article view|article display|home|print)$", re.I)


def extract_title(selector: Selector, scopes: list[Selector]) -> str | None:
    """Heading of the article; meta tags, then ``<title>``, when the page has none."""
    node = first_in(scopes, TITLE)
    if node is not None:
        heading = heading_parts(node)[0]
        if heading:
            return heading
    for candidate in (
        meta(selector, "og:title", "twitter:title", "headline"),
        normalize_space(" ".join(selector.xpath("//title//text()").getall())),
    ):
        if candidate:
            candidate = _TITLE_SUFFIXES.sub("", candidate).strip()
            if candidate and not _GENERIC_TITLES.match(candidate):
                return candidate
    return None


def heading_parts(node: Selector) -> tuple[str, str | None]:
    """``(title, number line)`` of a heading that prints its ``NUMBER | DATE`` line inside
    it (after a ``<br>`` or in a child element); the line is None when it holds none."""
    heading = _joined_heading(node)
    lines = heading.split("\n")
    if lines and _is_number_line(lines[-1]) and len(lines) > 1:
        return "\n".join(lines[:-1]), lines[-1]
    trailing = _TRAILING_LINE.match(lines[-1]) if lines else None
    if trailing and _is_number_line(trailing.group("line")):
        return "\n".join([*lines[:-1], trailing.group("title")]), trailing.group("line")
    return heading, None


def _is_number_line(text: str) -> bool:
    return number_line(text) is not None


def number_line(text: str) -> tuple[str, str] | None:
    """``(number, date text)`` of a ``NUMBER | DATE`` line ("PA-2025-014 | Oct. 3, 2025")."""
    match = _NUMBER_LINE.match(text)
    if not match or not find_date(match.group("date")) or len(text) > 80:
        return None
    number = match.group("number").strip()
    if not _NUMBER.match(number) or find_date(number):
        return None
    return number, match.group("date")


def is_bare_number(text: str) -> bool:
    """A release number printed alone ("PA-2025-014", "25-009")."""
    return bool(_BARE_NUMBER.match(text.strip(" |")))


def _after_title(node: Selector) -> str:
    """The text printed right after the heading and before the next block of prose: a
    bare text node, or short elements with bare separators (``<b>N</b> | <i>DATE</i>``)."""
    parts: list[str] = []
    for sibling in node.xpath("following-sibling::node()"):
        text = normalize_space(
            sibling.get()
            if isinstance(sibling.root, str)
            else " ".join(sibling.css("::text").getall())
        )
        if not isinstance(sibling.root, str) and (len(text) > 80 or sibling.css(", ".join(BODY))):
            break
        if text:
            parts.append(text)
        if sum(len(p) for p in parts) > 80:
            break
    return normalize_space(" ".join(parts))


def _joined_heading(node: Selector) -> str:
    """Heading text; a ``<br>`` between two titles (English, Korean) becomes a newline."""
    parts = paragraphs(node.root)
    if len(parts) > 1:
        return "\n".join(parts)
    raw = node.xpath("./text() | ./*[not(self::br)]//text() | ./br").getall()
    lines = "".join("\n" if item.startswith("<br") else item for item in raw)
    return "\n".join(normalize_space(line) for line in lines.split("\n") if line.strip())


def extract_number_line(scopes: list[Selector]) -> tuple[str | None, str | None, str | None]:
    """``(number, date text, the whole line)`` from the ``NUMBER | DATE`` line, if printed:
    in its own element, inside the heading, or as bare text right after it. A line of its
    own may print the date alone, or the number alone."""
    own: list[str] = []  # lines printed for this purpose alone
    node = first_in(scopes, NUMBER_DATE)
    if node is not None:
        own.append(_parts_line(node))
    title = first_in(scopes, TITLE)
    if title is not None:
        own += [heading_parts(title)[1] or "", _after_title(title)]
    others = [node_text(n) for n in scopes[0].css("p, div.info, span")[:40]]
    for index, line in enumerate([*own, *others]):
        if not line or len(line) > 80:
            continue
        match = _NUMBER_LINE.match(line)
        if match and find_date(match.group("date")):
            number = match.group("number").strip()
            if _NUMBER.match(number) and not find_date(number):
                return number, match.group("date"), line
            return None, match.group("date"), line
        if index < len(own):
            if _only_date(line):
                return None, line, line
            bare = line.strip(" |")
            if line == own[0] and node is not None and _BARE_NUMBER.match(bare):
                return bare, None, line  # a number printed with no date after it
    return None, None, None


def _only_date(line: str) -> bool:
    found = find_date(line)
    return found is not None and len(line.replace(found, "").strip(" |•,/-–—")) < 3


def _parts_line(node: Selector) -> str:
    """The node's text with its parts joined by `` | `` when the page prints no separator.

    ``<span>22-003</span> <span>Jan. 21, 2022</span>`` reads as ``22-003 | Jan. 21, 2022``.
    """
    text = node_text(node)
    if "|" in text:
        return text
    parts = [normalize_space(t) for t in node.xpath(".//text()").getall()]
    parts = [p for p in parts if p]
    return " | ".join(parts) if len(parts) > 1 and find_date(parts[-1]) else text
