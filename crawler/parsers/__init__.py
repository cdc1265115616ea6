"""Pure parsers: ``(url, body bytes, headers) -> Release | Reject``.

No Scrapy here (a test checks it): the same code runs in a crawl, on a saved file and on a
WARC record. The site profile is found from the URL, or passed in when the page was
fetched from a mirror at another origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from parsel import Selector

from crawler.profiles import SiteProfile, generic_profile, profile_for_url

from . import articlecs, govuk, page, pdfpage
from .classify import classify
from .encoding import decode
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

PLATFORMS = {"articlecs": articlecs, "page": page}
# Platforms that serve documented JSON: the parser reads the text, not markup.
DOCUMENT_PLATFORMS = {"govuk": govuk}


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
    key = profile.article_key(url) or profile.twin_key(url)
    record_id = profile.record_id(key.id) if key is not None else None
    if profile.platform == "page" and key is not None and pdfpage.is_pdf(body, headers):
        # A release published only as a PDF: judged by its status, read by its text.
        verdict = classify(url, status, None, None)
        if verdict is not None:
            return replace(verdict, id=record_id)
        return pdfpage.parse(url, body, profile, key, fetched)
    text = decode(body, headers)
    document = DOCUMENT_PLATFORMS.get(profile.platform)
    json_body = document is not None and text.lstrip()[:1] in ("{", "[")
    # A JSON answer is judged by its status (an HTML block page still by its markup).
    selector = None if json_body else Selector(text=text)
    verdict = classify(url, status, selector, None if json_body else text)
    if verdict is not None:
        return replace(verdict, id=record_id)
    if key is None:
        return Reject(NOT_A_RELEASE, f"not a release URL of site {profile.id!r}", url)
    if document is not None:
        if selector is not None:
            detail = f"an HTML page where {profile.platform} serves JSON"
            return Reject(NOT_A_RELEASE, detail, url, (), record_id)
        return document.parse(url, text, profile, key, fetched)
    assert selector is not None
    platform = PLATFORMS.get(profile.platform)
    if platform is None:
        return Reject(
            UNKNOWN_SITE, f"no parser for platform {profile.platform!r}", url, (), record_id
        )
    result = platform.parse(url, selector, profile, key, fetched)
    return replace(result, id=record_id) if isinstance(result, Reject) else result
