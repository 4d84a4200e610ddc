"""Schema migrations: revision 0001 is 0.1.0's schema, and older databases upgrade in place.

`tests/data/schema_v0_1_0.sql` is a `sqlite3 .dump` of a database that cgtextract 0.1.0's
store made (two events, three mentions, a failed fetch), taken before Alembic came in;
`schema_v0_1_0_postgresql.json` describes the schema the same code created on PostgreSQL.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from dbfixtures import PG_URL, describe_schema, fresh_pg_url, needs_pg, sql
from sqlalchemy import MetaData, Table, create_engine, text

from cgtextract import store as store_module
from cgtextract.errors import StorageError
from cgtextract.ingest.state import metadata as ingest_metadata
from cgtextract.models import Article, Event
from cgtextract.store import SCHEMA_REVISION, Store, init_database
from cgtextract.store.engine import alembic_config

DATA = Path(__file__).parent / "data"
DUMP = DATA / "schema_v0_1_0.sql"
OUR_TABLES = ("articles", "events", "mentions")


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", "cgtextract:migrations")
    return ScriptDirectory.from_config(config)


def migrate_to(url: str, revision: str) -> None:
    """Run the migrations up to `revision` only, as an older cgtextract would have."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
    finally:
        engine.dispose()


def legacy_sqlite(path: Path) -> str:
    """A database exactly as 0.1.0 left it: its schema and rows, no alembic_version."""
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(DUMP.read_text(encoding="utf-8"))
    return f"sqlite:///{path}"


def copy_legacy_rows(url: str) -> None:
    """The dump's rows, inserted into a database at revision 0001 (any backend)."""
    source = create_engine("sqlite://")
    target = create_engine(url)
    try:
        with source.begin() as conn:
            raw: Any = conn.connection.driver_connection
            raw.executescript(DUMP.read_text(encoding="utf-8"))
            meta = MetaData()
            tables = [Table(name, meta, autoload_with=conn) for name in OUR_TABLES]
            rows = {t.name: [dict(r) for r in conn.execute(t.select()).mappings()] for t in tables}
        with target.begin() as conn:
            meta = MetaData()
            for name in OUR_TABLES:
                conn.execute(Table(name, meta, autoload_with=conn).insert(), rows[name])
            if conn.dialect.name == "postgresql":
                for name in OUR_TABLES:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT MAX(id) FROM {name}))"
                        )
                    )
    finally:
        source.dispose()
        target.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_pg)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it at all (not even alembic_version)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
    else:
        with fresh_pg_url("cgt_mig") as url:
            yield url


@pytest.fixture
def legacy_url(empty_url: str, tmp_path: Path) -> str:
    """A 0.1.0 database with rows: the checked-in dump on SQLite, revision 0001 plus the
    dump's rows on PostgreSQL; either way without alembic_version, as 0.1.0 left it."""
    if empty_url.startswith("sqlite"):
        return legacy_sqlite(tmp_path / "legacy.db")
    migrate_to(empty_url, "0001")
    copy_legacy_rows(empty_url)
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    return empty_url


# --- revision 0001 is exactly 0.1.0 ---------------------------------------------------------


def _ddl(statements: list[str]) -> list[str]:
    return sorted(re.sub(r"\s+", " ", s).strip() for s in statements)


def test_first_revision_is_the_v0_1_0_schema_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r1.db'}"
    migrate_to(url, "0001")
    with closing(sqlite3.connect(tmp_path / "r1.db")) as conn:
        made = [
            r[0]
            for r in conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'alembic_version'"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
    dumped = re.findall(r"^CREATE .*?;$", DUMP.read_text(encoding="utf-8"), re.M | re.S)
    assert _ddl(made) == _ddl([s.rstrip(";") for s in dumped])


@needs_pg
def test_first_revision_is_the_v0_1_0_schema_on_postgresql() -> None:
    expected = json.loads((DATA / "schema_v0_1_0_postgresql.json").read_text(encoding="utf-8"))
    with fresh_pg_url("cgt_r1") as url:
        migrate_to(url, "0001")
        engine = create_engine(url)
        try:
            assert json.loads(json.dumps(describe_schema(engine))) == expected
        finally:
            engine.dispose()


def test_schema_revision_is_the_newest_migration() -> None:
    assert script_directory().get_heads() == [SCHEMA_REVISION]


def test_every_migration_can_go_down() -> None:
    for script in script_directory().walk_revisions():
        assert script.module.downgrade.__doc__, script.revision


# --- upgrading keeps the data ---------------------------------------------------------------


def test_old_database_upgrades_on_open_and_keeps_its_rows(legacy_url: str) -> None:
    with Store(legacy_url) as store:
        assert (store.revision_before, store.revision) == ("0001", SCHEMA_REVISION)
        assert store.counts() == {"articles": 4, "events": 2, "mentions": 3}
        events = store.query()
        assert [(e.product, e.date, e.source, e.target) for e in events] == [
            ("CT0596", "2025-12-29", "https://example.com/carsgen.html", "BCMA"),
            ("ide-cel", "2020-09", "fixtures/bms.txt", "BCMA"),
        ]
        assert events[1].product_aliases == ["Abecma"]
        assert sql(store, "SELECT url, error FROM articles WHERE error IS NOT NULL") == [
            ("https://example.com/broken.html", "HTTP 503")
        ]
        assert sql(store, "SELECT version_num FROM alembic_version") == [(SCHEMA_REVISION,)]
        # the new columns exist and were backfilled
        [(sources, first_published)] = sql(
            store, "SELECT field_sources, first_published FROM events WHERE product = 'ide-cel'"
        )
        assert json.loads(sources)["date"] == "fixtures/bms.txt"
        assert str(first_published) == "2020-10-01"
        assert sorted(r[0] for r in sql(store, "SELECT name_key FROM event_names")) == [
            "abecma",
            "ct0596",
            "idecel",
        ]
        assert all(r[0] for r in sql(store, "SELECT reported FROM mentions"))
        with store.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM events_flat WHERE product = 'ide-cel'"))
            flat = row.mappings().one()
        assert (flat["mention_count"], flat["first_source"]) == (2, "fixtures/bms.txt")
        assert flat["conflicts"] is None


def test_upgraded_database_refines_old_events(legacy_url: str) -> None:
    """The point of the upgrade: a later, more precise report joins the old row."""
    text_ = "On September 23, 2020, the FDA granted RMAT designation to Abecma."
    article = Article(source="c.html", text=text_, published=date(2020, 9, 24))
    event = Event(
        source="c.html",
        product="Abecma",
        regulator="FDA",
        event_type="designation",
        designation="rmat",
        date="2020-09-23",
        date_precision="day",
        evidence=text_,
    )
    with Store(legacy_url) as store:
        report = store.save(article, [event])
        assert (report.new_events, report.updated_events) == (0, 1)
        [ide_cel] = store.query(product="abecma")
        assert (ide_cel.product, ide_cel.date) == ("ide-cel", "2020-09-23")
        assert store.counts() == {"articles": 5, "events": 2, "mentions": 4}


def test_reopening_an_upgraded_database_changes_nothing(legacy_url: str) -> None:
    with Store(legacy_url) as store:
        before = sql(store, "SELECT * FROM events ORDER BY id")
    with Store(legacy_url) as store:
        assert store.revision_before == SCHEMA_REVISION
        assert sql(store, "SELECT * FROM events ORDER BY id") == before


def test_without_upgrade_an_old_database_is_refused(legacy_url: str) -> None:
    with pytest.raises(StorageError, match=r"revision 0001.*cgtextract init --upgrade"):
        Store(legacy_url, upgrade=False)
    with pytest.raises(StorageError):
        init_database(legacy_url)
    report = init_database(legacy_url, upgrade=True)
    assert (report.before, report.after) == ("0001", SCHEMA_REVISION)
    assert report.describe().endswith(f"schema {SCHEMA_REVISION} (upgraded from 0001)")
    with Store(legacy_url, upgrade=False) as store:
        assert store.counts()["events"] == 2


def test_init_creates_a_new_database(empty_url: str) -> None:
    report = init_database(empty_url)
    assert (report.before, report.after) == (None, SCHEMA_REVISION)
    assert init_database(empty_url).describe().endswith("(up to date)")


def test_a_database_from_a_newer_version_is_refused(empty_url: str) -> None:
    Store(empty_url).close()
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StorageError, match="newer than this cgtextract knows"):
        Store(empty_url)


def test_downgrade_to_0001_and_back_keeps_rows(legacy_url: str) -> None:
    Store(legacy_url).close()
    engine = create_engine(legacy_url)
    try:
        # A plain engine: SQLite's foreign keys are off, as a table rebuild needs.
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0001")
        assert sql(engine, "SELECT COUNT(*) FROM mentions") == [(3,)]
    finally:
        engine.dispose()
    with Store(legacy_url) as store:
        assert store.revision_before == "0001"
        assert store.counts() == {"articles": 4, "events": 2, "mentions": 3}


# Alembic reflects a PostgreSQL index column declared NULLS FIRST as an expression and then
# cannot match it with the model's; those indexes are checked by their definition instead.
NULLS_FIRST_INDEXES = {
    "ix_events_regulator_date_start",
    "ix_events_kind_date_start",
    "ix_events_date_start",
}


def test_migrations_build_what_the_models_describe(empty_url: str) -> None:
    Store(empty_url).close()
    engine = create_engine(empty_url)
    postgresql = engine.dialect.name == "postgresql"

    def include(name: str | None, type_: str, _parent: object) -> bool:
        if type_ == "table":
            return name in store_module.OWN_TABLES or name in ingest_metadata.tables
        return not (postgresql and type_ == "index" and name in NULLS_FIRST_INDEXES)

    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "include_name": include,
                    "include_object": lambda _obj, name, type_, _r, _c: include(name, type_, None),
                },
            )
            assert compare_metadata(context, [store_module.metadata, ingest_metadata]) == []
        if postgresql:
            defs = dict(
                sql(engine, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events'")
            )
            for name in NULLS_FIRST_INDEXES:
                assert defs[name].endswith("date_start NULLS FIRST)"), defs[name]
    finally:
        engine.dispose()


def test_other_tables_in_the_database_are_left_alone(empty_url: str) -> None:
    """Another tool may keep its own tables beside ours, through `Store.engine`."""
    with Store(empty_url) as store, store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE my_notes (id INTEGER PRIMARY KEY, note TEXT)"))
        conn.execute(text("INSERT INTO my_notes (id, note) VALUES (1, 'kept')"))
    with Store(empty_url) as store:
        assert sql(store, "SELECT note FROM my_notes") == [("kept",)]


def test_pg_url_env_is_a_postgresql_url() -> None:
    if PG_URL is None:
        pytest.skip("CGTEXTRACT_TEST_PG is not set")
    assert PG_URL.startswith("postgresql")
