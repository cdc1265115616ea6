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

And what hostile or broken servers do on the wire and in the bytes:

- ``reset``: the headers and half the body, then a TCP reset;
- ``short``: a Content-Length the body never reaches, then the connection closes;
- ``stall``: the headers, then nothing for ``seconds`` (default 30) before closing;
- ``loop``: a 302 to the same URL; ``offsite``: a 302 to ``http://offsite.invalid/...``;
- ``charset``: the page's UTF-8 bytes declared ``Shift_JIS`` (header and ``<meta>``);
  ``nocharset``: no charset declared anywhere;
- ``huge``: the page padded to ``size`` bytes (default 50 MB);
- ``malformed``: the page with its closing ``</p>``/``</div>`` tags dropped and stray
  bytes inserted;
- ``aliases``: a listing page linking each release under several URLs (another slug,
  another case, ``http``, a query string);
- ``endless``: a listing whose every ``?Page=N`` answers with items and links page N+1;
- ``stale``: a listing page answered with page 1 (a cache that ignores the query string);
- ``empty_body``: a 200 with an empty body; ``badgzip``: ``Content-Encoding: gzip`` on a
  body that is not;
- ``xxe`` / ``laughs``: the feed with an external entity / a billion-laughs DTD.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

KINDS = (
    "akamai",
    "cloudflare",
    "module_error",
    "empty",
    "truncated",
    "other",
    "half",
    "restyled",  # an article in markup no selector knows (a site redesign)
)
WIRE = ("reset", "short", "stall", "loop", "offsite")
BYTES = (
    "charset",
    "nocharset",
    "huge",
    "malformed",
    "aliases",
    "endless",
    "stale",
    "empty_body",
    "badgzip",
    "xxe",
    "laughs",
)
STATUSES = (404, 410, 429, 500, 502, 503)


@dataclass
class Fault:
    pattern: str  # lower-cased path and query; a trailing "*" matches a prefix
    kind: str
    remaining: int | None  # None: every request
    retry_after: str | None = None
    seconds: float = 30.0  # stall
    size: int = 50 * 1024 * 1024  # huge

    def matches(self, target: str) -> bool:
        if self.pattern.endswith("*"):
            return target.startswith(self.pattern[:-1])
        return target == self.pattern


@dataclass
class Faults:
    """The faults of one site, consumed as requests arrive (thread-safe)."""

    active: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self, pattern: str, kind: str, times: int, retry_after: str | None, **extra: float
    ) -> Fault:
        known = (*KINDS, *WIRE, *BYTES)
        if kind not in known and not (kind.isdigit() and int(kind) in STATUSES):
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(known)}, {STATUSES}")
        fault = Fault(pattern.lower(), kind, times or None, retry_after)
        if "seconds" in extra:
            fault.seconds = float(extra["seconds"])
        if "size" in extra:
            fault.size = int(extra["size"])
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
