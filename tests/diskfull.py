"""``python -m tests.diskfull COMMAND_JSON MOUNT COPY RESULT [SIZE]``: a crawl on a full disk.

Run inside a mount namespace (``unshare --user --map-root-user --mount``): mounts a tmpfs of
SIZE (default 400k) at MOUNT, runs the crawl COMMAND (its ``/OUTPUT`` replaced by a folder
there) until the disk is full, runs it again on the full disk, grows the tmpfs to 64 MiB, runs the same command until it
finishes (at most three times), copies the output to COPY and writes each run's exit status
and stderr to RESULT as JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    command_json, mount_point, copy_to, result_path = argv[:4]
    size = argv[4] if len(argv) > 4 else "400k"
    mount = Path(mount_point)
    mount.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
    output = mount / "out"
    command = [part.replace("/OUTPUT", str(output)) for part in json.loads(command_json)]
    runs = []

    def run() -> int:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        runs.append({"returncode": done.returncode, "stderr": done.stderr, "stdout": done.stdout})
        return done.returncode

    run()
    run()  # started on the full disk
    subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)
    for _ in range(3):
        if run() == 0:
            break
    shutil.copytree(output, copy_to)
    Path(result_path).write_text(json.dumps(runs), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
