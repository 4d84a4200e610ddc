"""find_dates and resolve: each expression, with the anchor relative forms need."""

from __future__ import annotations

from datetime import date

import pytest

from cgtextract.read.dates import find_dates

XMAS_EVE = date(2025, 12, 24)
PUBLISHED = date(2026, 1, 4)


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("December 29, 2025", None, ("2025-12-29", "day")),
        ("Dec. 29", PUBLISHED, ("2025-12-29", "day")),
        ("Dec. 5", XMAS_EVE, ("2025-12-05", "day")),
        ("5 December 2023", None, ("2023-12-05", "day")),
        ("2023-12-05", None, ("2023-12-05", "day")),
        ("In January 2025", None, ("2025-01", "month")),
        ("In August this year", XMAS_EVE, ("2025-08", "month")),
        ("on Monday", date(2021, 6, 8), ("2021-06-07", "day")),
        ("earlier this month", XMAS_EVE, ("2025-12", "month")),
        ("last month", PUBLISHED, ("2025-12", "month")),
        ("last year", PUBLISHED, ("2025", "year")),
        ("earlier this year", XMAS_EVE, ("2025", "year")),
        ("in the third quarter of 2023", None, ("2023-Q3", "quarter")),
        ("Q3 2023", None, ("2023-Q3", "quarter")),
        ("H1 2024", None, ("2024", "year")),
        ("in 2019", None, ("2019", "year")),
        ("on December 22", PUBLISHED, ("2025-12-22", "day")),
    ],
)
def test_resolves(text: str, anchor: date | None, expected: tuple[str, str]) -> None:
    [mention] = find_dates(text)
    assert mention.resolve(anchor) == expected


@pytest.mark.parametrize("text", ["Dec. 29", "In August this year", "on Monday", "last month"])
def test_relative_needs_anchor(text: str) -> None:
    [mention] = find_dates(text)
    assert not mention.absolute
    assert mention.resolve(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "The company may file a BLA.",
        "May the trial succeed.",
        "Regulators may grant it, and it may, in time, be approved.",
        "the sponsor may 5 times apply",
    ],
)
def test_modal_may_is_never_a_date(text: str) -> None:
    assert [d.text for d in find_dates(text) if "may" in d.text.lower()] == []


def test_month_may_after_preposition_is_a_date() -> None:
    [mention] = find_dates("The FDA may decide in May.")
    assert mention.text == "May"
    assert mention.resolve(date(2025, 6, 1)) == ("2025-05", "month")


def test_several_mentions_left_to_right() -> None:
    text = "On December 24, 2025, iRegene said the FDA granted RMAT on December 22."
    assert [d.text for d in find_dates(text)] == ["December 24, 2025", "December 22"]
