"""Run the parsers on a saved page: what ``scrapy extract`` does, callable from tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.parsers import Reject, Release, parse
from crawler.profiles import SiteProfile, get_profile


def extract_file(
    path: str | Path,
    url: str,
    *,
    site: str | None = None,
    content_type: str | None = None,
    status: int | None = None,
    fetched: str | None = None,
) -> Release | Reject:
    """Parse one saved page as if it had been fetched from ``url``."""
    body = Path(path).read_bytes()
    headers = [("Content-Type", content_type)] if content_type else []
    profile: SiteProfile | None = get_profile(site) if site else None
    return parse(url, body, headers, profile=profile, status=status, fetched=fetched)


def to_json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)
