"""The export formats as Scrapy feed exporters, for ``-o FILE:parquet`` during a crawl.

    scrapy crawl usfj -O releases.parquet:parquet
    scrapy crawl usfj -O releases.csv:release_csv

Both hold the run's records until the feed closes (columns and the Parquet schema need
them all); a crawl's feed is one run's releases, small enough for that.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO, Any

from scrapy.exporters import BaseItemExporter

from .formats import Layout, write_csv, write_parquet


class _BufferedExporter(BaseItemExporter):
    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.records: list[dict[str, Any]] = []

    def export_item(self, item: Any) -> None:
        if isinstance(item, dict):
            self.records.append(item)

    def finish_exporting(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "feed"
            self.write(self.records, path)
            self.file.write(path.read_bytes())

    def write(self, records: list[dict[str, Any]], path: Path) -> None:
        raise NotImplementedError


class ParquetExporter(_BufferedExporter):
    def write(self, records: list[dict[str, Any]], path: Path) -> None:
        write_parquet(records, path, Layout())


class ReleaseCsvExporter(_BufferedExporter):
    def write(self, records: list[dict[str, Any]], path: Path) -> None:
        write_csv(records, path, Layout())
