"""Faults a test can put on any path of the mirror: what real servers and proxies do to us.

``/__mirror/fault?path=P&kind=K[&times=N][&retry_after=S]`` makes the next N requests
(default 1; 0 = every one) whose path and query equal ``P`` (case-insensitive; a trailing
``*`` matches any path that starts with the rest) answer with fault ``K`` instead of the
page. ``/__mirror/fault?clear=1`` removes every fault. Kinds:

- ``akamai``: Akamai's 200 "Access Denied" block page;
- ``cloudflare``: Cloudflare's 503 "Just a moment..." challenge;
- ``module_error``: the DNN page with the ArticleCS module error, served with 200;
- ``empty``: a 200 page with the site's chrome and no article links (a JavaScript shell);
- ``truncated``: the page itself, cut to two fifths, as a whole 200 response (a proxy or a
  CMS that sent part of the page);
- ``other``: an article URL answers with the next listed release's page (a cache mix-up);
- ``half``: a listing page with half its items left out, its pager kept;
- a status code (``404``, ``410``, ``429``, ``500``, ``502``, ``503``): an error page with it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

KINDS = ("akamai", "cloudflare", "module_error", "empty", "truncated", "other", "half")
STATUSES = (404, 410, 429, 500, 502, 503)


@dataclass
class Fault:
    pattern: str  # lower-cased path and query; a trailing "*" matches a prefix
    kind: str
    remaining: int | None  # None: every request
    retry_after: str | None = None

    def matches(self, target: str) -> bool:
        if self.pattern.endswith("*"):
            return target.startswith(self.pattern[:-1])
        return target == self.pattern


@dataclass
class Faults:
    """The faults of one site, consumed as requests arrive (thread-safe)."""

    active: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, pattern: str, kind: str, times: int, retry_after: str | None) -> Fault:
        if kind not in KINDS and not (kind.isdigit() and int(kind) in STATUSES):
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}, {STATUSES}")
        fault = Fault(pattern.lower(), kind, times or None, retry_after)
        with self.lock:
            self.active.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.active.clear()

    def take(self, target: str) -> Fault | None:
        """The first fault for this path and query, counted as used."""
        target = target.lower()
        with self.lock:
            for fault in self.active:
                if fault.matches(target):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self.active.remove(fault)
                    return fault
        return None
