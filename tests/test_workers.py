"""Worker processes never outlive the command that started them (kill -9, SIGTERM, OOM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures_ingest.helpers import PAGES, pub_date, rss
from server import LocalServer

GRACE_S = 5.0  # how long a worker may outlive its parent


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it is dead)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _start(args: list[str], cwd: Path, workers: int) -> tuple[subprocess.Popen[bytes], set[int]]:
    """Start `cgtextract ARGS`, wait until its worker processes are up; (process, all its
    descendants seen so far)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cgtextract", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
    )
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        seen |= _descendants(proc.pid)
        if len([p for p in seen if _alive(p)]) >= workers:
            time.sleep(1.0)  # let them settle into their work
            return proc, seen | _descendants(proc.pid)
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"the workers of {args} never started")


def _assert_all_gone(pids: set[int]) -> None:
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    left = sorted(p for p in pids if _alive(p))
    for pid in left:  # clean up before failing, so one run does not leak into the next
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"{len(left)} process(es) outlived their parent by {GRACE_S}s"


@pytest.fixture
def slow_pages(http_server: LocalServer) -> list[str]:
    """Article URLs that take 20 s to answer: the workers are busy when the parent dies."""
    urls = []
    for i, body in enumerate(PAGES.values()):
        http_server.route(f"/slow/{i}", body=body, delay=20)
        urls.append(http_server.url(f"/slow/{i}"))
    return urls


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_run_workers_die_with_their_parent(
    tmp_path: Path, slow_pages: list[str], how: signal.Signals
) -> None:
    proc, family = _start(["run", *slow_pages, "--workers", "2", "--db", "e.db"], tmp_path, 2)
    proc.send_signal(how)
    proc.wait(timeout=30)
    _assert_all_gone(family)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_ingest_workers_die_with_their_parent(
    tmp_path: Path, http_server: LocalServer, slow_pages: list[str], how: signal.Signals
) -> None:
    http_server.route(
        "/feed.xml", body=rss([(u, pub_date(5)) for u in slow_pages]), content_type="text/xml"
    )
    config = tmp_path / "sources.toml"
    config.write_text(
        "[ingest]\nhost_delay_s = 0\n"
        f'[[sources]]\nname = "n"\nurl = "{http_server.url("/feed.xml")}"\ntype = "rss"\n',
        encoding="utf-8",
    )
    args = ["ingest", "--config", str(config), "--db", "e.db", "--workers", "2"]
    proc, family = _start(args, tmp_path, 3)  # the fork server and two workers
    proc.send_signal(how)
    proc.wait(timeout=30)
    _assert_all_gone(family)
    if how == signal.SIGTERM:  # a clean stop: the run says how it ended
        import sqlite3

        with sqlite3.connect(tmp_path / "e.db") as conn:
            (status,) = conn.execute("SELECT status FROM runs").fetchone()
        assert status == "interrupted"


@pytest.mark.parametrize("fmt", ["table", "jsonl", "csv", "json"])
def test_run_prints_events_as_they_are_stored(
    tmp_path: Path, http_server: LocalServer, fmt: str
) -> None:
    """Events are printed batch by batch, not kept for the end: memory stays flat over a
    long run, and a reader of the output sees them early."""
    import json

    pages = list(PAGES.values())
    first = tmp_path / "first.html"
    first.write_bytes(pages[0])
    slow = []
    for i, body in enumerate(pages[1:]):
        http_server.route(f"/late/{i}", body=body, delay=2.5)
        slow.append(http_server.url(f"/late/{i}"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cgtextract", "run", str(first), *slow, "--db", "e.db"]
        + ["--format", fmt],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
    )
    with proc:
        assert proc.stdout is not None
        started = time.monotonic()
        first_line = proc.stdout.readline()
        seen_after = time.monotonic() - started
        rest = proc.stdout.read()
        proc.wait(timeout=60)
        total = time.monotonic() - started
    assert proc.returncode == 0
    assert first_line, "nothing printed"
    assert seen_after < total - 3, f"first output at {seen_after:.1f}s, end at {total:.1f}s"
    out = (first_line + rest).decode("utf-8")
    if fmt == "json":
        assert len(json.loads(out)) >= len(pages)
    elif fmt == "table":
        assert out.rstrip().endswith("event(s)") and out.count("event(s)") == 1
    elif fmt == "csv":
        assert out.count("source,company") == 1
