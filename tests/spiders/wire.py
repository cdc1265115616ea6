"""Fetch every endpoint of the byte-logging test server (``tests/mockserver/wire.py``)."""

from collections.abc import AsyncIterator
from typing import Any, ClassVar

import scrapy

PATHS = [
    "/gzip",
    "/deflate",
    "/chunked",
    "/reason",
    "/headers",
    "/query?b=2&a=1&empty=",
    "/redirect/3",
    "/missing-page",
    "/500",
    "/pdf",
    "/latin1",
    "/close-delimited",
    "/truncated",
    "/truncated-chunked",
    "/continue",
    "/brotli",
    "/bare-lf",
    "/big",
]


class WireSpider(scrapy.Spider):
    name = "wire"
    # Not releases: none of the project's release pipelines apply.
    custom_settings: ClassVar[dict[str, Any]] = {
        "HTTPERROR_ALLOW_ALL": True,
        "RETRY_ENABLED": False,
        "ITEM_PIPELINES": {},
    }

    def __init__(self, base_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for path in PATHS:
            meta = {"download_maxsize": 100_000} if path == "/big" else {}
            yield scrapy.Request(
                self.base_url + path, dont_filter=True, meta=meta, errback=self.failed
            )

    def failed(self, failure: Any) -> None:
        self.logger.info("expected failure: %s", failure.value)

    def parse(self, response: scrapy.http.Response) -> Any:
        yield {
            "url": response.url,
            "status": response.status,
            "archive": response.meta.get("archive"),
        }
