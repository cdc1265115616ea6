"""An HTTP/1.1 server written by hand so every byte it sends is chosen, and logged.

``python -m tests.mockserver.wire LOG`` binds 127.0.0.1 on a free port, prints its URL and
appends one JSON line per exchange to LOG: the path and the exact bytes it read (the
request) and wrote (the response), base64. Tests compare WARC blocks with them.
"""

from __future__ import annotations

import base64
import gzip
import json
import socket
import socketserver
import sys
import threading
import zlib
from collections.abc import Callable

import brotli

HTML = "<html><head><title>{0}</title></head><body><h1>{0}</h1><p>{1}</p></body></html>"
LATIN1_PAGE = "<html><head><meta charset='iso-8859-1'><title>Caf\xe9</title></head><body>\xc0 la carte, na\xefve, \xa9 2016</body></html>"
# A small but valid PDF, with bytes that are not text.
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _response(
    status: str, headers: list[tuple[str, str]], body: bytes, length: bool = True
) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _html(title: str, text: str = "") -> bytes:
    return HTML.format(title, text or title).encode()


def route(path: str) -> tuple[bytes, bool]:
    """The exact response bytes for a request path, and whether to close afterwards."""
    base, _, _query = path.partition("?")
    html = [("Content-Type", "text/html; charset=utf-8")]
    if base == "/robots.txt":
        return _response(
            "200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n"
        ), False
    if base == "/gzip":
        body = gzip.compress(_html("gzip body") * 20, mtime=0)
        return _response(
            "200 OK", [*html, ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")], body
        ), False
    if base == "/deflate":
        body = zlib.compress(_html("deflate body") * 20)
        return _response("200 OK", [*html, ("Content-Encoding", "deflate")], body), False
    if base == "/chunked":
        page = _html("chunked body", "x" * 300)
        chunks = [page[:100], page[100:257], page[257:]]
        body = b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + b"0\r\n\r\n"
        return _response(
            "200 OK", [*html, ("Transfer-Encoding", "chunked")], body, length=False
        ), False
    if base == "/reason":
        return _response("200 Everything Is Fine Here", html, _html("unusual reason")), False
    if base == "/headers":
        headers = [
            ("content-type", "text/html; charset=utf-8"),
            ("X-MiXeD-CaSe", "Value"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; Path=/; HttpOnly"),
            ("set-cookie", "c=3"),
            ("X-Repeated", "one"),
            ("X-Repeated", "two"),
        ]
        return _response("200 OK", headers, _html("headers")), False
    if base == "/query":
        return _response("200 OK", html, _html("query", path)), False
    if base.startswith("/redirect/"):
        hops = int(base.rsplit("/", 1)[1])
        target = f"/redirect/{hops - 1}" if hops > 1 else "/final"
        return _response(
            "302 Found", [("Location", target), ("Content-Type", "text/html")], b""
        ), False
    if base == "/final":
        return _response("200 OK", html, _html("end of the redirect chain")), False
    if base == "/500":
        return _response("500 Internal Server Error", html, _html("server error")), False
    if base == "/pdf":
        return _response("200 OK", [("Content-Type", "application/pdf")], PDF), False
    if base == "/latin1":
        return _response(
            "200 OK",
            [("Content-Type", "text/html; charset=iso-8859-1")],
            LATIN1_PAGE.encode("latin-1"),
        ), False
    if base == "/close-delimited":
        return _response(
            "200 OK", [*html, ("Connection", "close")], _html("ends at close"), length=False
        ), True
    if base == "/truncated":  # promises 5000 bytes, sends 100, closes
        head = _response("200 OK", [*html, ("Content-Length", "5000")], b"", length=False)
        return head + b"x" * 100, True
    if base == "/truncated-chunked":  # a chunk whose data looks like the last chunk, then close
        head = _response("200 OK", [*html, ("Transfer-Encoding", "chunked")], b"", length=False)
        return head + b"10\r\nabc\r\n0\r\n\r\nxyz\r\n\r\n20\r\npartial", True
    if base == "/continue":  # an interim 100 and 103 before the final, chunked, gzipped response
        body = gzip.compress(_html("after interim responses"), mtime=0)
        final = _response(
            "200 OK",
            [*html, ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
            f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n",
            length=False,
        )
        interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        return interim + final, False
    if base == "/bare-lf":  # not HTTP (LF line ends), but sent by some servers
        body = _html("bare LF head")
        return b"HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: %d\n\n" % len(
            body
        ) + body, False
    if base == "/brotli":  # br, which the crawl did not ask for
        body = brotli.compress(_html("brotli body") * 20)
        return _response("200 OK", [*html, ("Content-Encoding", "br")], body), False
    if base == "/big":  # larger than the spider's download_maxsize
        return _response(
            "200 OK", [("Content-Type", "application/octet-stream")], b"\0" * 3_000_000
        ), False
    return _response("404 Not Found", html, _html("not found")), False


class Handler(socketserver.BaseRequestHandler):
    server: WireServer

    def handle(self) -> None:
        buffer = b""
        connection = self.request
        while True:
            while b"\r\n\r\n" not in buffer:
                data = connection.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, rest = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(rest) < length:
                data = connection.recv(65536)
                if not data:
                    return
                rest += data
            request, buffer = head + b"\r\n\r\n" + rest[:length], rest[length:]
            path = request.split(b" ", 2)[1].decode("latin-1")
            response, close = route(path)
            try:
                connection.sendall(response)
            except OSError:  # the client hung up mid-response (download_maxsize)
                self.server.log(path, request, response)
                return
            self.server.log(path, request, response)
            if close:
                connection.shutdown(socket.SHUT_RDWR)
                return


class WireServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, log_path: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self._log_path = log_path
        self._lock = threading.Lock()

    def log(self, path: str, request: bytes, response: bytes) -> None:
        line = json.dumps(
            {
                "path": path,
                "request": base64.b64encode(request).decode(),
                "response": base64.b64encode(response).decode(),
            }
        )
        with self._lock, open(self._log_path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def main(argv: list[str]) -> int:
    server = WireServer(argv[0])
    host, port = server.server_address[:2]
    print(f"http://{host!s}:{port}", flush=True)
    serve: Callable[[], None] = server.serve_forever
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
