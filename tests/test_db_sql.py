"""`Store.read_sql`: one SELECT, run read-only for real, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from dbfixtures import (  # noqa: F401  (fixtures are used by name)
    db_fixture,
    db_url_fixture,
    pg_session_url_fixture,
    shared_stores_fixture,
    sqlite_template_fixture,
)
from test_store import make_article, make_event

from cgtextract.errors import InputError
from cgtextract.store import Store
from cgtextract.store.readonly_sql import single_select


@pytest.fixture
def filled(db: Store) -> Store:
    db.save(
        make_article(), [make_event(), make_event(event_type="ind_clearance", evidence_start=3)]
    )
    return db


def test_select_on_the_flat_view(filled: Store) -> None:
    result = filled.read_sql(
        "SELECT product, event_type FROM events_flat WHERE product LIKE '%059%' ORDER BY id"
    )
    assert result.columns == ["product", "event_type"]
    assert result.rows == [("CT0596", "ind_submission"), ("CT0596", "ind_clearance")]


def test_with_and_trailing_semicolon_and_comments(filled: Store) -> None:
    sql = "-- count\nWITH n AS (SELECT COUNT(*) AS c FROM events) SELECT c, ';' AS s FROM n; -- end"
    assert filled.read_sql(sql).rows == [(2, ";")]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM events",
        "UPDATE events SET product = 'x'",
        "INSERT INTO articles (url) VALUES ('x')",
        "DROP TABLE events",
        "SELECT 1; DELETE FROM events",
        "PRAGMA query_only = OFF",
        "ATTACH DATABASE 'other.db' AS other",
        "VACUUM",
        "",
    ],
)
def test_anything_but_one_select_is_refused_before_running(filled: Store, statement: str) -> None:
    with pytest.raises(InputError, match="single"):
        filled.read_sql(statement)
    assert filled.counts()["events"] == 2


@pytest.mark.parametrize(
    "statement",
    [
        # Pass the keyword check; the database itself refuses to write.
        "WITH x AS (SELECT 1) DELETE FROM events",
        "WITH x AS (SELECT 1) UPDATE events SET product = 'changed'",
    ],
)
def test_a_write_hidden_in_a_with_is_refused_by_the_database(filled: Store, statement: str) -> None:
    with pytest.raises(InputError, match="read-only"):
        filled.read_sql(statement)
    assert filled.counts()["events"] == 2
    assert {e.product for e in filled.query()} == {"CT0596"}


def test_sql_error_is_an_input_error(filled: Store) -> None:
    with pytest.raises(InputError, match="SQL error"):
        filled.read_sql("SELECT * FROM no_such_table")


def test_the_store_still_writes_after_a_refused_write(filled: Store) -> None:
    with pytest.raises(InputError):
        filled.read_sql("WITH x AS (SELECT 1) DELETE FROM events")
    filled.save(make_article("b.html"), [make_event(source="b.html", regulator="FDA")])
    assert filled.counts()["events"] == 3


def test_in_memory_sqlite_is_read_only_too() -> None:
    with Store("sqlite://") as store:
        store.save(make_article(), [make_event()])
        with pytest.raises(InputError, match="read-only"):
            store.read_sql("WITH x AS (SELECT 1) DELETE FROM events")
        assert store.read_sql("SELECT COUNT(*) FROM events").rows == [(1,)]
        store.save(make_article("b.html"), [make_event(source="b.html", regulator="FDA")])
        assert store.counts()["events"] == 2


@pytest.mark.parametrize(
    ("statement", "kept"),
    [
        ("SELECT 1", "SELECT 1"),
        ("select 1;", "select 1"),
        ("SELECT ';' ; ", "SELECT ';' "),
        ('SELECT "a;b" FROM t', 'SELECT "a;b" FROM t'),
        ("/* x; */ SELECT 1 -- y;", "/* x; */ SELECT 1 -- y;"),
        ("SELECT $$a;b$$", "SELECT $$a;b$$"),
        ("(SELECT 1)", None),
    ],
)
def test_single_select_tokenizer(statement: str, kept: str | None) -> None:
    if kept is None:
        with pytest.raises(InputError):
            single_select(statement)
    else:
        assert single_select(statement) == kept
