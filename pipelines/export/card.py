"""The dataset card written beside every export (Markdown): what is in it and under what terms.

Built from the records and the JSON Schema only, so the same export gives the same card.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from crawler.profiles import all_profiles
from pipelines.validate import load_schema


def _types(spec: dict[str, Any]) -> str:
    kind = spec.get("type") or ("enum" if "enum" in spec else "object")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds and isinstance(spec.get("items"), dict):
        inner = spec["items"].get("type", "object")
        kinds = [f"array of {inner}" if k == "array" else k for k in kinds]
    return " or ".join(kinds)


def _table(counter: Counter[str], heading: str) -> list[str]:
    lines = [f"| {heading} | records |", "|---|---|"]
    lines += [f"| {key} | {count} |" for key, count in sorted(counter.items())]
    return lines


def dataset_card(
    records: list[dict[str, Any]],
    *,
    path_name: str,
    fmt: str,
    view: str,
    filters: dict[str, str | None],
    summary: bool,
    incremental: bool = False,
) -> str:
    schema = load_schema("release.schema.json")
    lines = [
        f"# Dataset card: {path_name}",
        "",
        f"Defense press releases, exported as **{fmt}**, view **{view}** ({len(records)} rows).",
        "",
    ]
    chosen = {k: v for k, v in filters.items() if v}
    lines += [f"Filters: {', '.join(f'{k}={v}' for k, v in chosen.items()) or 'none'}.", ""]
    if incremental:
        lines += [
            f"Incremental: only what was written since the last export to this path (its "
            f"cursor is `{path_name}.cursor.json`); keep every day's file for the whole.",
            "",
        ]
    if summary:
        lines += [
            "Each row is a release edited or removed after it was first seen: how many "
            "versions, when it changed, which fields and language sections changed, how "
            "similar the latest text is to the first (difflib ratio, 1.0 = identical), its "
            "status now and when it was removed.",
            "",
        ]
    sites = Counter(str(r.get("site")) for r in records)
    published = sorted(str(r["published"])[:10] for r in records if r.get("published"))
    fetched = sorted(str(r["fetched"]) for r in records if r.get("fetched"))
    if not summary:
        lines += ["## Counts", ""]
        lines += [*_table(sites, "site"), ""]
        lines += [*_table(Counter(str(r.get("language")) for r in records), "primary language"), ""]
        sections = Counter(lang for r in records for lang in r.get("languages") or [])
        lines += [*_table(sections, "language of a section"), ""]
        statuses = Counter(str(r["status"]) for r in records if r.get("status"))
        if statuses:
            lines += [*_table(statuses, "status"), ""]
        events = Counter(str(r["event"]) for r in records if r.get("event"))
        if events:
            lines += [*_table(events, "event"), ""]
        lines += [*_table(Counter(p[:4] for p in published), "year published"), ""]
        lines += [
            f"Published: {published[0] if published else '-'} to "
            f"{published[-1] if published else '-'}; "
            f"{sum(1 for r in records if not r.get('published'))} records state no date.",
            f"Crawled: {fetched[0] if fetched else '-'} to {fetched[-1] if fetched else '-'}.",
            "",
        ]
        lines += ["## Fields", "", "| field | type | description |", "|---|---|---|"]
        for name, spec in schema["properties"].items():
            description = str(spec.get("description", "")).replace("|", "\\|")
            lines.append(f"| `{name}` | {_types(spec)} | {description} |")
        lines += [""]
        warcs = sorted({str(r["archive"]["warc"]) for r in records if r.get("archive")})
        lines += [
            "## Archive",
            "",
            f"{sum(1 for r in records if r.get('archive'))} records point at their capture "
            f"(`archive`: WARC file, offset, length, record id, payload digest), in "
            f"{len(warcs)} WARC files:",
            "",
        ]
        lines += [f"- `{name}`" for name in warcs] + [""]
    profiles = all_profiles()
    lines += ["## Sources and licences", ""]
    for site in sorted(sites):
        profile = profiles.get(site)
        if profile is None:
            lines.append(f"- **{site}**: terms not recorded; check the publisher's site.")
        else:
            lines.append(f"- **{profile.publisher}** ({profile.origin}): {profile.licence}")
    lines += [
        "",
        "Photographs and documents a release links may carry their own credits and "
        "terms; the records hold only their URLs.",
        "",
    ]
    return "\n".join(lines)
