"""Parser fixtures as directories, web-poet style, and a tool to make them.

A fixture is ``tests/fixtures/<platform>/<case>/`` with ``input/body.html``,
``input/info.json`` (url, headers, status, site) and ``expected.json`` (a release) or
``reject.json`` (a refusal). Fields describing the run (``fetched``) are not compared.

    python -m tests.fixturetool save articlecs/CASE PAGE --url URL [--site SITE]
    python -m tests.fixturetool rerun articlecs/CASE        # print the current output
    python -m tests.fixturetool rerun articlecs/CASE --write  # accept it (review first!)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.parsers import Reject, parse
from crawler.profiles import get_profile

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN_FIELDS = ("fetched",)


@dataclass
class Fixture:
    path: Path

    @property
    def name(self) -> str:
        return str(self.path.relative_to(FIXTURES))

    @property
    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "input" / "info.json").read_text("utf-8"))
        return data

    def run(self) -> dict[str, Any]:
        info = self.info
        body = (self.path / "input" / "body.html").read_bytes()
        profile = get_profile(info["site"]) if info.get("site") else None
        result = parse(
            info["url"],
            body,
            [tuple(h) for h in info.get("headers", [])],
            profile=profile,
            status=info.get("status"),
        )
        record = result.to_dict()
        if isinstance(result, Reject):
            return {"reject": {"reason": record["reason"], "fields": record["fields"]}}
        for name in RUN_FIELDS:
            record.pop(name, None)
        return record

    def expected(self) -> dict[str, Any]:
        for name in ("expected.json", "reject.json"):
            path = self.path / name
            if path.exists():
                data: dict[str, Any] = json.loads(path.read_text("utf-8"))
                return {"reject": data} if name == "reject.json" else data
        raise FileNotFoundError(f"{self.name}: no expected.json or reject.json")

    def write(self, output: dict[str, Any]) -> None:
        for name in ("expected.json", "reject.json"):
            (self.path / name).unlink(missing_ok=True)
        if "reject" in output:
            target, data = self.path / "reject.json", output["reject"]
        else:
            target, data = self.path / "expected.json", output
        target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")


def all_fixtures() -> list[Fixture]:
    return [Fixture(p.parent.parent) for p in sorted(FIXTURES.glob("*/*/input/info.json"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fixturetool")
    sub = parser.add_subparsers(dest="command", required=True)
    save = sub.add_parser("save", help="create a fixture from a saved page")
    save.add_argument("case")
    save.add_argument("page")
    save.add_argument("--url", required=True)
    save.add_argument("--site")
    save.add_argument("--status", type=int)
    rerun = sub.add_parser("rerun", help="print (or --write) the parser's current output")
    rerun.add_argument("case")
    rerun.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    fixture = Fixture(FIXTURES / args.case)
    if args.command == "save":
        (fixture.path / "input").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.page, fixture.path / "input" / "body.html")
        info = {
            "url": args.url,
            "site": args.site,
            "status": args.status,
            "headers": [["Content-Type", "text/html; charset=utf-8"]],
        }
        (fixture.path / "input" / "info.json").write_text(json.dumps(info, indent=2) + "\n")
    output = fixture.run()
    if (args.command == "rerun" and args.write) or args.command == "save":
        fixture.write(output)
    json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
