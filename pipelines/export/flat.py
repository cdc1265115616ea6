"""Flat rows (CSV, SQLite) from nested records, the same columns every day.

The columns come from the schema and the languages the site profiles declare, never from
the rows at hand: a day with no Korean release, or no release at all, has the same header.
Lists become `` | ``-joined text (``tags``, ``languages``, ``documents``); bylines read
``name (role)``; images give ``image_urls`` and ``image_captions``; each declared language
gets ``title_<lang>``, ``byline_<lang>``, ``text_<lang>`` (a section in another language
goes to ``sections_other`` as JSON); ``published`` is the date the page states and
``published_time`` its time when it gives one; ``archive`` becomes ``archive_*``;
``previous`` its version number; ``event``, ``status`` and ``status_changed`` say what the
row is (a version, or a release gone or returned) and the release's status.
"""

from __future__ import annotations

import json
from typing import Any

from crawler.profiles import all_profiles

SEPARATOR = " | "
SCALARS = (
    "id",
    "url",
    "site",
    "publisher",
    "kind",
    "title",
    "number",
    "published",
    "published_time",
    "updated",
    "dateline",
    "language",
    "text",
    "fetched",
    "source_type",
    "version",
    "first_seen",
    "event",
    "status",
    "status_changed",
    "detail",
)
LISTS = (
    "tags",
    "languages",
    "bylines",
    "image_urls",
    "image_captions",
    "documents",
    "extractor",
    "previous_version",
)
ARCHIVE = (
    "target_uri",
    "warc",
    "offset",
    "length",
    "record_id",
    "record_type",
    "payload_digest",
    "date",
)
# The columns of a ``changes`` row, whatever the rows at hand.
SUMMARY = (
    "id",
    "site",
    "url",
    "kind",
    "title",
    "published",
    "published_time",
    "versions",
    "first_seen",
    "changed",
    "fields_changed",
    "sections_changed",
    "text_similarity",
    "text_chars_delta",
    "language",
    "status",
    "status_changed",
    "removed",
)


def declared_languages() -> list[str]:
    """Languages the site profiles declare: English first, then alphabetical."""
    found = {lang for profile in all_profiles().values() for lang in profile.languages}
    return sorted(found | {"en"}, key=lambda lang: (lang != "en", lang))


def columns(languages: list[str] | None = None) -> list[str]:
    names = [*SCALARS, *LISTS]
    for lang in declared_languages() if languages is None else languages:
        names += [f"title_{lang}", f"byline_{lang}", f"text_{lang}"]
    return [*names, "sections_other", *(f"archive_{name}" for name in ARCHIVE)]


def languages_in(names: list[str]) -> list[str]:
    """The languages that have their own columns among ``names``."""
    return [name.removeprefix("text_") for name in names if name.startswith("text_")]


def _byline(byline: dict[str, Any]) -> str:
    name, role = byline.get("name"), byline.get("role")
    return f"{name} ({role})" if name and role else str(name or role or "")


def split_published(value: str | None) -> tuple[str | None, str | None]:
    """``(date, time)`` of a ``published`` value: the date always, the time when given."""
    if not value:
        return None, None
    day, _, time = value.partition("T")
    return day, time or None


def flatten(record: dict[str, Any], names: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {name: record.get(name) for name in SCALARS}
    row["published"], row["published_time"] = split_published(record.get("published"))
    row["tags"] = SEPARATOR.join(record.get("tags") or [])
    row["languages"] = SEPARATOR.join(record.get("languages") or [])
    row["bylines"] = SEPARATOR.join(_byline(b) for b in record.get("bylines") or [])
    images = record.get("images") or []
    row["image_urls"] = SEPARATOR.join(i["url"] for i in images)
    row["image_captions"] = SEPARATOR.join(i.get("caption") or "" for i in images)
    row["documents"] = SEPARATOR.join(record.get("documents") or [])
    extractor = record.get("extractor") or {}
    row["extractor"] = f"{extractor.get('name')}/{extractor.get('version')}" if extractor else None
    previous = record.get("previous") or {}
    row["previous_version"] = previous.get("version")
    own = set(languages_in(names))
    other = []
    for section in record.get("sections") or []:
        if section["lang"] in own:
            for part in ("title", "byline", "text"):
                row[f"{part}_{section['lang']}"] = section.get(part)
        else:
            other.append(section)
    row["sections_other"] = json.dumps(other, ensure_ascii=False) if other else None
    archive = record.get("archive") or {}
    for name in ARCHIVE:
        row[f"archive_{name}"] = archive.get(name)
    return {name: row.get(name) for name in names}


def flatten_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A ``changes`` row: its lists joined like the others, in the fixed columns."""
    published, published_time = split_published(row.get("published"))
    row = {**row, "published": published, "published_time": published_time}
    return {
        name: SEPARATOR.join(map(str, value)) if isinstance(value, list) else value
        for name in SUMMARY
        for value in [row.get(name)]
    }
