"""RSS, Atom and RDF feeds, read for discovery only: entity-safe, tolerant of what CMSs emit.

A feed that declares entities is refused before it is parsed (defusedxml): real feeds
never need them, and expanding them is how XXE and "billion laughs" attacks work.
feedparser reads the rest, well-formed or not (unescaped ``&``, HTML entities, a wrong
encoding declaration). The page an item links to, not the item, becomes the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from crawler.parsers.listing import on_site
from crawler.profiles import SiteProfile


class HostileFeed(ValueError):
    """The feed declares entities or external references; its message says which."""


@dataclass(frozen=True)
class FeedRead:
    format: str  # feedparser's name for it ("rss20", "atom10", ...); "" when not a feed
    links: list[str]  # article URLs of its items, in feed order, one per article


def read_feed(
    body: bytes, profile: SiteProfile, page_url: str, content_type: str | None = None
) -> FeedRead:
    """The feed's format and its article links on the site (``page_url``'s host or the
    profile's); raise HostileFeed before reading a hostile one."""
    check_entities(body)
    headers = {"content-type": content_type} if content_type else {}
    try:
        feed = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except (ValueError, OverflowError, LookupError):  # e.g. &#xD800; or &#99999999999;
        return FeedRead("", [])
    links: list[str] = []
    seen: set[str] = set()
    for entry in feed.entries:
        for url in _candidates(entry):
            key = profile.article_key(url) if on_site(url, page_url, profile) else None
            if key is not None:
                if key.id not in seen:
                    seen.add(key.id)
                    links.append(url)
                break
    return FeedRead(str(feed.get("version") or ""), links)


def check_entities(body: bytes) -> None:
    """Raise HostileFeed when the document declares an entity or an external reference."""
    try:
        fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise HostileFeed(f"the feed declares entities ({error!r}); refused unread") from None
    except (ParseError, ValueError, LookupError):
        return  # malformed: feedparser's own parsers expand no declared entity either


def _candidates(entry: feedparser.FeedParserDict) -> list[str]:
    """The item's page: its link, its alternate links, else a permalink guid."""
    urls = [entry.get("link") or ""]
    urls += [link.get("href") or "" for link in entry.get("links", [])]
    if entry.get("guidislink") or str(entry.get("id", "")).startswith("http"):
        urls.append(entry.get("id") or "")
    return [url.strip() for url in urls if url and url.strip()]
