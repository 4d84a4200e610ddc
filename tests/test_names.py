"""One product-name key and one legal-suffix list, for the reader and the store alike."""

from __future__ import annotations

import json

import pytest
from dbfixtures import (  # noqa: F401  (fixtures are used by name)
    db_fixture,
    db_url_fixture,
    pg_session_url_fixture,
    shared_stores_fixture,
    sqlite_template_fixture,
)
from test_store import make_article, make_event

from cgtextract.names import company_key, legal_suffixes, normalize_product
from cgtextract.read.vocab import patterns_dir
from cgtextract.store import Store

# Names the reader and the store used to key differently (the reader kept Unicode dashes,
# the store kept underscores, commas, apostrophes and parentheses).
SAME_PRODUCT = [
    ("ABC_101", "ABC-101", "abc101"),
    ("ide-cel", "Ide Cel", "idecel"),
    ("IDECEL", "ide\u2011cel", "idecel"),  # non-breaking hyphen
    ("lete\u2013cel", "lete cel", "letecel"),  # en dash
    ("NouvNeu.001", "NouvNeu001", "nouvneu001"),
    ("Abecma®", "ABECMA™", "abecma"),
    ("obe-cel (AUTO1)", "obecel AUTO1", "obecelauto1"),
    ("Zolgensma’s", "Zolgensma's", "zolgensmas"),
    ("CT-0596, CT0596", "ct0596ct0596", "ct0596ct0596"),
]


@pytest.mark.parametrize(("one", "other", "key"), SAME_PRODUCT)
def test_normalize_product(one: str, other: str, key: str) -> None:
    assert normalize_product(one) == normalize_product(other) == key


def test_legal_suffixes_are_the_vocabulary_s() -> None:
    rows = [
        json.loads(line)
        for line in (patterns_dir() / "companies.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    patterns = [r["pattern"] for r in rows if r["label"] == "LEGAL_SUFFIX"]
    assert patterns and len(legal_suffixes()) >= len({p.lower().strip(".") for p in patterns}) // 2
    for pattern in patterns:
        assert company_key(f"Acme Therapeutics {pattern}") == "acmetherapeutics", pattern


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("CARsgen Therapeutics Co., Ltd.", "carsgentherapeutics"),
        ("Cellectis S.A.", "cellectis"),
        ("Acme Holdings, Inc.", "acme"),
        ("Coimmune Inc", "coimmune"),  # "Co" inside a word is not a suffix
        ("bluebird bio", "bluebirdbio"),
    ],
)
def test_company_key(name: str, key: str) -> None:
    assert company_key(name) == key


def test_a_report_under_a_drifted_spelling_is_the_same_event(db: Store) -> None:
    db.save(make_article(), [make_event(product="ABC_101")])
    later = make_article("b.html", text="Later: ABC-101 got it.")
    report = db.save(later, [make_event(source="b.html", product="ABC\u2011101", evidence="x")])
    assert report.new_events == 0 and db.counts()["events"] == 1
    (event,) = db.query(product="abc 101")
    assert event.product == "ABC_101"


def test_company_names_differing_by_a_legal_suffix_do_not_conflict(db: Store) -> None:
    db.save(make_article(), [make_event(company="CARsgen Therapeutics Co., Ltd.")])
    other = make_article("b.html", text="Other text.")
    db.save(other, [make_event(source="b.html", company="CARsgen Therapeutics", evidence="x")])
    assert db.read_sql("SELECT conflicts FROM events").rows == [(None,)]
