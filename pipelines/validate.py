"""Validate each release against the JSON Schema kept in the repo (spidermon's validator);
an invalid one becomes a reject naming the failing field.

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
from spidermon.contrib.validation import JSONSchemaValidator

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


def release_validator(name: str = "release.schema.json") -> JSONSchemaValidator:
    """Spidermon's JSON Schema validator over the release schema."""
    return JSONSchemaValidator(load_schema(name))


def first_error(validator: JSONSchemaValidator, record: dict[str, Any]) -> tuple[str, str] | None:
    """``(field path, message)`` of the first schema error, or None when valid."""
    valid, errors = validator.validate(record)
    if valid:
        return None
    field = next(iter(errors))
    return field or "(record)", "; ".join(errors[field])


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
            stats.inc_value(f"release/field/{field.split('.')[0]}/invalid")
            return Reject(INVALID, f"{field}: {message}", str(item.get("url", "")), (field,))
        for name in _OPTIONAL:
            if not item.get(name):
                stats.inc_value(f"release/field/{name}/missing")
        return item
