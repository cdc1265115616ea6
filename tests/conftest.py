"""Shared fixtures: the mirror site, served over real HTTP on 127.0.0.1 in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.reactor import install_reactor

# Components are built through real crawlers, which expect the project's reactor installed.
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

ROOT = Path(__file__).resolve().parent.parent


class Mirror:
    """The bundled mirror in a subprocess (``python -m mirror``), one origin per site."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.origins: dict[str, str] = {}

    def __enter__(self) -> Mirror:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mirror", *self.args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the mirror exited before printing its origins")
        self.origins = json.loads(line)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def url(self, site: str, path: str = "/") -> str:
        return self.origins[site] + path

    def control(self, site: str, action: str, **query: object) -> Any:
        """Change the mirrored site as its publisher would (``/__mirror/ACTION``)."""
        encoded = urllib.parse.urlencode(query)
        with urllib.request.urlopen(self.url(site, f"/__mirror/{action}?{encoded}")) as reply:
            return json.loads(reply.read())

    def mended(self) -> Mirror:
        """The mirror with no fault left and an empty served log, for the next test."""
        for site in self.origins:
            self.control(site, "fault", clear=1)
            self.served(site)
        return self

    def served(self, site: str) -> list[str]:
        """Requests served since the last call: ``"GET /path 200"`` each."""
        return list(self.control(site, "requests", reset=1))


@pytest.fixture(scope="session")
def mirror() -> Iterator[Mirror]:
    with Mirror() as running:
        yield running
