"""Two processes, each with its own Store, writing the same events at the same moment.

They must end with one row per real-world event, every mention kept, and no error, on
SQLite (BEGIN IMMEDIATE + busy timeout) and on PostgreSQL (advisory transaction lock);
also when both create the database at once.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dbfixtures import fresh_pg_url, needs_pg, sql

from cgtextract.models import Article, Event
from cgtextract.store import Store

ARTICLES = 12
PRODUCTS = ("CT0596", "BBM-H901", "ide-cel", "NouvNeu001")
TEXT = "A regulator acted on a cell therapy product on the date the release gives."


def events_for(source: str, i: int) -> list[Event]:
    """What every article says: the same four products, some at month precision, some
    at day precision, so rows are also refined while both processes write."""
    out = []
    for k, product in enumerate(PRODUCTS):
        day = (i + k) % 2 == 0
        out.append(
            Event(
                source=source,
                company="Same Co",
                product=product,
                regulator="FDA",
                event_type="designation",
                designation="rmat",
                date="2024-03-15" if day else "2024-03",
                date_precision="day" if day else "month",
                indications=[f"indication {i % 3}"],
                evidence=TEXT,
                evidence_start=k,
                evidence_end=k + 10,
            )
        )
    return out


def writer(url: str, name: str, barrier: Any, errors: Any) -> None:
    """One process: open the store (maybe creating it), then save its articles and the
    articles both processes share, as fast as it can."""
    try:
        barrier.wait(timeout=60)
        with Store(url) as store:
            for i in range(ARTICLES):
                for source in (f"{name}-{i}.html", f"shared-{i}.html"):
                    article = Article(source=source, text=TEXT, published=date(2024, 3, 16))
                    store.save(article, events_for(source, i))
    except BaseException:
        errors.put(f"{name}: {traceback.format_exc()}")


def run_two_writers(url: str) -> list[str]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(2)
    errors = ctx.Queue()
    procs = [ctx.Process(target=writer, args=(url, n, barrier, errors)) for n in ("p1", "p2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    for p in procs:
        if p.is_alive():
            p.kill()
            found.append("a writer did not finish in time")
        elif p.exitcode != 0:
            found.append(f"a writer exited with {p.exitcode}")
    return found


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_pg)])
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that does not exist yet: both writers race to create it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}"
    else:
        with fresh_pg_url("cgt_race") as url:
            yield url


def test_two_processes_write_the_same_events_without_duplicates(new_url: str) -> None:
    assert run_two_writers(new_url) == []
    with Store(new_url) as store:
        assert store.counts() == {
            "articles": 3 * ARTICLES,
            "events": len(PRODUCTS),
            # every article mentions every product once
            "mentions": 3 * ARTICLES * len(PRODUCTS),
        }
        assert {(e.product, e.date) for e in store.query()} == {(p, "2024-03-15") for p in PRODUCTS}
        assert sql(store, "SELECT COUNT(*) FROM event_names") == [(len(PRODUCTS),)]
        assert sql(store, "SELECT COUNT(DISTINCT version_num) FROM alembic_version") == [(1,)]
