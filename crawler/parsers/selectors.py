"""Where an ArticleCS page keeps its parts: the selectors of the markup family, and the
lookups every field uses (the narrowest scope that has a match, meta tags)."""

from __future__ import annotations

from parsel import Selector, SelectorList

from .text import normalize_space

# Bodies: the ArticleCS view (war.gov, usfj, usfk, centcom), af.mil's article display,
# the 2016 print view, then generic names.
BODY = (
    "[itemprop='articleBody']",
    "div.body",
    "section.article-detail-content",
    "div.da_black",
    "div.article-body",
    "div.article-content",
    "div.content-body",
    "div.body-text",
    "div.news-body",
    "div.press-release-body",
)
TITLE = (
    "h1[itemprop='headline']",
    "[itemprop='headline']",
    "h1.maintitle",
    ".da_print_body h1.title",
    "h1.title",
    ".article-view h1",
    ".adetail h1",
    "#news-content h1",
    "article header h1",
    "header h1",
    "article h1",
)
NUMBER_DATE = ("div.category-date", ".category-date")


def first(scope: Selector | SelectorList[Selector], css_list: tuple[str, ...]) -> Selector | None:
    for css in css_list:
        found = scope.css(css)
        if found:
            return found[0]
    return None


def first_in(scopes: list[Selector], css_list: tuple[str, ...]) -> Selector | None:
    """The first match in the narrowest scope that has one (the article before the page)."""
    for scope in scopes:
        found = first(scope, css_list)
        if found is not None:
            return found
    return None


def meta(selector: Selector, *names: str) -> str | None:
    for name in names:
        value = selector.xpath(
            f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']/@content"
        ).get()
        if value and value.strip():
            return normalize_space(value)
    return None
