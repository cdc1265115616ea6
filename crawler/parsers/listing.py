"""Article links and pagination of listing pages (pure, like the parsers; feeds: feeds.py).

Profile selectors pick the listing's own items, so a "most popular" sidebar is not taken
for the listing. When they find nothing (markup drift), every link or
``<listing-with-preview>`` that matches the site's article URL pattern is used instead.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector

from crawler.profiles import SiteProfile

_FALLBACK = (
    "listing-with-preview::attr(article-url)",
    "listing-titles-only::attr(article-url)",
    "a::attr(href)",
)


def article_links(text: str, base_url: str, profile: SiteProfile) -> list[str]:
    """Absolute article URLs on a listing page, in page order, one per article id."""
    selector = Selector(text=text)
    for css_list in (profile.listing_links, _FALLBACK):
        links = _unique(selector, css_list, base_url, profile)
        if links:
            return links
    return []


def _unique(
    selector: Selector, css_list: tuple[str, ...], base_url: str, profile: SiteProfile
) -> list[str]:
    seen: set[str] = set()
    links: list[str] = []
    for css in css_list:
        for href in selector.css(css).getall():
            url = urljoin(base_url, href.strip())
            key = profile.article_key(url) if on_site(url, base_url, profile) else None
            if key and key[0] not in seen:
                seen.add(key[0])
                links.append(url)
    return links


def on_site(url: str, page_url: str, profile: SiteProfile) -> bool:
    """True for a link to one of the site's hosts or to the host that served the page (a
    mirror); a link elsewhere is not the site's release, whatever its path says."""
    host = (urlsplit(url).hostname or "").lower()
    return host == (urlsplit(page_url).hostname or "").lower() or profile.owns(url)


def page_number(url: str, param: str = "Page", offset: int = 0) -> int:
    """The listing page a URL shows (1 when it names none): ``?Page=N``, or for a listing
    paged by offset (``&start=10``, ``offset`` items a page) the page that offset starts."""
    for name, value in parse_qsl(urlsplit(url).query):
        if name.lower() == param.lower() and value.isdigit():
            return int(value) // offset + 1 if offset else int(value)
    return 1


def _page_value(number: int, offset: int) -> int:
    return (number - 1) * offset if offset else number


def has_page(text: str, number: int, param: str = "Page", offset: int = 0) -> bool:
    """True when the page links to listing page ``number`` (``?Page=N`` anywhere in a link)."""
    value = _page_value(number, offset)
    pattern = re.compile(rf"[?&]{re.escape(param)}={value}(?:&|$)", re.IGNORECASE)
    return any(pattern.search(href) for href in Selector(text=text).css("a::attr(href)").getall())


def last_page(text: str, param: str = "Page", offset: int = 0) -> int:
    """The highest page the page links to (0 when it links none): how long the listing
    says it is."""
    link = re.compile(rf"[?&]{re.escape(param)}=(\d+)(?:&|$)", re.IGNORECASE)
    numbers = [
        int(match.group(1)) // offset + 1 if offset else int(match.group(1))
        for href in Selector(text=text).css("a::attr(href)").getall()
        if (match := link.search(href))
    ]
    return max(numbers, default=0)


def with_page(url: str, number: int, param: str = "Page", offset: int = 0) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != param.lower()]
    query.append((param, str(_page_value(number, offset))))
    encoded = "&".join(f"{k}={v}" for k, v in query)
    return parts._replace(query=encoded).geturl()
