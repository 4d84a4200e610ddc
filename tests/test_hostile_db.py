"""Hostile SQL and broken databases.

1. `--sql` is read-only and one statement, whatever the text tries: each attempt is refused
   through `Store.read_sql` and through `cgtextract query --sql`, with one line (exit 2),
   and the data is unchanged afterwards. Filters are bound parameters, never SQL text.
2. A corrupt, read-only, locked or full database is one clear StorageError (through
   `cgtextract run`: one line, non-zero exit, no traceback), and what was stored before
   is still whole: article A saved, saving B fails, A is complete and B left nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from dbfixtures import (  # noqa: F401  (fixtures are used by name)
    db_fixture,
    db_url_fixture,
    pg_session_url_fixture,
    shared_stores_fixture,
    sql,
    sqlite_template_fixture,
)
from sqlalchemy import Engine, event, text
from test_store import TEXT, make_article, make_event
from typer.testing import CliRunner, Result

from cgtextract import cli, pipeline
from cgtextract.errors import InputError, StorageError
from cgtextract.models import Article, Event
from cgtextract.store import Store, readonly_sql

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_env_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CGTEXTRACT_DB", raising=False)
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


def one_line(message: str) -> str:
    assert message and "\n" not in message, repr(message)
    return message


def refused_line(result: Result) -> str:
    """The CLI refused with exactly one stderr line, exit 2, no output and no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cgtextract: "), result.stderr
    return lines[0]


# --- 1. --sql cannot be bypassed ------------------------------------------------------------


def fingerprint(db: Store) -> list[Any]:
    """Everything the attempts could touch: the rows of our tables and the list of tables."""
    tables = sorted(
        r[0]
        for r in sql(
            db,
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            if db.engine.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
        )
    )
    return [
        tables,
        sql(db, "SELECT id, url, text FROM articles ORDER BY id"),
        sql(db, "SELECT id, product, regulator, date FROM events ORDER BY id"),
        sql(db, "SELECT id, event_id, article_id FROM mentions ORDER BY id"),
    ]


@pytest.fixture
def filled(db: Store) -> Store:
    db.save(
        make_article(), [make_event(), make_event(event_type="ind_clearance", evidence_start=3)]
    )
    return db


# Each is refused: by the keyword/statement check, or by the database itself. The last
# ones read differently in the two dialects; each is refused where it would be a second
# statement or a write, and elsewhere may run as the harmless SELECT it is there.
BOTH = ("sqlite", "postgresql")
ATTEMPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "two-statements": ("SELECT 1; DELETE FROM events", BOTH),
    "attach": ("ATTACH DATABASE '{tmp}/x.db' AS x", BOTH),
    "pragma-writable-schema": ("PRAGMA writable_schema=1", BOTH),
    "pragma-journal-mode": ("PRAGMA journal_mode=DELETE", BOTH),
    "pragma-query-only-off": ("PRAGMA query_only=OFF", BOTH),
    "vacuum-into": ("VACUUM INTO '{tmp}/copy.db'", BOTH),
    "block-comment-then-drop": ("SELECT 1 /* */; DROP TABLE events", BOTH),
    "line-comment-then-delete": ("-- just a comment\nDELETE FROM events", BOTH),
    "comment-before-semicolon": ("SELECT 1 -- ;\n; DELETE FROM events", BOTH),
    "cte-delete-returning": ("WITH x AS (DELETE FROM events RETURNING *) SELECT * FROM x", BOTH),
    "cte-then-delete": ("WITH x AS (SELECT 1) DELETE FROM events", BOTH),
    "insert": ("INSERT INTO articles (url) VALUES ('evil')", BOTH),
    "update": ("UPDATE events SET product = 'evil'", BOTH),
    "create-table": ("CREATE TABLE evil (a INTEGER)", BOTH),
    "replace": ("REPLACE INTO articles (id, url) VALUES (1, 'evil')", BOTH),
    "drop": ("DROP TABLE events", BOTH),
    "load-extension": ("SELECT load_extension('{tmp}/evil.so')", BOTH),
    "select-into": ("SELECT * INTO evil FROM events", BOTH),
    "nextval": ("SELECT nextval('events_id_seq')", BOTH),
    # Holes found: text the statement check read as one SELECT and PostgreSQL ran as
    # several, the COMMIT ending the read-only transaction before the DELETE ran.
    "pg-nested-comment": (
        "SELECT 1 /* /* */ ' */ ; COMMIT; DELETE FROM events; -- '",
        ("postgresql",),
    ),
    "pg-dollar-in-name": (
        "SELECT 1 AS a$$; COMMIT; DELETE FROM events; SELECT 1 AS b$$",
        BOTH,
    ),
    "pg-dollar-tag-digits": (
        "SELECT $a1$[$a1$; COMMIT; DELETE FROM events; SELECT $a1$]$a1$",
        BOTH,
    ),
    "pg-escape-string": ("SELECT E'\\'' ; COMMIT; DELETE FROM events; SELECT ''", BOTH),
    # ... and the reverse, for SQLite, whose comments do not nest.
    "sqlite-unnested-comment": (
        "/* /* */ VACUUM INTO '{tmp}/copy.db' -- */ SELECT 1",
        ("sqlite",),
    ),
}


def attempt_sql(name: str, tmp_path: Path) -> str:
    return ATTEMPTS[name][0].replace("{tmp}", str(tmp_path))


def must_refuse(db: Store, name: str) -> bool:
    return db.engine.dialect.name in ATTEMPTS[name][1]


def assert_untouched(db: Store, before: list[Any], tmp_path: Path) -> None:
    assert fingerprint(db) == before
    assert not (tmp_path / "x.db").exists()
    assert not (tmp_path / "copy.db").exists()
    if db.engine.dialect.name == "sqlite":
        path = db.engine.url.database
        assert path
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_sql_attempt_is_refused_by_the_library(filled: Store, name: str, tmp_path: Path) -> None:
    before = fingerprint(filled)
    if must_refuse(filled, name):
        with pytest.raises(InputError) as info:
            filled.read_sql(attempt_sql(name, tmp_path))
        one_line(str(info.value))
    else:
        filled.read_sql(attempt_sql(name, tmp_path))
    assert_untouched(filled, before, tmp_path)
    # The store writes as usual afterwards (no read-only state leaked into the pool).
    filled.save(make_article("b.html"), [make_event(source="b.html", regulator="FDA")])
    assert filled.counts()["events"] == 3


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_sql_attempt_is_refused_by_the_cli(filled: Store, name: str, tmp_path: Path) -> None:
    before = fingerprint(filled)
    result = invoke("query", "--db", filled.url, "--sql", attempt_sql(name, tmp_path))
    if must_refuse(filled, name):
        line = refused_line(result)
        assert "SQL" in line or "--sql" in line or "statement" in line
    else:
        assert result.exit_code == 0, result.output
    assert_untouched(filled, before, tmp_path)


# With the statement check switched off, the database alone still refuses: the check is
# the friendly first line, not the only one.
UNCHECKED = {
    "delete": "DELETE FROM events",
    "two-statements": "SELECT 1; DELETE FROM events",
    "commit-then-delete": "SELECT 1; COMMIT; DELETE FROM events",
    "attach": "ATTACH DATABASE '{tmp}/x.db' AS x",
    "vacuum-into": "VACUUM INTO '{tmp}/copy.db'",
    "pragma-query-only-off": "PRAGMA query_only=OFF",
    "create-table": "CREATE TABLE evil (a INTEGER)",
    "drop": "DROP TABLE events",
}


@pytest.mark.parametrize("name", list(UNCHECKED))
def test_the_database_refuses_even_without_the_statement_check(
    filled: Store, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readonly_sql, "single_select", lambda statement, dialect=None: statement)
    before = fingerprint(filled)
    statement = UNCHECKED[name].replace("{tmp}", str(tmp_path))
    try:
        filled.read_sql(statement)
    except InputError as exc:
        one_line(str(exc))
    # PRAGMA query_only=OFF "succeeds" on its own throwaway connection; nothing was written.
    assert_untouched(filled, before, tmp_path)
    if name != "pragma-query-only-off":
        with pytest.raises(InputError):
            filled.read_sql(statement)


def test_pg_session_state_set_by_sql_does_not_outlive_it(filled: Store) -> None:
    if filled.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    key = 0x1F00D
    filled.read_sql(f"SELECT pg_advisory_lock({key})")
    held = sql(
        filled,
        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k",
        k=key,
    )
    assert held == [(0,)]  # the connection that took it was closed, not pooled


def test_sql_is_refused_on_a_driver_whose_read_only_mode_is_not_checked(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filled.engine.dialect, "name", "mysql")
    with pytest.raises(InputError, match="SQLite and on PostgreSQL"):
        filled.read_sql("SELECT 1")


def test_a_plain_select_still_works_on_both_paths(filled: Store) -> None:
    sql_text = "SELECT product, ';' AS s FROM events_flat WHERE product LIKE '%059%' ORDER BY id"
    assert filled.read_sql(sql_text).rows == [("CT0596", ";"), ("CT0596", ";")]
    result = invoke("query", "--db", filled.url, "--sql", sql_text, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("CT0596") == 2


HOSTILE_VALUES = [
    "'; DROP TABLE events; --",
    "x' OR '1'='1",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "CT0596%' --",
    "\x00",
]


def query_by(store: Store, name: str, value: str) -> list[Event]:
    filters: dict[str, Any] = {name: value}
    return store.query(**filters)


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_every_filter_value_is_a_bound_parameter(filled: Store, value: str) -> None:
    if "\x00" in value:  # SQLite would cut the string there and match everything
        for name in ("company", "product", "target", "indication"):
            with pytest.raises(InputError, match="NUL"):
                query_by(filled, name, value)
        return
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(filled.engine, "before_cursor_execute", seen)
    try:
        for name in ("company", "product", "target", "indication"):
            assert query_by(filled, name, value) == [], name
    finally:
        event.remove(filled.engine, "before_cursor_execute", seen)
    assert statements
    if value.strip("%_\\"):  # the value never appears in the SQL text
        assert not any(value in s for s in statements)
    assert filled.counts() == {"articles": 1, "events": 2, "mentions": 2}
    for name in ("regulator", "event_type", "modality", "designation", "since"):
        with pytest.raises(InputError):  # not a code or a date: refused, not queried
            query_by(filled, name, value)


# --- 2. broken databases --------------------------------------------------------------------

BODY_B = "Second article. " + TEXT


@pytest.fixture
def db_path(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "events.db"
    shutil.copyfile(sqlite_template, path)
    return path


def article_b() -> tuple[Article, list[Event]]:
    # Large enough that it needs new pages (the full-disk tests depend on it).
    raw = "<html><body><p>" + os.urandom(200_000).hex() + "</p></body></html>"
    return (
        make_article("b.html", text=BODY_B, raw=raw),
        [make_event(source="b.html", regulator="FDA", evidence=BODY_B[:40], evidence_end=40)],
    )


def save_a(path: Path) -> None:
    with Store(f"sqlite:///{path}") as store:
        store.save(make_article("a.html"), [make_event(source="a.html")])


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What the file holds, read with sqlite3 alone (not through the code under test)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("articles", "events", "mentions", "event_names")
        }


def assert_a_whole_and_no_b(path: Path, before: dict[str, list[tuple[Any, ...]]]) -> None:
    after = snapshot(path)
    assert after == before
    urls = [row[1] for row in after["articles"]]
    assert urls == ["a.html"]
    assert len(after["events"]) == 1 and len(after["mentions"]) == 1
    with Store(f"sqlite:///{path}") as store:  # and the store reads A back whole
        (event_a,) = store.query()
        assert (event_a.source, event_a.product, event_a.evidence) == ("a.html", "CT0596", TEXT)


def save_b_fails(store: Store, match: str) -> str:
    article, events = article_b()
    with pytest.raises(StorageError, match=match) as info:
        store.save(article, events)
    return one_line(str(info.value))


@pytest.fixture
def fake_extract(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` reads real .txt files; events come from here, not from the extractor (which
    is not what these tests are about): one FDA event for b.txt, one NMPA event for a.txt."""

    def extract(article: Article) -> list[Event]:
        regulator = "FDA" if "b.txt" in article.source else "NMPA"
        return [make_event(source=article.source, regulator=regulator)]

    monkeypatch.setattr(pipeline, "extract", extract)


def write_inputs(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(BODY_B, encoding="utf-8")
    return str(tmp_path / "a.txt"), str(tmp_path / "b.txt")


def run_fails(result: Result, source: str, match: str) -> str:
    """`cgtextract run` of one input whose save failed: exit 2, one line for it, the
    summary line, no traceback."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"cgtextract: cannot save {source} in "), lines[0]
    assert match in lines[0], lines[0]
    assert lines[1] == "stored 0 article(s), 0 new event(s); 1 failed"
    return lines[0]


def cli_snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    snap = snapshot(path)
    assert [Path(r[1]).name for r in snap["articles"]] == ["a.txt"]
    return snap


# corrupt


def test_garbage_file_is_one_storage_error_and_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    junk = os.urandom(16_384)
    path.write_bytes(junk)
    with pytest.raises(StorageError, match="file is not a database") as info:
        Store(f"sqlite:///{path}")
    assert one_line(str(info.value)).startswith(f"cannot open database sqlite:///{path}: ")
    for args in (["run", "whatever.txt"], ["query"], ["query", "--sql", "SELECT 1"], ["stats"]):
        line = refused_line(invoke(*args, "--db", str(path)))
        assert "file is not a database" in line
    assert path.read_bytes() == junk  # never "repaired" or overwritten


def corrupt_page_of(path: Path, table: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = bytes(
        (i * 7919 + 13) & 0xFF for i in range(page_size)
    )
    path.write_bytes(bytes(data))


def test_corrupt_table_page_is_one_storage_error(db_path: Path, tmp_path: Path) -> None:
    save_a(db_path)
    corrupt_page_of(db_path, "events")
    with Store(f"sqlite:///{db_path}") as store:  # the schema is intact: it opens
        save_b_fails(store, "malformed")
        with pytest.raises(StorageError, match="malformed") as info:
            store.query()
        one_line(str(info.value))
        with pytest.raises(StorageError, match="malformed"):
            store.read_sql("SELECT * FROM events")
    with closing(sqlite3.connect(db_path)) as conn:  # B left no article row behind
        assert conn.execute("SELECT url FROM articles").fetchall() == [("a.html",)]
    assert "malformed" in refused_line(invoke("query", "--db", str(db_path)))


# read-only


@contextmanager
def read_only(path: Path) -> Iterator[str]:
    """A URL under which the file cannot be written. chmod does not stop root, so root
    gets SQLite's own read-only mode (`mode=ro`); others get 0444 on the file and 0555 on
    its directory (so no journal can be created either)."""
    if os.geteuid() == 0:
        yield f"sqlite:///file:{path}?mode=ro&uri=true"
        return
    folder = path.parent
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield f"sqlite:///{path}"
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def test_read_only_database_is_one_storage_error_and_keeps_a(db_path: Path) -> None:
    save_a(db_path)
    before = snapshot(db_path)
    with read_only(db_path) as url:
        try:
            store = Store(url)
        except StorageError as exc:  # not root: the WAL index cannot be created
            assert "unable to open" in one_line(str(exc)) or "readonly" in str(exc)
        else:
            with store:
                assert store.counts()["articles"] == 1  # reading works
                save_b_fails(store, "readonly")
    assert_a_whole_and_no_b(db_path, before)


def test_read_only_database_through_run(
    tmp_path: Path, sqlite_template: Path, fake_extract: None
) -> None:
    a, b = write_inputs(tmp_path)
    path = tmp_path / "db" / "events.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    assert invoke("run", a, "--db", str(path)).exit_code == 0
    before = cli_snapshot(path)
    with read_only(path) as url:
        result = invoke("run", b, "--db", url)
    if os.geteuid() == 0:
        run_fails(result, b, "readonly")
    else:
        refused_line(result)
    assert snapshot(path) == before


# locked


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another connection holds the write lock (BEGIN EXCLUSIVE) until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def test_locked_database_gives_up_after_the_busy_timeout(db_path: Path) -> None:
    save_a(db_path)
    before = snapshot(db_path)
    with Store(f"sqlite:///{db_path}", busy_timeout_s=0.2) as store:
        assert store.busy_timeout_s == 0.2
        with locked(db_path):
            start = time.monotonic()
            message = save_b_fails(store, "database is locked")
            elapsed = time.monotonic() - start
        assert "busy timeout 0.2s" in message
        assert 0.2 <= elapsed < 3  # it waited, then gave up (three tries)
        assert_a_whole_and_no_b(db_path, before)
        article, events = article_b()  # lock gone: the same save goes through
        assert store.save(article, events).new_events == 1


def test_busy_timeout_from_the_url_and_open_while_locked(db_path: Path) -> None:
    save_a(db_path)
    with Store(f"sqlite:///{db_path}?timeout=0.25") as store:
        assert store.busy_timeout_s == 0.25
    # A rollback-journal database locked exclusively cannot even be opened (switching it
    # to WAL needs the lock): that is a StorageError at open, after the timeout.
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("BEGIN EXCLUSIVE")
        start = time.monotonic()
        with pytest.raises(StorageError, match="database is locked") as info:
            Store(f"sqlite:///{db_path}", busy_timeout_s=0.2)
        assert time.monotonic() - start < 3
        conn.execute("ROLLBACK")
    assert one_line(str(info.value)).startswith("cannot open database")
    with pytest.raises(StorageError, match="soon"):
        Store(f"sqlite:///{db_path}?timeout=soon")


def test_locked_database_through_run(tmp_path: Path, db_path: Path, fake_extract: None) -> None:
    a, b = write_inputs(tmp_path)
    url = f"sqlite:///{db_path}?timeout=0.2"
    assert invoke("run", a, "--db", url).exit_code == 0
    before = cli_snapshot(db_path)
    with locked(db_path):
        run_fails(invoke("run", b, "--db", url), b, "database is locked")
    assert snapshot(db_path) == before


# full disk


@contextmanager
def disk_full_at(statement_prefix: str, target: Any = Engine) -> Iterator[list[str]]:
    """The driver fails with SQLite's disk-full error at the first statement starting so:
    mid-save, after the article row is written. `target` is an Engine, or the Engine class
    for every engine (the CLI makes its own)."""
    seen: list[str] = []

    def execute(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        seen.append(statement)
        if statement.startswith(statement_prefix):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(target, "do_execute", execute)
    try:
        yield seen
    finally:
        event.remove(target, "do_execute", execute)


def test_disk_full_mid_save_is_one_storage_error_and_keeps_a(db_path: Path) -> None:
    save_a(db_path)
    before = snapshot(db_path)
    with Store(f"sqlite:///{db_path}") as store:
        with disk_full_at("INSERT INTO mentions", store.engine) as seen:
            message = save_b_fails(store, "database or disk is full")
        assert any(s.startswith("INSERT INTO articles") for s in seen)  # it was mid-save
        assert message.startswith(f"cannot save b.html in sqlite:///{db_path}: ")
    assert_a_whole_and_no_b(db_path, before)


def test_database_at_its_size_limit_is_one_storage_error(db_path: Path) -> None:
    """A real SQLITE_FULL from the engine: the file may not grow past its current size."""
    save_a(db_path)
    before = snapshot(db_path)
    with closing(sqlite3.connect(db_path)) as conn:
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
    with Store(f"sqlite:///{db_path}") as store:

        @event.listens_for(store.engine, "connect")
        def cap(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

        store.engine.dispose()  # new connections, with the cap
        save_b_fails(store, "database or disk is full")
    assert_a_whole_and_no_b(db_path, before)


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, when this process may mount one (root with CAP_SYS_ADMIN)."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a tmpfs needs root and mount(8); the other disk-full tests cover it")
    point = tmp_path / "small"
    point.mkdir()
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], capture_output=True, check=False)
        if os.path.ismount(point):
            subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def fill(folder: Path) -> None:
    """Write zeros into `folder` until its file system is full."""
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as handle:
        while True:
            handle.write(b"\0" * 65_536)
            handle.flush()
            os.fsync(handle.fileno())


def test_real_full_filesystem_is_one_storage_error(
    small_tmpfs: Path, sqlite_template: Path
) -> None:
    path = small_tmpfs / "events.db"
    shutil.copyfile(sqlite_template, path)
    save_a(path)
    before = snapshot(path)
    with Store(f"sqlite:///{path}") as store:
        assert store.counts()["articles"] == 1
        with closing(sqlite3.connect(path)) as conn:  # an empty WAL: B's pages need new space
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fill(small_tmpfs)
        save_b_fails(store, "database or disk is full")
        (small_tmpfs / "filler").unlink()
    assert_a_whole_and_no_b(path, before)


def test_disk_full_through_run(tmp_path: Path, db_path: Path, fake_extract: None) -> None:
    a, b = write_inputs(tmp_path)
    assert invoke("run", a, "--db", str(db_path)).exit_code == 0
    before = cli_snapshot(db_path)
    with disk_full_at("INSERT INTO mentions"):
        result = invoke("run", b, "--db", str(db_path))
    run_fails(result, b, "database or disk is full")
    assert snapshot(db_path) == before


@pytest.mark.parametrize(
    "breaker",
    [
        pytest.param(lambda path: path.write_bytes(b"\xff" * 4096), id="garbage"),
        pytest.param(lambda path: corrupt_page_of(path, "articles"), id="corrupt-page"),
    ],
)
def test_broken_database_through_run_is_one_line(
    tmp_path: Path, db_path: Path, fake_extract: None, breaker: Callable[[Path], None]
) -> None:
    a, _ = write_inputs(tmp_path)
    save_a(db_path)
    breaker(db_path)
    result = invoke("run", a, "--db", str(db_path))
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    failures = [line for line in result.stderr.splitlines() if not line.startswith("stored ")]
    assert len(failures) == 1 and failures[0].startswith("cgtextract: "), result.stderr
    assert "not a database" in failures[0] or "malformed" in failures[0]


def test_store_sql_text_is_unchanged_by_the_guard(db: Store) -> None:
    """The guard does not get in the way of what --sql is for."""
    db.save(make_article(), [make_event()])
    rows = db.read_sql(
        "/* a; comment */ WITH n AS (SELECT COUNT(*) AS c FROM events) "
        "SELECT c, 'it''s; fine' FROM n;"
    ).rows
    assert rows == [(1, "it's; fine")]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM events")).scalar() == 1


# damaged in the middle: the schema reads fine, the pages behind it do not


def damage_the_middle(path: Path) -> None:
    """8 KiB of random bytes over two pages in the middle of the file, as a bad sector or a
    torn copy leaves it: the schema still reads, PRAGMA integrity_check does not pass."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    data = bytearray(path.read_bytes())
    middle = (len(data) // 2) // page_size * page_size
    data[middle : middle + 8192] = os.urandom(8192)
    path.write_bytes(bytes(data))
    with closing(sqlite3.connect(path)) as conn:
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:  # too damaged to even finish the check
            verdict = (str(exc),)
        assert verdict != ("ok",)


@pytest.fixture
def damaged(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "events.db"
    shutil.copyfile(sqlite_template, path)
    with Store(f"sqlite:///{path}") as store:
        for i in range(60):
            raw = "<html><body><p>" + os.urandom(6000).hex() + "</p></body></html>"
            article = make_article(f"a{i}.html", raw=raw)
            store.save(article, [make_event(source=f"a{i}.html", evidence_start=i)])
    damage_the_middle(path)
    return path


def test_a_damaged_database_is_refused_by_the_commands_that_write(
    damaged: Path, tmp_path: Path, fake_extract: None
) -> None:
    a, _ = write_inputs(tmp_path)
    before = damaged.read_bytes()
    config = tmp_path / "sources.toml"
    config.write_text('[[sources]]\nurl = "http://127.0.0.1:9/f"\ntype = "rss"\n')
    for args in (
        ["run", a],
        ["ingest", "--config", str(config)],
        ["init"],
        ["init", "--upgrade"],
    ):
        line = refused_line(invoke(*args, "--db", str(damaged)))
        assert "damaged" in line and ".recover" in line, line
    assert damaged.read_bytes() == before  # nothing was written into it


def test_a_malformed_error_anywhere_says_how_to_recover(damaged: Path) -> None:
    with Store(f"sqlite:///{damaged}") as store:
        with pytest.raises(StorageError, match="damaged") as info:
            store.check_integrity(full=True)
        assert ".recover" in one_line(str(info.value))
        try:
            list(store.export())
            store.read_sql("SELECT COUNT(*), SUM(LENGTH(raw_html)) FROM articles")
        except (StorageError, InputError) as exc:
            assert "malformed" not in str(exc) or ".recover" in str(exc), str(exc)


# --sql has limits: time, rows, bytes

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c"


def test_an_endless_query_stops_at_its_time_limit(filled: Store) -> None:
    start = time.monotonic()
    with pytest.raises(InputError, match="sql_timeout_s") as info:
        filled.read_sql(ENDLESS, timeout_s=0.5)
    assert time.monotonic() - start < 5
    one_line(str(info.value))
    filled.save(make_article("b.html"), [make_event(source="b.html", regulator="FDA")])


def test_a_huge_value_is_refused_before_it_is_built(filled: Store) -> None:
    import resource

    blob = (
        "SELECT randomblob(1000000000)"
        if filled.engine.dialect.name == "sqlite"
        else "SELECT repeat('x', 300000000)"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError, match="sql_max_bytes") as info:
        filled.read_sql(blob, max_bytes=10_000_000)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    one_line(str(info.value))
    if filled.engine.dialect.name == "sqlite":
        assert grown_mb < 200  # never the gigabyte


def test_too_many_rows_are_refused(filled: Store) -> None:
    many = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) "
    assert len(filled.read_sql(many + "SELECT x FROM c", max_rows=5000).rows) == 5000
    with pytest.raises(InputError, match="sql_max_rows"):
        filled.read_sql(many + "SELECT x FROM c", max_rows=4999)


def test_the_cli_uses_the_settings_limits(filled: Store) -> None:
    # the default time limit is long; the row limit is easy to meet
    rows = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200001) "
    line = refused_line(invoke("query", "--db", filled.url, "--sql", rows + "SELECT x FROM c"))
    assert "sql_max_rows" in line


def test_an_empty_result_still_has_its_columns(filled: Store) -> None:
    result = filled.read_sql("SELECT product, regulator FROM events WHERE 1 = 0")
    assert (result.columns, result.rows) == (["product", "regulator"], [])
