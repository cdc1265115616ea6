"""Validate each release against the JSON Schema kept in the repo; an invalid one becomes a reject.

Also counts, per field, the releases where an optional field is empty
(``release/field/<name>/missing``), so a parser that silently loses a field shows in stats.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from scrapy.crawler import Crawler

from crawler.parsers import Reject
from crawler.parsers.model import INVALID

# Fields whose absence is legitimate but worth counting.
_OPTIONAL = ("number", "published", "dateline", "bylines", "tags", "images")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema by file name in ``crawler/schema`` or by path."""
    path = Path(name)
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("crawler").joinpath("schema", name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def release_validator(name: str = "release.schema.json") -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        load_schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def first_error(
    validator: jsonschema.Draft202012Validator, record: dict[str, Any]
) -> tuple[str, str] | None:
    """``(field path, message)`` of the most relevant schema error, or None when valid."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(record))
    if error is None:
        return None
    field = "/".join(str(p) for p in error.absolute_path) or "(record)"
    return field, error.message


class ValidateReleasePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.validator = release_validator(crawler.settings.get("RELEASES_SCHEMA"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateReleasePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        stats = self.crawler.stats
        error = first_error(self.validator, item)
        if error is not None:
            field, message = error
            stats.inc_value(f"release/field/{field.split('/')[0]}/invalid")
            return Reject(INVALID, f"{field}: {message}", str(item.get("url", "")), (field,))
        for name in _OPTIONAL:
            if not item.get(name):
                stats.inc_value(f"release/field/{name}/missing")
        return item
