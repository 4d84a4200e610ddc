"""The vocabularies in patterns/ and the spaCy pipeline built from them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from cgtextract.errors import PatternError
from cgtextract.read import vocab as rules
from cgtextract.read.vocab import SPANS_KEY, build_nlp, load_patterns, patterns_dir

PATTERN_FILES = sorted(p.name for p in patterns_dir().glob("*.jsonl"))


@pytest.fixture
def clear_caches() -> Iterator[None]:
    """Drop cached patterns and pipeline before and after a test that changes patterns_dir."""
    load_patterns.cache_clear()
    build_nlp.cache_clear()
    yield
    load_patterns.cache_clear()
    build_nlp.cache_clear()


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_nlp()


def _rows(name: str) -> list[tuple[int, dict[str, Any]]]:
    lines = (patterns_dir() / name).read_text(encoding="utf-8").splitlines()
    return [(n, json.loads(line)) for n, line in enumerate(lines, 1) if line.strip()]


def _key(row: dict[str, Any]) -> tuple[str, str]:
    return row["label"], json.dumps(row["pattern"], sort_keys=True)


def test_ruler_files_exist() -> None:
    assert set(rules.RULER_FILES) <= set(PATTERN_FILES)


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_every_line_is_a_pattern(name: str) -> None:
    rows = _rows(name)
    assert rows
    for n, row in rows:
        assert set(row) >= {"label", "pattern", "id"}, f"{name}:{n}"
        assert isinstance(row["label"], str) and row["label"], f"{name}:{n}"
        assert isinstance(row["id"], str) and row["id"], f"{name}:{n}"
        assert isinstance(row["pattern"], str | list) and row["pattern"], f"{name}:{n}"
    assert len(load_patterns(name)) == len(rows)


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_no_duplicates_within_a_file(name: str) -> None:
    counts = Counter(_key(row) for _, row in _rows(name))
    assert [k for k, c in counts.items() if c > 1] == []


def test_no_duplicates_across_files() -> None:
    where: dict[tuple[str, str], set[str]] = {}
    for name in PATTERN_FILES:
        for _, row in _rows(name):
            where.setdefault(_key(row), set()).add(name)
    assert {k: v for k, v in where.items() if len(v) > 1} == {}


def test_no_string_pattern_has_two_ids() -> None:
    """String patterns match on LOWER, so two spellings differing in case are one pattern."""
    ids: dict[tuple[str, str], set[str]] = {}
    for name in PATTERN_FILES:
        for _, row in _rows(name):
            if isinstance(row["pattern"], str):
                ids.setdefault((row["label"], row["pattern"].lower()), set()).add(row["id"])
    assert {k: v for k, v in ids.items() if len(v) > 1} == {}


def _spans(nlp: Language, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    return {(s.text, s.label_, s.id_) for s in doc.spans[SPANS_KEY]}


@pytest.mark.parametrize(
    ("text", "span"),
    [
        (
            "approved by the U.S. Food and Drug Administration (FDA).",
            ("U.S. Food and Drug Administration", "REGULATOR", "FDA"),
        ),
        ("granted the RMAT designation", ("RMAT", "DESIGNATION", "rmat")),
        ("PRIME eligibility from the EMA", ("PRIME", "DESIGNATION", "prime")),
        (
            "the China National Medical Products Administration (NMPA)",
            ("NMPA", "REGULATOR", "NMPA"),
        ),
        ("an off-the-shelf BCMA CAR-T product", ("BCMA", "TARGET", "BCMA")),
    ],
)
def test_finds(nlp: Language, text: str, span: tuple[str, str, str]) -> None:
    assert span in _spans(nlp, text)


@pytest.mark.parametrize(
    ("text", "label", "id_"),
    [
        ("a prime editing therapy", "DESIGNATION", "prime"),
        ("the prime minister said", "DESIGNATION", "prime"),
        ("the ec2 instance", "REGULATOR", "EC"),
    ],
)
def test_does_not_find(nlp: Language, text: str, label: str, id_: str) -> None:
    assert not {s for s in _spans(nlp, text) if s[1:] == (label, id_)}


def test_build_nlp_is_cached() -> None:
    assert build_nlp() is build_nlp()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ('{"label": "REGULATOR", "pattern": "FDA", "id": "FDA"}\nnot json\n', ":2: not JSON"),
        ('{"label": "REGULATOR", "pattern": "FDA"}\n', ":1: needs label, pattern and id"),
        ('["REGULATOR", "FDA", "FDA"]\n', ":1: needs label, pattern and id"),
    ],
)
def test_malformed_file_raises_pattern_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clear_caches: None, content: str, match: str
) -> None:
    (tmp_path / "regulators.jsonl").write_text(content, encoding="utf-8")
    monkeypatch.setattr(rules, "patterns_dir", lambda: tmp_path)
    with pytest.raises(PatternError, match=match):
        load_patterns("regulators.jsonl")
    with pytest.raises(PatternError):
        build_nlp()


def test_invalid_spacy_pattern_raises_pattern_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clear_caches: None
) -> None:
    for name in rules.RULER_FILES:
        (tmp_path / name).write_text("", encoding="utf-8")
    bad = {"label": "REGULATOR", "pattern": [{"NOT_AN_ATTR": "FDA"}], "id": "FDA"}
    (tmp_path / "regulators.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf-8")
    monkeypatch.setattr(rules, "patterns_dir", lambda: tmp_path)
    with pytest.raises(PatternError, match="invalid pattern"):
        build_nlp()


def test_missing_file_raises_pattern_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clear_caches: None
) -> None:
    monkeypatch.setattr(rules, "patterns_dir", lambda: tmp_path)
    with pytest.raises(PatternError, match="cannot read"):
        load_patterns("regulators.jsonl")


def test_shared_pipeline_is_rebuilt_after_many_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its vocabulary grows with every new string; a rebuild keeps a long run's memory flat
    and must not change what is read."""
    from cgtextract.models import Article
    from cgtextract.read import extract
    from cgtextract.read import vocab as rules

    monkeypatch.setattr(rules, "RELOAD_AFTER", 2)
    monkeypatch.setattr(rules, "_served", 0)
    first = rules.shared_nlp()
    assert rules.shared_nlp() is first
    grown = len(first.vocab.strings)
    text = (
        "SHANGHAI, May 5, 2025 -- Acme Bio today announced that the FDA cleared the IND for AB-101."
    )
    article = Article(source="x", text=text)
    before = extract(article)  # the third document: a fresh pipeline reads it
    second = rules.shared_nlp()
    assert second is not first
    assert len(second.vocab.strings) < grown + 50
    assert [e.model_dump() for e in extract(article)] == [e.model_dump() for e in before]
    assert [(e.product, e.regulator, e.event_type) for e in before] == [
        ("AB-101", "FDA", "ind_clearance")
    ]
