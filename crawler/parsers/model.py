"""Values the parsers return: a ``Release`` or a ``Reject``, never an exception.

Plain dataclasses, so a record can be built from a live response, a saved file or a
WARC record alike, and serialised with a fixed key order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Why a page is not a release (or a listing page gave no links). Each reason has a kind:
# - transient: the page may pass later (retried in the run with a growing delay, then by
#   later runs with a growing delay, within a cap); the run did not get what it asked for;
# - permanent: the page was read and is not a release; tried again only by full or
#   revisit runs;
# - gone: 404/410 (or a not-found page served with 200). For a release that was live this
#   is its deletion; for one never emitted it is transient (a listing may link a page
#   before it exists, or a proxy may answer 404 by mistake).
BLOCKED = "blocked"
MODULE_UNAVAILABLE = "module_unavailable"
SERVER_ERROR = "server_error"
DOWNLOAD_ERROR = "download_error"
EMPTY_LISTING = "empty_listing"  # a listing page with no article links (a JavaScript shell)
# A page cut short: an HTML page that ends before its </html>, or a listing page that holds
# less than the pages around it promise (no next page while they linked further ones, fewer
# releases than the page before).
TRUNCATED = "truncated"
WRONG_PAGE = "wrong_page"  # the page names another article than its URL (a cache mix-up)
REPEATED = "repeated"  # a listing page showing only releases of earlier pages
REDIRECTED = "redirected"  # a redirect off the site, in a loop, or longer than allowed
TOO_LARGE = "too_large"  # a response larger than DOWNLOAD_MAXSIZE (cut, never parsed)
NOT_A_RELEASE = "not_a_release"
MISSING_FIELDS = "missing_fields"
UNKNOWN_SITE = "unknown_site"
INVALID = "invalid"  # extracted, but the record fails the JSON Schema
ROBOTS = "robots_disallowed"  # robots.txt forbids the page
# A response built to attack its reader (a feed declaring entities: XXE, "billion laughs").
HOSTILE = "hostile"
GONE = "gone"  # 404 or 410

TRANSIENT_REASONS = frozenset(
    {
        BLOCKED,
        MODULE_UNAVAILABLE,
        SERVER_ERROR,
        DOWNLOAD_ERROR,
        EMPTY_LISTING,
        TRUNCATED,
        WRONG_PAGE,
        REDIRECTED,
        REPEATED,
    }
)
PERMANENT_REASONS = frozenset(
    {NOT_A_RELEASE, MISSING_FIELDS, UNKNOWN_SITE, INVALID, ROBOTS, HOSTILE, TOO_LARGE}
)


@dataclass(frozen=True)
class Reject:
    """A page the parser refuses, with a machine-readable reason and a human detail; ``id``
    names the release (``site:article``) when the URL is one."""

    reason: str
    detail: str
    url: str
    fields: tuple[str, ...] = ()
    id: str | None = None

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT_REASONS

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "reason": self.reason,
            "detail": self.detail,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class Byline:
    name: str | None
    role: str | None


@dataclass(frozen=True)
class Image:
    url: str
    caption: str | None
    alt: str | None


@dataclass(frozen=True)
class Section:
    lang: str
    title: str | None
    byline: str | None
    text: str


@dataclass
class Release:
    """One press release. Field order here is the key order of the JSON record."""

    id: str
    url: str
    site: str
    publisher: str
    kind: str  # crawler.kinds: release, news, commentary, ...
    title: str
    number: str | None
    published: str | None
    updated: str | None  # a later date the page states ("Current as of", "Last updated")
    dateline: str | None
    bylines: list[Byline]
    tags: list[str]
    images: list[Image]
    documents: list[str]
    language: str
    languages: list[str]
    sections: list[Section]
    text: str
    extractor: dict[str, str]
    fetched: str | None
    # What the record was read from: an HTML page, a JSON document (an API), a PDF.
    source_type: str = "html"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
