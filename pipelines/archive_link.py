"""Tie each release to its capture: a WARC ``metadata`` record beside the response.

The spider copies the capture's reference (file, offset, length, record id, payload
digest) into the record's ``archive`` field; this pipeline writes a metadata record,
concurrent to that response, naming the extractor and the digest of what it extracted.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.records import content_digest


class ArchiveLinkPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveLinkPipeline:
        if not crawler.settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        ref = item.get("archive")
        if not ref:
            self.crawler.stats.inc_value("archive/releases_without_capture")
            return item
        from pipelines.warc.archive import ArchiveWriteError, archive_for

        extractor = item.get("extractor") or {}
        try:
            archive_for(self.crawler).write_metadata(
                ref,
                target_uri=ref["target_uri"],
                fields={
                    "extractor": f"{extractor.get('name')}/{extractor.get('version')}",
                    "release-id": str(item.get("id")),
                    "release-url": str(item.get("url")),
                    "release-digest": content_digest(item),
                },
            )
        except ArchiveWriteError as error:
            raise DropItem(
                f"release {item.get('id')} not written: {error}", log_level="DEBUG"
            ) from error
        return item
