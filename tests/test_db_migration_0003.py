"""Revision 0003: the ingest tables under Alembic, adopted with their rows; product names
re-keyed as the reader keys them.

`tests/data/schema_0002_with_ingest.sql` is a SQLite dump of a database made by the code at
commit e84bc8f (revision 0002 plus the ingest tables its ingest made with create_all).
On PostgreSQL the same state is built here: the migrations to 0002, then the ingest tables
exactly as that code declared them (a frozen copy below), then rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from dbfixtures import fresh_pg_url, needs_pg, sql
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    text,
)
from typer.testing import CliRunner

from cgtextract import cli
from cgtextract.ingest import run_history
from cgtextract.ingest.state import IngestState
from cgtextract.store import SCHEMA_REVISION, Store, init_database
from cgtextract.store.engine import alembic_config

DUMP = Path(__file__).parent / "data" / "schema_0002_with_ingest.sql"


def _migrate(url: str, revision: str, down: bool = False) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            run = command.downgrade if down else command.upgrade
            run(alembic_config(conn), revision)
    finally:
        engine.dispose()


def _ingest_tables_as_e84bc8f_made_them(meta: MetaData) -> None:
    """ingest_store.py at e84bc8f, its declarative classes as Core tables."""
    when = DateTime(timezone=True)
    counts = ("sources", "sources_failed", "discovered", "fetched", "unchanged", "skipped")
    counts += ("failed", "stored", "events_new", "events_updated")
    Table(
        "runs",
        meta,
        Column("id", Integer, primary_key=True),
        Column("started_at", when, nullable=False),
        Column("finished_at", when),
        Column("status", String(16), nullable=False),
        Column("config", Text),
        Column("pid", Integer),
        *(Column(c, Integer, nullable=False) for c in counts),
        Column("seconds", Float),
        Column("message", Text),
    )
    Table(
        "feed_state",
        meta,
        Column("url", Text, primary_key=True),
        Column("source", Text, nullable=False),
        Column("etag", Text),
        Column("last_modified", Text),
        Column("http_status", Integer),
        Column("items", Integer),
        Column("checked_at", when),
        Column("error", Text),
    )
    Table(
        "url_state",
        meta,
        Column("url", Text, primary_key=True),
        Column("fetch_url", Text, nullable=False),
        Column("source", Text, nullable=False, index=True),
        Column("status", String(16), nullable=False, index=True),
        Column("attempts", Integer, nullable=False),
        Column("error", Text),
        Column("final_url", Text),
        Column("etag", Text),
        Column("last_modified", Text),
        Column("content_hash", String(64)),
        Column("hint_seen", Text),
        Column("hint_done", Text),
        Column("first_seen_at", when, nullable=False),
        Column("last_attempt_at", when),
        Column("done_at", when),
        Column("run_id", Integer),
    )


def _pg_database_of_e84bc8f(url: str) -> None:
    _migrate(url, "0002")
    meta = MetaData()
    _ingest_tables_as_e84bc8f_made_them(meta)
    engine = create_engine(url)
    now = datetime(2026, 1, 5, 10, tzinfo=UTC)
    zeros = {c: 0 for c in ("sources", "sources_failed", "discovered", "fetched", "unchanged")}
    zeros |= {c: 0 for c in ("skipped", "failed", "stored", "events_new", "events_updated")}
    try:
        with engine.begin() as conn:
            meta.create_all(conn)
            conn.execute(
                insert(meta.tables["runs"]),
                {**zeros, "started_at": now, "status": "partial", "stored": 2, "failed": 1},
            )
            conn.execute(
                insert(meta.tables["url_state"]),
                [
                    {
                        "url": f"http://127.0.0.1:8000/news/{n}",
                        "fetch_url": f"http://127.0.0.1:8000/news/{n}",
                        "source": "newsroom",
                        "status": status,
                        "attempts": int(status == "failed"),
                        "first_seen_at": now,
                    }
                    for n, status in (("a", "done"), ("b", "done"), ("missing", "failed"))
                ],
            )
            conn.execute(
                insert(meta.tables["feed_state"]),
                {"url": "http://127.0.0.1:8000/feed.xml", "source": "newsroom", "items": 3},
            )
            conn.execute(
                text(
                    "INSERT INTO events (product_key, regulator, kind, date_key, product, "
                    "product_aliases, event_type, indications, first_seen_at, updated_at) "
                    "VALUES ('abc_101', 'FDA', 'ind_clearance', '', 'ABC_101', "
                    """'["acme-cel", "Acme''s cel (ABC)"]', 'ind_clearance', '[]', :t, :t)"""
                ),
                {"t": now},
            )
            conn.execute(
                text(
                    "INSERT INTO event_names (event_id, name_key) SELECT id, k FROM events, "
                    "(VALUES ('abc_101'), ('acmecel'), ('acme''scel(abc)')) AS v(k)"
                )
            )
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_pg)])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database as the code at e84bc8f left it, with ingest rows."""
    if request.param == "sqlite":
        path = tmp_path / "old.db"
        with closing(sqlite3.connect(path)) as conn:
            conn.executescript(DUMP.read_text(encoding="utf-8"))
        yield f"sqlite:///{path}"
    else:
        with fresh_pg_url("cgt_0003") as url:
            _pg_database_of_e84bc8f(url)
            yield url


def test_a_database_of_e84bc8f_upgrades_in_place_with_its_data(old_url: str) -> None:
    engine = create_engine(old_url)
    try:
        tables = ("articles", "events", "mentions", "event_names", "runs", "url_state")
        before = {t: sql(engine, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}
    finally:
        engine.dispose()
    with Store(old_url) as store:
        assert (store.revision_before, store.revision) == ("0002", SCHEMA_REVISION)
    with Store(old_url) as store:
        assert store.revision_before == SCHEMA_REVISION == "0004"
        after = {t: sql(store, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}
        assert after == before  # ABC_101 keeps three names, re-keyed
        history = run_history(store)
        assert [(r.status, r.stored, r.failed) for r in history] == [("partial", 2, 1)]
        states = dict(sql(store, "SELECT url, status FROM url_state"))
        assert sorted(states.values()) == ["done", "done", "failed"]
        assert sql(store, "SELECT COUNT(*) FROM feed_state") == [(1,)]
        # ABC_101's keys are the reader's now; a report under another spelling finds it
        assert sql(store, "SELECT product_key FROM events WHERE product = 'ABC_101'") == [
            ("abc101",)
        ]
        names = sql(
            store,
            "SELECT name_key FROM event_names WHERE event_id = "
            "(SELECT id FROM events WHERE product = 'ABC_101') ORDER BY name_key",
        )
        assert names == [("abc101",), ("acmecel",), ("acmescelabc",)]
        [found] = store.query(product="ABC-101")
        assert found.product == "ABC_101"


def test_init_reports_the_upgrade_to_0003(old_url: str) -> None:
    with pytest.raises(Exception, match="revision 0002"):
        init_database(old_url)
    report = init_database(old_url, upgrade=True)
    assert report.describe().endswith(f"schema {SCHEMA_REVISION} (upgraded from 0002)")
    result = CliRunner().invoke(cli.app, ["init", "--db", old_url])
    assert result.exit_code == 0 and result.stdout.endswith(
        f"schema {SCHEMA_REVISION} (up to date)\n"
    )


def test_a_database_that_never_ran_ingest_gets_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    _migrate(url, "0002")
    with Store(url) as store:
        assert store.revision_before == "0002"
        assert run_history(store) == []
        IngestState(store.engine).begin_run("sources.toml")
        assert [r.status for r in run_history(store)] == ["running"]


def test_downgrade_to_0002_keeps_the_ingest_rows_and_the_old_keys(old_url: str) -> None:
    Store(old_url).close()
    _migrate(old_url, "0002", down=True)
    engine = create_engine(old_url)
    try:
        assert sql(engine, "SELECT product_key FROM events WHERE product = 'ABC_101'") == [
            ("abc_101",)
        ]
        assert sql(engine, "SELECT COUNT(*) FROM url_state") == [(3,)]
    finally:
        engine.dispose()
    with Store(old_url) as store:  # and up again
        assert store.revision_before == "0002"
        assert sql(store, "SELECT COUNT(*) FROM runs") == [(1,)]
