"""The public API: `cgtextract.__all__` is sorted and every name in it exists."""

from __future__ import annotations

import cgtextract


def test_all_is_sorted() -> None:
    assert list(cgtextract.__all__) == sorted(cgtextract.__all__)


def test_all_has_no_duplicates() -> None:
    assert len(set(cgtextract.__all__)) == len(cgtextract.__all__)


def test_every_name_exists() -> None:
    assert [name for name in cgtextract.__all__ if not hasattr(cgtextract, name)] == []


def test_version() -> None:
    assert cgtextract.__version__.count(".") == 2
