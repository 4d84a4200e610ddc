"""`extract --explain`: every field an event carries names the stage and rule that chose it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cgtextract import cli
from cgtextract.pipeline import load
from cgtextract.read import explain
from cgtextract.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = sorted(p for p in (FIXTURES / "phenomena").iterdir() if p.suffix in {".txt", ".html"})
STAGES = {"layout", "mentions", "triggers", "attach", "resolve", "tables", "assemble"}
# fields that need no reading: the input's name and the page's date
GIVEN = {"source", "published"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_field_has_its_provenance(case: Path) -> None:
    article = load(str(case), Settings())
    for event, why in explain(article):
        carried = {k for k, v in event.schema_dict().items() if v not in (None, [], "")}
        missing = carried - GIVEN - why.keys()
        assert not missing, f"{event.product} {event.event_type}: no provenance for {missing}"
        for name, w in why.items():
            assert w.stage in STAGES and w.rule, name
            if w.start is not None and w.end is not None:
                assert 0 <= w.start <= w.end <= len(article.text), name


def test_explain_gives_the_same_events_as_extract() -> None:
    from cgtextract.read import extract

    article = load(str(FIXTURES / "seed" / "page.html"), Settings())
    assert [e for e, _ in explain(article)] == extract(article)


def test_provenance_points_at_the_text_it_names() -> None:
    article = load(str(FIXTURES / "phenomena" / "company-descriptors.txt"), Settings())
    first, why = explain(article)[0]
    assert first.company == "Marrow Arc Therapeutics"
    assert why["company"].rule == "subject_of_first_mention_sentence"
    target = why["target"]
    assert target.start is not None and target.end is not None
    assert article.text[target.start : target.end] == "MAGE-A4"


@pytest.mark.parametrize("fmt", ["table", "jsonl", "json", "csv"])
def test_explain_in_every_format(fmt: str) -> None:
    source = str(FIXTURES / "phenomena" / "headline-only-event.txt")
    result = CliRunner().invoke(cli.app, ["extract", source, "--explain", "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.output
    if fmt == "jsonl":
        row = json.loads(out.splitlines()[0])
        assert row["explain"]["regulator"]["rule"] == "home_agency_of_designation"
    elif fmt == "json":
        assert json.loads(out)[0]["explain"]["company"]["rule"] == "possessive_in_a_headline"
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {"company", "regulator", "event_type"} <= {r["field"] for r in rows}
    else:
        assert out.startswith("event 1: TCM-05") and "home_agency_of_designation" in out


def test_each_field_is_listed_once_per_event() -> None:
    from cgtextract.output import explained_rows

    article = load(str(CASES[0]), Settings())
    rows = explained_rows([(e, why, article.text) for e, why in explain(article)])
    keys = [(r["event"], r["field"]) for r in rows]
    assert rows and len(keys) == len(set(keys))
