"""Write valid releases as JSON Lines: ``OUTPUT_DIR/releases/<spider>-<run time>.jsonl``."""

from __future__ import annotations

from typing import Any

from .output import RunFileWriter


class ReleasesJsonLinesPipeline(RunFileWriter):
    kind = "releases"

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        self.write(item)
        self.crawler.stats.inc_value("release/emitted")
        return item
