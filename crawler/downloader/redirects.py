"""Follow redirects within the site only, and end every redirect with an answer or a reason.

Scrapy drops two kinds of redirect without a word to the spider: one to another host is
filtered when it is scheduled, and one back to a URL already fetched is a duplicate. The
release behind it would then be neither recorded nor refused. Here a redirect off the
site is refused at once, and a redirect may revisit a URL (a cookie bounce, A -> A?x ->
A, is legitimate), so a true loop ends at ``REDIRECT_MAX_TIMES`` — both reach the
request's errback (the 3xx answers are archived as they were sent).
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached


class RedirectRefused(IgnoreRequest):
    """A redirect off the site; the message says where it led."""


class ScopedRedirectMiddleware(RedirectMiddleware):
    """Scrapy's RedirectMiddleware, kept to the spider's ``allowed_domains``."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if not isinstance(result, Request) or result is request:
            return result
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        host = (urlparse_cached(result).hostname or "").lower()
        if domains and not _within(host, domains) and not request.meta.get("allow_offsite"):
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("redirect/refused/offsite")
            raise RedirectRefused(f"redirected off the site to {result.url}")
        result.dont_filter = True  # the duplicate filter would drop it silently
        return result


def redirect_chain(request: Request) -> list[str]:
    """The URLs a request went through, first (the one the spider asked for) to last."""
    return [*request.meta.get("redirect_urls", []), request.url]


def _within(host: str, domains: list[str]) -> bool:
    """The host is one of the domains or under one (as Scrapy's OffsiteMiddleware judges)."""
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)
