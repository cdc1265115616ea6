"""CDXJ indexes (cdxj-indexer, sorted), one beside each WARC, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cdxj_indexer.main import write_cdx_index

from .codecs import install_decoders


def cdxj_path(warc: Path) -> Path:
    return warc.with_name(warc.name.removesuffix(".gz").removesuffix(".warc") + ".cdxj")


def index_warc(warc: Path) -> Path:
    """Write ``NAME.cdxj`` (sorted, SURT keys) next to ``NAME.warc.gz``; return its path."""
    target = cdxj_path(warc)
    partial = target.with_name(target.name + ".tmp")
    install_decoders()  # the indexer reads every body decoded
    try:
        write_cdx_index(str(partial), [str(warc)], {"sort": True, "post_append": True})
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def read_cdxj(path: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(surt key, timestamp, fields)`` per line."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            key, timestamp, fields = line.rstrip("\n").split(" ", 2)
            yield key, timestamp, json.loads(fields)
