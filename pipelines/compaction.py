"""Merge a month's run files of a site into one (``scrapy compact``), losing no line.

Releases and rejects: a month's files of a site become
``<kind>/YYYY/MM/<site>-<first stamp>-compacted.jsonl``, their bytes concatenated unchanged,
with ``<that name>.manifest.json`` naming each run, its lines, bytes and SHA-256, so every
line keeps its position (run, ordinal) for export cursors and the merged file can be
checked against what it replaced. Reports become one JSON line per run, in
``reports/YYYY/MM/<site>-<first stamp>-compacted.jsonl``. WARCs are never merged: records
point into them by name and offset.

The order makes a kill at any point harmless: the merged file and its manifest are written
under temporary names, checked against the originals and renamed into place; then the
state store's index of lines moves to the merged file, in one transaction; then the
originals are deleted. A run after a kill finishes the work: an original the manifest
already holds is checked byte for byte and deleted. The site's lock is held throughout,
so no crawl of the site writes meanwhile, and the store is brought level with the files
first.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .output import partition, run_files, site_of_run_file
from .state.replay import replay
from .state.store import StateStore

COMPACTED = "-compacted"
KINDS = ("releases", "rejects", "reports")


@dataclass
class Group:
    """One site's run files of one kind and month."""

    folder: Path  # OUTPUT_DIR/<kind>
    month: str  # YYYY/MM
    site: str
    originals: list[Path] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.folder.name

    @property
    def merged(self) -> Path | None:
        """The month's merged file of the site, if an earlier compaction made one."""
        found = sorted((self.folder / self.month).glob(f"{self.site}-*{COMPACTED}.jsonl"))
        return next((p for p in found if site_of_run_file(p.name) == self.site), None)

    @property
    def target(self) -> Path:
        name = f"{run_of(self.originals[0])}{COMPACTED}.jsonl"
        return self.merged or self.folder / self.month / name

    def worth_it(self) -> bool:
        """Two files or more, or one to add to a merged file, or one left flat by an older
        version (moved into its month)."""
        flat = any(p.parent != self.folder / self.month for p in self.originals)
        return len(self.originals) > 1 or bool(self.originals and (flat or self.merged))


@dataclass(frozen=True)
class Outcome:
    group: Group
    files: int  # originals merged or found already merged and removed
    lines: int
    bytes: int


class CompactionError(Exception):
    """A merged file did not match what it replaced: nothing was deleted."""


def run_of(path: Path) -> str:
    return path.name.removesuffix(".jsonl").removesuffix(".json")


def is_merged(path: Path) -> bool:
    return path.name.endswith(f"{COMPACTED}.jsonl")


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def read_manifest(path: Path) -> list[dict[str, Any]]:
    manifest = manifest_path(path)
    if not manifest.exists():
        return []
    runs: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))["runs"]
    return runs


def plan(output_dir: Path, before: str, sites: set[str] | None = None) -> list[Group]:
    """The groups to compact: months before ``before`` (``YYYY/MM``), per kind and site."""
    groups: dict[tuple[str, str, str], Group] = {}
    for kind in KINDS:
        folder = output_dir / kind
        for path in run_files(folder, ".json" if kind == "reports" else ".jsonl"):
            month, site = partition(path.name), site_of_run_file(path.name)
            if site is None or month == "undated" or month >= before or is_merged(path):
                continue
            if sites and site not in sites:
                continue
            groups.setdefault((kind, month, site), Group(folder, month, site)).originals.append(
                path
            )
    return [group for group in groups.values() if group.worth_it()]


def compact(output_dir: Path, group: Group, store: StateStore | None) -> Outcome:
    """Merge the group's originals into its merged file; see the module's docstring."""
    if group.kind == "releases" and store is not None:
        replay(store, output_dir / "releases", group.site)
    target = group.target
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{group.site}-*{COMPACTED}.jsonl*.tmp-*"):
        stale.unlink()  # left by a compaction killed before its rename (the lock is ours)
    if group.kind == "reports":
        held: dict[str, dict[str, Any]] = {run: {} for run in _report_runs(target)}
    else:
        held = {str(r["run"]): r for r in read_manifest(target)}
    fresh = [p for p in group.originals if run_of(p) not in held]
    leftovers = [p for p in group.originals if run_of(p) in held]
    for path in leftovers:  # merged by a run that was killed before it deleted them
        _check_leftover(path, held[run_of(path)], group.kind)
    segments: list[tuple[Path, int]] = []  # (original, offset in the merged file)
    lines = 0
    if fresh:
        base = target.stat().st_size if target.exists() else 0
        data = target.read_bytes() if target.exists() else b""
        entries = list(held.values()) if group.kind != "reports" else []
        pieces = [data]
        for path in fresh:
            body = _body(path, group.kind)
            segments.append((path, base))
            count = sum(1 for line in body.splitlines() if line.strip())
            lines += count
            entries.append(
                {
                    "run": run_of(path),
                    "lines": count,
                    "bytes": len(body),
                    "sha256": hashlib.sha256(body).hexdigest(),
                }
            )
            pieces.append(body)
            base += len(body)
        merged = b"".join(pieces)
        _write(target, merged)
        if group.kind != "reports":
            text = json.dumps({"runs": entries}, indent=1) + "\n"
            _write(manifest_path(target), text.encode("utf-8"))
        _sync_folder(target.parent)
    if group.kind == "releases" and store is not None:
        _move_index(store, output_dir, group, target, segments + [(p, -1) for p in leftovers])
    for path in fresh + leftovers:
        path.unlink()
    for folder in {p.parent for p in fresh + leftovers}:
        _sync_folder(folder)
    return Outcome(group, len(fresh) + len(leftovers), lines, target.stat().st_size)


def _body(path: Path, kind: str) -> bytes:
    """What an original adds to the merged file: its bytes (a report: one line)."""
    data = path.read_bytes()
    if kind == "reports":
        report = json.loads(data)
        return (json.dumps({"run": run_of(path), **report}, ensure_ascii=False) + "\n").encode()
    if data and not data.endswith(b"\n"):  # a run killed mid-line: the cut line is not a line
        data = data[: data.rfind(b"\n") + 1]
    return data


def _report_runs(target: Path) -> set[str]:
    if not target.exists():
        return set()
    with target.open(encoding="utf-8") as handle:
        return {str(json.loads(line)["run"]) for line in handle if line.strip()}


def _check_leftover(path: Path, entry: dict[str, Any], kind: str) -> None:
    if kind == "reports":
        return  # its line is in the merged file (by run id); the report adds nothing more
    body = _body(path, kind)
    if hashlib.sha256(body).hexdigest() != entry.get("sha256"):
        raise CompactionError(
            f"{path} differs from what the merged file holds for its run; nothing deleted"
        )


def _write(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary name, read it back, check it, rename it into place."""
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        written = temporary.read_bytes()
        if written != data:
            raise CompactionError(f"{temporary} does not read back as written; nothing deleted")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _move_index(
    store: StateStore,
    output_dir: Path,
    group: Group,
    target: Path,
    segments: list[tuple[Path, int]],
) -> None:
    """The store's lines of each original now live in the merged file, at its offset there
    (-1: an original already merged by a killed run, whose lines the replay indexed)."""
    key = store.file_key(target)
    with store.transaction():
        for path, base in segments:
            old = store.file_key(path)
            if base >= 0:
                store.db.execute(
                    "UPDATE OR REPLACE lines SET file = ?, offset = offset + ? WHERE file = ?",
                    (key, base, old),
                )
            else:
                store.db.execute("DELETE FROM lines WHERE file = ?", (old,))
            store.db.execute("DELETE FROM files WHERE path = ?", (old,))
        store.db.execute(
            "INSERT INTO files (path, site, bytes) VALUES (?, ?, ?) ON CONFLICT (path) "
            "DO UPDATE SET bytes = excluded.bytes, site = excluded.site",
            (key, group.site, target.stat().st_size),
        )
