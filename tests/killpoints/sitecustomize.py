"""Kill this process just before its Nth SQLite statement (a test harness, never imported by
the product): put this folder on PYTHONPATH and set ``KILL_AT_STATEMENT=N``.

Every ``execute``, ``executemany``, ``executescript`` and ``commit`` of every connection
counts, cursors' included. ``KILL_COUNT_FILE`` receives the count at exit, so a test can
learn how many statements a whole run makes. Nothing of the project is named here.
"""

from __future__ import annotations

import atexit
import os
import signal
import sqlite3
from typing import Any

_TARGET = int(os.environ.get("KILL_AT_STATEMENT") or 0)
_COUNT_FILE = os.environ.get("KILL_COUNT_FILE")
_count = 0


def _tick() -> None:
    global _count
    _count += 1
    if _TARGET and _count >= _TARGET:
        os.kill(os.getpid(), signal.SIGKILL)


class _Counting:
    """Counts each statement, then runs it."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        _tick()
        return super().execute(*args, **kwargs)  # type: ignore[misc]

    def executemany(self, *args: Any, **kwargs: Any) -> Any:
        _tick()
        return super().executemany(*args, **kwargs)  # type: ignore[misc]

    def executescript(self, *args: Any, **kwargs: Any) -> Any:
        _tick()
        return super().executescript(*args, **kwargs)  # type: ignore[misc]


class _Cursor(_Counting, sqlite3.Cursor):
    pass


class _Connection(_Counting, sqlite3.Connection):
    def cursor(self, factory: Any = None) -> Any:  # type: ignore[override]
        return super().cursor(factory or _Cursor)

    def commit(self) -> None:
        _tick()
        super().commit()


_connect = sqlite3.connect


def _counting_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    kwargs.setdefault("factory", _Connection)
    return _connect(*args, **kwargs)


sqlite3.connect = _counting_connect  # type: ignore[assignment]


def _report() -> None:
    if _COUNT_FILE:
        with open(_COUNT_FILE, "w", encoding="utf-8") as handle:
            handle.write(str(_count))


atexit.register(_report)
