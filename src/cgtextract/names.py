"""When two names are the same: one product-name key and one legal-suffix list for the project.

The reader (which names denote one product) and the store (which reports are one event)
must agree, or an event read as "ABC_101" and stored under "abc_101" is not found by a
later report of "ABC-101". So both compare names through `normalize_product`, and company
names through `company_key`, whose legal suffixes are the LEGAL_SUFFIX lines of
`patterns/companies.jsonl`, the same list the reader strips from company names.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from cgtextract.errors import PatternError

__all__ = ["company_key", "legal_suffixes", "normalize_product"]

# Characters that do not tell two product names apart: whitespace, hyphens and Unicode
# dashes (U+2010-U+2015, U+2212 minus), dots, underscores, commas, apostrophes (straight
# and curly), parentheses, and the registered and trademark signs.
_PRODUCT_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212_.,'\u2018\u2019()®™]+")
_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=16384)
def normalize_product(name: str) -> str:
    """The identity form of a product name: `ABC_101` -> `abc101`, `ide-cel` = `Ide Cel` =
    `IDECEL` -> `idecel`, `Abecma®` -> `abecma`. (Cached: the same names recur.)"""
    return _PRODUCT_NOISE.sub("", name).lower()


def _words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


@cache
def legal_suffixes() -> tuple[str, ...]:
    """The LEGAL_SUFFIX patterns of companies.jsonl as lowercase words ("co ltd", "s a"),
    longest first; none when the vocabulary cannot be read."""
    from cgtextract.read.vocab import load_patterns

    try:
        rows = load_patterns("companies.jsonl")
    except PatternError:
        return ()
    words = {
        _words(str(row["pattern"]))
        for row in rows
        if row.get("label") == "LEGAL_SUFFIX" and isinstance(row.get("pattern"), str)
    }
    return tuple(sorted(words - {""}, key=lambda w: (-len(w), w)))


@cache
def _legal_suffix_pattern() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(s) for s in legal_suffixes()) or r"(?!)"
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def company_key(name: str) -> str:
    """Company names that differ only in case, punctuation or a legal suffix have one key:
    `CARsgen Therapeutics Co., Ltd.` = `Carsgen Therapeutics` -> `carsgentherapeutics`."""
    return "".join(_legal_suffix_pattern().sub(" ", _words(name)).split())
