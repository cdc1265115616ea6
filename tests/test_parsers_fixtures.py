"""Every parser fixture, field by field (one test per fixture and field, like web-poet's)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixturetool import Fixture, all_fixtures

FIXTURES = all_fixtures()
RELEASE_FIELDS = [
    "id",
    "url",
    "site",
    "publisher",
    "title",
    "number",
    "published",
    "dateline",
    "bylines",
    "tags",
    "images",
    "documents",
    "language",
    "languages",
    "sections",
    "text",
    "extractor",
]


def _cases() -> list[Any]:
    cases = []
    for fixture in FIXTURES:
        expected = fixture.expected()
        fields = ["reject"] if "reject" in expected else [*RELEASE_FIELDS, "(no extra fields)"]
        cases += [pytest.param(fixture, field, id=f"{fixture.name}:{field}") for field in fields]
    return cases


_outputs: dict[str, dict[str, Any]] = {}


def _output(fixture: Fixture) -> dict[str, Any]:
    if fixture.name not in _outputs:
        _outputs[fixture.name] = fixture.run()
    return _outputs[fixture.name]


def test_there_are_fixtures_of_every_kind() -> None:
    names = {f.name for f in FIXTURES}
    for prefix in (
        "articlecs/usfj-",
        "articlecs/usfk-",
        "articlecs/wargov-",
        "articlecs/afmil-display-",
        "articlecs/afmil-print-2016-",
        "articlecs/block-",
    ):
        assert any(name.startswith(prefix) for name in names), prefix


@pytest.mark.parametrize(("fixture", "field"), _cases())
def test_fixture_field(fixture: Fixture, field: str) -> None:
    expected = fixture.expected()
    output = _output(fixture)
    if field == "reject":
        assert output.get("reject") == expected["reject"]
    elif field == "(no extra fields)":
        assert set(output) == set(expected)
    else:
        assert "reject" not in output, output.get("reject")
        assert output[field] == expected[field]
