"""Parser for GOV.UK Content API documents (``/api/content/<base_path>``): the UK MoD's news.

GOV.UK serves every page as documented JSON (the Content Store's frontend schemas, kept in
alphagov/publishing-api ``content_schemas``), so no field is guessed from markup: each one
is read from a named key. Only the body (govspeak HTML in ``details.body``) is parsed, for
its text, inline images and linked files. No network, no Scrapy: the response text in, a
``Release`` or a ``Reject`` out.

Timestamps keep GOV.UK's offset (BST items say ``+01:00``); ``Z`` is written ``+00:00`` so
every record uses one form, and fractional seconds are dropped.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler import kinds
from crawler.profiles import ArticleKey, SiteProfile

from . import patterns
from .model import (
    GONE,
    MISSING_FIELDS,
    NOT_A_RELEASE,
    TRUNCATED,
    WRONG_PAGE,
    Byline,
    Image,
    Reject,
    Release,
    Section,
)
from .text import join_paragraphs, normalize_space, paragraphs

NAME = "govuk"
VERSION = "1.0.0"

# ``document_type`` -> kind. The types are GOV.UK's "news and communications" supergroup
# (alphagov/govuk_document_types, data/supertypes.yml), plus case studies, which GOV.UK
# counted as news before the supergroups and the MoD uses for features.
KINDS: dict[str, str] = {
    "press_release": kinds.RELEASE,
    "fatality_notice": kinds.RELEASE,  # the MoD's notice of a death in service
    "news_story": kinds.NEWS,
    "news_article": kinds.NEWS,
    "world_news_story": kinds.NEWS,
    "world_location_news_article": kinds.NEWS,
    # A speech's speech_type_explanation (script, transcript, speaking notes) says how
    # faithful the text is, not what the item is: it stays a speech.
    "speech": kinds.SPEECH,
    "oral_statement": kinds.STATEMENT,  # ministerial statements to Parliament
    "written_statement": kinds.STATEMENT,
    "government_response": kinds.STATEMENT,  # a spokesperson's reply to a report
    "correspondence": kinds.STATEMENT,  # a minister's published letter
    "authored_article": kinds.COMMENTARY,  # an op-ed by a minister or official
    "case_study": kinds.FEATURE,
}
# The rest of the supergroup (alerts, tribunal decisions): news, as no kind names them better.
OTHER_NEWS_TYPES = frozenset(
    {
        "medical_safety_alert",
        "drug_safety_update",
        "tax_tribunal_decision",
        "utaac_decision",
        "asylum_support_decision",
        "employment_appeal_tribunal_decision",
        "employment_tribunal_decision",
        "service_standard_report",
        "cma_case",
        "decision",
    }
)
# Schemas that hold only news types: a type GOV.UK adds to them later is news too.
NEWS_SCHEMAS = frozenset({"news_article", "speech", "fatality_notice"})
# Unpublished items: "gone" (410, maybe with an alternative_path), "vanish" (404).
GONE_TYPES = frozenset({"gone", "vanish"})
REDIRECT_TYPES = frozenset({"redirect"})

# Link types naming what an item is about, in the order their titles become tags.
TAG_LINKS = ("topical_events", "world_locations", "field_of_operation", "taxons", "policy_areas")
# Files GOV.UK serves; a body link to this host is a document unless it is an image.
ASSET_HOSTS = frozenset({"assets.publishing.service.gov.uk"})
# A file's extension ends the path or one of its folders (khub.net/.../study.pdf/<uuid>).
_DOCUMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|xlsm|pptx?|odt|ods|odp|csv|rtf|txt|zip)(?:/|$)", re.I)
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|svg|webp|tiff?|bmp)$", re.I)
# Govspeak's embedded attachment blocks: title, file type, size and page count, not prose.
# Govspeak blocks that are not prose: embedded attachments and contact cards (an address,
# a switchboard number), and the call-to-action buttons.
_ATTACHMENT_BLOCKS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' attachment ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' gem-c-attachment ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' contact ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' vcard ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' govuk-button ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' gem-c-button ')]"
)
# The release schema's language pattern (GOV.UK also has "es-419").
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,4})?$")
# A dateline is taken only in capitals ("TAPA, Estonia", "LONDON"): GOV.UK bodies often
# open with a title-case name and a dash ("Operation SHADER – the UK's ...").
_CAPITALS_DATELINE = re.compile(r"^[^a-z,]*[A-Z]{3}[^a-z,]*(?:,|$)")


def parse(
    url: str,
    text: str,
    profile: SiteProfile,
    key: ArticleKey,
    fetched: str | None,
) -> Release | Reject:
    """Extract one release from a Content API document, or refuse it with a reason."""
    record_id = profile.record_id(key.id)

    def refuse(reason: str, detail: str, fields: tuple[str, ...] = ()) -> Reject:
        return Reject(reason, detail, url, fields, record_id)

    doc = load_document(text)
    if isinstance(doc, tuple):
        return refuse(*doc)
    named = named_path(doc)
    if named is not None and named != _path_of(key.id):
        return refuse(WRONG_PAGE, f"the document is /{named}, not /{_path_of(key.id)}")
    document_type = str(doc.get("document_type") or "")
    if document_type in GONE_TYPES:
        return refuse(GONE, f"GOV.UK marks the page {document_type}{_alternative(doc)}")
    if document_type in REDIRECT_TYPES:
        return refuse(NOT_A_RELEASE, f"a GOV.UK redirect{_destination(doc)}")
    kind = extract_kind(doc)
    if kind is None:
        schema = doc.get("schema_name")
        detail = f"a GOV.UK {document_type!r} (schema {schema!r}), not news and communications"
        return refuse(NOT_A_RELEASE, detail)
    title = extract_title(doc)
    html = body_html(doc)
    missing = tuple(name for name, value in (("title", title), ("text", html)) if not value)
    if title is None or html is None:
        return refuse(MISSING_FIELDS, f"no {' and no '.join(missing)} in the document", missing)

    body = Selector(text=html)
    prose = without_attachments(body.root)
    dateline, items = extract_dateline(paragraphs(prose))
    if not items:
        return refuse(MISSING_FIELDS, "the body holds no text", ("text",))
    body_text = join_paragraphs(items)
    language = extract_language(doc, profile)
    return Release(
        id=record_id,
        url=extract_url(doc, profile, key),
        site=profile.id,
        publisher=extract_publisher(doc, profile),
        kind=kind,
        title=title,
        number=None,  # GOV.UK prints no release numbers
        published=extract_published(doc),
        updated=extract_updated(doc),
        dateline=dateline,
        bylines=extract_bylines(doc),
        tags=extract_tags(doc),
        images=extract_images(doc, prose, profile.origin),
        documents=extract_documents(doc, body, profile.origin),
        language=language,
        languages=[language],
        sections=[Section(lang=language, title=title, byline=None, text=body_text)],
        text=body_text,
        extractor={"name": NAME, "version": VERSION},
        fetched=fetched,
        source_type="json",
    )


# ---- the document ---------------------------------------------------------------------------


def load_document(text: str) -> dict[str, Any] | tuple[str, str, tuple[str, ...]]:
    """The JSON object, or ``(reason, detail, fields)`` saying why the text is none."""
    stripped = text.strip()
    try:
        data = json.loads(stripped)
    except ValueError as error:
        if stripped.startswith("{") and not stripped.endswith("}"):
            return TRUNCATED, f"the JSON document ends early ({error})", ()
        return MISSING_FIELDS, f"not a GOV.UK Content API document: {error}", ()
    if not isinstance(data, dict):
        found = type(data).__name__
        return MISSING_FIELDS, f"not a GOV.UK Content API document: a JSON {found}", ()
    if not data.get("document_type") and not data.get("schema_name"):
        detail = "not a GOV.UK Content API document: no document_type or schema_name"
        return MISSING_FIELDS, detail, ("document_type",)
    return data


def named_path(doc: dict[str, Any]) -> str | None:
    """``base_path`` without its slashes: the page the document is (gone items may lack it)."""
    base_path = doc.get("base_path")
    return _path_of(base_path) if isinstance(base_path, str) and base_path.strip() else None


def _path_of(path: str) -> str:
    return unquote(path.strip()).strip("/")


def _details(doc: dict[str, Any]) -> dict[str, Any]:
    details = doc.get("details")
    return details if isinstance(details, dict) else {}


def _links(doc: dict[str, Any], link_type: str) -> list[dict[str, Any]]:
    links = doc.get("links")
    items = links.get(link_type) if isinstance(links, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _titles(doc: dict[str, Any], link_type: str) -> list[str]:
    titles = (item.get("title") for item in _links(doc, link_type))
    return [normalize_space(t) for t in titles if isinstance(t, str) and normalize_space(t)]


def _text(value: object) -> str | None:
    return (normalize_space(value) or None) if isinstance(value, str) else None


def _alternative(doc: dict[str, Any]) -> str:
    path = _details(doc).get("alternative_path")
    return f" (see {path})" if isinstance(path, str) and path else ""


def _destination(doc: dict[str, Any]) -> str:
    redirects = doc.get("redirects")
    if isinstance(redirects, list) and redirects and isinstance(redirects[0], dict):
        return f" to {redirects[0].get('destination')}"
    return ""


# ---- fields ---------------------------------------------------------------------------------


def extract_kind(doc: dict[str, Any]) -> str | None:
    """The kind ``document_type`` names; None for a document that is not news."""
    document_type = str(doc.get("document_type") or "")
    if document_type in KINDS:
        return KINDS[document_type]
    if document_type in OTHER_NEWS_TYPES or doc.get("schema_name") in NEWS_SCHEMAS:
        return kinds.NEWS
    return None


def extract_publisher(doc: dict[str, Any], profile: SiteProfile) -> str:
    """The organisation that published the item (``primary_publishing_organisation``, else
    the first of ``organisations``, else of ``worldwide_organisations``: an embassy's news):
    any GOV.UK item parses, not only the MoD's. The profile's publisher only when the
    document links none."""
    for link_type in (
        "primary_publishing_organisation",
        "organisations",
        "worldwide_organisations",
    ):
        titles = _titles(doc, link_type)
        if titles:
            return titles[0]
    return profile.publisher


def extract_title(doc: dict[str, Any]) -> str | None:
    return _text(doc.get("title"))


def body_html(doc: dict[str, Any]) -> str | None:
    """``details.body``: HTML, or a list of renderings of which the HTML one is taken."""
    body = _details(doc).get("body")
    if isinstance(body, list):
        body = next(
            (
                part.get("content")
                for part in body
                if isinstance(part, dict) and part.get("content_type") == "text/html"
            ),
            None,
        )
    return body if isinstance(body, str) and body.strip() else None


def without_attachments(root: etree._Element) -> etree._Element:
    """A copy of the body without its embedded attachment blocks (kept text after them)."""
    prose = copy.deepcopy(root)
    for block in prose.xpath(_ATTACHMENT_BLOCKS):
        parent = block.getparent()
        if parent is None:
            continue
        if block.tail:
            previous = block.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + block.tail
            else:
                parent.text = (parent.text or "") + block.tail
        parent.remove(block)
    return prose


def extract_dateline(items: list[str]) -> tuple[str | None, list[str]]:
    """A dateline opening the body, in capitals, and the body without it."""
    dateline, rest = patterns.extract_dateline(items)
    if dateline is None or not _CAPITALS_DATELINE.match(dateline):
        return None, items
    return dateline, rest


def extract_url(doc: dict[str, Any], profile: SiteProfile, key: ArticleKey) -> str:
    """The public page: the origin and ``base_path`` (the key's path when the document has
    none), never the API URL or a mirror's."""
    path = doc.get("base_path")
    if not isinstance(path, str) or not path.strip():
        path = f"/{key.id.strip('/')}"
    return f"{profile.origin.rstrip('/')}{path.strip()}"


def _moment(value: object) -> tuple[datetime, str] | None:
    """A Content API timestamp, parsed and written back in the record's form."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == len("2016-02-02"):  # a date alone stays a date
        return moment, moment.date().isoformat()
    return moment, moment.replace(microsecond=0).isoformat()


def _instant(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _published_moment(doc: dict[str, Any]) -> tuple[datetime, str] | None:
    # details.first_public_at is the date the page shows as "Published" (Whitehall sets it
    # to the original date of items migrated later); first_published_at is the Publishing
    # API's own record; public_timestamp is the search API's name for the last major change.
    for value in (
        _details(doc).get("first_public_at"),
        doc.get("first_published_at"),
        doc.get("public_timestamp"),
    ):
        moment = _moment(value)
        if moment is not None:
            return moment
    return None


def extract_published(doc: dict[str, Any]) -> str | None:
    moment = _published_moment(doc)
    return moment[1] if moment else None


def extract_updated(doc: dict[str, Any]) -> str | None:
    """``public_updated_at`` (the last major change the page shows as "Updated"), when it is
    later than the publication: the same instant written in another offset is no update."""
    updated = _moment(doc.get("public_updated_at"))
    first = _published_moment(doc)
    if updated is None or (first is not None and _instant(updated[0]) <= _instant(first[0])):
        return None
    return updated[1]


def extract_bylines(doc: dict[str, Any]) -> list[Byline]:
    """The speaker (``links.speaker``, or ``details.speaker_without_profile``), then
    ``links.people``, once each. ``links.roles`` lists roles unpaired with people, so a role
    is given only when there is one person and one role."""
    names = _titles(doc, "speaker")
    unprofiled = _text(_details(doc).get("speaker_without_profile"))
    if unprofiled:
        names.append(unprofiled)
    names = list(dict.fromkeys([*names, *_titles(doc, "people")]))
    roles = list(dict.fromkeys(_titles(doc, "roles")))
    role = roles[0] if len(roles) == 1 and len(names) == 1 else None
    return [Byline(name=name, role=role) for name in names]


def extract_tags(doc: dict[str, Any]) -> list[str]:
    """Titles of the topical events, world locations, fields of operation and taxons the item
    is tagged with, in that order, once each. Organisations (the publisher) and people (the
    bylines) are not tags."""
    titles = [title for link_type in TAG_LINKS for title in _titles(doc, link_type)]
    return list(dict.fromkeys(titles))


def _largest_source(sources: object) -> str | None:
    """The widest rendition of an image's ``sources`` (``{"s960": url, "s300": url}``)."""
    if not isinstance(sources, dict):
        return None
    sized = [
        (int(size[1:]), url)
        for size, url in sources.items()
        if isinstance(url, str) and re.fullmatch(r"s\d+", size)
    ]
    return max(sized)[1] if sized else None


def extract_images(doc: dict[str, Any], prose: etree._Element, origin: str) -> list[Image]:
    """``details.image`` (lead image or the speaker's portrait), ``details.images`` (older
    items' lead images, widest rendition) and images embedded in the body, absolute."""
    found: dict[str, Image] = {}

    def add(src: object, caption: object, alt: object) -> None:
        if not isinstance(src, str) or not src.strip():
            return
        absolute = urljoin(f"{origin}/", src.strip())
        if absolute.startswith(("http://", "https://")) and absolute not in found:
            text = _text(caption)
            if text and text.lower() == "placeholder":  # GOV.UK's default news image
                text = None
            found[absolute] = Image(url=absolute, caption=text, alt=_text(alt))

    details = _details(doc)
    lead = details.get("image")
    if isinstance(lead, dict):
        add(lead.get("url"), lead.get("caption"), lead.get("alt_text"))
    images = details.get("images")
    for item in images if isinstance(images, list) else []:
        if isinstance(item, dict):
            src = item.get("url") or _largest_source(item.get("sources"))
            add(src, item.get("caption"), item.get("alt_text"))
    for img in prose.xpath("//img[@src]"):
        caption = img.xpath("string(ancestor::figure[1]//figcaption)")
        add(img.get("src"), caption, img.get("alt"))
    return list(found.values())


def extract_documents(doc: dict[str, Any], body: Selector, origin: str) -> list[str]:
    """Files of the item: ``details.attachments`` (files only), then body links to GOV.UK's
    asset host or to a document file, absolute, once each. Images are not documents."""
    urls: list[str] = []
    attachments = _details(doc).get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict) and attachment.get("attachment_type", "file") == "file":
            link = attachment.get("url")
            if isinstance(link, str) and link.strip():
                urls.append(urljoin(f"{origin}/", link.strip()))
    for href in body.xpath("//a/@href").getall():
        absolute = urljoin(f"{origin}/", href.strip())
        parts = urlsplit(absolute)
        if _IMAGE.search(parts.path):
            continue
        if (parts.hostname or "") in ASSET_HOSTS or _DOCUMENT.search(parts.path):
            urls.append(absolute)
    return [u for u in dict.fromkeys(urls) if u.startswith(("http://", "https://"))]


def extract_language(doc: dict[str, Any], profile: SiteProfile) -> str:
    """``locale`` (GOV.UK translations: "cy", "ar", "uk", "zh-tw"). A locale the record
    schema cannot hold ("es-419") gives its language ("es")."""
    locale = str(doc.get("locale") or "").strip().lower()
    if _LANGUAGE.match(locale):
        return locale
    primary = locale.split("-")[0]
    return primary if _LANGUAGE.match(primary) else profile.languages[0]
