"""The vocabulary loader (read/vocab.py) and the rule that word lists live in patterns/, not in
Python."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cgtextract.errors import PatternError
from cgtextract.read import vocab
from cgtextract.read.vocab import alternation, load_patterns, mapping, patterns_dir, word_rx, words

PATTERN_FILES = sorted(p.name for p in patterns_dir().glob("*.jsonl"))
READ_DIR = Path(vocab.__file__).resolve().parent
MAX_WORDS = 5  # the project rule: no word list of more than five entries in Python


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_every_pattern_file_loads(name: str) -> None:
    rows = load_patterns(name)
    lines = [ln for ln in (patterns_dir() / name).read_text(encoding="utf-8").splitlines()]
    assert len(rows) == sum(1 for ln in lines if ln.strip()) > 0
    for row in rows:
        assert {"label", "pattern", "id"} <= row.keys()
    # every label of the file is a usable word list
    for label in {str(r["label"]) for r in rows}:
        assert words(name, label)
    assert load_patterns(name) is rows  # read once


# a small vocabulary of our own, so that each function's result is known exactly
TOY = [
    {"label": "VERB", "pattern": "approve", "id": "approve"},
    {"label": "VERB", "pattern": "clear*", "id": "clear"},
    {"label": "VERB", "pattern": "allowed to proceed", "id": "clear"},
    {"label": "SIGN", "pattern": "a.b", "id": "dot"},
    {"label": "SIGN", "pattern": "a+b", "id": "plus"},
    {"label": "EXACT", "pattern": [{"TEXT": "EC"}], "id": "EC"},
]


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """patterns_dir() pointed at a directory holding toy.jsonl, the caches cleared around it."""
    (tmp_path / "toy.jsonl").write_text(
        "\n".join(json.dumps(r) for r in TOY) + "\n\n", encoding="utf-8"
    )
    caches = (load_patterns, words, mapping, word_rx)
    for f in caches:
        f.cache_clear()
    monkeypatch.setattr(vocab, "patterns_dir", lambda: tmp_path)
    yield "toy.jsonl"
    for f in caches:
        f.cache_clear()


def test_load_patterns_keeps_rows_in_order(toy: str) -> None:
    assert list(load_patterns(toy)) == TOY


def test_words_of_one_label(toy: str) -> None:
    assert words(toy, "VERB") == ("approve", "clear*", "allowed to proceed")
    assert words(toy, "SIGN") == ("a.b", "a+b")


def test_words_of_a_missing_label_is_an_error(toy: str) -> None:
    with pytest.raises(PatternError, match="no pattern labelled NOUN"):
        words(toy, "NOUN")
    with pytest.raises(PatternError, match="no pattern labelled NOUN"):
        mapping(toy, "NOUN")


def test_mapping_pattern_to_id(toy: str) -> None:
    assert mapping(toy, "VERB") == {
        "approve": "approve",
        "clear*": "clear",
        "allowed to proceed": "clear",
    }


def test_alternation_is_longest_first_and_escaped(toy: str) -> None:
    assert alternation(toy, "SIGN") == r"a\.b|a\+b"
    rx = re.compile(rf"^(?:{alternation(toy, 'VERB')})$")
    assert alternation(toy, "VERB").startswith("allowed\\ to\\ proceed|")
    assert rx.match("allowed to proceed") and rx.match("approve")
    assert not re.fullmatch(alternation(toy, "SIGN"), "axb")  # '.' is a dot, not any character


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The FDA cleared it", ["cleared"]),
        ("clearance was granted", ["clearance"]),
        ("it was allowed\n to   proceed", ["allowed\n to   proceed"]),
        ("they APPROVE it", ["APPROVE"]),
        ("pre-approve and approved", []),  # whole words only; 'approve' has no '*'
    ],
)
def test_word_rx_whole_words_with_star_endings(toy: str, text: str, found: list[str]) -> None:
    assert [m.group() for m in word_rx(toy, "VERB").finditer(text)] == found


# ------------------------------------------------- no word lists of more than five in Python


def _string_count(node: ast.AST) -> int:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items: list[ast.expr | None] = list(node.elts)
    elif isinstance(node, ast.Dict):
        items = list(node.keys)
    else:
        return -1
    # span labels ('REGULATOR') and vocabulary file names name the data; they are no words
    return sum(
        isinstance(e, ast.Constant)
        and isinstance(e.value, str)
        and not e.value.isupper()
        and not e.value.endswith(".jsonl")
        for e in items
    )


def _literal_lists() -> list[str]:
    """'file:line kind n' for every collection literal of more than MAX_WORDS string constants."""
    out = []
    for path in sorted(READ_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            n = _string_count(node)
            if n > MAX_WORDS:
                out.append(f"{path.name}:{node.lineno} {type(node).__name__} of {n} strings")
    return sorted(out)


def test_the_scan_sees_a_list_of_six() -> None:
    """The scan itself works: it counts a literal of six strings, and not one of five."""
    six = ast.parse("X = ['a', 'b', 'c', 'd', 'e', 'f']\nY = {'a': 1, 'b': 2, 'c': 3}")
    counts = [_string_count(n) for n in ast.walk(six) if _string_count(n) >= 0]
    assert sorted(counts) == [3, 6]


def test_no_collection_literal_of_more_than_five_strings() -> None:
    assert _literal_lists() == []


_ALTERNATION = re.compile(r"\(\?:([^()]*)\)")
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z '-]*|[A-Za-z][A-Za-z]*\\s\+[A-Za-z ]+")


def _word_alternations(source: str) -> list[tuple[int, list[str]]]:
    """(line, plain words) of every '(?:a|b|...)' inside a string constant of a module."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for m in _ALTERNATION.finditer(node.value):
                plain = [w for w in m.group(1).split("|") if _PLAIN_WORD.fullmatch(w)]
                out.append((node.lineno, plain))
    return out


def _regex_word_lists() -> list[str]:
    """'file:line n: words' for every alternation of more than MAX_WORDS plain words (a word
    list written as a regex instead of a literal)."""
    return sorted(
        f"{path.name}:{line} {len(plain)}: {'|'.join(plain)}"
        for path in sorted(READ_DIR.glob("*.py"))
        for line, plain in _word_alternations(path.read_text(encoding="utf-8"))
        if len(plain) > MAX_WORDS
    )


def test_the_regex_scan_sees_an_alternation_of_six() -> None:
    src = "R = r'\\b(?:alpha|beta|gamma|delta|epsilon|zeta)\\b'\nS = r'(?:a|b|c|\\d+)'"
    assert [(line, len(plain)) for line, plain in _word_alternations(src)] == [(1, 6), (2, 3)]


def test_no_regex_alternation_of_more_than_five_words() -> None:
    assert _regex_word_lists() == []
