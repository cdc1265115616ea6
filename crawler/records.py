"""What identifies the content of an extracted record, apart from the run that made it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from crawler.kinds import RELEASE, kind_from_words
from crawler.profiles import all_profiles

# Fields that describe a run (when, where archived, which version), not the release.
RUN_FIELDS = frozenset({"fetched", "archive", "version", "previous", "first_seen"})
# Left out of the digest too: what the capture was (HTML, JSON, PDF), not what it says; records
# written before the field existed keep their digests.
CAPTURE_FIELDS = frozenset({"source_type"})


def content_digest(record: dict[str, Any]) -> str:
    """``sha256:HEX`` of the record's content: canonical JSON without the run fields.

    The same page extracted by the same parser gives the same digest, live or from a WARC.
    """
    content = {k: v for k, v in record.items() if k not in RUN_FIELDS | CAPTURE_FIELDS}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_kind(record: dict[str, Any]) -> str:
    """A record's kind; one written before kinds existed gets the kind its URL names
    (its site profile's section, else the profile's own kind)."""
    kind = record.get("kind")
    if isinstance(kind, str) and kind:
        return kind
    profile = all_profiles().get(str(record.get("site")))
    if profile is not None:
        key = profile.article_key(str(record.get("url") or ""))
        return (key.kind if key is not None else None) or profile.kind
    return kind_from_words(str(record.get("url") or "")) or RELEASE


def with_kind(record: dict[str, Any]) -> dict[str, Any]:
    """A release record in today's form: ``kind``, ``updated`` and ``source_type`` filled
    when it predates them (in the schema's key order)."""
    if "kind" in record and "updated" in record and "source_type" in record:
        return record
    filled: dict[str, Any] = {}
    for name, value in record.items():
        filled[name] = value
        if name == "publisher":
            filled["kind"] = record_kind(record)
        if name == "published":
            filled.setdefault("updated", record.get("updated"))
    filled.setdefault("kind", record_kind(record))
    filled.setdefault("updated", None)
    # Before PDFs, only GOV.UK's Content API documents were not HTML.
    extractor = record.get("extractor") or {}
    filled.setdefault("source_type", "json" if extractor.get("name") == "govuk" else "html")
    return filled


# ---- status events ---------------------------------------------------------------------------
# A releases file holds two kinds of line: a version of a release (its record), and a change
# of a release's status with no new content, which names its event: ``gone`` (the
# publisher removed it: 404, 410, a not-found page) or ``returned`` (it answers again,
# unchanged). Exports read both, so a deletion reaches every view, incremental ones too.
GONE_EVENT, RETURNED_EVENT = "gone", "returned"
STATUS_EVENTS = {GONE_EVENT: "gone", RETURNED_EVENT: "live"}


def status_event(
    record_id: str, url: str, version: int, event: str, when: str, detail: str | None = None
) -> dict[str, Any]:
    """The line of a status change of release ``record_id`` (``site:article``) at ``version``."""
    if event not in STATUS_EVENTS:
        raise ValueError(f"unknown status event {event!r}")
    line: dict[str, Any] = {
        "id": record_id,
        "site": record_id.partition(":")[0],
        "url": url,
        "event": event,
        "status": STATUS_EVENTS[event],
        "status_changed": utc_moment(when),
        "version": version,
    }
    if detail:
        line["detail"] = detail
    return line


def utc_moment(value: str) -> str:
    """A moment as ``YYYY-MM-DDTHH:MM:SSZ``: UTC, whole seconds, one form for every
    ``status_changed`` (so they sort as text)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def is_status_event(record: dict[str, Any]) -> bool:
    return record.get("event") in STATUS_EVENTS
