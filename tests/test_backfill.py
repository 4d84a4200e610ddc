"""`backfill` end to end: the same events as `run`, on every engine; re-runs, resumes, failures."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbfixtures import PG_URL, fresh_pg_url, needs_pg
from server import LocalServer
from typer.testing import CliRunner
from warc_fixtures import Page, dev_pages, write_warc

from cgtextract.backfill import BackfillOptions, backfill, driver
from cgtextract.backfill import worker as worker_module
from cgtextract.backfill.shards import shard_path
from cgtextract.backfill.worker import WarcTask, read_warc, time_limit
from cgtextract.cli import app
from cgtextract.errors import RecordTimeout
from cgtextract.pipeline import run
from cgtextract.settings import Settings
from cgtextract.store import Store

SETTINGS = Settings(retries=0)
VOLATILE = {"id", "first_seen_at", "updated_at"}


def export(store: Store) -> list[dict[str, Any]]:
    """Every event with its mentions, without row ids and clock times."""
    return [{k: v for k, v in e.items() if k not in VOLATILE} for e in store.export()]


def mention_view(store: Store) -> list[tuple[Any, ...]]:
    """What each article said, whatever order the articles were stored in."""
    return sorted(
        (m["source"], m["evidence_start"], m["evidence_end"], e["regulator"], e["event_type"])
        + (e["designation"],)
        for e in store.export()
        for m in e["mentions"]
    )


def counts(store: Store) -> dict[str, int]:
    return store.counts()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'backfill.db'}") as store:
        yield store


def options(tmp_path: Path, **kw: Any) -> BackfillOptions:
    return BackfillOptions(shards=tmp_path / "shards", **kw)


@pytest.mark.parametrize(
    ("engine", "workers", "warcs"),
    [("local", 1, 1), ("local", 2, 2), ("dask", 2, 2)],
    ids=["local-1", "local-2", "dask-2"],
)
def test_events_equal_those_of_run_over_the_same_pages(
    tmp_path: Path, http_server: LocalServer, db: Store, engine: str, workers: int, warcs: int
) -> None:
    """The same responses archived in WARCs and read by `backfill` on each engine, and served
    over HTTP and read by `run` in the order the backfill stored them, give the same events,
    mentions and articles, field for field."""
    if engine == "dask":
        pytest.importorskip("distributed")
    pages = dev_pages(http_server.base_url)
    half = len(pages) // 2 if warcs == 2 else len(pages)
    parts = {str(tmp_path / "a.warc.gz"): pages[:half], str(tmp_path / "b.warc"): pages[half:]}
    parts = {name: part for name, part in parts.items() if part}
    for name, part in parts.items():
        write_warc(Path(name), part)
    result = backfill(
        list(parts),
        db,
        SETTINGS,
        options(tmp_path, engine=engine, workers=workers, memory_limit="1GiB"),
    )
    assert (result.failed, result.read, result.records_seen) == (0, warcs, len(pages))
    with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
        stored = [u for (u,) in conn.execute("SELECT uri FROM backfill_warcs ORDER BY finished_at")]

    for page in pages:
        http_server.route("/" + page.uri.split("/", 3)[3], body=page.body)
    with Store(f"sqlite:///{tmp_path / 'run.db'}") as ran:
        report = run([p.uri for uri in stored for p in parts[uri]], SETTINGS, ran)
        assert not report.failed
        expected = export(ran)
    # the prefilter kept every page with an event, and dropped pages without (negatives)
    with_events = {e.source for e in report.events}
    assert len(with_events) <= result.records_passed == result.articles_stored < len(pages)
    assert len(expected) > 40
    assert export(db) == expected


def _two_warcs(tmp_path: Path) -> list[str]:
    pages = dev_pages()
    return [
        str(write_warc(tmp_path / "a.warc.gz", pages[:9])),
        str(write_warc(tmp_path / "b.warc", pages[9:])),
    ]


def test_a_rerun_stores_nothing_and_force_reads_again(tmp_path: Path, db: Store) -> None:
    warcs = _two_warcs(tmp_path)
    first = backfill(warcs, db, SETTINGS, options(tmp_path))
    before, view = counts(db), mention_view(db)
    again = backfill(warcs, db, SETTINGS, options(tmp_path))
    assert (again.skipped, again.read, again.records_seen, again.articles_stored) == (2, 0, 0, 0)
    forced = backfill(warcs, db, SETTINGS, options(tmp_path, force=True))
    assert (forced.read, forced.articles_stored) == (2, first.articles_stored)
    assert forced.events_new == 0
    assert (counts(db), mention_view(db)) == (before, view)
    assert not list((tmp_path / "shards").glob("*"))  # stored shards are deleted


def test_a_new_extractor_version_reads_again(
    tmp_path: Path, db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    warcs = _two_warcs(tmp_path)[:1]
    backfill(warcs, db, SETTINGS, options(tmp_path))
    monkeypatch.setattr(driver, "extractor_version", lambda: "9.9.9+test")
    report = backfill(warcs, db, SETTINGS, options(tmp_path))
    assert (report.skipped, report.read) == (0, 1)
    with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT extractor_version FROM backfill_warcs").fetchall() == [
            ("9.9.9+test",)
        ]


def test_a_truncated_warc_fails_alone(tmp_path: Path, db: Store) -> None:
    good, bad = _two_warcs(tmp_path)
    data = Path(bad).read_bytes()
    Path(bad).write_bytes(data[: len(data) - 500])
    report = backfill([bad, good], db, SETTINGS, options(tmp_path))
    assert (report.read, report.failed, report.exit_code) == (1, 1, 1)
    assert "truncated" in report.failures[0]
    assert counts(db)["articles"] == 9
    with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
        rows = dict(conn.execute("SELECT status, COUNT(*) FROM backfill_warcs GROUP BY status"))
    assert rows == {"done": 1, "failed": 1}
    # the failed one is tried again by the next run, the done one is not
    again = backfill([bad, good], db, SETTINGS, options(tmp_path))
    assert (again.skipped, again.failed) == (1, 1)


def test_an_http_warc(tmp_path: Path, http_server: LocalServer, db: Store) -> None:
    data = Path(_two_warcs(tmp_path)[0]).read_bytes()
    http_server.route("/crawl/a.warc.gz", body=data, content_type="application/octet-stream")
    report = backfill([http_server.url("/crawl/a.warc.gz")], db, SETTINGS, options(tmp_path))
    assert (report.read, report.articles_stored) == (1, 9)
    with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT size, status FROM backfill_warcs").fetchall() == [
            (len(data), "done")
        ]


def _older_and_newer(tmp_path: Path) -> tuple[str, str, Page, Page]:
    dev = dev_pages()
    uri = "https://news.example/story"
    newer = Page(uri, dev[0].body, date="2022-01-01T00:00:00Z")
    older = Page(uri, dev[1].body, date="2020-01-01T00:00:00Z")
    new_warc = str(write_warc(tmp_path / "new.warc.gz", [newer]))
    old_warc = str(write_warc(tmp_path / "old.warc.gz", [older]))
    return new_warc, old_warc, newer, older


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=needs_pg)])
@pytest.mark.parametrize("order", ["new-first", "old-first"])
def test_an_older_capture_never_replaces_a_newer_one(
    tmp_path: Path, order: str, backend: str
) -> None:
    new_warc, old_warc, newer, _ = _older_and_newer(tmp_path)
    warcs = [new_warc, old_warc] if order == "new-first" else [old_warc, new_warc]
    with _database(tmp_path, backend) as url, Store(url) as store:
        for warc in warcs:
            backfill([warc], store, SETTINGS, options(tmp_path))
        with Store(f"sqlite:///{tmp_path / 'only-newer.db'}") as alone:
            backfill([new_warc], alone, SETTINGS, options(tmp_path / "alone"))
            assert mention_view(store) == mention_view(alone)
        assert len(mention_view(store)) > 0


def _database(tmp_path: Path, backend: str) -> Any:
    from contextlib import nullcontext

    if backend == "postgresql":
        assert PG_URL
        return fresh_pg_url("backfill")
    return nullcontext(f"sqlite:///{tmp_path / 'b.db'}")


def test_a_whole_shard_left_by_a_killed_run_is_stored_without_reading_again(
    tmp_path: Path, db: Store
) -> None:
    warc = _two_warcs(tmp_path)[0]
    shard = shard_path(tmp_path / "shards", warc)
    result = read_warc(WarcTask(warc, str(shard), driver.extractor_version(), SETTINGS))
    assert result.error is None and shard.exists()
    os.unlink(warc)  # only the shard can give the articles now
    report = backfill([warc], db, SETTINGS, options(tmp_path))
    assert (report.loaded_from_shards, report.read, report.articles_stored) == (1, 1, 9)


def test_a_bad_record_is_counted_and_skipped(
    tmp_path: Path, db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = worker_module.process_body

    def flaky(body: bytes, source: str, **kw: Any) -> Any:
        if source.endswith("dev-02-carsgen-ct053-prime"):
            raise ValueError("boom")
        return real(body, source, **kw)

    monkeypatch.setattr(worker_module, "process_body", flaky)
    report = backfill(_two_warcs(tmp_path)[:1], db, SETTINGS, options(tmp_path))
    assert (report.read, report.failed, report.records_failed, report.articles_stored) == (
        1,
        0,
        1,
        8,
    )


@pytest.mark.parametrize("where", ["main thread", "worker thread"])
def test_a_record_over_its_time_bound_is_stopped(where: str) -> None:
    outcome: list[str] = []

    def body() -> None:
        started = time.monotonic()
        try:
            with time_limit(0.2):
                while time.monotonic() - started < 5:
                    sum(range(1000))
            outcome.append("finished")
        except RecordTimeout:
            outcome.append(f"stopped after {time.monotonic() - started:.1f}s")

    if where == "main thread":
        body()
    else:
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(10)
    assert outcome == ["stopped after 0.2s"]
    with time_limit(0.2):  # a quick block is left alone, and nothing fires later
        pass
    time.sleep(0.3)


# --- the command ----------------------------------------------------------------------------


def test_cli_backfill(tmp_path: Path) -> None:
    warcs = _two_warcs(tmp_path)
    db = tmp_path / "cli.db"
    args = ["backfill", *warcs, "--db", str(db), "--shards", str(tmp_path / "s")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("backfill: 2 WARC(s), 2 read, 0 skipped, 0 failed; 17 record")
    result = CliRunner().invoke(app, [*args, "--json"])
    assert json.loads(result.stdout)["skipped"] == 2


def test_cli_a_bad_warc_is_one_line_and_exit_1(tmp_path: Path) -> None:
    good = _two_warcs(tmp_path)[0]
    (tmp_path / "bad.warc.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    args = ["backfill", good, str(tmp_path / "bad.warc.gz"), str(tmp_path / "missing.warc")]
    shards = str(tmp_path / "s")
    result = CliRunner().invoke(app, [*args, "--db", str(tmp_path / "x.db"), "--shards", shards])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("cgtextract: ")]
    assert len(errors) == 2
    assert "no such file" in errors[1] and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give WARC files or URLs, or --paths-file"),
        (["x.warc", "--engine", "spark"], "unknown engine 'spark' (choose from local, dask)"),
        (["--paths-file", "missing.paths"], "missing.paths: no such file"),
    ],
)
def test_cli_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["backfill", *args, "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"cgtextract: {message}"


def test_cli_a_missing_engine_package_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def no_distributed(name: str, *a: Any) -> Any:
        if name == "distributed":
            raise ImportError(name)
        return real(name, *a)

    monkeypatch.setattr(importlib, "import_module", no_distributed)
    warc = _two_warcs(tmp_path)[0]
    args = ["backfill", warc, "--engine", "dask", "--db", str(tmp_path / "x.db")]
    result = CliRunner().invoke(app, [*args, "--shards", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "cgtextract: the dask engine needs dask.distributed: pip install 'cgtextract[dask]'"
    )


def test_cli_paths_file_with_base_url(tmp_path: Path, http_server: LocalServer) -> None:
    data = Path(_two_warcs(tmp_path)[0]).read_bytes()
    http_server.route("/crawl-data/x/a.warc.gz", body=data, content_type="application/gzip")
    (tmp_path / "warc.paths").write_text("crawl-data/x/a.warc.gz\n")
    args = ["backfill", "--paths-file", str(tmp_path / "warc.paths")]
    args += ["--base-url", http_server.base_url, "--db", str(tmp_path / "x.db")]
    result = CliRunner().invoke(app, [*args, "--shards", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles_stored"] == 9


# --- kill -9 --------------------------------------------------------------------------------


def _status(db: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05) as conn:
            return dict(conn.execute("SELECT status, COUNT(*) FROM backfill_warcs GROUP BY 1"))
    except sqlite3.Error:
        return {}


def test_a_killed_backfill_resumes_without_losing_or_doubling(tmp_path: Path) -> None:
    """SIGKILL the driver while it stores a shard (its pool workers go too), run again:
    the database ends as a run that was never interrupted."""
    psutil = pytest.importorskip("psutil")
    pages = dev_pages()
    warcs = [
        str(write_warc(tmp_path / f"w{i}.warc.gz", [Page(f"{p.uri}-{i}", p.body) for p in pages]))
        for i in range(4)
    ]
    command = [sys.executable, "-m", "cgtextract", "backfill", *warcs, "--workers", "2"]
    killed = tmp_path / "killed.db"
    proc = subprocess.Popen(
        [*command, "--db", str(killed), "--shards", str(tmp_path / "k")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if _status(killed).get("loading"):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be killed"
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.stderr is not None
    proc.stderr.close()
    _, alive = psutil.wait_procs(children, timeout=5)
    assert not alive, "pool workers outlived their killed parent"
    assert _status(killed).get("done", 0) < 4

    resumed = subprocess.run(
        [*command, "--db", str(killed), "--shards", str(tmp_path / "k")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    clean = tmp_path / "clean.db"
    subprocess.run(
        [*command, "--db", str(clean), "--shards", str(tmp_path / "c")],
        check=True,
        timeout=300,
        capture_output=True,
    )
    with Store(f"sqlite:///{killed}") as a, Store(f"sqlite:///{clean}") as b:
        assert counts(a) == counts(b)
        assert mention_view(a) == mention_view(b)
        assert 0 < counts(a)["articles"] < 4 * len(pages)  # pages without events were dropped


def _kill_a_worker_mid_task(shards: Path, killed: list[int]) -> None:
    """SIGKILL the process writing the first temporary shard that appears (its name holds
    the writer's pid): a worker that dies in the middle of a WARC."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for part in shards.glob(".*.part"):
            pid = int(part.name.split(".")[-3])
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.005)


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_a_worker_killed_mid_task_costs_nothing(tmp_path: Path, db: Store, engine: str) -> None:
    """The task of a worker process that dies runs again (a fresh pool; Dask reschedules)."""
    if engine == "dask":
        pytest.importorskip("distributed")
    pages = dev_pages()
    warcs = [
        str(write_warc(tmp_path / f"w{i}.warc.gz", [Page(f"{p.uri}-{i}", p.body) for p in pages]))
        for i in range(3)
    ]
    killed: list[int] = []
    killer = threading.Thread(target=_kill_a_worker_mid_task, args=(tmp_path / "shards", killed))
    killer.start()
    report = backfill(
        warcs, db, SETTINGS, options(tmp_path, engine=engine, workers=2, memory_limit="1GiB")
    )
    killer.join()
    assert killed and killed[0] != os.getpid()
    assert (report.read, report.failed, report.records_seen) == (3, 0, 3 * len(pages))
    assert report.articles_stored == report.records_passed > 0
    assert not list((tmp_path / "shards").glob("*"))  # nor the dead worker's temporary file


def test_help_and_readme_document_every_option() -> None:
    result = CliRunner().invoke(app, ["backfill", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Example: cgtextract backfill" in result.stdout
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "cgtextract backfill --paths-file" in readme
    command = next(c for c in app.registered_commands if c.name == "backfill")
    import typer.main

    params = typer.main.get_command_from_info(
        command, pretty_exceptions_short=True, rich_markup_mode=None
    ).params
    for option in [o for p in params for o in p.opts if o.startswith("--")]:
        assert f"`{option}" in readme, option


def test_the_progress_bar_counts_warcs_and_records(capsys: pytest.CaptureFixture[str]) -> None:
    from cgtextract.backfill import TerminalProgress
    from cgtextract.backfill.warc import RecordCounts
    from cgtextract.backfill.worker import WarcResult

    progress = TerminalProgress()
    progress(2, None)
    progress(0, WarcResult(uri="a", counts=RecordCounts(seen=1000)))
    progress(0, WarcResult(uri="b", counts=RecordCounts(seen=500)))
    assert progress._records == 1500
    progress.close()
