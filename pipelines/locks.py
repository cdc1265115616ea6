"""The per-site lock under ``OUTPUT_DIR/state``: one process at a time writes a site's files
(a crawl, a compaction); a second one is told who holds it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Locked(Exception):
    """Another process holds the site's lock; the message names it."""


@contextmanager
def site_lock(output_dir: Path, site: str, holder: str = "") -> Iterator[None]:
    """Hold ``OUTPUT_DIR/state/<site>.lock`` (flock) for the block, or raise Locked at once."""
    folder = output_dir / "state"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{site}.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise Locked(lock.read().strip() or "another process") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()}{' ' + holder if holder else ''}\n")
        lock.flush()
        yield
