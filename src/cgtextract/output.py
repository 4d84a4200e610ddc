"""Rendering for people (table) and programs (jsonl, json, csv): events, SQL rows, exports,
statistics and re-extraction reports. Tables fit an 80-column terminal."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cgtextract.errors import InputError
from cgtextract.models import EVENT_FIELDS, SCHEMA_FIELDS, Event

if TYPE_CHECKING:
    from cgtextract.store import ReextractReport, SqlResult, StoreStats

FORMATS = ("table", "jsonl", "json", "csv")
EXPORT_FORMATS = ("jsonl", "csv")
STATS_FORMATS = ("table", "json")
TERMINAL_WIDTH = 80
# 10 + 10 + 20 + 14 + 18 + 4 separators of 2 = 80
_TABLE_COLUMNS = (("date", 10), ("regulator", 10), ("kind", 20), ("product", 14), ("company", 18))
_MIN_COLUMN = 4

# CSV export: the event's columns, then the mention's (one row per mention).
EXPORT_EVENT_COLUMNS = (
    "id",
    *EVENT_FIELDS,
    "first_published",
    "first_seen_at",
    "updated_at",
    "extractor_version",
    "field_sources",
    "conflicts",
)
EXPORT_MENTION_COLUMNS = (
    "source",
    "final_url",
    "title",
    "published",
    "evidence",
    "evidence_start",
    "evidence_end",
    "extractor_version",
)


def render(events: Iterable[Event], fmt: str) -> str:
    """All events in one format; jsonl is exactly the SCHEMA.md form, one per line."""
    events = list(events)
    if fmt == "jsonl":
        return "".join(json.dumps(e.schema_dict(), ensure_ascii=False) + "\n" for e in events)
    if fmt == "json":
        dumped = [e.model_dump(mode="json") for e in events]
        return json.dumps(dumped, ensure_ascii=False, indent=2) + "\n"
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


class EventWriter:
    """Events written as they come, in any of FORMATS, ending as `render` would: a long
    run prints each batch when it is stored instead of holding every event to the end."""

    def __init__(self, fmt: str, out: TextIO) -> None:
        self.fmt, self.out, self.count = fmt, out, 0

    def write(self, events: Iterable[Event]) -> None:
        """Print these events (the header first, with the first call)."""
        for event in events:
            if self.count == 0:
                self.out.write(self._head())
            self.out.write(self._one(event))
            self.count += 1
        self.out.flush()

    def close(self) -> None:
        """Finish the output (the table's count line, the JSON array's end)."""
        if self.count == 0:
            self.out.write(render([], self.fmt))
        elif self.fmt == "json":
            self.out.write("\n]\n")
        elif self.fmt == "table":
            self.out.write(f"{self.count} event(s)\n")
        self.out.flush()

    def _head(self) -> str:
        if self.fmt == "json":
            return "["
        if self.fmt in ("csv", "table"):
            return render([], self.fmt).splitlines(keepends=True)[0] + (
                table([]).splitlines(keepends=True)[1] if self.fmt == "table" else ""
            )
        return ""

    def _one(self, event: Event) -> str:
        if self.fmt == "json":
            body = json.dumps(event.model_dump(mode="json"), ensure_ascii=False, indent=2)
            return ("\n" if self.count == 0 else ",\n") + "\n".join(
                "  " + line for line in body.splitlines()
            )
        if self.fmt in ("csv", "table"):
            return render([event], self.fmt).splitlines(keepends=True)[
                1 if self.fmt == "csv" else 2
            ]
        return render([event], self.fmt)


def _cell(value: object, width: int) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return (text[: width - 1] + "…") if len(text) > width else text.ljust(width)


def table(events: list[Event]) -> str:
    """A plain table that fits an 80-column terminal."""
    header = "  ".join(_cell(name, w) for name, w in _TABLE_COLUMNS).rstrip()
    lines = [header, "-" * len(header)]
    for e in events:
        values = (e.date or "-", e.regulator, e.kind, e.product, e.company or "-")
        cells = (_cell(v, w) for v, (_, w) in zip(values, _TABLE_COLUMNS, strict=True))
        lines.append("  ".join(cells).rstrip())
    lines.append(f"{len(events)} event(s)")
    return "\n".join(lines) + "\n"


# --- arbitrary rows (query --sql) -----------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO strings, bytes as base64."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _shown(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    return "NULL" if value is None else str(_plain(value))


def _widths(columns: Sequence[str], rows: Sequence[Sequence[str]], total: int) -> list[int]:
    """Natural column widths, the widest shrunk one at a time until the line fits `total`."""
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    budget = total - 2 * (len(columns) - 1)
    while sum(widths) > budget and max(widths) > _MIN_COLUMN:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def render_rows(result: SqlResult, fmt: str) -> str:
    """Rows of `query --sql`: table (fits 80 columns), jsonl, json or csv."""
    columns, rows = result.columns, result.rows
    if fmt in ("jsonl", "json"):
        dicts = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        if fmt == "json":
            return json.dumps(dicts, ensure_ascii=False, indent=2) + "\n"
        return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dicts)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_plain(v) for v in row] for row in rows)
        return buf.getvalue()
    shown = [[_shown(v) for v in row] for row in rows]
    if _MIN_COLUMN * len(columns) + 2 * (len(columns) - 1) > TERMINAL_WIDTH:
        return _vertical(columns, shown)
    widths = _widths(columns, shown, TERMINAL_WIDTH)
    header = "  ".join(_cell(c, w) for c, w in zip(columns, widths, strict=True)).rstrip()
    lines = [header, "-" * len(header)]
    for row in shown:
        lines.append("  ".join(_cell(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
    lines.append(f"{len(rows)} row(s)")
    return "\n".join(lines) + "\n"


def _vertical(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Too many columns for one line: each row as `column  value` lines (psql's \\x)."""
    label = min(max(len(c) for c in columns), 24)
    width = TERMINAL_WIDTH - label - 2
    lines: list[str] = []
    for n, row in enumerate(rows, 1):
        lines.append(f"-[ row {n} ]".ljust(TERMINAL_WIDTH, "-"))
        lines += [
            f"{_cell(c, label)}  {_cell(v, width)}".rstrip()
            for c, v in zip(columns, row, strict=True)
        ]
    lines.append(f"{len(rows)} row(s)")
    return "\n".join(lines) + "\n"


# --- export ---------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_export(records: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write events with their mentions; returns the number of events.

    jsonl: one event per line with a `mentions` list. csv: one row per mention, the event's
    columns first (lists joined by "; ", JSON columns as JSON) then `mention_*` columns.
    """
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*EXPORT_EVENT_COLUMNS, *(f"mention_{c}" for c in EXPORT_MENTION_COLUMNS)])
    for record in records:
        count += 1
        head = [_csv_value(record.get(c)) for c in EXPORT_EVENT_COLUMNS]
        for mention in record.get("mentions") or [{}]:
            writer.writerow([*head, *(_csv_value(mention.get(c)) for c in EXPORT_MENTION_COLUMNS)])
    return count


SQLITE_HEADER = b"SQLite format 3\x00"
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _is_sqlite_file(path: Path) -> bool:
    """A SQLite database, or the journal of one: never a place to write an export."""
    for suffix in _SQLITE_SIDE_FILES:
        if path.name.endswith(suffix):
            path = path.with_name(path.name[: -len(suffix)])
            break
    try:
        with path.open("rb") as stream:
            return stream.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def export_to_file(records: Iterable[dict[str, Any]], fmt: str, path: Path) -> int:
    """`write_export` into `path`, which appears only once complete (a temporary file in
    the same folder, then renamed over it). A SQLite file there (the database itself, given
    by mistake) is refused: InputError, and the file is left as it was."""
    if _is_sqlite_file(path):
        raise InputError(f"{path}: is a SQLite database; export writes a new file (another --out)")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as stream:
            count = write_export(records, fmt, stream)
        os.replace(temporary, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return count


# --- stats and re-extraction ----------------------------------------------------------------


def render_stats(stats: StoreStats, fmt: str) -> str:
    """Totals, then events by regulator, kind, modality and month: a table or JSON."""
    sections = {
        "regulator": stats.by_regulator,
        "kind": stats.by_kind,
        "modality": stats.by_modality,
        "month": stats.by_month,
    }
    if fmt == "json":
        data: dict[str, Any] = {"totals": stats.totals}
        data.update({f"by_{k}": dict(v) for k, v in sections.items()})
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    lines = [", ".join(f"{n} {name}" for name, n in stats.totals.items())]
    for name, counts in sections.items():
        lines += ["", f"events by {name}:"]
        lines += [f"  {_cell(value, 30)} {n:>7}" for value, n in counts] or ["  (none)"]
    return "\n".join(lines) + "\n"


def render_reextract(report: ReextractReport) -> str:
    """`+` added, `~` changed (with what), `-` retired, one event per line."""
    lines = [f"+ {c.describe()}" for c in report.added]
    lines += [f"~ {c.describe()}" for c in report.changed]
    lines += [f"- {c.describe()}" for c in report.retired]
    return "".join(line + "\n" for line in lines)


# --explain: each event with, for each field, the stage and rule that chose its value and the
# text it was read from
EXPLAIN_COLUMNS = ("event", "field", "value", "stage", "rule", "start", "end", "text")


def explained_rows(
    explained: Sequence[tuple[Event, Mapping[str, Any], str]],
) -> list[dict[str, Any]]:
    """One row per event and field it carries: value, stage, rule, offsets and the span's text.

    `explained` holds (event, provenance by field, the article text the offsets point into);
    a provenance is anything with `stage`, `rule`, `start` and `end` attributes.
    """
    rows: list[dict[str, Any]] = []
    for n, (event, why, text) in enumerate(explained, 1):
        values = event.schema_dict()
        for name in dict.fromkeys((*SCHEMA_FIELDS, "designation")):
            w = why.get(name)
            if w is None or name in {"source", "published"}:
                continue
            span = text[w.start : w.end] if w.start is not None and w.end is not None else None
            rows.append(
                {
                    "event": n,
                    "field": name,
                    "value": values.get(name),
                    "stage": w.stage,
                    "rule": w.rule,
                    "start": w.start,
                    "end": w.end,
                    "text": span,
                }
            )
    return rows


def render_explained(explained: Sequence[tuple[Event, Mapping[str, Any], str]], fmt: str) -> str:
    """`extract --explain` in any format: jsonl and json add an `explain` object (field ->
    stage, rule, start, end, text) to each event; csv has one row per event and field; the
    table lists each event's fields under the event."""
    rows = explained_rows(explained)
    by_event: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_event.setdefault(row["event"], {})[row["field"]] = {
            k: row[k] for k in ("stage", "rule", "start", "end", "text")
        }
    if fmt in {"jsonl", "json"}:
        items = []
        for n, (event, _, _) in enumerate(explained, 1):
            item = event.schema_dict() if fmt == "jsonl" else event.model_dump(mode="json")
            item["explain"] = by_event.get(n, {})
            items.append(item)
        if fmt == "jsonl":
            return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(EXPLAIN_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            value = row["value"]
            writer.writerow(
                {**row, "value": "; ".join(value) if isinstance(value, list) else value}
            )
        return buf.getvalue()
    lines: list[str] = []
    for n, (event, _, _) in enumerate(explained, 1):
        kind = event.designation or event.event_type
        lines.append(f"event {n}: {event.product} · {event.regulator} · {kind} · {event.date}")
        for row in (r for r in rows if r["event"] == n):
            value = row["value"]
            value = "; ".join(value) if isinstance(value, list) else value
            lines.append(
                f"  {_cell(row['field'], 16)}{_cell(value, 22)}  {_cell(row['stage'], 9)}"
                f"{_cell(row['rule'], 30)}"
            )
            if row["text"]:
                lines.append(f"  {'':16}« {_cell(row['text'], TERMINAL_WIDTH - 22).rstrip()} »")
        lines.append("")
    return "\n".join(lines)
