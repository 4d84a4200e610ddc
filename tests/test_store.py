"""The store: round trips, idempotent saves, de-duplication across articles, atomicity."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cgtextract import store as store_module
from cgtextract.errors import InputError, StorageError
from cgtextract.models import SCHEMA_FIELDS, Article, Event
from cgtextract.store import Store, normalize_product

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


def sql(path: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the file as a person would, with the sqlite3 module."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Store]:
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


def test_resave_updates_article_text(db: Store, db_path: Path) -> None:
    db.save(make_article(), [make_event()])
    db.save(make_article(title="New title", text=TEXT + " Updated."), [make_event()])
    assert sql(db_path, "SELECT title, text FROM articles") == [("New title", TEXT + " Updated.")]


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
        {"date": "2025-12", "date_precision": "month"},
        {"date": None, "date_precision": None},
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


def add_failing_trigger(path: Path) -> None:
    """A real database error on the second mention: what a full disk or bad row would do."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON mentions WHEN NEW.evidence = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )
        conn.commit()


def test_database_error_mid_save_stores_nothing(db: Store, db_path: Path) -> None:
    add_failing_trigger(db_path)
    events = [make_event(), make_event(event_type="ind_clearance", evidence="boom")]
    with pytest.raises(StorageError, match="injected failure"):
        db.save(make_article(), events)
    assert db.counts() == {"articles": 0, "events": 0, "mentions": 0}


def test_failed_resave_keeps_previous_version(db: Store, db_path: Path) -> None:
    db.save(make_article(), [make_event()])
    add_failing_trigger(db_path)
    with pytest.raises(StorageError):
        db.save(make_article(title="changed"), [make_event(evidence="boom", evidence_start=3)])
    assert db.counts() == {"articles": 1, "events": 1, "mentions": 1}
    assert sql(db_path, "SELECT title FROM articles") == [("CARsgen IND",)]


def test_bug_mid_save_rolls_back_and_propagates(db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = store_module._upsert_mention
    calls = 0

    def flaky(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("bug")
        return real(*args)

    monkeypatch.setattr(store_module, "_upsert_mention", flaky)
    with pytest.raises(RuntimeError, match="bug"):
        db.save(make_article(), [make_event(), make_event(event_type="ind_clearance")])
    assert db.counts() == {"articles": 0, "events": 0, "mentions": 0}


# --- failures -----------------------------------------------------------------------------


def test_record_failure_creates_then_updates(db: Store, db_path: Path) -> None:
    db.record_failure("https://x.test/a", "HTTP 503")
    db.record_failure("https://x.test/a", "timeout after 10 s")
    assert sql(db_path, "SELECT url, error FROM articles") == [
        ("https://x.test/a", "timeout after 10 s")
    ]


def test_successful_save_clears_error(db: Store, db_path: Path) -> None:
    db.record_failure("a.html", "HTTP 503")
    db.save(make_article(), [make_event()])
    assert sql(db_path, "SELECT error FROM articles") == [(None,)]


def test_fetch_metadata_is_stored(db: Store, db_path: Path) -> None:
    fetched = {
        "final_url": "https://x.test/final",
        "status": 200,
        "headers": {"ETag": '"abc"', "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"},
    }
    db.save(make_article(), [make_event()], fetched=fetched)
    assert sql(db_path, "SELECT final_url, http_status, etag, last_modified FROM articles") == [
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


def test_wal_mode_is_on(db: Store, db_path: Path) -> None:
    assert sql(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_foreign_keys_are_enforced(db: Store) -> None:
    conn = db._engine.raw_connection()
    try:
        assert conn.cursor().execute("PRAGMA foreign_keys").fetchone() == (1,)
    finally:
        conn.close()


def test_reopen_keeps_data(db_path: Path) -> None:
    with Store(f"sqlite:///{db_path}") as s:
        s.save(make_article(), [make_event()])
    with Store(f"sqlite:///{db_path}") as s:
        assert s.counts() == {"articles": 1, "events": 1, "mentions": 1}


def test_events_flat_view(db: Store, db_path: Path) -> None:
    db.save(make_article("a.html"), [make_event()])
    db.save(make_article("b.html"), [make_event(source="b.html")])
    with closing(sqlite3.connect(db_path)) as conn:
        conn.row_factory = sqlite3.Row
        [row] = conn.execute("SELECT * FROM events_flat").fetchall()
    assert (row["product"], row["mention_count"], row["first_source"]) == ("CT0596", 2, "a.html")
    assert row["indications"] == '["multiple myeloma"]'
