"""An article's validators (ETag, Last-Modified), held from its fetch until its outcome.

The spider notes them when the page arrives; the pipeline that records the outcome (a
new line, or "unchanged") takes them, so they reach the store in the same transaction as
the version they stand for. A version that never gets that far (invalid, a kill) leaves
the old validators in place, and the next revisit fetches the page again.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

Validators = tuple[str | None, str | None]

_HELD: WeakKeyDictionary[Crawler, dict[str, Validators]] = WeakKeyDictionary()


def note_validators(crawler: Crawler, record_id: str, validators: Validators) -> None:
    _HELD.setdefault(crawler, {})[record_id] = validators


def take_validators(crawler: Crawler, record_id: str) -> Validators:
    return _HELD.get(crawler, {}).pop(record_id, (None, None))
