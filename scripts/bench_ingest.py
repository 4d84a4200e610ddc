#!/usr/bin/env python3
"""Throughput of `cgtextract ingest` on a local 500-item feed, by concurrency and workers.

    python scripts/bench_ingest.py                     # 500 pages, 50 ms server latency
    python scripts/bench_ingest.py --n 200 --latency-ms 0 --json

Generates N realistic 20-30 KB press-release pages with scripts/bench.py's generator, serves
them and an RSS feed listing them from an HTTP server on 127.0.0.1 (with an artificial
per-response latency, as a remote newsroom would have), then times one cold
`cgtextract ingest --json` subprocess per configuration, each into a fresh SQLite file:

  concurrency 1, workers 1     one page at a time
  concurrency 8, workers 1     fetching overlapped, clean+extract in the main process
  concurrency 8, workers 2     fetching overlapped, clean+extract in two worker processes

"run s" is the ingest's own timing (the `seconds` of its summary: discovery, fetching,
extraction, storing); "wall s" adds interpreter start and imports. Pages per second is
stored articles / run seconds. Politeness delays are off (host_delay_s = 0, per_host =
concurrency): this measures the machine, not the manners. Standard library only, plus the
project's own dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import DEFAULT_SEED, make_page  # noqa: E402  (sibling script)

DEFAULT_N = 500
DEFAULT_LATENCY_MS = 50
CONFIGS = ((1, 1), (8, 1), (8, 2))  # (concurrency, workers)


class _Site:
    """The pages and the feed, held in memory."""

    def __init__(self, n: int, seed: int) -> None:
        self.pages: dict[str, bytes] = {}
        self.events = 0
        for i in range(n):
            html, events = make_page(seed, i)
            self.pages[f"/news/{i:04d}"] = html.encode("utf-8")
            self.events += events
        self.feed = b""

    def build_feed(self, base: str) -> None:
        items = "".join(
            f"<item><title>Release {i}</title><link>{base}{path}?utm_source=rss</link>"
            f"<pubDate>Mon, 05 Jan 2026 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate></item>"
            for i, path in enumerate(self.pages)
        )
        self.feed = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Bench newsroom</title><link>{base}/</link><description>bench</description>"
            f"{items}</channel></rss>"
        ).encode()


def _serve(site: _Site, latency_s: float) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/feed.xml":
                body, ctype = site.feed, "application/rss+xml"
            elif path in site.pages:
                body, ctype = site.pages[path], "text/html; charset=utf-8"
            else:
                body, ctype = b"not found", "text/plain"
            if latency_s:
                time.sleep(latency_s)
            self.send_response(200 if ctype != "text/plain" else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            """A client closing a kept-alive connection is normal here, not worth a traceback."""

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _ingest_bin() -> list[str]:
    exe = Path(sys.executable).with_name("cgtextract")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cgtextract"]


def _run_one(base: str, work: Path, concurrency: int, workers: int) -> dict[str, Any]:
    config = work / f"sources-c{concurrency}-w{workers}.toml"
    config.write_text(
        "[ingest]\n"
        f"concurrency = {concurrency}\nper_host = {concurrency}\nworkers = {workers}\n"
        "host_delay_s = 0\ntimeout_s = 30\n\n"
        f'[[sources]]\nname = "bench"\nurl = "{base}/feed.xml"\ntype = "rss"\n',
        encoding="utf-8",
    )
    db = work / f"bench-c{concurrency}-w{workers}.db"
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    started = time.perf_counter()
    proc = subprocess.run(
        [*_ingest_bin(), "ingest", "--config", str(config), "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ingest failed ({proc.returncode}): {proc.stderr.strip()}")
    summary = json.loads(proc.stdout)
    seconds = float(summary["seconds"])
    return {
        "concurrency": concurrency,
        "workers": workers,
        "stored": summary["stored"],
        "failed": summary["failed"],
        "events_new": summary["events_new"],
        "run_s": round(seconds, 2),
        "wall_s": round(wall, 2),
        "pages_per_s": round(summary["stored"] / seconds, 1) if seconds else None,
    }


def _table(report: dict[str, Any]) -> str:
    lines = [
        f"cgtextract ingest: {report['n']} pages, {report['latency_ms']} ms server latency, "
        f"{report['cpus']} CPU(s), Python {report['python']}",
        "",
        f"{'concurrency':>11} {'workers':>7} {'stored':>6} {'failed':>6} {'events':>6} "
        f"{'run s':>7} {'wall s':>7} {'pages/s':>8} {'speed-up':>8}",
    ]
    base = report["runs"][0]["pages_per_s"] or 1.0
    for r in report["runs"]:
        lines.append(
            f"{r['concurrency']:>11} {r['workers']:>7} {r['stored']:>6} {r['failed']:>6} "
            f"{r['events_new']:>6} {r['run_s']:>7.2f} {r['wall_s']:>7.2f} "
            f"{r['pages_per_s']:>8.1f} {r['pages_per_s'] / base:>7.2f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Generate, serve, time each configuration, print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="pages in the feed")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--latency-ms", type=float, default=DEFAULT_LATENCY_MS, help="server delay per response"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    site = _Site(args.n, args.seed)
    server, base = _serve(site, args.latency_ms / 1000)
    site.build_feed(base)
    try:
        with tempfile.TemporaryDirectory(prefix="cgt-bench-ingest-") as tmp:
            runs = [_run_one(base, Path(tmp), c, w) for c, w in CONFIGS]
    finally:
        server.shutdown()
        server.server_close()
    report = {
        "n": args.n,
        "latency_ms": args.latency_ms,
        "generated_events": site.events,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "runs": runs,
    }
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
