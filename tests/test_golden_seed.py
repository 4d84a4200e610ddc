"""The seed article, as text and as an HTML page, gives exactly its six gold events."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cgtextract.clean import clean_html, clean_text
from cgtextract.models import Event
from cgtextract.read import extract

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
GOLD: list[dict[str, Any]] = [
    json.loads(line)
    for line in (SEED / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
INPUTS = ("seed-article.txt", "page.html")
FIELDS = (
    "company",
    "product",
    "target",
    "modality",
    "regulator",
    "event_type",
    "designation",
    "date",
    "date_precision",
    "indications",
)


@cache
def events_of(name: str) -> tuple[Event, ...]:
    path = SEED / name
    if name.endswith(".html"):
        article = clean_html(path.read_bytes(), name)
    else:
        article = clean_text(path.read_text(encoding="utf-8"), name)
    return tuple(extract(article))


def _key(d: dict[str, Any]) -> tuple[str, str, str]:
    return d["product"], d["regulator"], d["designation"] or d["event_type"]


def _find(name: str, gold: dict[str, Any]) -> Event:
    matches = [e for e in events_of(name) if _key(e.model_dump(mode="json")) == _key(gold)]
    assert len(matches) == 1, f"{_key(gold)}: {len(matches)} predicted events in {name}"
    return matches[0]


def test_gold_has_six_events() -> None:
    assert len(GOLD) == 6
    assert len({_key(g) for g in GOLD}) == 6


@pytest.mark.parametrize("name", INPUTS)
def test_exactly_the_gold_events(name: str) -> None:
    predicted = sorted(_key(e.model_dump(mode="json")) for e in events_of(name))
    assert predicted == sorted(_key(g) for g in GOLD)


@pytest.mark.parametrize("name", INPUTS)
@pytest.mark.parametrize("gold", GOLD, ids=["-".join(_key(g)) for g in GOLD])
def test_fields(name: str, gold: dict[str, Any]) -> None:
    got = _find(name, gold).model_dump(mode="json")
    assert {f: got[f] for f in FIELDS} == {f: gold[f] for f in FIELDS}


@pytest.mark.parametrize("name", INPUTS)
def test_source_and_published(name: str) -> None:
    for event in events_of(name):
        assert event.source == name
        assert event.published is not None and event.published.isoformat() == "2026-01-04"
