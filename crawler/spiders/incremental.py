"""What a spider needs from the state store to crawl only what is new.

Wraps the store for one site: which releases are known, the validators to send with a
conditional GET, the cursor of an interrupted listing walk, what to revisit. Without a
store (``STATE_ENABLED`` off) nothing is known and every request is unconditional.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from scrapy.http import Response

from pipelines.state.store import KnownRelease, StateStore

NOT_MODIFIED = 304


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def validators(response: Response) -> tuple[str | None, str | None]:
    etag = response.headers.get(b"ETag")
    modified = response.headers.get(b"Last-Modified")
    return (
        etag.decode("latin-1") if etag else None,
        modified.decode("latin-1") if modified else None,
    )


def parse_revisit(value: str | None) -> int | bool:
    """``all`` -> True, ``DAYS`` -> int, nothing -> False."""
    if value in (None, "", "0", "no", "false"):
        return False
    assert value is not None
    if value.lower() == "all":
        return True
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise ValueError(f"-a revisit must be 'all' or a number of days, got {value!r}")


class SiteState:
    def __init__(self, store: StateStore | None, site: str) -> None:
        self.store = store
        self.site = site
        self.known: set[str] = store.known_ids(site) if store else set()
        # What earlier runs knew: a listing page is "old" only by this, not by what another
        # source (the feed) found earlier in this run.
        self.known_before = frozenset(self.known)

    # ---- releases ----------------------------------------------------------------------------

    def is_known(self, article_id: str) -> bool:
        return article_id in self.known

    def discover(self, article_id: str, url: str) -> None:
        self.known.add(article_id)
        if self.store is not None:
            self.store.discover(self.site, article_id, url)

    def pending(self, retry_refused_after: timedelta | None) -> list[tuple[str, str]]:
        """Releases an earlier run found but did not emit: it was killed, or they were refused
        (tried again once ``retry_refused_after`` has passed; None: now)."""
        if self.store is None:
            return []
        cutoff = datetime.now(UTC) - (retry_refused_after or timedelta(0))
        return self.store.pending(self.site, cutoff.isoformat(timespec="seconds"))

    def refused(self, article_id: str) -> None:
        if self.store is not None:
            self.store.refused(self.site, article_id, now())

    def to_revisit(self, revisit: int | bool) -> list[KnownRelease]:
        if self.store is None or revisit is False:
            return []
        since = None
        if revisit is not True:
            since = (date.today() - timedelta(days=int(revisit))).isoformat()
        return self.store.live(self.site, since)

    def fetched(self, article_id: str, response: Response) -> None:
        """Keep the article's validators for the next conditional GET."""
        if self.store is not None:
            etag, modified = validators(response)
            self.store.checked(self.site, article_id, now(), etag, modified)

    def not_modified(self, article_id: str, capture: dict[str, Any] | None) -> None:
        if self.store is not None:
            self.store.checked(self.site, article_id, now(), None, None, capture)

    def gone(self, article_id: str) -> None:
        if self.store is not None:
            self.store.gone(self.site, article_id, now())

    # ---- listing and feed sources ------------------------------------------------------------

    def source_headers(self, source: str) -> dict[str, str]:
        if self.store is None:
            return {}
        return conditional_headers(*self.store.source(self.site, source))

    def source_fetched(self, source: str, response: Response) -> None:
        if self.store is not None:
            capture = response.meta.get("archive")
            self.store.set_source(self.site, source, *validators(response), now(), capture)

    def walk_cursor(self, source: str) -> int | None:
        return self.store.walk(self.site, source) if self.store else None

    def walk_at(self, source: str, next_page: int | None) -> None:
        if self.store is not None:
            self.store.set_walk(self.site, source, next_page)
