"""What identifies the content of an extracted record, apart from the run that made it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Fields that describe a run (when, where archived, which version), not the release.
RUN_FIELDS = frozenset({"fetched", "archive", "version", "previous", "first_seen"})


def content_digest(record: dict[str, Any]) -> str:
    """``sha256:HEX`` of the record's content: canonical JSON without the run fields.

    The same page extracted by the same parser gives the same digest, live or from a WARC.
    """
    content = {k: v for k, v in record.items() if k not in RUN_FIELDS}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
