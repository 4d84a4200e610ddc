"""The store: round trips, idempotent saves, de-duplication across articles, provenance,
conflicts, atomicity, query filters. Every test runs on SQLite and on PostgreSQL (when
CGTEXTRACT_TEST_PG is set); the few about SQLite's own set-up run on SQLite only."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import closing
from datetime import date
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
from sqlalchemy import event, text

from cgtextract import store as store_module
from cgtextract.errors import InputError, StorageError
from cgtextract.models import SCHEMA_FIELDS, Article, Event
from cgtextract.store import Store, merge_reports, normalize_product
from cgtextract.store.identity import REPORT_FIELDS

TEXT = "On December 29, 2025, CARsgen submitted an IND for CT0596 to the NMPA."


def make_event(**overrides: Any) -> Event:
    fields: dict[str, Any] = {
        "source": "a.html",
        "company": "CARsgen Therapeutics",
        "product": "CT0596",
        "product_aliases": [],
        "target": "BCMA",
        "modality": "car_t",
        "allogeneic": True,
        "regulator": "NMPA",
        "event_type": "ind_submission",
        "date": "2025-12-29",
        "date_precision": "day",
        "indications": ["multiple myeloma"],
        "evidence": TEXT,
        "published": date(2026, 1, 4),
        "evidence_start": 0,
        "evidence_end": len(TEXT),
    }
    fields.update(overrides)
    return Event(**fields)


def make_article(source: str = "a.html", **overrides: Any) -> Article:
    fields: dict[str, Any] = {
        "source": source,
        "title": "CARsgen IND",
        "text": TEXT,
        "published": date(2026, 1, 4),
    }
    fields.update(overrides)
    return Article(**fields)


def event_row(db: Store, *columns: str) -> list[tuple[Any, ...]]:
    return sql(db, f"SELECT {', '.join(columns)} FROM events ORDER BY id")


@pytest.fixture
def db_path(tmp_path: Path, sqlite_template: Path) -> Path:
    """A SQLite file at the newest schema, for the tests about SQLite itself."""
    path = tmp_path / "events.db"
    path.write_bytes(sqlite_template.read_bytes())
    return path


@pytest.fixture
def lite(db_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{db_path}") as s:
        yield s


# --- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", [*SCHEMA_FIELDS, "evidence_start", "evidence_end"])
def test_round_trip_keeps_each_field(db: Store, field: str) -> None:
    ev = make_event(product_aliases=["CT-0596 cells"], indications=["R/R MM", "pPCL"])
    db.save(make_article(), [ev])
    [back] = db.query()
    assert getattr(back, field) == getattr(ev, field)


def test_round_trip_designation(db: Store) -> None:
    ev = make_event(regulator="FDA", event_type="designation", designation="rmat")
    db.save(make_article(), [ev])
    assert db.query() == [ev]


def test_round_trip_undated_event(db: Store) -> None:
    ev = make_event(date=None, date_precision=None, allogeneic=None, modality=None)
    db.save(make_article(), [ev])
    assert db.query() == [ev]


def test_save_reports_what_it_added(db: Store) -> None:
    report = db.save(make_article(), [make_event()])
    assert (report.new_events, report.updated_events, report.mentions) == (1, 0, 1)
    assert report.article_id > 0


# --- idempotence and de-duplication -------------------------------------------------------


def test_resave_adds_no_rows(db: Store) -> None:
    article, events = make_article(), [make_event(), make_event(event_type="ind_clearance")]
    db.save(article, events)
    before = db.counts()
    report = db.save(article, events)
    assert db.counts() == before == {"articles": 1, "events": 2, "mentions": 2}
    assert (report.new_events, report.updated_events, report.mentions) == (0, 0, 0)


def test_resave_updates_article_text(db: Store) -> None:
    db.save(make_article(), [make_event()])
    db.save(make_article(title="New title", text=TEXT + " Updated."), [make_event()])
    assert sql(db, "SELECT title, text FROM articles") == [("New title", TEXT + " Updated.")]


def test_two_articles_same_event_one_row_two_mentions(db: Store) -> None:
    db.save(make_article("a.html"), [make_event(source="a.html")])
    report = db.save(make_article("b.html"), [make_event(source="b.html", evidence="Also.")])
    assert (report.new_events, report.mentions) == (0, 1)
    assert db.counts() == {"articles": 2, "events": 1, "mentions": 2}
    [ev] = db.query()
    assert (ev.source, ev.evidence) == ("a.html", TEXT)


def test_same_event_twice_in_one_article_is_one_row(db: Store) -> None:
    again = make_event(evidence="Again.", evidence_start=5)
    report = db.save(make_article(), [make_event(), again])
    assert (report.new_events, report.mentions) == (1, 2)
    assert db.counts()["events"] == 1


@pytest.mark.parametrize(
    "other",
    [
        {"product": "CT-0596"},
        {"product": "ct 0596"},
        {"product": "CT.0596®"},
    ],
)
def test_product_spelling_variants_merge(db: Store, other: dict[str, Any]) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(make_article("b.html"), [make_event(source="b.html", **other)])
    assert db.counts()["events"] == 1


@pytest.mark.parametrize(
    "other",
    [
        {"product": "CT041"},
        {"regulator": "FDA"},
        {"event_type": "ind_clearance"},
        {"event_type": "designation", "designation": "orphan_drug"},
        {"date": "2025-12-30"},
        {"date": "2025-11", "date_precision": "month"},
        {"date": "2026", "date_precision": "year"},
        {"date": "2025-Q3", "date_precision": "quarter"},
    ],
)
def test_different_identity_gives_another_row(db: Store, other: dict[str, Any]) -> None:
    db.save(make_article(), [make_event(), make_event(evidence_start=9, **other)])
    assert db.counts()["events"] == 2


def test_undated_events_merge(db: Store) -> None:
    undated = {"date": None, "date_precision": None}
    db.save(make_article("a.html"), [make_event(**undated)])
    db.save(make_article("b.html"), [make_event(source="b.html", **undated)])
    assert db.counts() == {"articles": 2, "events": 1, "mentions": 2}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"product": "ide-cel", "product_aliases": ["Abecma"]}, {"product": "Abecma®"}),
        ({"product": "Abecma"}, {"product": "ide-cel", "product_aliases": ["Abecma"]}),
        ({"product": "ide-cel", "product_aliases": ["bb2121"]}, {"product_aliases": ["BB-2121"]}),
    ],
)
def test_alias_linked_events_merge(
    db: Store, first: dict[str, Any], second: dict[str, Any]
) -> None:
    db.save(make_article("a.html"), [make_event(regulator="FDA", event_type="approval", **first)])
    db.save(
        make_article("b.html"),
        [make_event(source="b.html", regulator="FDA", event_type="approval", **second)],
    )
    assert db.counts()["events"] == 1
    [ev] = db.query()
    assert ev.product == first["product"]
    names = {normalize_product(n) for n in [ev.product, *ev.product_aliases]}
    assert normalize_product(second.get("product", "CT0596")) in names


def test_merge_unions_lists_and_fills_nulls(db: Store) -> None:
    sparse = make_event(company=None, target=None, modality=None, allogeneic=None)
    rich = make_event(
        source="b.html", product_aliases=["CT 0596 cells"], indications=["MULTIPLE MYELOMA", "pPCL"]
    )
    db.save(make_article("a.html"), [sparse])
    report = db.save(make_article("b.html"), [rich])
    assert report.updated_events == 1
    [ev] = db.query()
    assert ev.indications == ["multiple myeloma", "pPCL"]
    assert ev.product_aliases == ["CT 0596 cells"]
    assert (ev.company, ev.target, ev.modality, ev.allogeneic) == (
        "CARsgen Therapeutics",
        "BCMA",
        "car_t",
        True,
    )


def test_merge_never_overwrites_known_fields(db: Store) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(make_article("b.html"), [make_event(source="b.html", target="CD19", company="Other")])
    [ev] = db.query()
    assert (ev.target, ev.company) == ("BCMA", "CARsgen Therapeutics")


def test_resave_drops_mentions_no_longer_extracted(db: Store) -> None:
    kept, dropped = make_event(), make_event(event_type="ind_clearance")
    db.save(make_article(), [kept, dropped])
    report = db.save(make_article(), [kept])
    assert (report.removed_mentions, report.removed_events) == (1, 1)
    assert db.counts() == {"articles": 1, "events": 1, "mentions": 1}


def test_event_seen_elsewhere_survives_prune(db: Store) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(make_article("b.html"), [make_event(source="b.html")])
    report = db.save(make_article("a.html"), [])
    assert (report.removed_mentions, report.removed_events) == (1, 0)
    assert [ev.source for ev in db.query()] == ["b.html"]


# --- atomicity ----------------------------------------------------------------------------


@pytest.fixture
def failing_trigger(db: Store) -> Iterator[None]:
    """A real database error on a mention whose evidence is 'boom': what a full disk or a
    bad row would do. Removed afterwards (the PostgreSQL schema is shared by the tests)."""
    statements = {
        "sqlite": [
            "CREATE TRIGGER boom BEFORE INSERT ON mentions WHEN NEW.evidence = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        ],
        "postgresql": [
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
            "CREATE TRIGGER boom BEFORE INSERT ON mentions FOR EACH ROW "
            "WHEN (NEW.evidence = 'boom') EXECUTE FUNCTION boom()",
        ],
    }[db.engine.dialect.name]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    yield
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "DROP TRIGGER IF EXISTS boom"
                + (" ON mentions" if db.engine.dialect.name == "postgresql" else "")
            )
        )
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS boom()"))


def test_database_error_mid_save_stores_nothing(db: Store, failing_trigger: None) -> None:
    events = [make_event(), make_event(event_type="ind_clearance", evidence="boom")]
    with pytest.raises(StorageError, match="injected failure"):
        db.save(make_article(), events)
    assert db.counts() == {"articles": 0, "events": 0, "mentions": 0}


def test_failed_resave_keeps_previous_version(db: Store, request: pytest.FixtureRequest) -> None:
    db.save(make_article(), [make_event()])
    request.getfixturevalue("failing_trigger")
    with pytest.raises(StorageError):
        db.save(make_article(title="changed"), [make_event(evidence="boom", evidence_start=3)])
    assert db.counts() == {"articles": 1, "events": 1, "mentions": 1}
    assert sql(db, "SELECT title FROM articles") == [("CARsgen IND",)]


def test_bug_mid_save_rolls_back_and_propagates(db: Store) -> None:
    """A bug (not a database error) half-way through a save: nothing of it stays."""
    inserts = 0

    def flaky(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        nonlocal inserts
        if statement.startswith("INSERT INTO events"):
            inserts += 1
            if inserts == 2:
                raise RuntimeError("bug")

    event.listen(db.engine, "before_cursor_execute", flaky)
    try:
        with pytest.raises(RuntimeError, match="bug"):
            db.save(make_article(), [make_event(), make_event(event_type="ind_clearance")])
    finally:
        event.remove(db.engine, "before_cursor_execute", flaky)
    assert inserts == 2
    assert db.counts() == {"articles": 0, "events": 0, "mentions": 0}


# --- failures -----------------------------------------------------------------------------


def test_record_failure_creates_then_updates(db: Store) -> None:
    db.record_failure("https://x.test/a", "HTTP 503")
    db.record_failure("https://x.test/a", "timeout after 10 s")
    assert sql(db, "SELECT url, error FROM articles") == [
        ("https://x.test/a", "timeout after 10 s")
    ]


def test_successful_save_clears_error(db: Store) -> None:
    db.record_failure("a.html", "HTTP 503")
    db.save(make_article(), [make_event()])
    assert sql(db, "SELECT error FROM articles") == [(None,)]


def test_fetch_metadata_is_stored(db: Store) -> None:
    fetched = {
        "final_url": "https://x.test/final",
        "status": 200,
        "headers": {"ETag": '"abc"', "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"},
    }
    db.save(make_article(), [make_event()], fetched=fetched)
    assert sql(db, "SELECT final_url, http_status, etag, last_modified FROM articles") == [
        ("https://x.test/final", 200, '"abc"', "Mon, 05 Jan 2026 10:00:00 GMT")
    ]


# --- query filters ------------------------------------------------------------------------


@pytest.fixture
def filled(db: Store) -> Store:
    db.save(
        make_article("a.html"),
        [
            make_event(),
            make_event(
                company="Bristol Myers Squibb",
                product="ide-cel",
                product_aliases=["Abecma"],
                regulator="FDA",
                event_type="approval",
                date="2021-03",
                date_precision="month",
            ),
            make_event(
                company="Belief BioMed",
                product="BBM-H901",
                regulator="FDA",
                event_type="designation",
                designation="rmat",
                date="2024-Q2",
                date_precision="quarter",
            ),
            make_event(
                company="Belief BioMed",
                product="BBM-H901",
                regulator="FDA",
                event_type="designation",
                designation="orphan_drug",
                date=None,
                date_precision=None,
            ),
        ],
    )
    return db


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["CT0596", "BBM-H901", "ide-cel", "BBM-H901"]),
        ({"company": "belief"}, ["BBM-H901", "BBM-H901"]),
        ({"company": "%"}, []),
        ({"product": "abecma"}, ["ide-cel"]),
        ({"product": "IDE CEL"}, ["ide-cel"]),
        ({"product": "ct05"}, ["CT0596"]),
        ({"regulator": "nmpa"}, ["CT0596"]),
        ({"regulator": "FDA"}, ["BBM-H901", "ide-cel", "BBM-H901"]),
        ({"event_type": "approval"}, ["ide-cel"]),
        ({"event_type": "RMAT"}, ["BBM-H901"]),
        ({"event_type": "designation"}, ["BBM-H901", "BBM-H901"]),
        ({"designation": "orphan_drug"}, ["BBM-H901"]),
        ({"since": "2024-05-15"}, ["CT0596", "BBM-H901"]),
        ({"since": "2024-07"}, ["CT0596"]),
        ({"until": "2021-03-01"}, ["ide-cel"]),
        ({"until": "2021-02"}, []),
        ({"since": "2021", "until": "2024-Q2"}, ["BBM-H901", "ide-cel"]),
        ({"regulator": "FDA", "company": "belief", "event_type": "rmat"}, ["BBM-H901"]),
        ({"limit": 2}, ["CT0596", "BBM-H901"]),
        ({"limit": 0}, []),
    ],
)
def test_query_filters(filled: Store, filters: dict[str, Any], expected: list[str]) -> None:
    assert [ev.product for ev in filled.query(**filters)] == expected


@pytest.mark.parametrize("filters", [{"since": "last week"}, {"until": "2025-13"}, {"limit": -1}])
def test_query_rejects_bad_arguments(filled: Store, filters: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        filled.query(**filters)


# --- database setup -----------------------------------------------------------------------


def test_unopenable_path_is_storage_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing/dir/x.db"
    with pytest.raises(StorageError, match="cannot open database .*unable to open database file"):
        Store(url)


def test_not_a_database_is_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"this is not a sqlite file" * 100)
    with pytest.raises(StorageError, match="file is not a database"):
        Store(f"sqlite:///{path}")


def test_error_message_masks_password() -> None:
    with pytest.raises(StorageError) as info:
        Store("nosuchdialect://user:secret@host/db")
    assert "secret" not in str(info.value)


def test_wal_mode_is_on(lite: Store, db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchall() == [("wal",)]


def test_busy_timeout_is_set(lite: Store) -> None:
    assert sql(lite, "PRAGMA busy_timeout") == [(10_000,)]


def test_foreign_keys_are_enforced(lite: Store) -> None:
    conn = lite.engine.raw_connection()
    try:
        assert conn.cursor().execute("PRAGMA foreign_keys").fetchone() == (1,)
    finally:
        conn.close()


def test_reopen_keeps_data(db_url: str) -> None:
    with Store(db_url) as s:
        s.save(make_article(), [make_event()])
    with Store(db_url) as s:
        assert s.counts() == {"articles": 1, "events": 1, "mentions": 1}
        assert s.revision_before == s.revision == store_module.SCHEMA_REVISION


def test_events_flat_view(db: Store) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(make_article("b.html"), [make_event(source="b.html", target="CD19")])
    with db.engine.connect() as conn:
        [row] = conn.execute(text("SELECT * FROM events_flat")).mappings().all()
    assert (row["product"], row["mention_count"], row["first_source"]) == ("CT0596", 2, "a.html")
    assert row["indications"] == '["multiple myeloma"]'
    assert (row["kind"], row["date_start"], row["date_end"]) == (
        "ind_submission",
        "2025-12-29",
        "2025-12-29",
    )
    assert '"CD19"' in row["conflicts"]
    assert row["extractor_version"] == store_module.extractor_version()


# --- one row per real-world event: compatible dates, enrichment, provenance ----------------


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (("2020-09", "month"), ("2020-09-23", "day"), ("2020-09-23", "day")),
        (("2020-09-23", "day"), ("2020-09", "month"), ("2020-09-23", "day")),
        (("2020-Q3", "quarter"), ("2020-09-23", "day"), ("2020-09-23", "day")),
        (("2020", "year"), ("2020-Q3", "quarter"), ("2020-Q3", "quarter")),
        ((None, None), ("2020-09-23", "day"), ("2020-09-23", "day")),
        (("2020-09-23", "day"), (None, None), ("2020-09-23", "day")),
    ],
)
def test_compatible_dates_are_one_event_at_the_finer_date(
    db: Store, first: tuple[Any, Any], second: tuple[Any, Any], kept: tuple[str, str]
) -> None:
    db.save(make_article("a.html"), [make_event(date=first[0], date_precision=first[1])])
    report = db.save(
        make_article("b.html"),
        [make_event(source="b.html", date=second[0], date_precision=second[1])],
    )
    assert db.counts() == {"articles": 2, "events": 1, "mentions": 2}
    [ev] = db.query()
    assert (ev.date, ev.date_precision) == kept
    refined = kept != first
    assert report.updated_events == int(refined)
    [(sources, conflicts)] = event_row(db, "field_sources", "conflicts")
    assert ('"date": "b.html"' in sources) == refined
    assert conflicts is None


def test_refined_date_moves_the_date_range(db: Store) -> None:
    db.save(make_article("a.html"), [make_event(date="2020-09", date_precision="month")])
    db.save(make_article("b.html"), [make_event(source="b.html", date="2020-09-23")])
    assert event_row(db, "date_key", "date_start", "date_end") == [
        ("2020-09-23", "2020-09-23", "2020-09-23")
    ]
    assert [e.product for e in db.query(since="2020-09-23", until="2020-09-23")] == ["CT0596"]
    assert db.query(until="2020-09-22") == []


def test_a_coarse_report_joins_the_same_dated_row_not_the_undated_one(db: Store) -> None:
    db.save(make_article("a.html"), [make_event(date=None, date_precision=None)])
    db.save(make_article("b.html"), [make_event(source="b.html", date="2020-09-23")])
    db.save(make_article("c.html"), [make_event(source="c.html", date="2020-09-23")])
    assert db.counts()["events"] == 1


def test_two_days_of_one_month_stay_two_events(db: Store) -> None:
    db.save(make_article("a.html"), [make_event(date="2020-09", date_precision="month")])
    db.save(make_article("b.html"), [make_event(source="b.html", date="2020-09-23")])
    db.save(make_article("c.html"), [make_event(source="c.html", date="2020-09-25")])
    assert sorted(e.date or "" for e in db.query()) == ["2020-09-23", "2020-09-25"]


def test_a_later_report_fills_the_target_and_names_its_source(db: Store) -> None:
    db.save(
        make_article("a.html"), [make_event(target=None, date="2020-09", date_precision="month")]
    )
    report = db.save(make_article("b.html"), [make_event(source="b.html", date="2020-09-23")])
    assert (report.new_events, report.updated_events) == (0, 1)
    [ev] = db.query()
    assert (ev.target, ev.date) == ("BCMA", "2020-09-23")
    [(raw,)] = event_row(db, "field_sources")
    import json

    sources = json.loads(raw)
    assert sources["target"] == sources["date"] == "b.html"
    assert sources["product"] == sources["company"] == "a.html"
    assert sources["indications"] == {"multiple myeloma": "a.html"}


def test_conflicting_values_are_kept_visible(db: Store) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(
        make_article("b.html"),
        [make_event(source="b.html", target="CD19", company="CARsgen Therapeutics Co., Ltd.")],
    )
    [ev] = db.query()
    assert ev.target == "BCMA"
    [(raw,)] = event_row(db, "conflicts")
    import json

    # a legal suffix is not a different company; another target is a conflict
    assert json.loads(raw) == {"target": [{"value": "CD19", "source": "b.html"}]}


def test_conflict_goes_when_its_article_is_corrected(db: Store) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(make_article("b.html"), [make_event(source="b.html", target="CD19")])
    report = db.save(make_article("b.html"), [make_event(source="b.html")])
    assert report.updated_events == 1
    assert event_row(db, "conflicts") == [(None,)]


def test_pruning_an_article_recomputes_the_event_from_the_rest(db: Store) -> None:
    db.save(make_article("a.html"), [make_event(date="2020-09", date_precision="month")])
    db.save(make_article("b.html"), [make_event(source="b.html", date="2020-09-23", target="CD19")])
    report = db.save(make_article("b.html"), [])
    assert (report.removed_mentions, report.removed_events, report.updated_events) == (1, 0, 1)
    [ev] = db.query()
    assert (ev.date, ev.target, ev.source) == ("2020-09", "BCMA", "a.html")


def test_corrected_report_refines_the_shared_event(db: Store) -> None:
    """A re-read article is matched against the event as the *other* articles describe it."""
    db.save(make_article("a.html"), [make_event(date="2020-09", date_precision="month")])
    db.save(make_article("b.html"), [make_event(source="b.html", date="2020-09-23")])
    db.save(make_article("b.html"), [make_event(source="b.html", date="2020-09-25")])
    assert [(e.date, e.source) for e in db.query()] == [("2020-09-25", "a.html")]
    assert db.counts()["mentions"] == 2


def test_event_names_hold_every_alias(db: Store) -> None:
    db.save(make_article(), [make_event(product="ide-cel", product_aliases=["Abecma", "bb2121"])])
    assert sorted(r[0] for r in sql(db, "SELECT name_key FROM event_names")) == [
        "abecma",
        "bb2121",
        "idecel",
    ]


def test_rows_record_extractor_version(db: Store) -> None:
    db.save(make_article(), [make_event()], extractor="9.9.9+test")
    assert event_row(db, "extractor_version") == [("9.9.9+test",)]
    assert sql(db, "SELECT extractor_version FROM mentions") == [("9.9.9+test",)]
    assert sql(db, "SELECT extractor_version FROM articles") == [("9.9.9+test",)]


def test_default_extractor_version_is_package_version_plus_patterns_hash() -> None:
    import cgtextract

    version, digest = store_module.extractor_version().split("+")
    assert version == cgtextract.__version__
    assert len(digest) == 12


def test_mentions_keep_what_each_article_reported(db: Store) -> None:
    db.save(make_article("a.html"), [make_event(target=None)])
    db.save(make_article("b.html"), [make_event(source="b.html")])
    import json

    reported = [json.loads(r[0]) for r in sql(db, "SELECT reported FROM mentions ORDER BY id")]
    assert [r["target"] for r in reported] == [None, "BCMA"]


def test_raw_html_is_stored_compressed(db: Store) -> None:
    html = "<html><body><p>" + TEXT * 50 + "</p></body></html>"
    db.save(make_article(raw=html), [make_event()])
    [(blob,)] = sql(db, "SELECT raw_html FROM articles")
    assert len(blob) < len(html) / 5
    assert zlib.decompress(blob).decode("utf-8") == html


def test_first_published_is_the_earliest_report(db: Store) -> None:
    db.save(make_article("a.html", published=date(2026, 1, 4)), [make_event()])
    db.save(make_article("b.html", published=date(2025, 12, 30)), [make_event(source="b.html")])
    [(first,)] = event_row(db, "first_published")
    assert str(first) == "2025-12-30"


# --- merge_reports, the pure rule -----------------------------------------------------------


def report(**overrides: Any) -> dict[str, Any]:
    base = {name: None for name in REPORT_FIELDS}
    base.update(product="CT0596", product_aliases=[], indications=[])
    base.update(overrides)
    return base


def test_merge_reports_takes_the_most_precise_date_and_lists_incompatible_ones() -> None:
    merged = merge_reports(
        [
            (report(date="2020-09", date_precision="month"), "a"),
            (report(date="2020-09-23", date_precision="day"), "b"),
            (report(date="2020-10-01", date_precision="day"), "c"),
            (report(date="2020", date_precision="year"), "d"),
        ]
    )
    assert (merged.date, merged.date_precision) == ("2020-09-23", "day")
    assert merged.field_sources["date"] == "b"
    assert merged.conflicts == {"date": [{"value": "2020-10-01", "source": "c"}]}


def test_merge_reports_first_value_wins_and_first_spelling_of_lists() -> None:
    merged = merge_reports(
        [
            (report(modality="car_t", indications=["MM"]), "a"),
            (
                report(modality="car_nk", indications=["mm", "pPCL"], product_aliases=["CT-0596x"]),
                "b",
            ),
            (report(modality="car_nk", allogeneic=True), "c"),
        ]
    )
    assert merged.modality == "car_t"
    assert merged.conflicts == {"modality": [{"value": "car_nk", "source": "b"}]}
    assert merged.indications == ["MM", "pPCL"]
    assert merged.product_aliases == ["CT-0596x"]
    assert merged.allogeneic is True
    assert merged.field_sources["allogeneic"] == "c"
    assert merged.names == {"ct0596", "ct0596x"}


def test_merge_reports_needs_a_report() -> None:
    with pytest.raises(ValueError):
        merge_reports([])


# --- more query filters and sorting ---------------------------------------------------------


@pytest.fixture
def varied(db: Store) -> Store:
    db.save(
        make_article("a.html", published=date(2024, 7, 1)),
        [
            make_event(
                source="a.html",
                product="P1",
                target="CD19/BCMA",
                date="2024-06-30",
                indications=["Relapsed multiple myeloma"],
            ),
            make_event(
                source="a.html",
                product="P2",
                target="CD19",
                modality="aav",
                company="Zeta Bio",
                date="2024-05",
                date_precision="month",
                indications=["spinal muscular atrophy"],
                evidence_start=5,
            ),
        ],
    )
    db.save(
        make_article("b.html", published=date(2025, 2, 1)),
        [
            make_event(
                source="b.html",
                product="P3",
                target=None,
                company="Alpha Cells",
                indications=[],
                date="2025-01-15",
                modality="nk_cell",
                evidence_start=7,
            )
        ],
    )
    return db


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"target": "bcma"}, ["P1"]),
        ({"target": "TNFRSF17"}, ["P1"]),
        ({"target": "CD19"}, ["P1", "P2"]),
        ({"target": "CD1"}, []),
        ({"modality": "AAV"}, ["P2"]),
        ({"indication": "myeloma"}, ["P1"]),
        ({"indication": "%"}, []),
        ({"published_since": "2025"}, ["P3"]),
        ({"published_until": "2024-07"}, ["P1", "P2"]),
        ({"published_since": "2024-07-02", "published_until": "2025-01-31"}, []),
        ({"sort": "date", "descending": False}, ["P2", "P1", "P3"]),
        ({"sort": "company"}, ["P3", "P1", "P2"]),
        ({"sort": "company", "descending": True}, ["P2", "P1", "P3"]),
        ({"sort": "product"}, ["P1", "P2", "P3"]),
        ({"sort": "product", "descending": True}, ["P3", "P2", "P1"]),
        ({"sort": "published"}, ["P3", "P1", "P2"]),
        ({"sort": "published", "limit": 1}, ["P3"]),
    ],
)
def test_query_more_filters(varied: Store, filters: dict[str, Any], expected: list[str]) -> None:
    assert [ev.product for ev in varied.query(**filters)] == expected


@pytest.mark.parametrize(
    "filters",
    [
        {"regulator": "FAD"},
        {"modality": "cart"},
        {"event_type": "granted"},
        {"designation": "rmat2"},
        {"sort": "size"},
        {"published_since": "soon"},
    ],
)
def test_query_rejects_unknown_codes(varied: Store, filters: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        varied.query(**filters)


# --- stats and export -----------------------------------------------------------------------


def test_stats(varied: Store) -> None:
    stats = varied.stats()
    assert stats.totals == {"articles": 2, "events": 3, "mentions": 3}
    assert stats.by_regulator == [("NMPA", 3)]
    assert stats.by_kind == [("ind_submission", 3)]
    assert dict(stats.by_modality) == {"car_t": 1, "aav": 1, "nk_cell": 1}
    assert stats.by_month == [("2024-05", 1), ("2024-06", 1), ("2025-01", 1)]


def test_export_has_every_event_with_its_mentions(db: Store) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(make_article("b.html"), [make_event(source="b.html", evidence="Also.")])
    db.save(make_article("c.html"), [make_event(source="c.html", regulator="FDA")])
    records = list(db.export(batch=1))
    assert [r["regulator"] for r in records] == ["NMPA", "FDA"]
    assert [m["source"] for m in records[0]["mentions"]] == ["a.html", "b.html"]
    assert records[0]["mentions"][1]["evidence"] == "Also."
    assert records[0]["field_sources"]["product"] == "a.html"
    assert records[0]["first_published"] == "2026-01-04"
