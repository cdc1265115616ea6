"""Pure parsers: ``(url, body bytes, headers) -> Release | Reject``.

No Scrapy here (a test checks it): the same code runs in a crawl, on a saved file and on a
WARC record. The site profile is found from the URL, or passed in when the page was
fetched from a mirror at another origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import charset_normalizer
from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.profiles import SiteProfile, generic_profile, profile_for_url

from . import articlecs
from .classify import classify
from .model import (
    NOT_A_RELEASE,
    UNKNOWN_SITE,
    Byline,
    Image,
    Reject,
    Release,
    Section,
)

__all__ = ["Byline", "Image", "Reject", "Release", "Section", "decode", "parse"]

Headers = Iterable[tuple[str, str]]

PLATFORMS = {"articlecs": articlecs}


def decode(body: bytes, headers: Headers = ()) -> str:
    """Body as text, honouring the Content-Type charset, then BOM and ``<meta charset>`` —
    unless the bytes prove the declaration wrong: non-ASCII text that is valid UTF-8 is
    UTF-8 (legacy encodings almost never validate as UTF-8 by chance), and a page
    declared UTF-8 whose bytes mostly fail as UTF-8 is in another charset, detected."""
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_detect)
    utf8 = encoding.replace("-", "").lower() in ("utf8", "utf8sig")
    if not utf8 and body.isascii() is False and (as_utf8 := _strict_utf8(body)) is not None:
        return as_utf8
    if utf8 and _strict_utf8(body) is None and not _mostly_utf8(text):
        return body.decode(_detect(body) or "cp1252", "replace")
    return text


def _mostly_utf8(text: str) -> bool:
    """UTF-8 with a few stray bytes (a broken page), not a page in another charset: the
    bytes that failed are few beside the characters that decoded."""
    failed = text.count("\ufffd")
    decoded = sum(1 for c in text if ord(c) > 127) - failed
    return decoded >= 10 * failed


def _strict_utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


# What the publishers' pages were written in before UTF-8: Western, Japanese, Korean.
_LEGACY = ["cp1252", "cp932", "shift_jis", "euc_jp", "cp949", "euc_kr"]


def _detect(body: bytes) -> str | None:
    """An encoding guessed from the bytes among the publishers' legacy ones, when nothing
    declares one or the declaration is wrong (charset-normalizer)."""
    best = charset_normalizer.from_bytes(body[:65536], cp_isolation=_LEGACY).best()
    return best.encoding if best is not None else None


def parse(
    url: str,
    body: bytes,
    headers: Headers = (),
    *,
    profile: SiteProfile | None = None,
    status: int | None = None,
    fetched: str | None = None,
) -> Release | Reject:
    """Extract the release on a page, or say why there is none."""
    headers = list(headers)
    profile = profile or profile_for_url(url) or generic_profile(url)
    if profile is None:
        return Reject(UNKNOWN_SITE, "no site profile matches this URL", url)
    key = profile.article_key(url)
    record_id = profile.record_id(key.id) if key is not None else None
    text = decode(body, headers)
    selector = Selector(text=text)
    verdict = classify(url, status, selector, text)
    if verdict is not None:
        return replace(verdict, id=record_id)
    if key is None:
        return Reject(NOT_A_RELEASE, f"not a release URL of site {profile.id!r}", url)
    platform = PLATFORMS.get(profile.platform)
    if platform is None:
        return Reject(
            UNKNOWN_SITE, f"no parser for platform {profile.platform!r}", url, (), record_id
        )
    result = platform.parse(url, selector, profile, key, fetched)
    return replace(result, id=record_id) if isinstance(result, Reject) else result
