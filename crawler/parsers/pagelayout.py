"""Where a publisher's page keeps its article (platform "page"): the block around the
title's heading, a landmark, or a profile's selector; and what inside it is never text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy

from lxml import etree
from parsel import Selector

from crawler.profiles import SiteProfile

from .text import normalize_space

# The article's container when no profile selector finds it: landmarks, most specific first.
_CONTAINERS = (
    "main article",
    "[role=main] article",
    "main",
    "[role=main]",
    "article",
    "#content",
    "#main",
)
# Parts of a container that are never the article's text (GCWeb's page details, share bars).
_NOT_TEXT = (
    "nav, header, footer, aside, h1, form, .pagedetails, .wb-share, .gc-byline, .share,"
    " .social, .breadcrumb, .breadcrumbs, #wb-bc, #topicpath, .related, .wb-inv, .hidden-print,"
    " [class*=share], [class*=breadcrumb], [role=navigation], .toolbar, .lastupdated,"
    " .pageTop, .backLink, [class*=pagetop], [class*=back-to-top], #wb-dtmd,"
    " [role=complementary], [aria-hidden=true]"
)
# Headings of template blocks inside the content area (GCWeb's keyword links under a release).
_TEMPLATE_HEADING = re.compile(
    r"^(?:Search for related information by keyword|Rechercher des renseignements connexes"
    r"|Page details|Détails de la page)",
    re.IGNORECASE,
)
# An index page: at least this many links, making up this share of its text.
_LISTING_MIN_LINKS = 3
_LISTING_LINK_SHARE = 0.5


def candidate_blocks(
    selector: Selector, profile: SiteProfile, title: str | None
) -> Iterator[Selector]:
    """Where the article may be, most likely first: the profile's selectors, the blocks
    around the title's heading from the nearest outwards, then landmarks. The page parser
    takes the first whose cleaned text has substance (a block holding only the title and a
    header line does not)."""
    for css in profile.content_selectors:
        found = selector.css(css)
        if found and text_of(found[0]):
            yield found[0]
    heading = title_heading(selector, title)
    if heading is not None:
        yield from heading.xpath("ancestor::*[not(self::html)]")[::-1]
    for css in _CONTAINERS:
        found = selector.css(css)
        if found and text_of(found[0]):
            yield found[0]


def text_of(node: Selector) -> str:
    return normalize_space(" ".join(node.css("*::text").getall()))


def title_heading(selector: Selector, title: str | None) -> Selector | None:
    """The heading that prints the title (an ``<h1>`` may be the site's logo)."""
    headings = selector.xpath("//body//*[self::h1 or self::h2]")
    for heading in headings:
        text = text_of(heading)
        if text and title and (text == title or title in text):
            return heading
    return next((h for h in headings if h.root.tag == "h1" and text_of(h)), None)


def prose(container: Selector) -> etree._Element:
    """A copy of the container without the parts that are never the article's text."""
    root = deepcopy(container.root)  # a copy of the subtree, not a second parse of its markup
    copy = Selector(root=root)
    for heading in copy.xpath("//*[self::h2 or self::h3]"):
        if _TEMPLATE_HEADING.match(normalize_space(" ".join(heading.css("::text").getall()))):
            block = heading.root.getparent()  # the template's block the heading opens
            if block is not None and block is not root and block.getparent() is not None:
                block.getparent().remove(block)
    for css in _NOT_TEXT.split(","):
        for node in copy.css(css.strip()):
            element = node.root
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    return root


def header_text(container: Selector) -> str:
    """The lines near the title where publishers print number and dates, as one string."""
    parts: list[str] = []
    for node in (*container.css("h1 ~ *")[:4], *container.css(".header, .meta, time")):
        parts.append(normalize_space(" ".join(node.css("::text, *::text").getall())))
    top = normalize_space(" ".join(container.css("::text, *::text").getall()))[:600]
    return " | ".join([*parts, top])


def looks_like_listing(container: Selector) -> bool:
    """A list of links (an index page), not an article: most of its text is link text."""
    links = container.css("a[href]")
    if len(links) < _LISTING_MIN_LINKS:
        return False
    linked = sum(len(normalize_space(" ".join(a.css("::text").getall()))) for a in links)
    total = len(normalize_space(" ".join(container.css("::text").getall())))
    return linked >= total * _LISTING_LINK_SHARE
