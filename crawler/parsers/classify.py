"""One verdict for every response a crawl gets, whatever it was fetched for.

Articles, listing pages, feeds and media all pass here first, so a block page is a block
whether it came with 200, 403 or 503, and a not-found page is gone whether it came with
404 or 200. What the page then holds (a release, links, items) is for its own parser; when
it holds nothing, ``nothing_found`` says why.
"""

from __future__ import annotations

import re

from parsel import Selector

from .model import BLOCKED, EMPTY_LISTING, GONE, SERVER_ERROR, TRUNCATED, Reject
from .refusals import block_reason, module_error, not_found, visible_text


def classify(
    url: str, status: int | None, selector: Selector | None, markup: str | None = None
) -> Reject | None:
    """A refusal for an error status, a block page, a not-found page, an empty answer or an
    HTML page cut short; None otherwise.

    ``selector`` is the page's markup parsed (None for a body that is not markup, such as
    an image) and ``markup`` its text; ``status`` None means a page read from a file,
    taken as a success.
    """
    text = visible_text(selector) if selector is not None else ""
    blocked = block_reason(selector, text) if selector is not None else None
    if status is not None and status >= 400:
        if blocked:
            return Reject(BLOCKED, f"HTTP {status}, {blocked[1]}", url)
        if status in (401, 403, 429):
            return Reject(BLOCKED, f"HTTP {status}", url)
        if status in (404, 410):
            return Reject(GONE, f"HTTP {status}", url)
        return Reject(SERVER_ERROR, f"HTTP {status}", url)
    if status is not None and 300 <= status < 400 and status != 304:
        return Reject(SERVER_ERROR, f"HTTP {status} without a redirect to follow", url)
    if blocked:
        return Reject(blocked[0], blocked[1], url)
    if markup is not None and not markup.strip():
        # A success with nothing in it is a server or proxy failure, not a page.
        return Reject(TRUNCATED, "an empty answer", url)
    if selector is not None:
        missing = not_found(selector, text)
        if missing:
            return Reject(missing[0], missing[1], url)
    if markup is not None and _HTML_OPEN.search(markup) and not _HTML_CLOSE.search(markup):
        # A parser closes what the page left open: a page cut short would pass as whole.
        return Reject(TRUNCATED, "the page ends before its </html>: cut short", url)
    return None


_HTML_OPEN = re.compile(r"<html[\s>]", re.IGNORECASE)
_HTML_CLOSE = re.compile(r"</html\s*>", re.IGNORECASE)


def nothing_found(url: str, selector: Selector, what: str) -> Reject:
    """Why a page that should list ``what`` lists nothing: a module error, else an empty
    page (a JavaScript shell, a changed layout). Both may pass on a later try."""
    error = module_error(visible_text(selector))
    if error:
        return Reject(error[0], error[1], url)
    return Reject(EMPTY_LISTING, f"no {what} on the page", url)
