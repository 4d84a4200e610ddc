"""Which reports are one event, and what the event row says: pure functions, no database.

Identity: same regulator and kind, a shared product name (any alias, compared through
`names.normalize_product`) and compatible dates (equal, one the coarser form of the other,
or one unknown). The row is derived from all its mentions' reports by `merge_reports`: the
most precise date, the first value given for each other field, the disagreements listed.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import Any

from cgtextract.errors import InputError
from cgtextract.models import EVENT_FIELDS, Event
from cgtextract.names import company_key, normalize_product
from cgtextract.store.reports import EventChange

__all__ = [
    "CONTENT_FIELDS",
    "REPORT_FIELDS",
    "Merged",
    "bound",
    "change_of",
    "column",
    "compatible",
    "contains",
    "content",
    "date_bounds",
    "dumps",
    "loads",
    "merge_reports",
    "report_of",
    "report_of_row",
    "target_key",
]

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
PRECISION_RANK = {"year": 0, "quarter": 1, "month": 2, "day": 3}

# What each mention keeps of the event as its article reported it: all but what makes it
# the event it is (regulator and kind).
REPORT_FIELDS = tuple(
    f for f in EVENT_FIELDS if f not in ("regulator", "event_type", "designation")
)
LIST_FIELDS = frozenset({"product_aliases", "indications"})
"""Fields the tables keep as JSON lists."""
# The event's content: a change in any of these is an "updated" / "changed" event.
CONTENT_FIELDS = (*REPORT_FIELDS, "conflicts")


def dumps(value: Any) -> str:
    """JSON as the store writes it (UTF-8 kept as is)."""
    return json.dumps(value, ensure_ascii=False)


def loads(raw: str | None) -> list[str]:
    """A JSON list column as a list of strings ([] for NULL)."""
    if not raw:
        return []
    values = json.loads(raw)
    return [str(v) for v in values]


def target_key(name: str) -> str:
    """Targets compare as product names do: `CD19/BCMA` = `cd19 / bcma`."""
    return normalize_product(name)


def date_bounds(value: str) -> tuple[str, str]:
    """First and last day of an ISO date at any precision, so quarters compare correctly.

    Plain string comparison would put "2025-Q1" after "2025-12-31"; the bounds are
    `YYYY-MM-DD` strings, which sort like the dates they name.
    """
    if value[:4].isdigit() and int(value[:4]) < 1:
        raise ValueError(f"year 0 in {value}")  # Python's dates start at year 1
    if m := _QUARTER.match(value):
        year, quarter = int(m[1]), int(m[2])
        first, last = 3 * quarter - 2, 3 * quarter
        days = calendar.monthrange(year, last)[1]
        return f"{year:04d}-{first:02d}-01", f"{year:04d}-{last:02d}-{days:02d}"
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(value)
        days = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{days:02d}"
    if m := _YEAR.match(value):
        return f"{m[1]}-01-01", f"{m[1]}-12-31"
    day = Date.fromisoformat(value).isoformat()
    return day, day


def contains(outer: str, inner: str) -> bool:
    """True when the period `outer` names covers the period `inner` names."""
    (o0, o1), (i0, i1) = date_bounds(outer), date_bounds(inner)
    return o0 <= i0 and i1 <= o1


def compatible(a: str | None, b: str | None) -> bool:
    """Two dates that can name the same day: equal, one coarser than the other, or unknown."""
    if a is None or b is None:
        return True
    return contains(a, b) or contains(b, a)


def bound(value: str, name: str) -> tuple[str, str]:
    """`date_bounds` of a date given by the user; InputError naming the option when it is
    not one."""
    try:
        return date_bounds(value.strip())
    except ValueError as exc:
        raise InputError(
            f"{name} must be an ISO date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD), got {value!r}"
        ) from exc


@dataclass
class Merged:
    product: str
    product_key: str
    product_aliases: list[str]
    names: set[str]
    company: str | None
    target: str | None
    modality: str | None
    allogeneic: bool | None
    date: str | None
    date_precision: str | None
    indications: list[str]
    field_sources: dict[str, Any]
    conflicts: dict[str, list[dict[str, Any]]]


def merge_reports(reports: Sequence[tuple[Mapping[str, Any], str]]) -> Merged:
    """One event from what several articles reported, each given as (report, source).

    Reports come oldest first. The date is the most precise one given; every other field
    takes the first value given. A value that disagrees (company and target compared
    loosely: case, punctuation, legal suffixes) is listed in `conflicts`, never dropped;
    a coarser date that covers the chosen one is agreement, not a conflict.
    """
    if not reports:
        raise ValueError("an event needs at least one report")
    first, first_source = reports[0]
    product = str(first["product"])
    product_key = normalize_product(product)
    sources: dict[str, Any] = {"product": first_source}
    conflicts: dict[str, list[dict[str, Any]]] = {}

    aliases: list[str] = []
    alias_sources: dict[str, str] = {}
    seen_names = {product_key}
    for rep, source in reports:
        for name in [rep["product"], *rep.get("product_aliases", [])]:
            key = normalize_product(name)
            if key and key not in seen_names:
                seen_names.add(key)
                aliases.append(name)
                alias_sources[name] = source
    if alias_sources:
        sources["product_aliases"] = alias_sources

    keys: dict[str, Callable[[Any], str]] = {
        "company": company_key,
        "target": target_key,
        "modality": str,
        "allogeneic": str,
    }
    chosen: dict[str, Any] = {}
    for name, key_of in keys.items():
        value: Any = None
        seen: set[str] = set()
        for rep, source in reports:
            given = rep.get(name)
            if given is None:
                continue
            k = key_of(given)
            if value is None:
                value, sources[name] = given, source
            elif k not in seen:
                conflicts.setdefault(name, []).append({"value": given, "source": source})
            seen.add(k)
        chosen[name] = value

    dated = [
        (str(rep["date"]), str(rep["date_precision"]), source, i)
        for i, (rep, source) in enumerate(reports)
        if rep.get("date")
    ]
    date = precision = None
    if dated:
        date, precision, date_source, _ = max(dated, key=lambda d: (PRECISION_RANK[d[1]], -d[3]))
        sources["date"] = date_source
        listed = {date}
        for value, _, source, _ in dated:
            if value not in listed and not contains(value, date):
                conflicts.setdefault("date", []).append({"value": value, "source": source})
                listed.add(value)

    indications: list[str] = []
    indication_sources: dict[str, str] = {}
    seen_ind: set[str] = set()
    for rep, source in reports:
        for ind in rep.get("indications", []):
            if ind.casefold() not in seen_ind:
                seen_ind.add(ind.casefold())
                indications.append(ind)
                indication_sources[ind] = source
    if indication_sources:
        sources["indications"] = indication_sources

    return Merged(
        product=product,
        product_key=product_key,
        product_aliases=aliases,
        names=seen_names,
        company=chosen["company"],
        target=chosen["target"],
        modality=chosen["modality"],
        allogeneic=chosen["allogeneic"],
        date=date,
        date_precision=precision,
        indications=indications,
        field_sources=sources,
        conflicts=conflicts,
    )


def report_of(ev: Event) -> dict[str, Any]:
    """What a mention keeps of the event as its article reported it."""
    return {name: getattr(ev, name) for name in REPORT_FIELDS}


def report_of_row(row: Any) -> dict[str, Any]:
    """A mention stored before reports were kept reads as what its event row says."""
    return {name: column(row, name) for name in REPORT_FIELDS}


def column(row: Any, name: str) -> Any:
    """A column of an event row as the Event has it (JSON lists decoded)."""
    value = getattr(row, name)
    return loads(value) if name in LIST_FIELDS else value


def content(row: Any) -> dict[str, Any]:
    """What a row says, conflicts included: compared before and after a re-extraction."""
    return {
        **report_of_row(row),
        "conflicts": json.loads(row.conflicts) if row.conflicts else None,
    }


def change_of(row: Any, fields: dict[str, tuple[Any, Any]] | None = None) -> EventChange:
    """How a person names the event a row holds (and what changed in it)."""
    return EventChange(
        event_id=row.id,
        regulator=row.regulator,
        kind=row.kind,
        product=row.product,
        date=row.date,
        fields=fields or {},
    )
