"""The flat view reads well in datasette: serve a test database, fetch events_flat as JSON.

datasette is a dev dependency (`pip install -e '.[dev]'`); the test is skipped without it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_store import make_article, make_event

from cgtextract.store import Store

pytest.importorskip("datasette")

STARTUP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_datasette_serves_the_flat_view(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    with Store(f"sqlite:///{path}") as store:
        store.save(make_article("a.html"), [make_event()])
        store.save(make_article("b.html"), [make_event(source="b.html", target="CD19")])
        store.save(make_article("c.html"), [make_event(source="c.html", regulator="FDA")])

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # trust_env=False: a proxy in the environment must not see loopback traffic
        with httpx.Client(base_url=base, trust_env=False, timeout=5.0) as client:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                try:
                    if client.get("/-/versions.json").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"datasette did not start: {output[-2000:]}")
                time.sleep(0.1)
            response = client.get("/events/events_flat.json", params={"_shape": "array"})
            assert response.status_code == 200
            rows = response.json()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()

    by_regulator = {row["regulator"]: row for row in rows}
    assert set(by_regulator) == {"NMPA", "FDA"}
    nmpa = by_regulator["NMPA"]
    assert (nmpa["product"], nmpa["mention_count"], nmpa["first_source"]) == ("CT0596", 2, "a.html")
    assert '"CD19"' in nmpa["conflicts"]
