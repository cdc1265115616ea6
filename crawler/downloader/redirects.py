"""Refuse a redirect that leaves the site or comes back to where it began.

Scrapy drops both without a word to the spider: an off-site target is filtered when it is
scheduled, and a redirect back to a fetched URL is a duplicate. The release behind it
would then be neither recorded nor refused. Raising here, before RedirectMiddleware
follows the Location, sends the request to its errback with a reason (the 3xx itself is
archived as it was sent).
"""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.url import canonicalize_url

_REDIRECTS = (301, 302, 303, 307, 308)


class RedirectRefused(IgnoreRequest):
    """A redirect off the site or in a loop; the message says where it led."""


class RedirectScopeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        location = response.headers.get(b"Location")
        if response.status not in _REDIRECTS or not location or request.meta.get("allow_offsite"):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or (
            domains and not _within((parts.hostname or "").lower(), domains)
        ):
            self._count("offsite")
            raise RedirectRefused(f"redirected off the site to {target}")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
            self._count("loop")
            raise RedirectRefused(f"a redirect loop: {' -> '.join([*chain, target])}")
        return response

    def _count(self, kind: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"redirect/refused/{kind}")


def _within(host: str, domains: list[str]) -> bool:
    """The host is one of the domains or under one (as Scrapy's OffsiteMiddleware judges)."""
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)
