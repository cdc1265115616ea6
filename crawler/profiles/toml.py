"""A profile as TOML, in the format of the bundled ``crawler/profiles/*.toml`` files.

Written by hand, not with a TOML writer: the file carries comments (what discovery found,
and why), which writers drop. Values are plain strings, integers and lists of them;
``tomllib`` reads the result back (a test checks the round trip).
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from . import Feed, Section, SiteProfile, profile_from_toml

# The keys written, in the order of the bundled files.
_KEYS = (
    "id",
    "publisher",
    "platform",
    "kind",
    "origin",
    "hosts",
    "article_paths",
    "legacy_article_paths",
    "listings",
    "listing_links",
    "print_module_ids",
    "portal_id",
    "languages",
    "date_order",
    "media_hosts",
    "licence",
    "default_kinds",
    "max_rate",
    "experimental",
    "article_pattern",
    "canonical_path",
    "twin_languages",
    "twin_path",
    "number_pattern",
    "content_selectors",
    "page_parameter",
    "page_offset",
)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string is a JSON string


def _defaults(cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in fields(cls)}


def profile_toml(profile: SiteProfile, notes: list[str] | None = None) -> str:
    """The profile as a TOML file; ``notes`` become comments at its top."""
    lines = [f"# {note}" for note in notes or []]
    defaults = _defaults(SiteProfile)
    for key in _KEYS:
        value = getattr(profile, key)
        if key in defaults and value == defaults[key] and key not in ("kind",):
            continue
        if value is None or value == ():
            continue
        lines.append(f"{key} = {_value(value)}")
    for section in profile.sections:
        lines += ["", "[[sections]]"]
        section_defaults = _defaults(Section)
        for name in (
            "kind",
            "article_paths",
            "legacy_article_paths",
            "listings",
            "print_module_ids",
        ):
            value = getattr(section, name)
            if name in section_defaults and value == section_defaults[name]:
                continue
            lines.append(f"{name} = {_value(value)}")
    for feed in profile.feeds:
        lines += ["", "[[feeds]]"]
        feed_defaults = _defaults(Feed)
        for name in ("content_type", "site", "category", "max", "kind", "url"):
            value = getattr(feed, name)
            if name in feed_defaults and value == feed_defaults[name] and name != "max":
                continue
            lines.append(f"{name} = {_value(value)}")
    return "\n".join(lines) + "\n"


# The WARC field that holds a profile found from a site's pages (warcinfo, metadata).
PROFILE_FIELD = "crawler-profile"


def profile_json(profile: SiteProfile) -> str:
    """The profile on one line, for a WARC record's fields (read back: ``profile_from_json``)."""
    return json.dumps(asdict(profile), ensure_ascii=False, separators=(",", ":"))


def profile_from_json(text: str) -> SiteProfile:
    return profile_from_toml(json.loads(text))


def profile_summary(profile: SiteProfile) -> dict[str, Any]:
    """What a run's report says of a discovered profile."""
    return {
        "id": profile.id,
        "origin": profile.origin,
        "article_paths": list(profile.article_paths),
        "listings": list(profile.listings),
        "feeds": [feed.path() for feed in profile.feeds],
        "other_sections": {s.kind: list(s.listings) for s in profile.sections},
    }
