"""Values the parsers return: a ``Release`` or a ``Reject``, never an exception.

Plain dataclasses, so a record can be built from a live response, a saved file or a
WARC record alike, and serialised with a fixed key order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Why a page is not a release. Spiders retry the transient ones and count the rest.
BLOCKED = "blocked"
MODULE_UNAVAILABLE = "module_unavailable"
SERVER_ERROR = "server_error"
NOT_A_RELEASE = "not_a_release"
MISSING_FIELDS = "missing_fields"
UNKNOWN_SITE = "unknown_site"
GONE = "gone"  # 404 or 410
DOWNLOAD_ERROR = "download_error"
INVALID = "invalid"  # extracted, but the record fails the JSON Schema

TRANSIENT_REASONS = frozenset({BLOCKED, MODULE_UNAVAILABLE, SERVER_ERROR})


@dataclass(frozen=True)
class Reject:
    """A page the parser refuses, with a machine-readable reason and a human detail."""

    reason: str
    detail: str
    url: str
    fields: tuple[str, ...] = ()

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT_REASONS

    def to_dict(self) -> dict[str, Any]:
        return {
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
    title: str
    number: str | None
    published: str | None
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
