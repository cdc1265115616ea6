"""Recognise pages that must never become a release: block pages and module errors.

Matching is done on the decoded text (Akamai entity-encodes its reference number:
``Reference&#32;&#35;18&#46;…``), and block markers only count on short pages or in the
title, so a release that quotes "access denied" is not taken for a block.
"""

from __future__ import annotations

import re

from parsel import Selector

from .model import BLOCKED, MODULE_UNAVAILABLE

# A block page is small; a release quoting the same words is not.
_BLOCK_PAGE_MAX_CHARS = 3000

_BLOCK_TITLES = re.compile(
    r"^\s*(access denied|just a moment\.*|attention required!?(?:\s*\|\s*cloudflare)?"
    r"|request rejected|403 forbidden|forbidden|error 1020|please wait\.*)\s*$",
    re.IGNORECASE,
)
_BLOCK_TEXTS = [
    ("akamai", re.compile(r"you don.t have permission to access .{0,400}reference #", re.I | re.S)),
    ("akamai", re.compile(r"access denied.{0,200}reference #\s*\d", re.I | re.S)),
    ("cloudflare", re.compile(r"enable javascript and cookies to continue", re.I)),
    ("cloudflare", re.compile(r"checking (?:if the site connection is secure|your browser)", re.I)),
    ("cloudflare", re.compile(r"attention required!?\s*\|\s*cloudflare", re.I)),
    ("cloudflare", re.compile(r"\bjust a moment\.\.\.", re.I)),
    (
        "waf",
        re.compile(
            r"the requested url was rejected\. please consult with your administrator", re.I
        ),
    ),
]
_MODULE_ERRORS = [
    re.compile(r"article\s*cs\s*-\s*article (?:view|display) is currently unavailable", re.I),
    re.compile(r"\bis currently unavailable\b", re.I),
    re.compile(r"\ban error has occurred\b", re.I),
    re.compile(r"\bmodule (?:failed to load|is unavailable)\b", re.I),
]


def visible_text(selector: Selector) -> str:
    parts = selector.xpath(
        "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"
    ).getall()
    if not parts:
        parts = selector.xpath("//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def block_reason(selector: Selector, text: str) -> tuple[str, str] | None:
    """``(BLOCKED, detail)`` when the page is a bot-protection page, else None."""
    title = " ".join(selector.xpath("//title//text()").getall()).strip()
    if _BLOCK_TITLES.match(title):
        return BLOCKED, f"block page: title {title!r}"
    if len(text) > _BLOCK_PAGE_MAX_CHARS:
        return None
    for vendor, pattern in _BLOCK_TEXTS:
        match = pattern.search(text)
        if match:
            return BLOCKED, f"block page ({vendor}): {match.group(0)[:80]!r}"
    return None


def module_error(text: str) -> tuple[str, str] | None:
    """``(MODULE_UNAVAILABLE, detail)`` when the page shows a DNN module error."""
    for pattern in _MODULE_ERRORS:
        match = pattern.search(text)
        if match:
            return MODULE_UNAVAILABLE, f"module error: {match.group(0)!r}"
    return None
