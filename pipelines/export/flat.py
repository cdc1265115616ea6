"""Flat rows (CSV, SQLite) from nested records, the same way for every export.

Lists become `` | ``-joined text (``tags``, ``languages``, ``documents``); bylines read
``name (role)``; images give ``image_urls`` and ``image_captions``; each language section
becomes ``title_<lang>``, ``byline_<lang>``, ``text_<lang>``; ``archive`` becomes
``archive_*`` columns; ``previous`` its version number; ``status`` (live, gone, …) comes
from the state store.
"""

from __future__ import annotations

from typing import Any

SEPARATOR = " | "
SCALARS = (
    "id",
    "url",
    "site",
    "publisher",
    "title",
    "number",
    "published",
    "dateline",
    "language",
    "text",
    "fetched",
    "version",
    "first_seen",
    "status",
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


def languages_of(records: list[dict[str, Any]]) -> list[str]:
    """Section languages in the export, primary English first, then alphabetical."""
    found = {s["lang"] for r in records for s in r.get("sections") or []}
    return sorted(found, key=lambda lang: (lang != "en", lang))


def columns(records: list[dict[str, Any]]) -> list[str]:
    names = [
        *SCALARS,
        "tags",
        "languages",
        "bylines",
        "image_urls",
        "image_captions",
        "documents",
        "extractor",
        "previous_version",
    ]
    for lang in languages_of(records):
        names += [f"title_{lang}", f"byline_{lang}", f"text_{lang}"]
    return names + [f"archive_{name}" for name in ARCHIVE]


def _byline(byline: dict[str, Any]) -> str:
    name, role = byline.get("name"), byline.get("role")
    return f"{name} ({role})" if name and role else str(name or role or "")


def flatten(record: dict[str, Any], names: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {name: record.get(name) for name in SCALARS}
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
    for section in record.get("sections") or []:
        for part in ("title", "byline", "text"):
            row[f"{part}_{section['lang']}"] = section.get(part)
    archive = record.get("archive") or {}
    for name in ARCHIVE:
        row[f"archive_{name}"] = archive.get(name)
    return {name: row.get(name) for name in names}


def flatten_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A ``changes`` row: its lists joined like the others."""
    return {k: SEPARATOR.join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}
