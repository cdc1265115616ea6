"""Item pipelines: dedupe, schema validation, rejects file and JSON Lines, through a crawler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.parsers import Reject, parse
from crawler.spiders.usfj import UsfjSpider
from pipelines.dedupe import DedupeReleasesPipeline
from pipelines.jsonlines import ReleasesJsonLinesPipeline
from pipelines.output import run_files
from pipelines.rejects import RejectsPipeline
from pipelines.validate import ValidateReleasePipeline
from tests.fixturetool import FIXTURES

SEED = FIXTURES / "articlecs" / "usfj-25-009-seed"


def _seed_record() -> dict[str, Any]:
    info = json.loads((SEED / "input" / "info.json").read_text())
    result = parse(info["url"], (SEED / "input" / "body.html").read_bytes())
    return result.to_dict()


@pytest.fixture
def crawler(tmp_path: Path) -> Any:
    settings = {**get_project_settings().copy_to_dict(), "OUTPUT_DIR": str(tmp_path)}
    crawler = get_crawler(UsfjSpider, settings)
    crawler.spider = UsfjSpider.from_crawler(crawler)
    return crawler


def _chain(crawler: Any) -> list[Any]:
    return [
        cls.from_crawler(crawler)
        for cls in (
            DedupeReleasesPipeline,
            ValidateReleasePipeline,
            RejectsPipeline,
            ReleasesJsonLinesPipeline,
        )
    ]


def _run(chain: list[Any], items: list[Any]) -> list[Any]:
    for component in chain:
        if hasattr(component, "open_spider"):
            component.open_spider()
    passed = []
    for item in items:
        try:
            for component in chain:
                item = component.process_item(item)
            passed.append(item)
        except DropItem:
            pass
    for component in chain:
        if hasattr(component, "close_spider"):
            component.close_spider()
    return passed


def _lines(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in run_files(folder)
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_valid_release_is_written_unescaped_in_key_order(crawler: Any, tmp_path: Path) -> None:
    record = _seed_record()
    assert _run(_chain(crawler), [record]) == [record]
    files = list((tmp_path / "releases").rglob("usfj-*.jsonl"))
    assert len(files) == 1
    text = files[0].read_text(encoding="utf-8")
    assert "同盟の推進" in text  # UTF-8, not \\u escapes
    assert list(json.loads(text)) == list(record)
    assert crawler.stats.get_value("release/emitted") == 1
    assert crawler.stats.get_value("release/field/bylines/missing") == 1


def test_invalid_release_and_refusals_go_to_rejects(crawler: Any, tmp_path: Path) -> None:
    broken = _seed_record()
    broken["published"] = "8 July"
    refused = Reject("blocked", "block page (akamai)", "https://www.usfj.mil/x")
    assert _run(_chain(crawler), [broken, refused]) == []
    rejects = _lines(tmp_path / "rejects")
    assert [(r["reason"], r["fields"]) for r in rejects] == [
        ("invalid", ["published"]),
        ("blocked", []),
    ]
    assert rejects[0]["url"] == broken["url"]
    assert _lines(tmp_path / "releases") == []
    assert crawler.stats.get_value("release/rejected/invalid") == 1
    assert crawler.stats.get_value("release/rejected/blocked") == 1


def test_duplicate_release_is_dropped_and_counted(crawler: Any, tmp_path: Path) -> None:
    record = _seed_record()
    assert len(_run(_chain(crawler), [record, dict(record)])) == 1
    assert crawler.stats.get_value("release/duplicate") == 1
    assert len(_lines(tmp_path / "releases")) == 1


def test_schema_rejects_what_the_parser_must_never_emit() -> None:
    from pipelines.validate import first_error, release_validator

    validator = release_validator()
    record = _seed_record()
    assert first_error(validator, record) is None
    for field, value in [
        ("title", ""),
        ("text", ""),
        ("sections", []),
        ("id", "25-009"),
        ("bylines", [{"name": None, "role": None}]),
        ("surprise", 1),
    ]:
        bad = {**record, field: value}
        assert first_error(validator, bad) is not None, field
