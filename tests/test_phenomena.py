"""Golden tests: one small document per phenomenon of release language (fixtures/phenomena).

Each `fixtures/phenomena/<case>.{txt,html}` has `<case>.expected.jsonl` beside it: the events
the document holds, with the fields that matter for that phenomenon. A change in what is
extracted shows up as a reviewed diff (`pytest --update-golden` rewrites the files).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cgtextract.pipeline import load
from cgtextract.read import extract
from cgtextract.settings import Settings

CASES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "phenomena"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.suffix in {".txt", ".html"})
FIELDS = (
    "company",
    "product",
    "regulator",
    "event_type",
    "designation",
    "date",
    "date_precision",
    "target",
    "modality",
    "allogeneic",
    "indications",
)


def _rows(path: Path) -> list[dict[str, object]]:
    events = extract(load(str(path), Settings()))
    return [{k: e.schema_dict()[k] for k in FIELDS} for e in events]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_phenomenon(case: Path, update_golden: bool) -> None:
    expected_path = case.with_suffix(".expected.jsonl")
    got = _rows(case)
    if update_golden:
        expected_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got))
        pytest.skip("golden file rewritten")
    expected = [json.loads(line) for line in expected_path.read_text().splitlines() if line.strip()]
    assert got == expected


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_evidence_points_into_the_text(case: Path) -> None:
    article = load(str(case), Settings())
    for event in extract(article):
        assert event.evidence_start is not None and event.evidence_end is not None
        assert article.text[event.evidence_start : event.evidence_end] == event.evidence
