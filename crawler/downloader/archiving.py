"""A download handler that archives every HTTP exchange at wire fidelity.

It is Scrapy's HTTP/1.1 handler with a capturing connection protocol (see ``capture``).
Each finished exchange goes to the crawl's archive, which writes it to WARC at once; the
response then reaches Scrapy carrying where its record is (``request.meta["archive"]``),
so an item can point at the exact bytes it came from.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler, _ScrapyAgent
from scrapy.crawler import Crawler
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import Request, Response
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future

from .capture import CapturingClientFactory, Exchange

logger = logging.getLogger(__name__)

# request.meta key under which the handler leaves the capture's archive reference.
ARCHIVE_META = "archive"


class _ArchivingAgent(_ScrapyAgent):
    """Scrapy's agent, keeping the capture of the response it builds."""

    exchange: Exchange | None = None

    def _cb_bodydone(self, result: Any, url: str) -> Response:
        self.exchange = getattr(result["txresponse"], "_archive_exchange", None)
        return super()._cb_bodydone(result, url)


class ArchivingDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.archiving = crawler.settings.getbool("ARCHIVE_ENABLED")
        if not self.archiving:
            return  # plain HTTP11DownloadHandler
        from pipelines.warc.archive import archive_for

        archive = archive_for(crawler)
        self._pool._factory = lambda callback, metadata: CapturingClientFactory(  # type: ignore[assignment]
            callback, metadata, archive.write_exchange
        )

    async def download_request(self, request: Request) -> Response:
        request.meta.pop(ARCHIVE_META, None)  # a retry's attempt has its own capture
        if not self.archiving:
            return await super().download_request(request)
        # The same agent construction as HTTP11DownloadHandler.download_request, with the
        # agent that keeps the capture.
        agent = _ArchivingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                response: Response = await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
        exchange = agent.exchange
        if exchange is not None:
            # A body-less response (304, HEAD) reaches here before its exchange is closed.
            await maybe_deferred_to_future(exchange.when_finished())
            if exchange.ref is not None:
                request.meta[ARCHIVE_META] = exchange.ref
        return response
