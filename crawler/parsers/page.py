"""Parser for publishers on their own CMS (NATO, canada.ca, mod.go.jp): platform "page".

No real page of these sites was read here, so every field is read from what is documented
and stable first — ``dcterms.*``, ``og:*`` and ``article:*`` metadata, ``<html lang>``,
``<time>`` — then from text patterns (a release number, "Issued on", an era date). The text
is the block around the title's heading (``pagelayout``); a profile's ``content_selectors``
override that only where a site needs it (none does yet). A PDF-only release is read by
``pdfpage``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urljoin

from parsel import Selector

from crawler.kinds import NEWS, kind_from_words
from crawler.profiles import ArticleKey, SiteProfile

from .dates import find_date, parse_date
from .media import extract_documents, extract_images
from .model import MISSING_FIELDS, NOT_A_RELEASE, WRONG_PAGE, Reject, Release
from .pagelayout import candidate_blocks, header_text, looks_like_listing, prose, text_of
from .pagetext import (
    HEAD_LINES,
    ISSUED,
    KIND_LABEL_MAX_CHARS,
    UPDATED,
    dateline_of,
    is_date_line,
    is_furniture,
    is_kind_label,
    labelled_date,
    without_issuer,
)
from .patterns import clean_paragraphs
from .refusals import module_error, visible_text
from .sections import split_sections, split_title
from .text import normalize_space, paragraphs

NAME = "page"
VERSION = "1.0.0"

# Site names publishers append to or put before a page title.
TITLE_AFFIX = re.compile(
    r"^(?:NATO\s*-\s*(?:News|Press releases?|Official texts?|Opinion|Actualités"
    r"|Communiqués de presse|Textes officiels)\s*:\s*)"
    r"|^防衛省・自衛隊\s*[：:]\s*"
    r"|\s*[-|–]\s*(?:Canada\.ca|NATO|防衛省|Ministry of Defense)\s*$"
    r"|,\s*\d{1,2}-[A-Za-z]{3,5}\.?-\d{4}\s*$",
    re.IGNORECASE,
)
# A block whose cleaned text holds at least this much is the article's (a short Japanese
# notice of two sentences has about this many characters).
_ARTICLE_MIN_CHARS = 60
_META_LANGUAGES = {"eng": "en", "fra": "fr", "fre": "fr", "jpn": "ja", "kor": "ko"}


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
    body = read_body(selector, profile, title) if title is not None else None
    if body is None or title is None:
        error = module_error(visible_text(selector))
        if error:
            return refuse(*error)
        missing = tuple(n for n, v in (("title", title), ("text", body)) if v is None)
        return refuse(MISSING_FIELDS, f"no {' and no '.join(missing)} found", missing)
    container, header, number, items, date_line, dateline = body
    if looks_like_listing(container):
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
        publisher=profile.publisher,
        kind=extract_kind(selector, container, title, number, profile),
        title=primary.title or title,
        number=number,
        published=published or url_date(key, profile),
        updated=extract_updated(selector, header, profile),
        dateline=dateline,
        bylines=[],
        tags=extract_tags(selector),
        # Relative links resolve against the publisher's URL, not a mirror's.
        images=extract_images(container, profile.key_url(key)),
        documents=extract_documents(container, profile.key_url(key)),
        language=primary.lang,
        languages=[section.lang for section in sections],
        sections=sections,
        text=primary.text,
        extractor={"name": NAME, "version": VERSION},
        fetched=fetched,
    )


# ---- the body ------------------------------------------------------------------------------

Body = tuple[Selector, str, str | None, list[str], str | None, str | None]


def read_body(selector: Selector, profile: SiteProfile, title: str) -> Body | None:
    """``(container, header, number, paragraphs, date line, dateline)`` from the nearest
    block whose text, once cleaned, has substance; else the first with any text."""
    first: Body | None = None
    for container in candidate_blocks(selector, profile, title):
        header = header_text(container)
        number = extract_number(header, profile)
        items = clean_paragraphs(paragraphs(prose(container)))
        date_line = next((p for p in items[:HEAD_LINES] if is_date_line(p)), None)
        items = [p for p in items if not is_furniture(p, title, number) and p != date_line]
        items = without_issuer(items)
        while items and is_kind_label(items[0]):  # "News release" over the text
            items = items[1:]
        dateline, items = dateline_of(items)
        body = (container, header, number, items, date_line, dateline)
        if sum(map(len, items)) >= _ARTICLE_MIN_CHARS:
            return body
        first = first or (body if items else None)
    return first


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
        *(text_of(h1) for h1 in selector.xpath("//body//h1")[:1]),
        meta(selector, "og:title"),
        normalize_space(" ".join(selector.css("title::text").getall())),
    ]
    for candidate in candidates:
        cleaned = TITLE_AFFIX.sub("", candidate or "").strip()
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
    issued = labelled_date(ISSUED, header, profile.date_order)
    if issued:
        return issued
    return parse_date(find_date(header), profile.date_order)


def extract_updated(selector: Selector, header: str, profile: SiteProfile) -> str | None:
    """A "Last updated" the page prints, else ``dcterms.modified``."""
    printed = labelled_date(UPDATED, header, profile.date_order) or labelled_date(
        UPDATED, visible_text(selector)[-3000:], profile.date_order
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
        if label and len(label) <= KIND_LABEL_MAX_CHARS and label != title:
            kind = kind_from_words(label)
            if kind:
                return kind
    return NEWS if profile.number_pattern else profile.kind


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
