"""Parser for DNN ArticleCS pages (the DoD "AFPIMS" platform).

One parser for the markup family: the article view (usfj, usfk, war.gov), af.mil's article
display page and the 2016 print view. Each field is a small function trying layers in
order: structured metadata (meta tags, ``itemprop``), platform selectors, text patterns.
"""

from __future__ import annotations

import itertools
import re

from parsel import Selector, SelectorList

from crawler.kinds import BIOGRAPHY, COMMENTARY, FACT_SHEET, NEWS
from crawler.profiles import ArticleKey, SiteProfile

from . import bylines as byline_parser
from .dates import find_date, parse_date
from .kind import breadcrumb_kind, commentary, current_as_of, reference_kind
from .media import ELSEWHERE, extract_documents, extract_images
from .model import MISSING_FIELDS, NOT_A_RELEASE, WRONG_PAGE, Byline, Reject, Release
from .patterns import clean_paragraphs, extract_dateline, extract_header
from .refusals import module_error, visible_text
from .sections import split_sections, split_title
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
# Bodies: the ArticleCS view (war.gov, usfj, usfk, centcom), af.mil's article display,
# the 2016 print view, then generic names.
_BODY = (
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
_TITLE = (
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
_NUMBER_DATE = ("div.category-date", ".category-date")
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

# "25-009 | July 8, 2025", "PA-001-20 | Dec. 9, 2020"
_NUMBER_LINE = re.compile(r"^\s*(?P<number>[^|]{1,30}?)\s*\|\s*(?P<date>.+?)\s*$")
_NUMBER = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9.\-/#]*(?: [A-Za-z0-9.\-/#]+)?$")
# The number alone, when the line prints no date: "PA-006-24", "25-009".
_BARE_NUMBER = re.compile(r"^(?:[A-Z]{1,5}-)?\d{1,4}-\d{1,4}(?:-\d{1,4})?$")
_BY_ALONE = re.compile(r"^(?:(?:story|commentary|photos? and story)\s+)?by:?$", re.IGNORECASE)
# A heading ending with its number line: "Title 25-009 | July 8, 2025".
_TRAILING_LINE = re.compile(r"^(?P<title>.+?)\s+(?P<line>[^\s|]{1,30}\s*\|\s*[^|]{6,40})$")
_TITLE_SUFFIXES = re.compile(r"\s*(?:>|\||»|::)\s.*$")
_GENERIC_TITLES = re.compile(r"^(?:articlecs\b.*|article view|article display|home|print)$", re.I)


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
    header_number, body_paragraphs = extract_header(clean_paragraphs(paragraphs(body.root)))
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


def _first(scope: Selector | SelectorList[Selector], css_list: tuple[str, ...]) -> Selector | None:
    for css in css_list:
        found = scope.css(css)
        if found:
            return found[0]
    return None


def _first_in(scopes: list[Selector], css_list: tuple[str, ...]) -> Selector | None:
    """The first match in the narrowest scope that has one (the article before the page)."""
    for scope in scopes:
        found = _first(scope, css_list)
        if found is not None:
            return found
    return None


def _meta(selector: Selector, *names: str) -> str | None:
    for name in names:
        value = selector.xpath(
            f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']/@content"
        ).get()
        if value and value.strip():
            return normalize_space(value)
    return None


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
    for priority, css in enumerate(_BODY):
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
        next((i for i, a in enumerate(ancestors) if _first(a, _TITLE) is not None), None),
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
    urls = (_meta(selector, "og:url"), selector.css("link[rel=canonical]::attr(href)").get())
    return [key for url in urls if url and (key := profile.article_key(url))]


def _slug_from_meta(selector: Selector, profile: SiteProfile) -> str | None:
    return next((key.slug for key in _meta_keys(selector, profile) if key.slug), None)


def _named_article(selector: Selector, profile: SiteProfile) -> str | None:
    return next((key.id for key in _meta_keys(selector, profile)), None)


# ---- fields --------------------------------------------------------------------------------


def extract_title(selector: Selector, scopes: list[Selector]) -> str | None:
    """Heading of the article; meta tags, then ``<title>``, when the page has none."""
    node = _first_in(scopes, _TITLE)
    if node is not None:
        heading = heading_parts(node)[0]
        if heading:
            return heading
    for candidate in (
        _meta(selector, "og:title", "twitter:title", "headline"),
        normalize_space(" ".join(selector.xpath("//title//text()").getall())),
    ):
        if candidate:
            candidate = _TITLE_SUFFIXES.sub("", candidate).strip()
            if candidate and not _GENERIC_TITLES.match(candidate):
                return candidate
    return None


def heading_parts(node: Selector) -> tuple[str, str | None]:
    """``(title, number line)`` of a heading that prints its ``NUMBER | DATE`` line inside
    it (after a ``<br>`` or in a child element); the line is None when it holds none."""
    heading = _joined_heading(node)
    lines = heading.split("\n")
    if lines and _is_number_line(lines[-1]) and len(lines) > 1:
        return "\n".join(lines[:-1]), lines[-1]
    trailing = _TRAILING_LINE.match(lines[-1]) if lines else None
    if trailing and _is_number_line(trailing.group("line")):
        return "\n".join([*lines[:-1], trailing.group("title")]), trailing.group("line")
    return heading, None


def _is_number_line(text: str) -> bool:
    match = _NUMBER_LINE.match(text)
    if not match or not find_date(match.group("date")) or len(text) > 80:
        return False
    number = match.group("number").strip()
    return bool(_NUMBER.match(number)) and not find_date(number)


def _after_title(node: Selector) -> str:
    """The text printed right after the heading and before the next block of prose: a
    bare text node, or short elements with bare separators (``<b>N</b> | <i>DATE</i>``)."""
    parts: list[str] = []
    for sibling in node.xpath("following-sibling::node()"):
        text = normalize_space(
            sibling.get()
            if isinstance(sibling.root, str)
            else " ".join(sibling.css("::text").getall())
        )
        if not isinstance(sibling.root, str) and (len(text) > 80 or sibling.css(", ".join(_BODY))):
            break
        if text:
            parts.append(text)
        if sum(len(p) for p in parts) > 80:
            break
    return normalize_space(" ".join(parts))


def _joined_heading(node: Selector) -> str:
    """Heading text; a ``<br>`` between two titles (English, Korean) becomes a newline."""
    parts = paragraphs(node.root)
    if len(parts) > 1:
        return "\n".join(parts)
    raw = node.xpath("./text() | ./*[not(self::br)]//text() | ./br").getall()
    lines = "".join("\n" if item.startswith("<br") else item for item in raw)
    return "\n".join(normalize_space(line) for line in lines.split("\n") if line.strip())


def extract_number_line(scopes: list[Selector]) -> tuple[str | None, str | None, str | None]:
    """``(number, date text, the whole line)`` from the ``NUMBER | DATE`` line, if printed:
    in its own element, inside the heading, or as bare text right after it. A line of its
    own may print the date alone, or the number alone."""
    own: list[str] = []  # lines printed for this purpose alone
    node = _first_in(scopes, _NUMBER_DATE)
    if node is not None:
        own.append(_parts_line(node))
    title = _first_in(scopes, _TITLE)
    if title is not None:
        own += [heading_parts(title)[1] or "", _after_title(title)]
    others = [node_text(n) for n in scopes[0].css("p, div.info, span")[:40]]
    for index, line in enumerate([*own, *others]):
        if not line or len(line) > 80:
            continue
        match = _NUMBER_LINE.match(line)
        if match and find_date(match.group("date")):
            number = match.group("number").strip()
            if _NUMBER.match(number) and not find_date(number):
                return number, match.group("date"), line
            return None, match.group("date"), line
        if index < len(own):
            if _only_date(line):
                return None, line, line
            bare = line.strip(" |")
            if line == own[0] and node is not None and _BARE_NUMBER.match(bare):
                return bare, None, line  # a number printed with no date after it
    return None, None, None


def _only_date(line: str) -> bool:
    found = find_date(line)
    return found is not None and len(line.replace(found, "").strip(" |•,/-–—")) < 3


def _parts_line(node: Selector) -> str:
    """The node's text with its parts joined by `` | `` when the page prints no separator.

    ``<span>22-003</span> <span>Jan. 21, 2022</span>`` reads as ``22-003 | Jan. 21, 2022``.
    """
    text = node_text(node)
    if "|" in text:
        return text
    parts = [normalize_space(t) for t in node.xpath(".//text()").getall()]
    parts = [p for p in parts if p]
    return " | ".join(parts) if len(parts) > 1 and find_date(parts[-1]) else text


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
    meta = _meta(selector, "datePublished", "article:published_time", "DC.date.issued")
    structured = parse_date(meta, date_order) if meta else None
    if structured and printed and structured[:10] != printed[:10]:
        return printed
    return structured or printed


def extract_bylines(scopes: list[Selector]) -> tuple[list[Byline], str | None]:
    """The people and units of the byline, and the byline as printed."""
    article = _article_scopes(scopes)
    node = _first_in(article, _BYLINE)
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
