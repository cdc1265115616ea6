"""Shared fixtures: the mirror site, served over real HTTP on 127.0.0.1 in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.utils.reactor import install_reactor

# Components are built through real crawlers, which expect the project's reactor installed.
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

ROOT = Path(__file__).resolve().parent.parent


class Mirror:
    """The bundled mirror in a subprocess (``python -m mirror``), one origin per site."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.origins: dict[str, str] = {}

    def __enter__(self) -> Mirror:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mirror"], cwd=ROOT, stdout=subprocess.PIPE, text=True
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


@pytest.fixture(scope="session")
def mirror() -> Iterator[Mirror]:
    with Mirror() as running:
        yield running
