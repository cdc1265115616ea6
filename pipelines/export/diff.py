"""What changed between two versions of a release: per field and per language section."""

from __future__ import annotations

import difflib
from itertools import pairwise
from typing import Any

from crawler.records import utc_moment

COMPARED = ("title", "number", "published", "dateline", "tags")


def _lines(text: str | None) -> list[str]:
    return [line + "\n" for line in (text or "").split("\n")]


def section_texts(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["lang"]: s for s in record.get("sections") or []}


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Structured differences: changed fields, and a unified text diff per section."""
    fields = {
        name: {"from": old.get(name), "to": new.get(name)}
        for name in COMPARED
        if old.get(name) != new.get(name)
    }
    sections: dict[str, Any] = {}
    before, after = section_texts(old), section_texts(new)
    for lang in sorted(set(before) | set(after)):
        a, b = before.get(lang, {}), after.get(lang, {})
        changes: dict[str, Any] = {}
        for part in ("title", "byline"):
            if a.get(part) != b.get(part):
                changes[part] = {"from": a.get(part), "to": b.get(part)}
        unified = "".join(
            difflib.unified_diff(
                _lines(a.get("text")),
                _lines(b.get("text")),
                fromfile=f"{old['id']} v{old.get('version', 1)} [{lang}]",
                tofile=f"{new['id']} v{new.get('version', 1)} [{lang}]",
            )
        )
        if unified:
            changes["text"] = unified
            changes["similarity"] = round(
                difflib.SequenceMatcher(None, a.get("text") or "", b.get("text") or "").ratio(), 4
            )
        if changes:
            sections[lang] = changes
    return {
        "id": new["id"],
        "from_version": old.get("version", 1),
        "to_version": new.get("version", 1),
        "from_fetched": old.get("fetched"),
        "to_fetched": new.get("fetched"),
        "fields": fields,
        "sections": sections,
    }


def unified_text(diff: dict[str, Any]) -> str:
    """The diff as text: changed fields, then each section's unified diff."""
    lines = [
        f"{diff['id']}: version {diff['from_version']} ({diff['from_fetched']}) -> "
        f"version {diff['to_version']} ({diff['to_fetched']})"
    ]
    for name, change in diff["fields"].items():
        lines.append(f"{name}: {change['from']!r} -> {change['to']!r}")
    for lang, changes in diff["sections"].items():
        for part in ("title", "byline"):
            if part in changes:
                lines.append(
                    f"[{lang}] {part}: {changes[part]['from']!r} -> {changes[part]['to']!r}"
                )
        if "text" in changes:
            lines.append(changes["text"].rstrip("\n"))
    if len(lines) == 1:
        lines.append("(no difference in the compared fields)")
    return "\n".join(lines) + "\n"


def change_summary(
    versions: list[dict[str, Any]],
    statuses: list[dict[str, Any]] | None = None,
    status: str = "live",
    status_changed: str | None = None,
) -> dict[str, Any]:
    """One row of ``--view changes``: a release edited or removed after it was first seen,
    when and how much, and its status now."""
    first, last = versions[0], versions[-1]
    steps = [diff_versions(a, b) for a, b in pairwise(versions)]
    primary = str(last.get("language") or "")
    similarity = difflib.SequenceMatcher(
        None, first.get("text") or "", last.get("text") or ""
    ).ratio()
    return {
        "id": last["id"],
        "site": last.get("site"),
        "url": last.get("url"),
        "kind": last.get("kind"),
        "title": last.get("title"),
        "published": last.get("published"),
        "versions": len(versions),
        "first_seen": first.get("first_seen") or first.get("fetched"),
        "changed": [s["to_fetched"] for s in steps],
        "fields_changed": sorted({name for s in steps for name in s["fields"]}),
        "sections_changed": sorted({lang for s in steps for lang in s["sections"]}),
        "text_similarity": round(similarity, 4),
        "text_chars_delta": len(last.get("text") or "") - len(first.get("text") or ""),
        "language": primary,
        "status": status,
        "status_changed": status_changed,
        "removed": [
            utc_moment(e["status_changed"]) for e in statuses or [] if e["status"] == "gone"
        ],
    }
