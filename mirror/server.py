"""Serve the mirror: one loopback origin per site, real paths, real HTTP behaviour.

``python -m mirror`` binds each site to a free port on 127.0.0.1, prints one JSON line
mapping site ids to origins, and serves until interrupted. Pages carry ETag and
Last-Modified, answer conditional requests with 304 and are gzipped on request, as the
real sites behind Akamai are.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import socket
import struct
import threading
import time
from dataclasses import replace
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qsl, urlsplit

from . import render
from .faults import BYTES, Fault
from .pages import content_type_of
from .site import (
    BASE_MODIFIED,
    BLOCKED,
    GONE,
    MODULE_ERROR,
    OK,
    PRINT_ONLY,
    MirrorRelease,
    MirrorSite,
)

# Page styles cycle by position so each site serves <p>, Word-paste and <br> bodies.
_STYLES = ("p", "word", "p", "br")


class MirrorHandler(BaseHTTPRequestHandler):
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    site: MirrorSite  # set on the per-site subclass

    def log_message(self, format: str, *args: object) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    # ---- routing -----------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        # One handler serves every request of a kept-alive connection: start each from the
        # site itself (a request to a section, below, routes to it for that request only).
        self.site = type(self).site
        parts = urlsplit(self.path)
        path = re.sub(r"/{2,}", "/", parts.path)
        query = {k.lower(): v for k, v in parse_qsl(parts.query)}
        profile = self.site.profile
        if path.startswith("/__mirror/"):
            return self._control(path.removeprefix("/__mirror/"), query)
        fault = self.site.faults.take(path + (f"?{parts.query}" if parts.query else ""))
        self.fault = fault  # a fault on the page's bytes or on the wire (_send, _write)
        kind = fault.kind if fault is not None else ""
        self.cut_short = kind == "truncated"
        self.other_page = kind == "other"
        self.restyled = kind == "restyled"
        self.half = kind == "half"
        self.note = f" fault:{kind}" if fault is not None else ""  # in the served log
        if kind in ("loop", "offsite"):
            return self._redirect(kind)
        if fault is not None and kind not in _ON_PAGE:
            return self._fault(fault)
        origin = f"http://{self.headers.get('Host', '127.0.0.1')}"
        if self.site.nav and path == "/":
            return self._send(200, render.home(self.site), modified=self.site.last_modified())
        if path in self.site.pages_by_path:
            return self._send(200, render.plain_page(self.site, path))
        self.site = self.site.route(path)  # a section of a site described by no profile
        profile = self.site.profile
        if profile.platform == "govuk" and path != "/robots.txt":
            return self._govuk(path, origin)
        if self.site.files and path != "/robots.txt":
            return self._file(path, parts.query)
        if path == "/robots.txt":
            return self._send(
                200, render.robots_txt(self.site, origin), "text/plain; charset=utf-8"
            )
        if path.lower() == profile.listings[0].lower():
            number = int(query.get("page", "1") or 1) if query.get("page", "1").isdigit() else 1
            return self._send(
                200,
                render.listing(
                    self.site,
                    1 if kind == "stale" else number,
                    half=self.half,
                    aliases=kind == "aliases",
                    endless=kind == "endless",
                ),
                modified=self.site.last_modified(),
            )
        if path.lower() == "/desktopmodules/articlecs/rss.ashx":
            feed = next((f for f in profile.feeds if str(f.site) == query.get("site")), None)
            if feed and str(feed.content_type) == query.get("contenttype"):
                document = render.rss(self.site, origin)
                if kind in ("xxe", "laughs"):
                    document = render.hostile_feed(document, kind)
                return self._send(
                    200,
                    document,
                    "application/rss+xml; charset=utf-8",
                    modified=self.site.last_modified(),
                )
            return self._not_found()
        if path.lower() == "/desktopmodules/articlecs/print.aspx":
            return self._print_view(query)
        if _MEDIA.match(path):  # media.defense.gov paths, served here for a mirror crawl
            return self._send(200, _placeholder_jpeg(path), "image/jpeg")
        if path.lower().endswith(".pdf"):
            return self._send(200, _placeholder_pdf(path), "application/pdf")
        key = profile.article_key(path)
        if key is not None:
            release = self.site.find(int(key[0]))
            if release is None:
                return self._not_found()
            return self._article(release)
        return self._not_found()

    def _article(self, release: MirrorRelease) -> None:
        if release.status == GONE:
            html = render.page(
                self.site, "410 - Gone", "<h1>Gone</h1><p>This article was removed.</p>"
            )
            return self._send(410, html, cache=False)
        fails = self.site.fails_now(release)
        if release.status == PRINT_ONLY or (release.status == BLOCKED and fails):
            return self._send(
                200,
                render.akamai_block(f"https://{self.site.profile.host}{self.path}"),
                extra={"Server": "AkamaiGHost"},
                cache=False,
            )
        if self.other_page:  # the "other" fault: a cache mix-up serves the next release
            listed = self.site.listed()
            release = listed[(listed.index(release) + 1) % len(listed)]
        if self.restyled:  # a redesign: the page is there, in markup no selector knows
            story = "".join(f"<span class='para'>{p}</span><br/>" for p in release.paragraphs)
            html = render.page(
                self.site, release.title, f"<section class='story'>{story}</section>"
            )
            return self._send(200, html, cache=False)
        index = self.site.releases.index(release)
        if release.status == MODULE_ERROR and not fails:
            release = replace(release, status=OK)
        style = _STYLES[index % len(_STYLES)] if not release.dateline_paragraph else "p"
        if self.site.id == "afmil" or self.site.skin == "display":
            html = render.article_display(self.site, release, style)
        else:
            html = render.article_view(self.site, release, style, index)
        self._send(200, html, modified=release.modified)

    def _govuk(self, path: str, origin: str) -> None:
        """GOV.UK: the Atom feed of news and communications, and Content API documents."""
        if path == "/search/news-and-communications.atom":
            feed = render.govuk_atom(self.site, origin)
            return self._send(200, feed, "application/atom+xml; charset=utf-8")
        document = self.site.documents.get(path.removeprefix("/api/content"))
        if not path.startswith("/api/content/") or document is None:
            return self._json({"error": {"code": "404", "message": "not found"}}, 404)
        self._send(200, document, "application/json; charset=utf-8")

    def _file(self, path: str, query: str) -> None:
        """A publisher on its own CMS: its pages, feeds and PDFs as files (mirror/pages.py)."""
        body = self.site.files.get(f"{path}?{query}" if query else path)
        if body is None:
            # Any other query (a feed's options) serves the path's file; a page by offset does not.
            body = (
                self.site.files.get(path) if "start=" not in query or "start=0" in query else None
            )
        if body is None:
            html = render.page(self.site, "Not found", "<h1>Page not found</h1>")
            return self._send(404, html, cache=False)
        self._send(200, body, content_type_of(path, body))

    def _print_view(self, query: dict[str, str]) -> None:
        article = query.get("article", "")
        release = self.site.find(int(article)) if article.isdigit() else None
        if release is None or release.print_file is None:
            return self._not_found()
        body = resources.files("mirror").joinpath("content", "afmil-print", release.print_file)
        self._send(200, body.read_bytes())

    def _control(self, action: str, query: dict[str, str]) -> None:
        """Change the site as its publisher would (not linked from any page)."""
        site = self.site
        if action == "requests":  # what the mirror served since the last reset
            served = list(site.served)
            if query.get("reset"):
                site.served.clear()
            return self._json(served)
        if action == "releases":  # what the listing holds now, pinned ones included
            listed = [*site.pinned(), *site.listed()]
            return self._json([{"id": r.id, "status": r.status} for r in listed])
        if action == "fault":  # the next requests to a path get a fault (mirror/faults.py)
            if query.get("clear"):
                site.faults.clear()
                return self._json({"cleared": True})
            try:
                extra = {k: float(query[k]) for k in ("seconds", "size") if k in query}
                fault = site.faults.add(
                    query.get("path", ""),
                    query.get("kind", ""),
                    int(query.get("times", "1")),
                    query.get("retry_after"),
                    **extra,
                )
            except ValueError as error:
                return self._json({"error": str(error)}, 400)
            return self._json({"path": fault.pattern, "kind": fault.kind})
        if action == "add":
            added = site.add(int(query.get("count", "1")))
            return self._json([r.id for r in added])
        if action in ("edit", "delete", "restore"):
            article = query.get("id", "")
            change = {"edit": site.edit, "delete": site.delete, "restore": site.restore}[action]
            changed = change(int(article)) if article.isdigit() else None
            if changed is None:
                return self._json({"error": f"no release {article!r}"}, 404)
            return self._json({"id": changed.id, "status": changed.status})
        return self._json({"error": f"unknown control {action!r}"}, 404)

    def _fault(self, fault: Fault) -> None:
        """Answer with a fault instead of the page (never cached, never gzipped)."""
        url = f"https://{self.site.profile.host}{self.path}"
        extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        if fault.kind == "akamai":
            status, body = 200, render.akamai_block(url)
            extra["Server"] = "AkamaiGHost"
        elif fault.kind == "cloudflare":
            status, body = 503, render.cloudflare_challenge()
            extra.update({"Server": "cloudflare", "cf-mitigated": "challenge"})
        elif fault.kind == "module_error":
            status, body = 200, render.module_error(self.site)
        elif fault.kind == "empty":
            status, body = 200, render.javascript_shell(self.site)
        else:
            status = int(fault.kind)
            title = f"{status} - Error"
            body = render.page(self.site, title, f"<h1>{title}</h1><p>Please try again.</p>")
        self._write(status, body.encode("utf-8"), {"Content-Type": "text/html", **extra})

    def _redirect(self, kind: str) -> None:
        """A redirect to itself (a loop) or to a host that is not the site's."""
        target = self.path if kind == "loop" else f"http://offsite.invalid{self.path}"
        self._write(302, b"", {"Location": target, "Content-Type": "text/html"})

    def _json(self, value: object, status: int = 200) -> None:
        self._write(
            status, json.dumps(value).encode(), {"Content-Type": "application/json"}, log=False
        )

    def _not_found(self) -> None:
        html = render.page(
            self.site,
            "404 - Page Not Found",
            "<h1>404 - Page Not Found</h1><p>The page you requested was not found.</p>",
        )
        self._send(404, html, cache=False)

    # ---- HTTP ------------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        extra: dict[str, str] | None = None,
        cache: bool = True,
        modified: int = BASE_MODIFIED,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        if getattr(self, "cut_short", False):  # the "truncated" fault: a whole response
            data, cache = data[: len(data) * 2 // 5], False
        fault = getattr(self, "fault", None)
        if fault is not None and fault.kind in _ON_BYTES and status == 200:
            data, content_type = _spoil(fault, data, content_type)
            cache = False
        headers = {"Content-Type": content_type, "Cache-Control": "private"}
        if cache:
            etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            headers.update({"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True)})
            if status == 200 and self._not_modified(etag, modified):
                self._write(304, b"", headers)
                return
        headers.update(extra or {})
        spoiled = fault is not None and fault.kind in ("huge", "badgzip")
        if "gzip" in self.headers.get("Accept-Encoding", "") and len(data) > 256 and not spoiled:
            data = gzip.compress(data, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        if fault is not None and fault.kind == "badgzip" and status == 200:
            headers["Content-Encoding"] = "gzip"  # on a body that is not
        self._write(status, data, headers)

    def _not_modified(self, etag: str, modified: int) -> bool:
        """RFC 9110: If-None-Match decides when present, else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _write(self, status: int, data: bytes, headers: dict[str, str], log: bool = True) -> None:
        if log:
            note = getattr(self, "note", "")
            self.site.served.append(f"{self.command} {self.path} {status}{note}")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        fault = getattr(self, "fault", None)
        if fault is not None and fault.kind in ("reset", "short", "stall") and log:
            return self._misbehave(fault, data)
        if self.command != "HEAD" and status != 304:
            self.wfile.write(data)

    def _misbehave(self, fault: Fault, data: bytes) -> None:
        """What a broken server or proxy does on the wire, after a normal status line."""
        if fault.kind == "stall":
            self.wfile.flush()
            time.sleep(fault.seconds)
        else:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
        if fault.kind == "reset":  # SO_LINGER 0: close() sends a RST, not a FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True


_ON_PAGE = ("truncated", "other", "half", "restyled", *BYTES, "reset", "short", "stall")
_ON_BYTES = ("charset", "nocharset", "huge", "malformed", "empty_body")


def _spoil(fault: Fault, data: bytes, content_type: str) -> tuple[bytes, str]:
    """The page's bytes and type as a broken server sends them (mirror/faults.py)."""
    if fault.kind == "charset":
        data = data.replace(b'<meta charset="utf-8" />', b'<meta charset="shift_jis" />')
        return data, "text/html; charset=Shift_JIS"
    if fault.kind == "empty_body":
        return b"", content_type
    if fault.kind == "nocharset":
        return data.replace(b'<meta charset="utf-8" />', b""), "text/html"
    if fault.kind == "huge":
        padding = b"<!--" + b" " * max(fault.size - len(data) - 7, 0) + b"-->"
        return data.replace(b"</body>", padding + b"</body>", 1), content_type
    # malformed: closing tags dropped, stray bytes after <body>
    data = re.sub(rb"</(?:p|div)>", b"", data)
    return data.replace(b"<body>", b"<body>\xff\xfe\x00<", 1), content_type


_MEDIA = re.compile(r"^/\d{4}/[A-Za-z]{3}/\d{2}/\d+/")


def _placeholder_jpeg(path: str) -> bytes:
    """A small JPEG-framed file naming its path (SOI, a COM segment, EOI): distinct per image."""
    comment = f"mirror placeholder for {path}".encode()
    return b"\xff\xd8\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + b"\xff\xd9"


def _placeholder_pdf(path: str) -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n% mirror placeholder for "
        + path.encode()
        + b"\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def serve(
    sites: dict[str, MirrorSite], host: str = "127.0.0.1", verbose: bool = False
) -> dict[str, ThreadingHTTPServer]:
    """Start one server thread per site on a free port; return them keyed by site id."""
    servers: dict[str, ThreadingHTTPServer] = {}
    for site_id, site in sites.items():
        handler = type(f"{site_id.title()}Handler", (MirrorHandler,), {"site": site})
        server = ThreadingHTTPServer((host, 0), handler)
        server.daemon_threads = True
        server.verbose = verbose  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, name=f"mirror-{site_id}", daemon=True).start()
        servers[site_id] = server
    return servers


def origin_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"
