"""Reading the store back: filtered events, totals, statistics, the export, stored articles.

Every function takes the caller's session (`Store._read`); filters are bound parameters,
never SQL text, and a bad filter value is an InputError naming the option.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import date as Date
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from cgtextract.errors import InputError, PatternError
from cgtextract.models import (
    EVENT_FIELDS,
    Article,
    Designation,
    Event,
    EventType,
    Modality,
    Regulator,
)
from cgtextract.names import normalize_product
from cgtextract.store.identity import CONTENT_FIELDS, bound, change_of, column, content, loads
from cgtextract.store.reports import EventChange, StoreStats
from cgtextract.store.tables import ArticleRow, EventNameRow, EventRow, MentionRow
from cgtextract.store.write import Applied

__all__ = [
    "SORTS",
    "article_ids",
    "changes",
    "counts",
    "events",
    "export_batch",
    "query_statement",
    "stats",
    "stored_article",
]

SORTS = ("date", "published", "company", "product")
"""The orders `Store.query` can sort by."""
MAX_LIMIT = 2**63 - 1
"""The largest LIMIT a database takes (a 64-bit integer)."""


def query_statement(
    *,
    company: str | None = None,
    product: str | None = None,
    regulator: str | None = None,
    event_type: str | None = None,
    designation: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    target: str | None = None,
    modality: str | None = None,
    indication: str | None = None,
    published_since: str | None = None,
    published_until: str | None = None,
    sort: str = "date",
    descending: bool | None = None,
) -> Select[Any]:
    """The SELECT behind `Store.query` (see there); InputError for a bad filter."""
    given = {
        "company": company,
        "product": product,
        "target": target,
        "indication": indication,
        "regulator": regulator,
        "event_type": event_type,
        "designation": designation,
        "modality": modality,
        "since": since,
        "until": until,
        "published_since": published_since,
        "published_until": published_until,
    }
    for name, value in given.items():
        if value is not None and not value.strip():
            # "--since ''" (an unset variable in a script) must not mean "everything"
            raise InputError(f"{name} must not be empty")
        # SQLite cuts a bound string at a NUL ("x\0y" LIKE matches as "x"), so that one
        # filter would silently match everything; PostgreSQL rejects it outright.
        if value is not None and "\x00" in value:
            raise InputError(f"{name} must not contain a NUL character")
    conditions: list[ColumnElement[bool]] = []
    if company:
        conditions.append(func.lower(EventRow.company).contains(company.lower(), autoescape=True))
    if product:
        if key := normalize_product(product):
            # Every name of every event, normalized, is in the narrow event_names table:
            # scanning its index is far cheaper than LIKE over three wide columns.
            names = select(EventNameRow.event_id).where(
                EventNameRow.name_key.contains(key, autoescape=True)
            )
            conditions.append(EventRow.id.in_(names))
        else:  # only spaces, dots or dashes: compare the text as given
            needle = product.lower()
            conditions.append(
                or_(
                    func.lower(EventRow.product).contains(needle, autoescape=True),
                    func.lower(EventRow.product_aliases).contains(needle, autoescape=True),
                )
            )
    if regulator:
        conditions.append(EventRow.regulator == _code(regulator, Regulator, "regulator"))
    if event_type:
        value = _kind_code(event_type)
        conditions.append(
            EventRow.kind == value if value != "designation" else EventRow.event_type == value
        )
    if designation:
        conditions.append(EventRow.designation == _code(designation, Designation, "designation"))
    if modality:
        conditions.append(EventRow.modality == _code(modality, Modality, "modality"))
    if target:
        conditions.append(_target_condition(target))
    if indication:
        conditions.append(
            func.lower(EventRow.indications).contains(indication.lower(), autoescape=True)
        )
    if since:
        start = bound(since, "since")[0]
        conditions.append(EventRow.date_end >= start)
        # Redundant but index-friendly: no period is longer than a year, so an event
        # that ends on or after `start` starts at most a year before it.
        conditions.append(EventRow.date_start >= f"{int(start[:4]) - 1}{start[4:]}")
    if until:
        conditions.append(EventRow.date_start <= bound(until, "until")[1])
    if published_since:
        day = bound(published_since, "published_since")[0]
        conditions.append(EventRow.first_published >= Date.fromisoformat(day))
    if published_until:
        day = bound(published_until, "published_until")[1]
        conditions.append(EventRow.first_published <= Date.fromisoformat(day))
    if limit is not None and not 0 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 0 and {MAX_LIMIT}, got {limit}")
    if sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")

    # Filter, order and limit the events first, then join each one's first mention: the
    # join then runs for the rows shown only, not for every row that matched.
    picked = (
        select(*(EventRow.__table__.c[name] for name in _QUERY_EVENT_COLUMNS))
        .where(*conditions)
        .order_by(*_order(sort, descending, EventRow.__table__.c))
    )
    if limit is not None:
        picked = picked.limit(limit)
    e = picked.subquery("e")
    other = aliased(MentionRow)
    first_mention = (
        select(func.min(other.id)).where(other.event_id == e.c.id).correlate(e).scalar_subquery()
    )
    stmt = (
        select(
            *e.c,
            MentionRow.evidence,
            MentionRow.evidence_start,
            MentionRow.evidence_end,
            ArticleRow.url.label("source"),
            ArticleRow.published,
        )
        .select_from(e)
        .outerjoin(MentionRow, MentionRow.id == first_mention)
        .outerjoin(ArticleRow, ArticleRow.id == MentionRow.article_id)
        .order_by(*_order(sort, descending, e.c))
    )
    return stmt


def events(session: Session, stmt: Select[Any]) -> list[Event]:
    """The Events of a `query_statement`."""
    # Core rows, not ORM loading: a plain SELECT of columns needs no identity map.
    return [_to_model(row._mapping) for row in session.connection().execute(stmt)]


def counts(session: Session) -> dict[str, int]:
    """Row counts of the three main tables."""
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in (
            ("articles", ArticleRow),
            ("events", EventRow),
            ("mentions", MentionRow),
        )
    }


def _grouped(session: Session, column: Any) -> list[tuple[str, int]]:
    stmt = select(column, func.count()).group_by(column)
    rows = [(str(v) if v is not None else "", n) for v, n in session.execute(stmt)]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def stats(session: Session) -> StoreStats:
    """Counts of events by regulator, kind, modality and month (quarter or year when the
    date is no more precise; "undated" when there is none)."""
    months: dict[str, int] = {}
    stmt = select(EventRow.date, EventRow.date_precision, func.count()).group_by(
        EventRow.date, EventRow.date_precision
    )
    for value, precision, n in session.execute(stmt):
        if value is None:
            key = "undated"
        elif precision in ("day", "month"):
            key = value[:7]
        else:
            key = value
        months[key] = months.get(key, 0) + n
    by_month = sorted(months.items(), key=lambda r: (r[0] == "undated", r[0]))
    return StoreStats(
        totals=counts(session),
        by_regulator=_grouped(session, EventRow.regulator),
        by_kind=_grouped(session, EventRow.kind),
        by_modality=[(m or "unknown", n) for m, n in _grouped(session, EventRow.modality)],
        by_month=by_month,
    )


def export_batch(session: Session, after: int, batch: int) -> list[dict[str, Any]]:
    """Up to `batch` events with id > `after`, oldest first, each with its mentions."""
    rows = session.scalars(
        select(EventRow).where(EventRow.id > after).order_by(EventRow.id).limit(batch)
    ).all()
    if not rows:
        return []
    found: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
    stmt = (
        select(MentionRow, ArticleRow)
        .join(ArticleRow, ArticleRow.id == MentionRow.article_id)
        .where(MentionRow.event_id.in_(list(found)))
        .order_by(MentionRow.id)
    )
    for m, a in session.execute(stmt):
        found[m.event_id].append(_mention_record(m, a))
    return [_event_record(r, found[r.id]) for r in rows]


def article_ids(session: Session, since: str | None = None) -> list[int]:
    """Ids of the articles with stored text, oldest first; with `since`, those published on
    or after it (an undated one counts by the day it was fetched)."""
    since_day = Date.fromisoformat(bound(since, "since")[0]) if since is not None else None
    stmt = select(ArticleRow.id, ArticleRow.published, ArticleRow.fetched_at).where(
        ArticleRow.text.is_not(None)
    )
    rows = session.execute(stmt.order_by(ArticleRow.id)).all()
    return [
        i
        for i, published, fetched in rows
        if since_day is None or _article_day(published, fetched) >= since_day
    ]


def stored_article(session: Session, article_id: int) -> Article | None:
    """The Article a stored row was read from, rebuilt without fetching (None: no text)."""
    row = session.get(ArticleRow, article_id)
    return _article_model(row) if row is not None and row.text else None


def changes(
    session: Session, applied: Sequence[Applied]
) -> tuple[list[EventChange], list[EventChange], list[EventChange]]:
    """The events several applied articles added, changed (field by field) and retired,
    as they are now: an event made and then retired within them is neither."""
    before: dict[int, dict[str, Any]] = {}
    created: set[int] = set()
    removed: dict[int, EventChange] = {}
    for one in applied:
        for event_id, snap in one.snapshots.items():
            before.setdefault(event_id, snap)
        created |= one.created
        for event_id, gone in one.removed.items():
            if event_id in created:
                created.discard(event_id)
            else:
                removed[event_id] = gone
    added: list[EventChange] = []
    changed: list[EventChange] = []
    for event_id in sorted(created):
        if (row := session.get(EventRow, event_id)) is not None:
            added.append(change_of(row))
    for event_id, snap in sorted(before.items()):
        if event_id in created or event_id in removed:
            continue
        row = session.get(EventRow, event_id)
        if row is None:
            continue
        now = content(row)
        diff = {k: (snap[k], now[k]) for k in CONTENT_FIELDS if snap[k] != now[k]}
        if diff:
            changed.append(change_of(row, diff))
    return added, changed, [change for _, change in sorted(removed.items())]


def _article_day(published: Date | None, fetched: datetime | None) -> Date:
    if published is not None:
        return published
    if fetched is not None:
        return fetched.date()
    return Date.min


def _article_model(row: ArticleRow) -> Article:
    """The Article a stored row was read from, rebuilt without fetching."""
    raw = zlib.decompress(row.raw_html).decode("utf-8", "replace") if row.raw_html else None
    return Article(
        source=row.url,
        url=row.final_url,
        title=row.title,
        text=row.text or "",
        published=row.published,
        raw=raw,
    )


def _code(value: str, vocabulary: type[Any], name: str) -> str:
    """The canonical spelling of a vocabulary code given in any case."""
    wanted = value.strip().lower()
    for member in vocabulary:
        if str(member.value).lower() == wanted:
            return str(member.value)
    allowed = ", ".join(str(m.value) for m in vocabulary)
    raise InputError(f"unknown {name} {value!r} (one of: {allowed})")


def _kind_code(value: str) -> str:
    wanted = value.strip().lower()
    for vocabulary in (EventType, Designation):
        for member in vocabulary:
            if str(member.value).lower() == wanted:
                return str(member.value)
    allowed = ", ".join(str(m.value) for m in [*EventType, *Designation])
    raise InputError(f"unknown event type or designation {value!r} (one of: {allowed})")


@cache
def _target_aliases() -> dict[str, str]:
    """Lowercased ways patterns/targets.jsonl writes a target -> its canonical id."""
    from cgtextract.read.vocab import load_patterns

    try:
        rows = load_patterns("targets.jsonl")
    except PatternError:
        return {}
    aliases: dict[str, str] = {}
    for row in rows:
        pattern, ident = row.get("pattern"), row.get("id")
        if not isinstance(ident, str):
            continue
        if isinstance(pattern, list) and len(pattern) == 1 and isinstance(pattern[0], dict):
            pattern = pattern[0].get("TEXT") or pattern[0].get("LOWER")
        if isinstance(pattern, str):
            aliases.setdefault(pattern.lower(), ident)
    return aliases


def _target_condition(value: str) -> ColumnElement[bool]:
    names = {value.strip().lower()}
    if canonical := _target_aliases().get(value.strip().lower()):
        names.add(canonical.lower())
    column = func.lower(EventRow.target)
    options: list[ColumnElement[bool]] = []
    for name in sorted(names):
        options += [
            column == name,
            column.startswith(f"{name}/", autoescape=True),
            column.endswith(f"/{name}", autoescape=True),
            column.contains(f"/{name}/", autoescape=True),
        ]
    return or_(*options)


def _order(sort: str, descending: bool | None, c: Any) -> list[Any]:
    """ORDER BY for `sort` over the event columns `c` (the table's, or a subquery's)."""
    if descending is None:
        descending = sort in ("date", "published")

    def direction(column: Any) -> Any:
        return (column.desc() if descending else column.asc()).nulls_last()

    newest = [c.date_start.desc().nulls_last(), c.date.desc()]
    if sort == "published":
        return [direction(c.first_published), *newest, c.id]
    if sort == "company":
        return [direction(func.lower(c.company)), *newest, c.id]
    if sort == "product":
        return [direction(func.lower(c.product)), *newest, c.id]
    return [direction(c.date_start), direction(c.date), c.id]


# What `query` reads of an event: the columns `Event` needs plus those it sorts by.
_QUERY_EVENT_COLUMNS = (
    "id",
    *EVENT_FIELDS,
    "date_start",
    "first_published",
)


def _to_model(row: RowMapping) -> Event:
    """An Event from one row of `query`: the event's columns and its first mention's."""
    return Event.model_validate(
        {
            "source": row["source"] or "",
            "company": row["company"],
            "product": row["product"],
            "product_aliases": loads(row["product_aliases"]),
            "target": row["target"],
            "modality": row["modality"],
            "allogeneic": row["allogeneic"],
            "regulator": row["regulator"],
            "event_type": row["event_type"],
            "designation": row["designation"],
            "date": row["date"],
            "date_precision": row["date_precision"],
            "indications": loads(row["indications"]),
            "evidence": row["evidence"] or "",
            "published": row["published"],
            "evidence_start": row["evidence_start"],
            "evidence_end": row["evidence_end"],
        }
    )


def _iso(value: Date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event_record(row: EventRow, mentions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row.id,
        **{name: column(row, name) for name in EVENT_FIELDS},
        "first_published": _iso(row.first_published),
        "first_seen_at": _iso(row.first_seen_at),
        "updated_at": _iso(row.updated_at),
        "extractor_version": row.extractor_version,
        "field_sources": json.loads(row.field_sources or "{}"),
        "conflicts": json.loads(row.conflicts) if row.conflicts else None,
        "mentions": mentions,
    }


def _mention_record(m: MentionRow, a: ArticleRow) -> dict[str, Any]:
    return {
        "source": a.url,
        "final_url": a.final_url,
        "title": a.title,
        "published": _iso(a.published),
        "evidence": m.evidence,
        "evidence_start": m.evidence_start,
        "evidence_end": m.evidence_end,
        "extractor_version": m.extractor_version,
    }
