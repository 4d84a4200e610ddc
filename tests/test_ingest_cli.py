"""`cgtextract ingest` and `cgtextract runs` as a user (and cron) runs them, kill -9 included."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fixtures_ingest.helpers import (
    ALL_DEV_PAGES,
    PAGES,
    config,
    db_counts,
    pub_date,
    rss,
    run,
    serve_feed,
    serve_pages,
    url_state,
)
from server import LocalServer
from typer.testing import CliRunner, Result

from cgtextract import cli
from cgtextract.ingest import EXIT_LOCKED, ingest_lock
from cgtextract.store import Store

runner = CliRunner()

FAST_TABLE = """
[ingest]
host_delay_s = 0
concurrency = {concurrency}
per_host = {concurrency}
timeout_s = 1.0
retries = 1
backoff_s = 0.01
"""


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CGTEXTRACT_DB", raising=False)
    monkeypatch.chdir(tmp_path)


def write_config(path: Path, feed_url: str, concurrency: int = 4) -> Path:
    path.write_text(
        FAST_TABLE.format(concurrency=concurrency)
        + f'\n[[sources]]\nname = "newsroom"\nurl = "{feed_url}"\ntype = "rss"\n',
        encoding="utf-8",
    )
    return path


def invoke(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


def _feed(server: LocalServer, paths: list[str]) -> str:
    return rss([(server.url(p), pub_date(5)) for p in paths])


def test_ingest_json_then_runs(http_server: LocalServer, tmp_path: Path) -> None:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed(http_server, paths))
    cfg = write_config(tmp_path / "sources.toml", http_server.url("/feed.xml"))
    db = str(tmp_path / "events.db")

    result = invoke("ingest", "--config", str(cfg), "--db", db, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "ok" and summary["stored"] == 4 and summary["failures"] == []
    assert result.stderr == ""  # not a terminal: no progress bar

    again = invoke("ingest", "--config", str(cfg), "--db", db)
    assert again.exit_code == 0
    [line] = again.stdout.splitlines()
    assert line.startswith("ingest: 1 source(s), 4 URL(s) discovered, 0 fetched, 4 unchanged")

    listed = invoke("runs", "--db", db)
    assert listed.exit_code == 0
    header, newest, oldest = listed.stdout.splitlines()
    assert header.split()[:3] == ["id", "started", "(UTC)"]
    assert newest.split()[0] == "2" and " ok " in newest
    history = [json.loads(ln) for ln in invoke("runs", "--db", db, "--json").stdout.splitlines()]
    assert [(r["id"], r["status"], r["stored"]) for r in history] == [(2, "ok", 0), (1, "ok", 4)]


def test_ingest_some_articles_fail_exit_1(http_server: LocalServer, tmp_path: Path) -> None:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed(http_server, [*paths, "/news/missing"]))
    cfg = write_config(tmp_path / "sources.toml", http_server.url("/feed.xml"))
    result = invoke("ingest", "--config", str(cfg), "--db", str(tmp_path / "e.db"))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors == [f"cgtextract: {http_server.url('/news/missing')}: HTTP 404 Not Found"]
    assert "4 stored" in result.stdout and "1 failed" in result.stdout


BAD_CONFIGS = {
    "missing-file": (None, "no such file"),
    "invalid-toml": ("[[sources]\nname = 'x'", "invalid TOML"),
    "no-sources": ("[ingest]\nconcurrency = 2\n", "no sources"),
    "unknown-type": ("[[sources]]\nurl = 'https://x.org/f'\ntype = 'twitter'\n", "unknown type"),
    "missing-url": ("[[sources]]\nname = 'x'\ntype = 'rss'\n", "missing url"),
    "not-http": ("[[sources]]\nurl = 'ftp://x.org/f'\ntype = 'rss'\n", "http(s) URL"),
    "page-no-include": ("[[sources]]\nurl = 'https://x.org/'\ntype = 'page'\n", "needs include"),
    "bad-regex": (
        "[[sources]]\nurl = 'https://x.org/f'\ntype = 'rss'\ninclude = '(unclosed'\n",
        "not a valid regex",
    ),
    "typo-key": ("[[sources]]\nurl = 'https://x.org/f'\ntype = 'rss'\ninclud = 'a'\n", "unknown"),
    "bad-option": (
        "[ingest]\nconcurrency = 0\n[[sources]]\nurl='https://x.org/f'\ntype='rss'\n",
        "between 1 and 64",
    ),
}


@pytest.mark.parametrize(("content", "message"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_one_line_exit_2(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "sources.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = invoke("ingest", "--config", str(path), "--db", str(tmp_path / "e.db"))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"cgtextract: {path}: ") and message in line
    assert "Traceback" not in result.output
    assert not (tmp_path / "e.db").exists()


def test_locked_database_exit_3(http_server: LocalServer, tmp_path: Path) -> None:
    serve_feed(http_server, "/feed.xml", rss([]))
    cfg = write_config(tmp_path / "sources.toml", http_server.url("/feed.xml"))
    db = tmp_path / "events.db"
    with Store(f"sqlite:///{db}") as store, ingest_lock(store.engine):
        result = invoke("ingest", "--config", str(cfg), "--db", str(db))
    assert result.exit_code == EXIT_LOCKED == 3
    [line] = result.stderr.splitlines()
    assert "another ingest is already running" in line and f"pid {os.getpid()}" in line
    assert http_server.hits["/feed.xml"] == 0


@pytest.mark.parametrize("command", ["ingest", "runs"])
def test_help(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout


def test_killed_mid_run_resumes_without_duplicates(
    http_server: LocalServer, tmp_path: Path
) -> None:
    """kill -9 in the middle of a run; the next run finishes the rest, storing nothing twice."""
    pages = {p.stem: p.read_bytes() for p in ALL_DEV_PAGES[:12]}
    for name, body in pages.items():
        http_server.route(f"/news/{name}", body=body, delay=0.4)
    paths = [f"/news/{name}" for name in pages]
    serve_feed(http_server, "/feed.xml", _feed(http_server, paths))
    cfg = write_config(tmp_path / "sources.toml", http_server.url("/feed.xml"), concurrency=2)
    db = tmp_path / "events.db"

    proc = subprocess.Popen(
        [sys.executable, "-m", "cgtextract", "ingest", "--config", str(cfg), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        done = _wait_for_done(db, at_least=3, timeout_s=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    states = url_state(db)
    done = sum(1 for status, _ in states.values() if status == "done")
    assert len(states) == 12 and 3 <= done < 12, "the kill did not land mid-run"

    resumed = run(
        config([{"name": "newsroom", "url": http_server.url("/feed.xml"), "type": "rss"}]),
        f"sqlite:///{db}",
    )
    assert (resumed.stored, resumed.unchanged, resumed.failed) == (12 - done, done, 0)
    assert all(status == "done" for status, _ in url_state(db).values())
    assert all(http_server.hits[p] <= 2 for p in paths)

    # The same articles read by one uninterrupted run give the same rows.
    reference = tmp_path / "reference.db"
    run(
        config([{"name": "newsroom", "url": http_server.url("/feed.xml"), "type": "rss"}]),
        f"sqlite:///{reference}",
    )
    assert db_counts(db) == db_counts(reference)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT status, stored FROM runs ORDER BY id").fetchall()
    assert [status for status, _ in runs] == ["interrupted", "ok"]
    # the killed run's row counted as it went: what it stored before the kill
    assert runs[0][1] >= done


def _wait_for_done(db: Path, at_least: int, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db, timeout=1) as conn:
                (n,) = conn.execute(
                    "SELECT COUNT(*) FROM url_state WHERE status = 'done'"
                ).fetchone()
            if n >= at_least:
                return int(n)
        except sqlite3.OperationalError:
            pass  # not created yet, or busy for a moment
        time.sleep(0.05)
    raise AssertionError(f"the ingest subprocess did not store {at_least} articles in time")


@pytest.mark.parametrize("ran_before", [False, True])
def test_runs_reads_a_read_only_database(tmp_path: Path, ran_before: bool) -> None:
    """`runs` only reads: the ingest tables come with the schema, and reading them takes no
    write lock (it used to create them on first use, failing on a read-only file)."""
    from test_hostile_db import read_only

    from cgtextract.ingest import IngestState, RunCounts

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "events.db"
    with Store(f"sqlite:///{db}") as store:
        if ran_before:
            state = IngestState(store.engine)
            state.finish_run(state.begin_run("sources.toml"), "ok", RunCounts(stored=3), 1.5)
    with read_only(db) as url:
        result = invoke("runs", "--db", url)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "started", "(UTC)"]
    assert len(lines) == 1 + ran_before


def test_a_full_disk_ends_the_run_as_error_in_one_line_per_failure(
    http_server: LocalServer, tmp_path: Path
) -> None:
    """Every write fails once discovery is recorded: each line on stderr starts with
    `cgtextract:` and names its URL once; the run ends as `error` (told to the next run
    through the lock file when the database cannot take even that)."""
    import sqlite3 as sqlite

    from sqlalchemy import Engine, event

    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed(http_server, paths))
    cfg = write_config(tmp_path / "sources.toml", http_server.url("/feed.xml"))
    db = tmp_path / "events.db"
    Store(f"sqlite:///{db}").close()

    begun: list[bool] = []

    def full(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        if statement.startswith("INSERT INTO runs"):
            begun.append(True)  # the disk fills up once the run has begun
        elif begun and statement.startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite.OperationalError("database or disk is full")

    event.listen(Engine, "do_execute", full)
    try:
        result = invoke("ingest", "--config", str(cfg), "--db", str(db))
    finally:
        event.remove(Engine, "do_execute", full)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("cgtextract: ") for line in lines), lines
    for line in lines:
        assert all(line.count(http_server.url(p)) <= 1 for p in paths), line
    again = invoke("ingest", "--config", str(cfg), "--db", str(db))
    assert again.exit_code == 0, again.output
    with sqlite.connect(db) as conn:
        rows = conn.execute("SELECT status, message FROM runs ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["error", "ok"]
    assert "disk is full" in rows[0][1]
