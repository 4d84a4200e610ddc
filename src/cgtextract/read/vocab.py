"""Builds the spaCy pipeline once from the vocabularies in `patterns/`.

Vocabulary is data: each `patterns/*.jsonl` line is a spaCy span-ruler pattern
`{"label": ..., "pattern": ..., "id": ...}`. String patterns match case-insensitively
(on LOWER); token patterns (lists) match exactly, which is how short acronyms such
as "EC" or "PRIME" avoid matching ordinary words.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from cgtextract.errors import PatternError

SPANS_KEY = "cgt"
# files whose patterns go into the span ruler; companies.jsonl is read by extract.py
RULER_FILES = (
    "regulators.jsonl",
    "designations.jsonl",
    "actions.jsonl",
    "targets.jsonl",
    "modalities.jsonl",
    "diseases.jsonl",
)


def patterns_dir() -> Path:
    """Where the vocabularies live: inside the installed package, else the source tree."""
    here = Path(__file__).resolve().parents[1]  # the cgtextract package
    for candidate in (here / "patterns", here.parents[1] / "patterns"):
        if candidate.is_dir():
            return candidate
    raise PatternError(f"patterns directory not found next to {here}")


@cache
def load_patterns(name: str) -> tuple[dict[str, Any], ...]:
    """Read one JSONL vocabulary file; a malformed line is a PatternError naming it."""
    return read_rows(patterns_dir() / name)


def read_rows(path: Path) -> tuple[dict[str, Any], ...]:
    """The `{"label", "pattern", "id"}` rows of a JSONL vocabulary file anywhere (a backfill
    may read another directory's); a malformed line is a PatternError naming it."""
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PatternError(f"cannot read {path}: {exc.strerror}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PatternError(f"{path}:{n}: not JSON: {exc.msg}") from exc
        if not isinstance(row, dict) or not {"label", "pattern", "id"} <= row.keys():
            raise PatternError(f"{path}:{n}: needs label, pattern and id")
        rows.append(row)
    return tuple(rows)


@cache
def words(name: str, label: str) -> tuple[str, ...]:
    """The patterns of one label in one file, as plain strings (word lists the rules use).

    A word list that is empty is a PatternError: a rule reading it would silently do nothing.
    """
    found = tuple(str(r["pattern"]) for r in load_patterns(name) if r["label"] == label)
    if not found:
        raise PatternError(f"{patterns_dir() / name}: no pattern labelled {label}")
    return found


@cache
def mapping(name: str, label: str) -> dict[str, str]:
    """Pattern -> id for one label of one file (a word and the value it stands for)."""
    words(name, label)  # raises when the label is missing
    return {str(r["pattern"]): str(r["id"]) for r in load_patterns(name) if r["label"] == label}


def alternation(name: str, label: str) -> str:
    """A regex alternation of one word list, longest first, each entry escaped."""
    return "|".join(re.escape(w) for w in sorted(words(name, label), key=len, reverse=True))


@cache
def word_rx(name: str, label: str, flags: int = re.I) -> re.Pattern[str]:
    """One word list as a regex of whole words or phrases: spaces match any whitespace and a
    final '*' any word ending ('prepar*' = preparing, prepared, ...)."""
    parts = [
        r"\s+".join(
            re.escape(x.rstrip("*")) + (r"\w*" if x.endswith("*") else "") for x in w.split()
        )
        for w in sorted(words(name, label), key=len, reverse=True)
    ]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])", flags)


@cache
def build_nlp() -> Language:
    """A blank English pipeline with two span rulers over the same spans key.

    Both rulers hold phrase patterns only, which the PhraseMatcher matches in near
    constant time: string patterns on LOWER (case-insensitive), and the exact-case token
    lists of the vocabulary files (acronyms such as "EC", "PRIME", "ALL") on ORTH.
    Token-pattern matching would cost an order of magnitude more per page.
    """
    nlp = spacy.blank("en")
    loose: list[dict[str, Any]] = []
    exact: list[dict[str, Any]] = []
    for name in RULER_FILES:
        for row in load_patterns(name):
            pattern = row["pattern"]
            if isinstance(pattern, str):
                loose.append(row)
            elif all(isinstance(t, dict) and set(t) == {"TEXT"} for t in pattern):
                exact.append({**row, "pattern": " ".join(str(t["TEXT"]) for t in pattern)})
            else:
                raise PatternError(
                    f"invalid pattern in {name}: strings or lists of TEXT tokens only: {pattern!r}"
                )
    for component, attr, rows, overwrite in (
        ("vocab_lower", "LOWER", loose, True),
        ("vocab_exact", "ORTH", exact, False),
    ):
        ruler = nlp.add_pipe(
            "span_ruler",
            name=component,
            config={
                "spans_key": SPANS_KEY,
                "phrase_matcher_attr": attr,
                "validate": True,
                "overwrite": overwrite,
            },
        )
        try:
            ruler.add_patterns(rows)  # type: ignore[attr-defined]
        except Exception as exc:  # spaCy raises MatchPatternError / ValueError on bad patterns
            raise PatternError(f"invalid pattern in {patterns_dir()}: {exc}") from exc
    return nlp


# spaCy's vocabulary keeps every string a document brought (product codes, names, numbers)
# for the life of the pipeline, ~3.5 MB per 1,000 releases; a fresh pipeline every few
# thousand documents keeps a long run's memory flat for ~0.4 s each time.
# (`Language.memory_zone` would free them per document, but it switches the tokenizer's
# cache off: 40 % slower here.)
RELOAD_AFTER = 5_000
_served = 0


def shared_nlp() -> Language:
    """`build_nlp()`, rebuilt after every RELOAD_AFTER documents read with it."""
    global _served
    _served += 1
    if _served > RELOAD_AFTER:
        _served = 1
        build_nlp.cache_clear()
        name_spans.cache_clear()
    return build_nlp()


@lru_cache(maxsize=8192)  # bounded: a long run meets many names
def name_spans(name: str) -> tuple[tuple[str, int, int], ...]:
    """(label, start, end) of the vocabulary spans of a short text such as a would-be company
    name: read once, whichever rule asks (is it an agency, a disease, a country?)."""
    sdoc = build_nlp()(name)
    return tuple((sp.label_, sp.start_char, sp.end_char) for sp in sdoc.spans[SPANS_KEY])
