"""Event and Article: vocabularies, consistency rules and the SCHEMA.md JSON form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from cgtextract.models import SCHEMA_FIELDS, Article, Event

SCHEMA_ORDER = (
    "source",
    "company",
    "product",
    "product_aliases",
    "target",
    "modality",
    "allogeneic",
    "regulator",
    "event_type",
    "designation",
    "date",
    "date_precision",
    "indications",
    "evidence",
    "published",
)


def make(**overrides: Any) -> Event:
    fields: dict[str, Any] = {
        "source": "a.html",
        "product": "CT0596",
        "regulator": "NMPA",
        "event_type": "ind_submission",
        "evidence": "CARsgen submitted an IND.",
    }
    return Event(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("field", "value", "extra"),
    [
        ("regulator", "USFDA", {}),
        ("event_type", "granted", {}),
        ("modality", "cart", {}),
        ("designation", "odd", {"event_type": "designation"}),
        ("date_precision", "week", {"date": "2025"}),
    ],
)
def test_unknown_vocabulary_value_names_the_field(
    field: str, value: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as info:
        make(**extra, **{field: value})
    [error] = info.value.errors()
    assert error["loc"] == (field,)
    assert field in str(info.value)


def test_unknown_field_rejected() -> None:
    with pytest.raises(ValidationError, match="colour"):
        make(colour="blue")


@pytest.mark.parametrize(
    ("event_type", "designation", "ok"),
    [
        ("designation", "rmat", True),
        ("approval", None, True),
        ("designation", None, False),
        ("approval", "rmat", False),
    ],
)
def test_designation_set_iff_event_type_designation(
    event_type: str, designation: str | None, ok: bool
) -> None:
    if ok:
        assert make(event_type=event_type, designation=designation).designation == designation
    else:
        with pytest.raises(ValidationError, match="designation"):
            make(event_type=event_type, designation=designation)


@pytest.mark.parametrize(
    ("value", "precision"),
    [("2025-12-29", "day"), ("2025-08", "month"), ("2023-Q3", "quarter"), ("2019", "year")],
)
def test_date_shapes_accepted(value: str, precision: str) -> None:
    ev = make(date=value, date_precision=precision)
    assert (ev.date, ev.date_precision) == (value, precision)


@pytest.mark.parametrize(
    ("value", "precision"),
    [
        ("2025-12", None),
        (None, "day"),
        ("2025-12", "day"),
        ("2025-12-29", "month"),
        ("2025-13", "month"),
        ("2025-Q5", "quarter"),
        ("25", "year"),
        ("2025-02-30", "day"),
        ("Dec 2025", "month"),
    ],
)
def test_date_shapes_rejected(value: str | None, precision: str | None) -> None:
    with pytest.raises(ValidationError):
        make(date=value, date_precision=precision)


def test_frozen() -> None:
    ev = make()
    with pytest.raises(ValidationError):
        ev.product = "other"  # type: ignore[misc]


def test_schema_dict_has_exactly_the_schema_fields_in_order() -> None:
    ev = make(evidence_start=0, evidence_end=10, published=date(2026, 1, 4))
    d = ev.schema_dict()
    assert tuple(d) == SCHEMA_ORDER == SCHEMA_FIELDS
    assert d["published"] == "2026-01-04"
    assert d["regulator"] == "NMPA"


def test_kind_is_designation_or_event_type() -> None:
    assert make().kind == "ind_submission"
    assert make(event_type="designation", designation="rmat").kind == "rmat"


@pytest.mark.parametrize("text", ["", "   \n "])
def test_article_text_must_not_be_blank(text: str) -> None:
    with pytest.raises(ValidationError, match="text"):
        Article(source="a.html", text=text)
