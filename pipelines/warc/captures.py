"""What the crawl has captured, for revisit records to refer to.

By URI, the last whole 200 response (a 304 later confirms it; earlier runs' captures come
from the state store); by payload digest, the first capture of each payload (an identical
one later is stored once). A capture the crawl then refuses (a block page) is forgotten by
URI: a 304 must confirm content, never a block page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Capture:
    """A capture earlier in the crawl, for revisit records to refer to."""

    uri: str
    date: str
    record_id: str
    ref: dict[str, Any]

    @classmethod
    def of(cls, ref: dict[str, Any]) -> Capture:
        return cls(ref["target_uri"], ref["date"], ref["record_id"], ref)


class Captures:
    def __init__(self) -> None:
        self.by_uri: dict[str, Capture] = {}
        self.by_payload: dict[str, Capture] = {}
        # What each capture replaced in ``by_uri``, should it turn out to be refused.
        self._replaced: dict[str, Capture | None] = {}

    def remember(self, refs: Iterable[dict[str, Any]]) -> None:
        """Captures of earlier runs, so a 304 now becomes a revisit of the one it confirms."""
        for ref in refs:
            if ref.get("record_type") == "response" and ref.get("record_id"):
                self.by_uri.setdefault(ref["target_uri"], Capture.of(ref))

    def added(self, ref: dict[str, Any], status: int | None) -> None:
        """A whole response was archived (``ref``: where)."""
        capture = Capture.of(ref)
        if status == 200:
            self._replaced[capture.record_id] = self.by_uri.get(capture.uri)
            self.by_uri[capture.uri] = capture
        self.by_payload.setdefault(ref["payload_digest"], capture)

    def confirmed_by_304(self, uri: str) -> Capture | None:
        return self.by_uri.get(uri)

    def with_payload(self, digest: str) -> Capture | None:
        return self.by_payload.get(digest)

    def forget(self, ref: dict[str, Any]) -> None:
        """A refused capture is no page's content: a later 304 must not refer to it. (An
        identical block page later may: it is refused too.)"""
        record_id, uri = ref["record_id"], ref["target_uri"]
        current = self.by_uri.get(uri)
        if current is not None and current.record_id == record_id:
            earlier = self._replaced.get(record_id)
            if earlier is None:
                del self.by_uri[uri]
            else:
                self.by_uri[uri] = earlier
