"""Media a release links are archived once per run, however many releases link them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scrapy.utils.test import get_crawler

from crawler.parsers.model import Image
from crawler.spiders.ledger import RunLedger
from crawler.spiders.media import MediaArchiver


class _Archiver(MediaArchiver):
    name = "media-test"
    allowed_domains = ["usfj.mil"]  # noqa: RUF012 (Scrapy's own attribute is a list)

    def localize(self, url: str) -> str:
        return url


def _release(*images: str) -> Any:
    return SimpleNamespace(images=[Image(url, None, None) for url in images], documents=[])


def test_an_image_two_releases_link_is_asked_once_and_expected_once() -> None:
    """The second release is parsed after the image came back (Scrapy would drop a second
    request as a duplicate, and the run would name the image as never answered)."""
    crawler = get_crawler(_Archiver, {"ARCHIVE_ENABLED": True, "ARCHIVE_MEDIA": True})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    spider = _Archiver.from_crawler(crawler)
    spider.ledger = RunLedger(crawler)
    photo = "https://www.usfj.mil/Portals/1/photo.jpg"
    (first,) = spider.media_requests(_release(photo))
    spider.ledger.settle("media", first.cb_kwargs["key"])  # its answer came back
    second = list(spider.media_requests(_release(photo, "https://www.usfj.mil/other.jpg")))
    assert [r.url for r in second] == ["https://www.usfj.mil/other.jpg"]
    spider.ledger.settle("media", second[0].cb_kwargs["key"])
    assert spider.ledger.expected == {}
