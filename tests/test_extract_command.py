"""``scrapy extract``: one JSON record on stdout, or the reason on stderr and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixturetool import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
PRINT_VIEW = FIXTURES / "articlecs" / "afmil-print-2016-643299" / "input" / "body.html"
PRINT_URL = (
    "http://www.af.mil/DesktopModules/ArticleCS/Print.aspx?PortalId=1&ModuleId=850&Article=643299"
)


def _extract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prints_exactly_one_record() -> None:
    done = _extract(str(PRINT_VIEW), "--url", PRINT_URL)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["id"] == "afmil:643299"
    assert record["title"] == "Acquisitions enterprise: Experimentation and agility"
    assert record["published"] == "2016-01-15"


def test_refusal_goes_to_stderr_with_non_zero_exit() -> None:
    page = FIXTURES / "articlecs" / "block-akamai-200" / "input" / "body.html"
    url = json.loads((page.parent / "info.json").read_text())["url"]
    done = _extract(str(page), "--url", url)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("refused: blocked")


def test_site_option_reads_a_page_saved_from_a_mirror(tmp_path: Path) -> None:
    url = "http://127.0.0.1:8080/DesktopModules/ArticleCS/Print.aspx?PortalId=1&ModuleId=850&Article=643299"
    done = _extract(str(PRINT_VIEW), "--url", url, "--site", "afmil")
    assert done.returncode == 0, done.stderr
    assert (
        json.loads(done.stdout)["url"] == "https://www.af.mil/News/Article-Display/Article/643299/"
    )


def test_usage_errors() -> None:
    assert _extract(str(PRINT_VIEW)).returncode != 0  # no --url
    missing = _extract("/nonexistent/page.html", "--url", PRINT_URL)
    assert missing.returncode == 2
    assert "nonexistent" in missing.stderr
