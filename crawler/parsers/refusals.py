"""Recognise pages that must never become a release: block pages, module errors,
not-found pages served with 200, and reference pages (fact sheets, biographies).

Matching is done on the decoded text (Akamai entity-encodes its reference number:
``Reference&#32;&#35;18&#46;…``), and block markers only count on short pages or in the
title, so a release that quotes "access denied" is not taken for a block.
"""

from __future__ import annotations

import re

from parsel import Selector

from .model import BLOCKED, GONE, MODULE_UNAVAILABLE

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
    ("cloudflare", re.compile(r"verify you are human by completing the action below", re.I)),
    ("cloudflare", re.compile(r"needs to review the security of your connection", re.I)),
    ("cloudflare", re.compile(r"performing (?:a )?security verification", re.I)),
    (
        "waf",
        re.compile(
            r"the requested url was rejected\. please consult with your administrator", re.I
        ),
    ),
]
# Challenge scripts and widgets: the only trace when a challenge page shows no wording.
_BLOCK_MARKUP = (
    "//script[contains(., '_cf_chl_opt') or contains(@src, '/cdn-cgi/challenge-platform/')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' cf-turnstile ')]"
    " | //form[@id='challenge-form']"
)
# "Not found" pages some servers answer with 200 (a soft 404).
_NOT_FOUND_TITLES = re.compile(
    r"^\s*(?:(?:error\s*)?404(?:\s*[-–:|>].*)?|(?:page|file|resource) not found(?:\s*[-–:|>].*)?"
    r"|file or directory not found\.?|the resource cannot be found\.?|not found"
    # canada.ca's bilingual title, mod.go.jp's: "... (Error 404) / ... (Erreur 404)"
    r"|.*\((?:error|erreur)\s*404\).*|.*ページが見つかりません.*)\s*$",
    re.IGNORECASE,
)
_NOT_FOUND_TEXTS = re.compile(
    r"the (?:page|resource|file) you (?:are looking for|requested|were looking for)"
    r"[^.]{0,60}?(?:might have been removed|could not be found|cannot be found|can.t be found"
    r"|does not exist|is (?:no longer |temporarily )?(?:available|unavailable))"
    r"|\b404 - file or directory not found"
    r"|we couldn.t find that web page|nous ne pouvons trouver cette page web"
    r"|お探しのページ(?:は|が)見つかりません",
    re.IGNORECASE,
)
# Reference pages the same module shows: fact sheets and biographies, not releases.
# "(Current as of July 2015)": a month and year, never a day or a time (a release's
# "current as of March 20, 2020, 5 p.m." is an update, not a reference page).
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


def _title(selector: Selector) -> str:
    return " ".join(selector.xpath("//title//text()").getall()).strip()


def block_reason(selector: Selector, text: str) -> tuple[str, str] | None:
    """``(BLOCKED, detail)`` when the page is a bot-protection page, else None."""
    title = _title(selector)
    if _BLOCK_TITLES.match(title):
        return BLOCKED, f"block page: title {title!r}"
    if len(text) > _BLOCK_PAGE_MAX_CHARS:
        return None
    for vendor, pattern in _BLOCK_TEXTS:
        match = pattern.search(text)
        if match:
            return BLOCKED, f"block page ({vendor}): {match.group(0)[:80]!r}"
    if selector.xpath(_BLOCK_MARKUP):
        return BLOCKED, "block page: a challenge script or widget"
    return None


def not_found(selector: Selector, text: str) -> tuple[str, str] | None:
    """``(GONE, detail)`` when a page served as a success says the page does not exist."""
    title = _title(selector)
    headings = [" ".join(h.xpath(".//text()").getall()).strip() for h in selector.css("h1")]
    for label in (title, *headings):
        if label and _NOT_FOUND_TITLES.match(label):
            return GONE, f"not-found page served as a success: {label[:80]!r}"
    if len(text) <= _BLOCK_PAGE_MAX_CHARS:
        match = _NOT_FOUND_TEXTS.search(text)
        if match:
            return GONE, f"not-found page served as a success: {match.group(0)[:80]!r}"
    return None


def module_error(text: str) -> tuple[str, str] | None:
    """``(MODULE_UNAVAILABLE, detail)`` when the page shows a DNN module error."""
    for pattern in _MODULE_ERRORS:
        match = pattern.search(text)
        if match:
            return MODULE_UNAVAILABLE, f"module error: {match.group(0)!r}"
    return None
