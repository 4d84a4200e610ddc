"""Accuracy floors on the labelled corpora, measured by the project's shared scorer.

The floors are the targets the extractor must keep: a change that lowers a score below
them fails here instead of passing silently.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
DEV = ROOT / "fixtures" / "dev"
SEED = ROOT / "fixtures" / "seed"
CMD = f"{sys.executable} -m cgtextract extract"

pytestmark = pytest.mark.skipif(not SCORER.exists(), reason=f"scorer not found at {SCORER}")


def _score(*args: str) -> tuple[dict[str, float], str]:
    out = subprocess.run(
        [sys.executable, str(SCORER), *args, "--cmd", CMD],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    figures = {k: float(v) for k, v in re.findall(r"(event_f1|strict_f1)=([\d.]+)", out)}
    for name, value in re.findall(
        r"^\s+(company|target|modality|date|indications)\s+\d+/\d+\s+([\d.]+)$", out, re.M
    ):
        figures[name] = float(value)
    return figures, out


def test_dev_corpus_floors() -> None:
    figures, out = _score(str(DEV))
    floors = {
        "event_f1": 0.90,
        "strict_f1": 0.80,
        "company": 0.90,
        "date": 0.90,
        "modality": 0.90,
        "target": 0.85,
        "indications": 0.85,
    }
    low = {k: figures.get(k, 0.0) for k, floor in floors.items() if figures.get(k, 0.0) < floor}
    assert not low, out


def test_seed_article_is_exact() -> None:
    figures, out = _score(
        str(SEED), "--gold", str(SEED / "gold.jsonl"), "--docs", "seed-article.txt"
    )
    assert figures["event_f1"] == 1.0 and figures["strict_f1"] == 1.0, out
