"""Parser for DNN ArticleCS pages (the DoD "AFPIMS" platform).

One parser for the markup family: the article view (usfj, usfk, war.gov), af.mil's article
display page and the 2016 print view. Each field is a small function trying layers in
order: structured metadata (meta tags, ``itemprop``), platform selectors, text patterns.
"""

from __future__ import annotations

import itertools
import re

from parsel import Selector

from crawler.kinds import BIOGRAPHY, COMMENTARY, FACT_SHEET, NEWS
from crawler.profiles import ArticleKey, SiteProfile

from . import bylines as byline_parser
from .dates import parse_date
from .heading import extract_number_line, extract_title
from .kind import breadcrumb_kind, commentary, current_as_of, reference_kind
from .media import ELSEWHERE, extract_documents, extract_images
from .model import MISSING_FIELDS, NOT_A_RELEASE, WRONG_PAGE, Byline, Reject, Release
from .patterns import clean_paragraphs, extract_dateline, extract_header
from .refusals import module_error, visible_text
from .sections import split_sections, split_title
from .selectors import BODY, TITLE, first, first_in, meta
from .text import node_text, normalize_space, paragraphs

NAME = "articlecs"
VERSION = "1.0.0"

# Containers of the article, most specific first.
# The container of the whole article: a DNN ArticleCS module (not a dashboard or a list),
# an <article>, the view and print-view wrappers.
_MODULE = (
    "self::*[(contains(@class, 'DnnModule-ArticleCS') and not(contains(@class, 'Dashboard'))"
    " and not(contains(@class, 'List'))) or self::article or @itemtype"
    " or contains(@class, 'article-view') or contains(@class, 'da_print_body')"
    " or contains(@class, 'article-detail')]"
)
_DATES = (
    "p.da_story_info",
    "time",
    "span.date",
    ".date",
    ".published",
    ".meta li",
    ".meta",
    ".info",
)
_BYLINE = (
    "p.da_story_info",
    "div.meta ul",
    "span.author-block",
    "div.meta",
    "p.info",
    "div.info",
    "[itemprop='author']",
    ".byline",
    ".author",
    ".header > p",
)
_TAGS = (
    "div.tags a",
    ".tags a",
    "a.article-detail-tag",
    ".keywords a",
    "a[href*='/Tag/']",
    "a[href*='/tag/']",
)

_BY_ALONE = re.compile(r"^(?:(?:story|commentary|photos? and story)\s+)?by:?$", re.IGNORECASE)


def parse(
    url: str,
    selector: Selector,
    profile: SiteProfile,
    key: ArticleKey,
    fetched: str | None,
) -> Release | Reject:
    """Extract one release from an ArticleCS page, or refuse it with a reason.

    Block pages and not-found pages were refused before (``classify``)."""
    named = _named_article(selector, profile)
    if named is not None and named != key.id:
        # A cache or the CMS served another article under this URL.
        detail = f"the page names article {named}, not {key.id} (og:url, canonical link)"
        return Reject(WRONG_PAGE, detail, url)
    text = visible_text(selector)
    body = find_body(selector)
    scopes = _scopes(selector, body)
    title = extract_title(selector, scopes)
    if body is None or title is None:
        error = module_error(text)
        if error:
            return Reject(error[0], error[1], url)
        missing = tuple(name for name, value in (("title", title), ("text", body)) if value is None)
        if _looks_like_listing(selector):
            return Reject(NOT_A_RELEASE, "a listing page, not a release", url, missing)
        return Reject(MISSING_FIELDS, f"no {' and no '.join(missing)} found", url, missing)

    number, line_date, number_line = extract_number_line(scopes)
    header = extract_header(clean_paragraphs(paragraphs(body.root)))
    header_number, header_date, body_paragraphs = header
    line_date = line_date or header_date
    number = number or header_number
    signed = _signed_line(body_paragraphs)
    if signed is not None:
        body_paragraphs = body_paragraphs[1:]  # "Commentary by NAME, ROLE" opening the body
    titles = split_title(title, profile.languages)
    sections, dateline = split_sections(
        body_paragraphs, profile.languages, titles, number_line, extract_dateline
    )
    if not sections or not sections[0].text:
        error = module_error(text)
        if error:
            return Reject(error[0], error[1], url)
        return Reject(MISSING_FIELDS, "the article body is empty", url, ("text",))
    primary = sections[0]
    bylines, byline_text = extract_bylines(scopes)
    if signed is not None:
        people = byline_parser.parse_byline(signed)
        bylines = [*people, *(b for b in bylines if b not in people)]
        byline_text = signed
    tags = extract_tags(scopes)
    meta_key = next(iter(_meta_keys(selector, profile)), None)
    if key.kind is None and meta_key is not None:
        key = meta_key  # a print view: the page names its article URL
    reference = reference_kind(body_paragraphs, title)
    if key.kind in (FACT_SHEET, BIOGRAPHY):
        reference = key.kind  # the URL's section says which kind of reference page
    kind = reference or key.kind or breadcrumb_kind(selector)
    if kind in (NEWS, None) and commentary(byline_text, title, tags):
        kind = COMMENTARY  # af.mil shows commentaries in its news module
    return Release(
        id=profile.record_id(key.id),
        url=profile.canonical_url(key.id, key.slug or _slug_from_meta(selector, profile), key.path),
        site=profile.id,
        publisher=profile.publisher,
        kind=kind or profile.kind,
        title=primary.title or title,
        number=number,
        published=extract_published(selector, scopes, line_date, profile.date_order)
        or parse_date(dateline, profile.date_order),
        updated=_month_or_date(current_as_of(body_paragraphs), profile.date_order),
        dateline=dateline,
        bylines=bylines,
        tags=tags,
        images=extract_images(_article_scopes(scopes)[-1], url),
        documents=extract_documents(body, url),
        language=primary.lang,
        languages=[section.lang for section in sections],
        sections=sections,
        text=primary.text,
        extractor={"name": NAME, "version": VERSION},
        fetched=fetched,
    )


# ---- helpers -------------------------------------------------------------------------------


_HIDDEN = (
    "ancestor-or-self::*[@hidden or @aria-hidden='true' "
    "or contains(translate(@style, ' ', ''), 'display:none') "
    "or contains(concat(' ', normalize-space(@class), ' '), ' modal ') "
    "or contains(concat(' ', normalize-space(@class), ' '), ' hidden ')]"
)


def find_body(selector: Selector) -> Selector | None:
    """The article body: the most specific body selector whose match holds at least half the
    text of the longest visible candidate (a share modal's or a teaser's "body" does not)."""
    candidates: list[tuple[int, int, Selector]] = []
    for priority, css in enumerate(BODY):
        for node in selector.css(css):
            if not node.xpath(_HIDDEN):
                candidates.append((priority, len(node_text(node)), node))
    if not candidates:
        return None
    longest = max(length for _priority, length, _node in candidates)
    eligible = [c for c in candidates if c[1] * 2 >= longest]
    return min(eligible, key=lambda c: (c[0], -c[1]))[2]


def _scopes(selector: Selector, body: Selector | None) -> list[Selector]:
    """Where the article's own fields are: the nearest container of the body that holds a
    heading, then the module around it, then the page (sidebars and menus come last)."""
    page = selector.css("body")[0] if selector.css("body") else selector
    if body is None:
        return [page]
    ancestors = body.xpath("ancestor::*")[::-1]  # nearest first
    nearest = [
        next((i for i, a in enumerate(ancestors) if first(a, TITLE) is not None), None),
        next((i for i, a in enumerate(ancestors) if a.xpath(_MODULE)), None),
    ]
    scopes = [ancestors[i] for i in sorted({i for i in nearest if i is not None})]
    return [*scopes, page]


def _looks_like_listing(selector: Selector) -> bool:
    """Many article links, or a few and a pager (the last page of a listing)."""
    articles = selector.xpath("//a[contains(@href, '/Article/')] | //listing-with-preview")
    pager = selector.xpath(
        "//a[contains(translate(@href, 'PAGE', 'page'), '?page=')"
        " or contains(translate(@href, 'PAGE', 'page'), '&page=')]"
    )
    return len(articles) >= 5 or (len(articles) >= 2 and bool(pager))


def _meta_keys(selector: Selector, profile: SiteProfile) -> list[ArticleKey]:
    """The articles the page's own metadata names (og:url, the canonical link)."""
    urls = (meta(selector, "og:url"), selector.css("link[rel=canonical]::attr(href)").get())
    return [key for url in urls if url and (key := profile.article_key(url))]


def _slug_from_meta(selector: Selector, profile: SiteProfile) -> str | None:
    return next((key.slug for key in _meta_keys(selector, profile) if key.slug), None)


def _named_article(selector: Selector, profile: SiteProfile) -> str | None:
    return next((key.id for key in _meta_keys(selector, profile)), None)


# ---- fields --------------------------------------------------------------------------------


def extract_published(
    selector: Selector, scopes: list[Selector], line_date: str | None, date_order: str
) -> str | None:
    """Metadata first; a printed date wins when the two disagree on the day.

    ArticleCS writes ``datePublished`` without a zone; when its day differs from the
    printed one, the meta time is in another zone and the printed day is what the
    publisher means.
    """
    printed = parse_date(line_date, date_order)
    if printed is None:
        printed = next(
            filter(
                None,
                (
                    parse_date(node.attrib.get("datetime") or node_text(node), date_order)
                    for scope in scopes
                    for css in _DATES
                    for node in [n for n in scope.css(css) if not n.xpath(ELSEWHERE)][:1]
                ),
            ),
            None,
        )
    stated = meta(selector, "datePublished", "article:published_time", "DC.date.issued")
    structured = parse_date(stated, date_order) if stated else None
    if structured and printed and structured[:10] != printed[:10]:
        return printed
    return structured or printed


def extract_bylines(scopes: list[Selector]) -> tuple[list[Byline], str | None]:
    """The people and units of the byline, and the byline as printed."""
    article = _article_scopes(scopes)
    node = first_in(article, _BYLINE)
    if node is not None:
        text = _byline_text(node)
        found = byline_parser.parse_byline(text)
        if found:
            return found, text
    for text in article[0].css("p, div").xpath("normalize-space(.)").getall()[:60]:
        if re.match(r"^(?:(?:story|commentary)\s+)?by\s+\S", text, re.I) and len(text) < 160:
            return byline_parser.parse_byline(text), text
    return [], None


_SIGNED = re.compile(r"^(?:(?:commentary|story|written)\s+)?by\s+(?=[A-Z])", re.IGNORECASE)


def _signed_line(paragraphs: list[str]) -> str | None:
    """A body's first paragraph when it only signs the piece ("Commentary by Lt. Gen. X,
    Commander, ..."): a person with a rank or an office, nothing else."""
    first = paragraphs[0] if paragraphs else ""
    if len(first) > 200 or not _SIGNED.match(first) or len(paragraphs) < 2:
        return None
    people = byline_parser.parse_byline(first)
    named = [b.name for b in people if b.name]
    signed = bool(named) and (
        byline_parser.has_rank(named[0]) or byline_parser.holds_office(named[0])
    )
    return first if signed else None


def _month_or_date(text: str | None, date_order: str) -> str | None:
    """An ISO date, or ``YYYY-MM`` for a month ("September 2015"): no day is invented."""
    if not text:
        return None
    month = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", text.strip())
    if month:
        parsed = parse_date(f"{month.group(1)} 1, {month.group(2)}", date_order)
        return parsed[:7] if parsed else None
    if re.fullmatch(r"\d{4}", text.strip()):
        return None
    parsed = parse_date(text, date_order)
    return parsed[:10] if parsed else None


def _byline_text(node: Selector) -> str:
    """Byline text with element boundaries kept as separators (``NAME • UNIT``)."""
    items = [normalize_space(t) for t in node.xpath(".//text()").getall()]
    items = [t for t in items if t and t != "•"]
    if len(items) < 2:
        return node_text(node)
    text = items[0]
    for previous, item in itertools.pairwise(items):
        if _BY_ALONE.match(previous) or item[:1] in ",;":
            text += ("" if item[:1] in ",;" else " ") + item  # "By <a>NAME</a>, UNIT"
        else:
            text += " • " + item
    return text


def _article_scopes(scopes: list[Selector]) -> list[Selector]:
    """The scopes inside the article; the page only when nothing narrower was found."""
    return scopes[:-1] or scopes


def extract_tags(scopes: list[Selector]) -> list[str]:
    """Tag links of the article (never a "popular tags" box elsewhere on the page)."""
    node_list = None
    for scope in _article_scopes(scopes):
        for css in _TAGS:
            found = scope.css(css)
            if found:
                node_list = found
                break
        if node_list:
            break
    tags: list[str] = []
    for node in node_list or []:
        tag = node_text(node)
        if tag and tag not in tags:
            tags.append(tag)
    return tags
