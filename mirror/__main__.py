"""``python -m mirror``: serve the bundled mirror on loopback and print its origins as JSON."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading

from .server import origin_of, serve
from .site import PAGE_SIZE, load_sites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mirror", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--sites", nargs="*", help="site ids to serve (default: all)")
    parser.add_argument("--urls-file", help="also write the {site: origin} JSON to this file")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="add this many generated releases to each site (benchmarks)",
    )
    parser.add_argument(
        "--page-size", type=int, default=PAGE_SIZE, help="releases per listing page"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error("the mirror only binds loopback addresses")
    sites = load_sites(args.scale, args.page_size)
    if args.sites:
        sites = {k: v for k, v in sites.items() if k in args.sites}
    servers = serve(sites, args.host, args.verbose)
    origins = {site_id: origin_of(server) for site_id, server in servers.items()}
    line = json.dumps(origins)
    if args.urls_file:
        with open(args.urls_file, "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
    print(line, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    for server in servers.values():
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
