"""Parser for publishers on their own CMS (NATO, canada.ca, mod.go.jp): platform "page".

No real page of these sites was read here, so every field is read from what is documented
and stable first — ``dcterms.*``, ``og:*`` and ``article:*`` metadata, ``<html lang>``,
``<time>`` — then from text patterns (a release number, "Issued on", an era date), and only
last from the profile's ``content_selectors``. A PDF-only release is read by ``pdf``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawler.kinds import NEWS, kind_from_words
from crawler.profiles import ArticleKey, SiteProfile

from .dates import find_date, parse_date
from .media import extract_documents, extract_images
from .model import MISSING_FIELDS, NOT_A_RELEASE, WRONG_PAGE, Reject, Release
from .patterns import clean_paragraphs, extract_dateline
from .refusals import module_error, visible_text
from .sections import split_sections, split_title
from .text import normalize_space, paragraphs

NAME = "page"
VERSION = "1.0.0"

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
# A block around the title holding at least this much running text is the article's.
_ARTICLE_MIN_CHARS = 80
_META_LANGUAGES = {"eng": "en", "fra": "fr", "fre": "fr", "jpn": "ja", "kor": "ko"}
# Site names publishers append to or put before a page title.
_TITLE_AFFIX = re.compile(
    r"^(?:NATO\s*-\s*(?:News|Press releases?|Official texts?|Opinion|Actualités"
    r"|Communiqués de presse|Textes officiels)\s*:\s*)"
    r"|^防衛省・自衛隊\s*[：:]\s*"
    r"|\s*[-|–]\s*(?:Canada\.ca|NATO|防衛省|Ministry of Defense)\s*$"
    r"|,\s*\d{1,2}-[A-Za-z]{3,5}\.?-\d{4}\s*$",
    re.IGNORECASE,
)
# "Issued on 10 Jul. 2024", "Last updated: 10 Jul. 2024 22:07", "Date modified: 2025-10-17":
# the label; the date is the first one in the few characters after it.
_ISSUED = re.compile(r"\b(?:issued on|publi[ée] le)\s*:?\s*", re.I)
_UPDATED = re.compile(
    r"\b(?:last updated|dernière mise à jour|date modified|date de modification)\s*:?\s*", re.I
)
_LABELLED_DATE_CHARS = 40
# A number/date header line is short, and holds little besides its labels and dates.
_HEADER_MAX_CHARS = 200
_HEADER_REST_CHARS = 12
_HEADER_WORDS = r"\d{1,2}:\d{2}|[|\-–—:]|Press Release|Communiqué de presse"
# Template lines inside the content area: GCWeb's keyword links, "back to top" links.
_TEMPLATE_LINE = re.compile(
    r"^(?:Search for related information by keyword|Rechercher des renseignements connexes"
    r"|ページの先頭へ|ページの先頭に戻る|ページトップへ|Back to top|Top of page|Haut de la page)",
    re.IGNORECASE,
)
# canada.ca's line over the text: "October 17, 2025 – Ottawa, Ontario – National Defence /
# Canadian Armed Forces" (French: "Le 17 octobre 2025 – Ottawa (Ontario) – Défense ...").
_DATE_PLACE_ISSUERS = re.compile(
    r"^(?:Le\s+)?(?P<date>[^–—]{6,30}?)\s+[–—-]\s+(?P<place>[^–—]{2,60}?)\s+[–—-]\s+"
    r"(?P<issuers>[^.!?]{2,100})$"
)
# A line that is a date and little else ("令和7年10月17日", "17 October 2025 防衛省").
_DATE_LINE_REST_CHARS = 12
_HEAD_LINES = 6
# Who issued it, printed alone above a Japanese release ("防衛省", "統合幕僚監部", "報道室").
_ISSUER_LINE = re.compile(r"^[\u3400-\u9fff\u30a0-\u30ff・]{1,14}(?:省|庁|部|室|局|課|本部|隊)$")
# The closing mark of a Japanese notice ("以上": "that is all").
_CLOSING = frozenset({"以上", "以 上", "-30-", "###", "- 30 -"})
# An index page: at least this many links, making up this share of its text.
_LISTING_MIN_LINKS = 3
_LISTING_LINK_SHARE = 0.5
# A label naming the kind above or beside the title ("News release", "Media advisory").
_KIND_LABEL_MAX_CHARS = 40
# A French dateline: "OTTAWA (Ontario), le 17 octobre 2025 —".
_FRENCH_DATELINE = re.compile(
    r"^(?P<dateline>[A-ZÀ-Ý][A-ZÀ-Ý .'’-]+(?:\s*\([^)]{2,40}\))?,\s*le\s+\d{1,2}(?:er)?"
    r"\s+[a-zéû]+\s+\d{4})\s*(?:—|–|--)\s*"
)
# canada.ca closes a dateline with the issuing organisations: "— National Defence / ...".
_ISSUERS = re.compile(r"^[A-Z][\w .'’&/,-]{2,80}$")


def parse(
    url: str,
    selector: Selector,
    profile: SiteProfile,
    key: ArticleKey,
    fetched: str | None,
) -> Release | Reject:
    """Extract one release from a publisher's own page, or refuse it with a reason."""
    record_id = profile.record_id(key.id)

    def refuse(reason: str, detail: str, fields: tuple[str, ...] = ()) -> Reject:
        return Reject(reason, detail, url, fields, record_id)

    named = _named_key(selector, url, profile)
    if named is not None and named.id != key.id:
        return refuse(WRONG_PAGE, f"the page names article {named.id}, not {key.id}")
    title = extract_title(selector)
    container = find_container(selector, profile, title)
    if container is None or title is None:
        error = module_error(visible_text(selector))
        if error:
            return refuse(*error)
        missing = tuple(n for n, v in (("title", title), ("text", container)) if v is None)
        return refuse(MISSING_FIELDS, f"no {' and no '.join(missing)} found", missing)
    header = header_text(selector, container)
    number = extract_number(header, profile)
    items = clean_paragraphs(paragraphs(_prose(container)))
    date_line = next((p for p in items[:_HEAD_LINES] if is_date_line(p)), None)
    items = [p for p in items if not _is_furniture(p, title, number) and p != date_line]
    items = without_issuer(items)
    while items and _is_kind_label(items[0]):  # "News release" over the text
        items = items[1:]
    dateline, items = _dateline(items)
    if _looks_like_listing(container):
        return refuse(NOT_A_RELEASE, "a listing page, not an article")
    titles = split_title(title, profile.languages)
    page_language = extract_language(selector)
    languages = (page_language, *profile.languages) if page_language else profile.languages
    sections, _ = split_sections(items, tuple(dict.fromkeys(languages)), titles, None)
    if not sections or not sections[0].text:
        return refuse(MISSING_FIELDS, "the article body is empty", ("text",))
    if page_language and len(sections) == 1 and sections[0].lang != page_language:
        # A short text's detected language yields to the page's declared one.
        sections = [replace(sections[0], lang=page_language)]
    if sections[0].title is None:  # the heading's language was not told apart: it is the page's
        sections[0] = replace(sections[0], title=title)
    primary = sections[0]
    published = extract_published(selector, date_line or header, profile) or parse_date(
        dateline, profile.date_order
    )
    return Release(
        id=record_id,
        url=profile.key_url(key),
        site=profile.id,
        publisher=extract_publisher(selector, profile),
        kind=extract_kind(selector, container, title, number, profile),
        title=primary.title or title,
        number=number,
        published=published or url_date(key, profile),
        updated=extract_updated(selector, header, profile),
        dateline=dateline,
        bylines=[],
        tags=extract_tags(selector),
        images=extract_images(container, url),
        documents=extract_documents(container, url),
        language=primary.lang,
        languages=[section.lang for section in sections],
        sections=sections,
        text=primary.text,
        extractor={"name": NAME, "version": VERSION},
        fetched=fetched,
    )


# ---- where things are ------------------------------------------------------------------------


def find_container(
    selector: Selector, profile: SiteProfile, title: str | None
) -> Selector | None:
    """The element holding the article: the profile's selector; else the nearest block
    around the title's heading that holds text besides it; else a landmark."""
    for css in profile.content_selectors:
        found = selector.css(css)
        if found and _text_of(found[0]):
            return found[0]
    heading = _title_heading(selector, title)
    if heading is not None:
        for block in heading.xpath("ancestor::*[not(self::html)]")[::-1]:
            if _prose_chars(block) >= _ARTICLE_MIN_CHARS:
                return block
    for css in _CONTAINERS:
        found = selector.css(css)
        if found and _text_of(found[0]):
            return found[0]
    return None


def _prose_chars(block: Selector) -> int:
    """How much running text (paragraphs, list items, cells) a block holds."""
    return sum(len(_text_of(p)) for p in block.xpath(".//*[self::p or self::li or self::td]"))


def _text_of(node: Selector) -> str:
    return normalize_space(" ".join(node.css("*::text").getall()))


def _title_heading(selector: Selector, title: str | None) -> Selector | None:
    """The heading that prints the title (an ``<h1>`` may be the site's logo)."""
    headings = selector.xpath("//body//*[self::h1 or self::h2]")
    for heading in headings:
        text = _TITLE_AFFIX.sub("", _text_of(heading)).strip()
        if text and title and (text == title or title in text):
            return heading
    return next((h for h in headings if h.root.tag == "h1" and _text_of(h)), None)


def _prose(container: Selector) -> etree._Element:
    """A copy of the container without the parts that are never the article's text."""
    copy = Selector(text=container.get()).css("body > *, :root")[0]
    root = copy.root
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


def header_text(selector: Selector, container: Selector) -> str:
    """The lines near the title where publishers print number and dates, as one string."""
    parts: list[str] = []
    for node in (*container.css("h1 ~ *")[:4], *container.css(".header, .meta, time")):
        parts.append(normalize_space(" ".join(node.css("::text, *::text").getall())))
    top = normalize_space(" ".join(container.css("::text, *::text").getall()))[:600]
    return " | ".join([*parts, top])


def _looks_like_listing(container: Selector) -> bool:
    """A list of links (an index page), not an article: most of its text is link text."""
    links = container.css("a[href]")
    if len(links) < _LISTING_MIN_LINKS:
        return False
    linked = sum(len(normalize_space(" ".join(a.css("::text").getall()))) for a in links)
    total = len(normalize_space(" ".join(container.css("::text").getall())))
    return linked >= total * _LISTING_LINK_SHARE


# ---- fields ----------------------------------------------------------------------------------


def meta(selector: Selector, *names: str) -> str | None:
    """The first non-empty ``<meta>`` of ``names`` (``name`` or ``property``, any case)."""
    for name in names:
        lowered = name.lower()
        query = (
            "//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
            f"='{lowered}' or translate(@property, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
            f" 'abcdefghijklmnopqrstuvwxyz')='{lowered}']/@content"
        )
        for value in selector.xpath(query).getall():
            if normalize_space(value):
                return normalize_space(value)
    return None


def extract_title(selector: Selector) -> str | None:
    """``dcterms.title``, the page's ``<h1>``, ``og:title``, then ``<title>``, without the
    site's name."""
    candidates = [
        meta(selector, "dcterms.title", "dc.title"),
        *(_text_of(h1) for h1 in selector.xpath("//body//h1")[:1]),
        meta(selector, "og:title"),
        normalize_space(" ".join(selector.css("title::text").getall())),
    ]
    for candidate in candidates:
        cleaned = _TITLE_AFFIX.sub("", candidate or "").strip()
        if cleaned:
            return cleaned
    return None


def extract_language(selector: Selector) -> str | None:
    """``<html lang>``, ``dcterms.language`` (ISO 639-2 as canada.ca writes it), og:locale."""
    values = [
        selector.xpath("/html/@lang").get(),
        selector.xpath("/html/@xml:lang").get(),
        meta(selector, "dcterms.language", "dc.language", "og:locale", "content-language"),
    ]
    for value in values:
        if value:
            code = re.split(r"[-_]", value.strip().lower())[0]
            code = _META_LANGUAGES.get(code, code)
            if re.fullmatch(r"[a-z]{2}", code):
                return code
    return None


def extract_number(header: str, profile: SiteProfile) -> str | None:
    if profile.number_pattern is None:
        return None
    match = re.search(profile.number_pattern, header)
    if match is None:
        return None
    found = match.groupdict().get("number") or match.group(0)
    return normalize_space(found)


def extract_published(selector: Selector, header: str, profile: SiteProfile) -> str | None:
    """Metadata first, then a ``<time>``, then an "Issued on" line, then the first date."""
    stated = meta(
        selector,
        "dcterms.issued",
        "dc.date.issued",
        "article:published_time",
        "dcterms.date",
        "dc.date",
        "date",
    )
    for value in (stated, selector.css("time::attr(datetime)").get()):
        date = parse_date(value, profile.date_order)
        if date:
            return date
    issued = labelled_date(_ISSUED, header, profile)
    if issued:
        return issued
    return parse_date(find_date(header), profile.date_order)


def labelled_date(label: re.Pattern[str], text: str, profile: SiteProfile) -> str | None:
    """The date printed right after ``label`` in ``text`` ("Issued on 10 Jul. 2024")."""
    for found in label.finditer(text):
        tail = text[found.end() : found.end() + _LABELLED_DATE_CHARS]
        date = parse_date(tail, profile.date_order)
        if date:
            return date[:10]
    return None


def extract_updated(selector: Selector, header: str, profile: SiteProfile) -> str | None:
    """A "Last updated" the page prints, else ``dcterms.modified``."""
    printed = labelled_date(_UPDATED, header, profile) or labelled_date(
        _UPDATED, visible_text(selector)[-3000:], profile
    )
    return printed or parse_date(
        meta(selector, "dcterms.modified", "article:modified_time"), profile.date_order
    )


def url_date(key: ArticleKey, profile: SiteProfile) -> str | None:
    """The date a site writes into its article URLs (mod.go.jp's ``YYYY/MM/DD``)."""
    if profile.article_pattern is None:
        return None
    match = re.match(profile.article_pattern, key.path, re.IGNORECASE)
    groups = match.groupdict() if match else {}
    if not all(groups.get(part) for part in ("year", "month", "day")):
        return None
    return f"{groups['year']}-{groups['month']}-{groups['day']}"


def extract_kind(
    selector: Selector,
    container: Selector,
    title: str,
    number: str | None,
    profile: SiteProfile,
) -> str:
    """A numbered page is a release; else the kind a label or ``dcterms.type`` names."""
    if number:
        return profile.kind
    labels = [meta(selector, "dcterms.type", "dc.type", "article:section")]
    for node in container.css("h1 ~ *, .gc-byline ~ *")[:3] + selector.css(".kicker, .label"):
        labels.append(normalize_space(" ".join(node.css("::text, *::text").getall())))
    for label in labels:
        if label and len(label) <= _KIND_LABEL_MAX_CHARS and label != title:
            kind = kind_from_words(label)
            if kind:
                return kind
    return NEWS if profile.number_pattern else profile.kind


def extract_publisher(selector: Selector, profile: SiteProfile) -> str:
    return profile.publisher


def extract_tags(selector: Selector) -> list[str]:
    """``dcterms.subject`` (canada.ca, ``;``-separated), ``article:tag``, keywords."""
    tags: list[str] = []
    for value in selector.xpath(
        "//meta[@name='dcterms.subject' or @property='article:tag' or @name='keywords']/@content"
    ).getall():
        tags += [normalize_space(t) for t in re.split(r"[;,]", value) if normalize_space(t)]
    return list(dict.fromkeys(tags))


def twin_links(url: str, selector: Selector, profile: SiteProfile) -> dict[str, str]:
    """``{language: URL}`` of the page's twins: the profile's rule, else ``hreflang`` links
    and the language toggle (GCWeb's ``#wb-lng``)."""
    key = profile.article_key(url)
    named = {lang: urljoin(url, path) for lang, path in profile.twin_of(key).items()} if key else {}
    for lang in profile.twin_languages:
        if lang in named:
            continue
        query = (
            f"//link[@rel='alternate' and starts-with(@hreflang, '{lang}')]/@href"
            f" | //a[starts-with(@hreflang, '{lang}') or starts-with(@lang, '{lang}')]/@href"
        )
        href = selector.xpath(query).get()
        if href:
            named[lang] = urljoin(url, href.strip())
    return named


# ---- clean-up --------------------------------------------------------------------------------


def _named_key(selector: Selector, url: str, profile: SiteProfile) -> ArticleKey | None:
    """The article the page names as its own (``og:url``, canonical link), if it is one."""
    for href in selector.xpath(
        "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
    ).getall():
        named = profile.article_key(urljoin(url, href.strip()))
        if named is not None:
            return named
    return None


def _is_furniture(paragraph: str, title: str, number: str | None) -> bool:
    """The title repeated, a number/date header line, a "Last updated" line, a template line."""
    if paragraph == title or _TEMPLATE_LINE.match(paragraph):
        return True
    if len(paragraph) >= _HEADER_MAX_CHARS:
        return False
    labelled = bool(_ISSUED.search(paragraph) or _UPDATED.search(paragraph))
    numbered = bool(number) and number in paragraph  # type: ignore[operator]
    if not (labelled or numbered):
        return False
    # What is left once the labels, the number, dates and separators are gone: a header line
    # leaves almost nothing ("Press Release (2012) 045 Issued on 12 Apr. 2012").
    rest = _ISSUED.sub(" ", _UPDATED.sub(" ", paragraph.replace(number or "\0", " ")))
    while (date := find_date(rest)) is not None:
        rest = rest.replace(date, " ")
    rest = re.sub(_HEADER_WORDS, " ", rest, flags=re.IGNORECASE)
    return len(normalize_space(rest)) <= _HEADER_REST_CHARS


def is_date_line(paragraph: str) -> bool:
    """A line that is a date, perhaps with the issuer beside it."""
    found = find_date(paragraph)
    return found is not None and len(paragraph) - len(found) <= _DATE_LINE_REST_CHARS


def is_issuer_line(paragraph: str) -> bool:
    return bool(_ISSUER_LINE.match(paragraph))


def without_issuer(items: list[str]) -> list[str]:
    """The body without the issuer line above it and the closing mark under it."""
    while items and is_issuer_line(items[0]):
        items = items[1:]
    while items and items[-1] in _CLOSING:
        items = items[:-1]
    return items


def _is_kind_label(paragraph: str) -> bool:
    return len(paragraph) <= _KIND_LABEL_MAX_CHARS and kind_from_words(paragraph) is not None


def _dateline(items: list[str]) -> tuple[str | None, list[str]]:
    """The dateline, and the body without it (and without canada.ca's issuers after it:
    "OTTAWA, Ontario, October 17, 2025 — National Defence / Canadian Armed Forces")."""
    opening = _DATE_PLACE_ISSUERS.match(items[0]) if items else None
    if opening is not None and find_date(opening.group("date")):
        return opening.group("place"), items[1:]
    dateline, rest = extract_dateline(items)
    french = _FRENCH_DATELINE.match(items[0]) if items and dateline is None else None
    if french is not None:
        dateline = french.group("dateline")
        rest = [items[0][french.end() :].strip(), *items[1:]]
        rest = rest if rest[0] else rest[1:]
    issuers = bool(rest) and rest[0] != items[0] and items[0].endswith(rest[0])
    if dateline and issuers and _ISSUERS.match(rest[0]) and not rest[0].endswith((".", ":")):
        rest = rest[1:] if len(rest) > 1 else rest
    return dateline, rest
