"""Capture HTTP exchanges as they cross the connection: the bytes written and read, verbatim.

Scrapy's middlewares and signals only see parsed objects (reason phrase, header case and
repeats, chunk framing and the compressed body are gone by then), so the capture sits on
the connection: a protocol that tees ``dataReceived`` and a transport wrapper that tees
``write``. Twisted sends one request at a time per connection, so bytes pair up into
exchanges. TLS is below the wrapped transport: the bytes kept are the plaintext HTTP.

Relies on private APIs of Scrapy's HTTP/1.1 handler and Twisted's ``HTTP11ClientProtocol``
(pinned versions; ``tests/test_archive_capture.py`` compares every block with the bytes a
server logged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapy.core.downloader.handlers.http11 import (
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
)
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure

from pipelines.warc.records import HttpMessage

# WARC-Truncated values (WARC 1.1, 5.13).
DISCONNECT = "disconnect"
UNSPECIFIED = "unspecified"


@dataclass(eq=False)
class Exchange:
    """One request and its response, as bytes on the wire."""

    target_uri: str
    started: datetime
    peer_ip: str | None = None
    request: bytearray = field(default_factory=bytearray)
    response: bytearray = field(default_factory=bytearray)
    truncated: str | None = None
    aborted_locally: bool = False
    finished: bool = False
    # Set by the archive when the exchange is written: where its records are.
    ref: dict[str, Any] | None = None
    _waiters: list[Deferred[Exchange]] = field(default_factory=list)

    def when_finished(self) -> Deferred[Exchange]:
        if self.finished:
            return succeed(self)
        waiter: Deferred[Exchange] = Deferred()
        self._waiters.append(waiter)
        return waiter

    def finish(self) -> None:
        self.finished = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter.callback(self)


ExchangeSink = Callable[[Exchange], None]


class _TeeTransport:
    """Forwards everything to the real transport and copies what is written."""

    def __init__(self, transport: Any, protocol: CapturingProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def write(self, data: bytes) -> None:
        self._protocol.sent(data)
        self._transport.write(data)

    def writeSequence(self, data: Iterable[bytes]) -> None:
        chunks = list(data)
        for chunk in chunks:
            self._protocol.sent(chunk)
        self._transport.writeSequence(chunks)

    def abortConnection(self) -> None:
        self._protocol.aborting()
        self._transport.abortConnection()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CapturingProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's HTTP/1.1 client protocol, with every exchange handed to a sink when done."""

    def __init__(self, quiescent_callback: Callable[..., Any], sink: ExchangeSink) -> None:
        super().__init__(quiescent_callback)
        self._sink = sink
        self._exchange: Exchange | None = None

    # ---- wire taps ---------------------------------------------------------------------------

    def makeConnection(self, transport: Any) -> None:
        super().makeConnection(_TeeTransport(transport, self))

    def sent(self, data: bytes) -> None:
        if self._exchange is not None and not self._exchange.finished:
            self._exchange.request += data

    def aborting(self) -> None:
        if self._exchange is not None:
            self._exchange.aborted_locally = True

    def dataReceived(self, data: bytes) -> None:
        if self._exchange is not None and not self._exchange.finished:
            self._exchange.response += data
        super().dataReceived(data)

    # ---- exchange boundaries -----------------------------------------------------------------

    def request(self, request: Any) -> Deferred[Any]:
        uri = request.absoluteURI
        exchange = Exchange(
            target_uri=uri.decode("ascii", "replace") if uri else "",
            started=datetime.now(UTC),
            peer_ip=_peer_ip(self.transport),
        )
        self._exchange = exchange
        deferred = super().request(request)

        def attach(response: Any) -> Any:
            response._archive_exchange = exchange
            return response

        deferred.addCallback(attach)
        return deferred

    def _finishResponse_WAITING(self, rest: bytes) -> None:
        self._complete(len(rest))
        super()._finishResponse_WAITING(rest)

    _finishResponse_TRANSMITTING = _finishResponse_WAITING

    def connectionLost(self, reason: Failure | None = None) -> None:
        exchange = self._exchange
        if exchange is not None and not exchange.finished:
            exchange.truncated = (UNSPECIFIED if exchange.aborted_locally else None) or _cut_short(
                bytes(exchange.response)
            )
            self._complete(0)
        super().connectionLost(reason)

    def _complete(self, leftover: int) -> None:
        """The parser is done with the response (``leftover`` bytes belong to no response)."""
        exchange = self._exchange
        if exchange is None or exchange.finished:
            return
        if leftover:
            del exchange.response[-leftover:]
        try:
            self._sink(exchange)
        finally:
            exchange.finish()


class CapturingClientFactory(_LenientHTTP11ClientFactory):
    """Builds capturing protocols for Twisted's connection pool."""

    def __init__(
        self, quiescent_callback: Callable[..., Any], metadata: Any, sink: ExchangeSink
    ) -> None:
        super().__init__(quiescent_callback, metadata)
        self._sink = sink

    def buildProtocol(self, addr: Any) -> CapturingProtocol:
        return CapturingProtocol(self._quiescentCallback, self._sink)


def _peer_ip(transport: Any) -> str | None:
    try:
        return str(transport.getPeer().host)
    except AttributeError:
        return None


def _cut_short(response: bytes) -> str | None:
    """``disconnect`` when the connection closed before the response was whole.

    A response whose length is given by the connection closing is whole when it closes;
    one with Content-Length or chunked framing is whole only when that framing is complete.
    """
    return None if HttpMessage.parse(response).complete() else DISCONNECT
