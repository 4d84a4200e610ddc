"""Event lists rendered for people (table) and programs (jsonl, json, csv)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from cgtextract.models import SCHEMA_FIELDS, Event

FORMATS = ("table", "jsonl", "json", "csv")
_TABLE_COLUMNS = (("date", 10), ("regulator", 6), ("kind", 22), ("product", 14), ("company", 22))


def render(events: Iterable[Event], fmt: str) -> str:
    """All events in one format; jsonl is exactly the SCHEMA.md form, one per line."""
    events = list(events)
    if fmt == "jsonl":
        return "".join(json.dumps(e.schema_dict(), ensure_ascii=False) + "\n" for e in events)
    if fmt == "json":
        return json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(SCHEMA_FIELDS), lineterminator="\n")
        writer.writeheader()
        for e in events:
            row = e.schema_dict()
            row["product_aliases"] = "; ".join(row["product_aliases"])
            row["indications"] = "; ".join(row["indications"])
            writer.writerow(row)
        return buf.getvalue()
    return table(events)


def table(events: list[Event]) -> str:
    """A plain table that fits an 80-column terminal."""
    def cell(value: object, width: int) -> str:
        text = "" if value is None else str(value)
        return (text[: width - 1] + "…") if len(text) > width else text.ljust(width)

    header = "  ".join(cell(name, w) for name, w in _TABLE_COLUMNS).rstrip()
    lines = [header, "-" * len(header)]
    for e in events:
        values = (e.date or "-", e.regulator, e.kind, e.product, e.company or "-")
        lines.append("  ".join(cell(v, w) for v, (_, w) in zip(values, _TABLE_COLUMNS, strict=True)).rstrip())
    lines.append(f"{len(events)} event(s)")
    return "\n".join(lines) + "\n"
