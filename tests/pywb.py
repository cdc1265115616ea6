"""pywb, from its own virtualenv (scripts/setup-pywb), serving a collection on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYWB_BIN = ROOT / ".venv-pywb" / "bin"


class Pywb:
    """``warcs``: WARCs that pywb indexes itself; or with ``indexes``, WARCs replayed through
    those CDXJ files (the project's own replay indexes); or a WACZ, unpacked with its index."""

    def __init__(
        self,
        folder: Path,
        collection: str,
        warcs: list[Path],
        indexes: list[Path] | None = None,
        wacz: Path | None = None,
    ) -> None:
        if not (PYWB_BIN / "wayback").exists():
            raise RuntimeError("pywb is not installed: run scripts/setup-pywb (scripts/test does)")
        self.folder, self.collection, self.warcs = folder, collection, warcs
        self.indexes, self.wacz = indexes, wacz
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def __enter__(self) -> Pywb:
        run = {"cwd": self.folder, "check": True, "capture_output": True, "timeout": 120}
        subprocess.run([str(PYWB_BIN / "wb-manager"), "init", self.collection], **run)  # type: ignore[call-overload]
        manager = str(PYWB_BIN / "wb-manager")
        if self.wacz is not None:
            command = [manager, "add", "--unpack-wacz", self.collection, str(self.wacz)]
            subprocess.run(command, **run)  # type: ignore[call-overload]
        elif self.indexes is not None:
            collection = self.folder / "collections" / self.collection
            for source, target in [(self.warcs, "archive"), (self.indexes, "indexes")]:
                for path in source:
                    shutil.copy(path, collection / target / path.name)
        else:
            command = [manager, "add", self.collection, *map(str, self.warcs)]
            subprocess.run(command, **run)  # type: ignore[call-overload]
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
        return self.fetch(url, warc_date)[2].decode("utf-8", "replace")

    def fetch(self, url: str, warc_date: str, mode: str = "mp_") -> tuple[int, str, bytes]:
        """``(status, content type, body)`` of the capture closest to ``warc_date``
        (``id_``: the bytes as archived)."""
        stamp = "".join(c for c in warc_date[:19] if c.isdigit())
        address = f"http://127.0.0.1:{self.port}/{self.collection}/{stamp}{mode}/{url}"
        with urllib.request.urlopen(address, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
