"""pywb, from its own virtualenv (scripts/setup-pywb), serving a collection on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYWB_BIN = ROOT / ".venv-pywb" / "bin"


class Pywb:
    def __init__(self, folder: Path, collection: str, warcs: list[Path]) -> None:
        if not (PYWB_BIN / "wayback").exists():
            raise RuntimeError("pywb is not installed: run scripts/setup-pywb (scripts/test does)")
        self.folder, self.collection, self.warcs = folder, collection, warcs
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def __enter__(self) -> Pywb:
        run = {"cwd": self.folder, "check": True, "capture_output": True, "timeout": 120}
        subprocess.run([str(PYWB_BIN / "wb-manager"), "init", self.collection], **run)  # type: ignore[call-overload]
        subprocess.run(
            [
                str(PYWB_BIN / "wb-manager"),
                "add",
                self.collection,  # type: ignore[call-overload]
                *map(str, self.warcs),
            ],
            **run,
        )
        with socket.socket() as probe:  # a free port for wayback, which cannot report its own
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [str(PYWB_BIN / "wayback"), "--bind", "127.0.0.1", "-p", str(self.port)],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:  # wait until it answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("pywb did not start") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def replay(self, url: str, warc_date: str) -> str:
        """The archived page as pywb replays it (``mp_``: the page, not the banner frame)."""
        stamp = "".join(c for c in warc_date[:19] if c.isdigit())
        address = f"http://127.0.0.1:{self.port}/{self.collection}/{stamp}mp_/{url}"
        with urllib.request.urlopen(address, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
