"""The scheduling recipes in deploy/ run as written: cron, systemd, Scrapyd (on 127.0.0.1)."""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from crawler.commands.crawl import EXIT_LOCKED
from pipelines.output import run_files
from tests.conftest import ROOT, Mirror

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def _localized(command: str, output: Path, base_url: str) -> str:
    """A recipe's command for this checkout, a temporary OUTPUT_DIR and the mirror."""
    command = re.sub(r"(?:/srv/defense-press-crawler/)?\.venv/bin/", f"{BIN}/", command)
    command = command.replace("/srv/defense-press-crawler", str(ROOT))
    command = command.replace("/var/lib/defense-press", str(output))
    command = command.replace("/var/log/defense-press", str(output))
    return re.sub(r"(scrapy crawl \S+)", rf"\1 -a base_url={base_url}", command, count=1)


def _report(output: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run_files(output / "reports", ".json")[-1].read_text())
    return data


def test_cron_line_runs_an_incremental_crawl(mirror: Mirror, tmp_path: Path) -> None:
    lines = [
        line
        for line in (DEPLOY / "cron.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    schedule, command = lines[0].split(" ", 5)[:5], lines[0].split(" ", 5)[5]
    assert schedule[1:] == ["*", "*", "*", "*"]  # hourly
    done = subprocess.run(
        ["bash", "-c", _localized(command, tmp_path, mirror.url("usfj", ""))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (tmp_path / "usfj.log").read_text()[-2000:]
    assert _report(tmp_path)["status"] == "ok"
    assert "usfj: OK" in (tmp_path / "usfj.log").read_text()


def test_systemd_units_run_one_site_and_skip_when_locked(mirror: Mirror, tmp_path: Path) -> None:
    service = (DEPLOY / "systemd" / "defense-press@.service").read_text()
    timer = (DEPLOY / "systemd" / "defense-press@.timer").read_text()
    assert "OnCalendar=hourly" in timer and "Persistent=true" in timer
    assert f"SuccessExitStatus={EXIT_LOCKED}" in service
    exec_start = re.search(r"^ExecStart=(.+)$", service, re.M).group(1)  # type: ignore[union-attr]
    command = _localized(exec_start.replace("%i", "usfk"), tmp_path, mirror.url("usfk", ""))
    done = subprocess.run(
        shlex.split(command), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _report(tmp_path)["site"] == "usfk"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as reply:
        data: dict[str, Any] = json.loads(reply.read())
        return data


def _post(url: str, fields: dict[str, str], egg: bytes | None = None) -> dict[str, Any]:
    if egg is None:
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    else:  # multipart, as scrapyd-deploy uploads an egg
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; '
            f'filename="project.egg"\r\n\r\n'.encode()
            + egg
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as reply:
        data: dict[str, Any] = json.loads(reply.read())
        return data


def test_scrapyd_deploy_and_schedule(mirror: Mirror, tmp_path: Path) -> None:
    port = _free_port()
    conf = (DEPLOY / "scrapyd" / "scrapyd.conf").read_text()
    conf = conf.replace("6800", str(port)).replace("output/scrapyd", str(tmp_path / "scrapyd"))
    (tmp_path / "scrapyd.conf").write_text(conf)
    egg = tmp_path / "project.egg"
    built = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    server = subprocess.Popen(
        [str(BIN / "scrapyd"), "--pidfile="],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until Scrapyd answers
            try:
                assert _get(f"{base}/daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, (
                    "scrapyd did not start"
                )
                time.sleep(0.2)
        added = _post(
            f"{base}/addversion.json", {"project": "crawler", "version": "1"}, egg.read_bytes()
        )
        spiders = get_spider_loader(get_project_settings()).list()
        assert added["status"] == "ok" and added["spiders"] == len(spiders)
        assert {"usfj", "afpims", "ukmod", "nato", "canadadnd", "japanmod"} <= set(spiders)
        output = tmp_path / "out"
        job = _post(
            f"{base}/schedule.json",
            {
                "project": "crawler",
                "spider": "usfj",
                "base_url": mirror.url("usfj", ""),
                "setting": f"OUTPUT_DIR={output}",
            },
        )["jobid"]
        deadline = time.monotonic() + 180
        while not any(
            j["id"] == job for j in _get(f"{base}/listjobs.json?project=crawler")["finished"]
        ):
            assert time.monotonic() < deadline, "the Scrapyd job did not finish"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = _report(output)
    assert report["status"] == "ok" and report["new_releases"] == 10
