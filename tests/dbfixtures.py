"""Database fixtures for storage tests: the same test on SQLite and on PostgreSQL.

Import the fixtures a test module needs (`from dbfixtures import db_url_fixture  # noqa`).
PostgreSQL tests run when CGTEXTRACT_TEST_PG holds a URL (`.ci/run` always sets it, from
`scripts/testpg.sh`) and are skipped only when it is absent.

Speed: migrating a new database takes a few hundred milliseconds, so SQLite tests copy a
file migrated once per session, and PostgreSQL tests share one schema per session that is
emptied (TRUNCATE) before each test. Tests that need a database of their own (migrations,
several processes) use `fresh_pg_url()`, a schema created for them and dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from cgtextract.store import Store

PG_URL = os.environ.get("CGTEXTRACT_TEST_PG")
needs_pg = pytest.mark.skipif(not PG_URL, reason="CGTEXTRACT_TEST_PG is not set")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=needs_pg)]
OUR_TABLES = ("articles", "events", "mentions", "event_names")


def with_search_path(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to `schema` (libpq `options`)."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@contextmanager
def fresh_pg_url(prefix: str = "cgt") -> Iterator[str]:
    """A PostgreSQL URL whose connections see a new, empty schema; dropped afterwards."""
    assert PG_URL, "fresh_pg_url needs CGTEXTRACT_TEST_PG"
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield with_search_path(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", name="sqlite_template")
def sqlite_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema, made once; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "head.db"
    Store(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session", name="pg_session_url")
def pg_session_url_fixture() -> Iterator[str]:
    """One migrated PostgreSQL schema for the whole session."""
    with fresh_pg_url("cgt_session") as url:
        Store(url).close()
        yield url


def empty(store: Store) -> None:
    """Delete every row of the store's own tables (DELETE: TRUNCATE costs PostgreSQL
    tens of milliseconds per call, more than most tests)."""
    with store.engine.begin() as conn:
        for table in ("mentions", "event_names", "events", "articles"):
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(scope="session", name="shared_stores")
def shared_stores_fixture() -> Iterator[dict[str, Store]]:
    """One open Store per backend for the whole session (see `db_url`)."""
    stores: dict[str, Store] = {}
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture(params=BACKENDS, name="db_url")
def db_url_fixture(
    request: pytest.FixtureRequest,
    shared_stores: dict[str, Store],
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """An empty database at the newest schema: a SQLite file, or a PostgreSQL schema.

    The same database serves every test of a backend, emptied before each one: a new
    engine per test would recompile every statement and cost more than the test.
    """
    backend: str = request.param
    if backend not in shared_stores:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("shared") / "events.db"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        else:
            url = request.getfixturevalue("pg_session_url")
        shared_stores[backend] = Store(url)
    store = shared_stores[backend]
    empty(store)
    return store.url


@pytest.fixture(name="db")
def db_fixture(db_url: str, shared_stores: dict[str, Store]) -> Store:
    """The open Store over `db_url`."""
    return next(s for s in shared_stores.values() if s.url == db_url)


def sql(store_or_engine: Store | Engine, query: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of a query run through SQLAlchemy on the store's own database (any backend)."""
    engine = store_or_engine.engine if isinstance(store_or_engine, Store) else store_or_engine
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query), params)]


def describe_schema(
    engine: Engine, tables: tuple[str, ...] = ("articles", "events", "mentions")
) -> dict[str, Any]:
    """Columns, keys, indexes and foreign keys of `tables` plus the columns of events_flat,
    in a form that compares equal across two databases with the same schema."""
    insp = inspect(engine)
    out: dict[str, Any] = {}
    for t in [*tables, "events_flat"]:
        cols = insp.get_columns(t)
        desc: dict[str, Any] = {
            "columns": [
                [
                    c["name"],
                    str(c["type"]) + (" TZ" if getattr(c["type"], "timezone", False) else ""),
                    bool(c["nullable"]),
                    c.get("default") is not None,
                ]
                for c in cols
            ]
        }
        if t != "events_flat":
            desc.update(
                {
                    "pk": insp.get_pk_constraint(t)["constrained_columns"],
                    "unique": sorted(
                        sorted(u["column_names"]) for u in insp.get_unique_constraints(t)
                    ),
                    "indexes": sorted(
                        [i["name"], i["column_names"], bool(i["unique"])]
                        for i in insp.get_indexes(t)
                        if not str(i["name"]).startswith("sqlite_autoindex")
                    ),
                    "fks": sorted(
                        [
                            f["constrained_columns"],
                            f["referred_table"],
                            f["referred_columns"],
                            (f.get("options") or {}).get("ondelete"),
                        ]
                        for f in insp.get_foreign_keys(t)
                    ),
                }
            )
        out[t] = desc
    return out
