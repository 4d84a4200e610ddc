"""`Store.reextract`: a changed extractor re-reads stored articles without fetching.

A fake extractor stands for a change to patterns/: it reads the stored text and answers
from a table, so each test says exactly what the "new patterns" find.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
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
from test_store import make_article, make_event

from cgtextract.errors import Failure
from cgtextract.models import Article, Event
from cgtextract.pipeline import reextract
from cgtextract.store import Store

HTML = "<html><body><article><p>CARsgen news.</p></article></body></html>"


def fake(answers: dict[str, list[Event]]) -> Callable[[Article], list[Event]]:
    def extract(article: Article) -> list[Event]:
        if article.source not in answers:
            raise RuntimeError(f"unexpected article {article.source}")
        return answers[article.source]

    return extract


@pytest.fixture
def stored(db: Store) -> Store:
    db.save(make_article("a.html", raw=HTML), [make_event(target=None)], extractor="0.1.0+old")
    db.save(
        make_article("b.html", published=date(2026, 2, 1)),
        [make_event(source="b.html", regulator="FDA", event_type="ind_clearance")],
        extractor="0.1.0+old",
    )
    return db


def test_reports_added_changed_and_retired(stored: Store) -> None:
    new = {
        # the new patterns find the target, and a designation the old ones missed
        "a.html": [
            make_event(),
            make_event(
                regulator="FDA", event_type="designation", designation="rmat", evidence_start=4
            ),
        ],
        # ... and no longer read b.html's sentence as an IND clearance
        "b.html": [],
    }
    report = reextract(stored, fake(new), extractor="0.2.0+new")
    assert report.articles == 2
    assert report.extractor_version == "0.2.0+new"
    assert [(c.regulator, c.kind) for c in report.added] == [("FDA", "rmat")]
    assert [(c.kind, c.fields) for c in report.changed] == [
        ("ind_submission", {"target": (None, "BCMA")})
    ]
    assert [(c.regulator, c.kind) for c in report.retired] == [("FDA", "ind_clearance")]
    assert report.failed == []
    assert 'target: null -> "BCMA"' in report.changed[0].describe()
    assert {(e.regulator, e.kind) for e in stored.query()} == {
        ("NMPA", "ind_submission"),
        ("FDA", "rmat"),
    }


def test_rows_carry_the_new_extractor_version(stored: Store) -> None:
    reextract(stored, fake({"a.html": [make_event()], "b.html": []}), extractor="0.2.0+new")
    assert sql(stored, "SELECT extractor_version FROM events") == [("0.2.0+new",)]
    assert {r[0] for r in sql(stored, "SELECT extractor_version FROM articles")} == {"0.2.0+new"}


def test_same_extractor_changes_nothing(stored: Store) -> None:
    same = {
        "a.html": [make_event(target=None)],
        "b.html": [make_event(source="b.html", regulator="FDA", event_type="ind_clearance")],
    }
    before = sql(stored, "SELECT id, updated_at FROM events ORDER BY id")
    report = reextract(stored, fake(same))
    assert (report.added, report.changed, report.retired) == ([], [], [])
    assert sql(stored, "SELECT id, updated_at FROM events ORDER BY id") == before
    assert stored.counts() == {"articles": 2, "events": 2, "mentions": 2}


def test_the_article_is_rebuilt_from_what_was_stored(stored: Store) -> None:
    seen: list[Article] = []

    def spy(article: Article) -> list[Event]:
        seen.append(article)
        return []

    reextract(stored, spy, since="2026-02")
    [article] = seen
    assert (article.source, article.published, article.title) == (
        "b.html",
        date(2026, 2, 1),
        "CARsgen IND",
    )
    seen.clear()
    reextract(stored, spy)
    assert [a.source for a in seen] == ["a.html", "b.html"]
    assert seen[0].raw == HTML and seen[0].text == make_article().text


def test_a_failing_article_keeps_its_events(stored: Store) -> None:
    def broken(article: Article) -> list[Event]:
        if article.source == "a.html":
            raise ValueError("pattern bug")
        return []

    report = reextract(stored, broken)
    assert report.failed == [
        Failure("a.html", "internal", "internal error (ValueError: pattern bug)")
    ]
    assert [c.kind for c in report.retired] == ["ind_clearance"]
    assert [e.source for e in stored.query()] == ["a.html"]


def test_articles_that_failed_to_fetch_are_skipped(stored: Store) -> None:
    stored.record_failure("https://x.test/broken", "HTTP 503")
    report = reextract(stored, fake({"a.html": [], "b.html": []}))
    assert report.articles == 2


def test_an_event_moved_between_rows_is_reported_once(stored: Store) -> None:
    """a.html now dates its event to another day: the old row goes, a new one comes."""
    moved: dict[str, Any] = {"date": "2025-11-02"}
    report = reextract(
        stored,
        fake(
            {
                "a.html": [make_event(**moved)],
                "b.html": [
                    make_event(source="b.html", regulator="FDA", event_type="ind_clearance")
                ],
            }
        ),
    )
    assert [c.date for c in report.added] == ["2025-11-02"]
    assert [c.date for c in report.retired] == ["2025-12-29"]
    assert report.changed == []
    [(raw,)] = sql(stored, "SELECT field_sources FROM events WHERE regulator = 'NMPA'")
    assert json.loads(raw)["date"] == "a.html"
