"""Writing an article and its events: match each event to its row, mention, recompute, prune.

The write path runs Core statements on the session's connection: the ORM's unit of work
(autoflush, identity map, one flush per attribute batch) cost several times the SQL itself.
The statements are built once here, so SQLAlchemy's memoized cache keys and its compiled
cache make each execution cheap; rows being changed are held as `HeldEvent`s. Every
function runs inside the caller's transaction (`Store._transact`).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from cgtextract.models import Article, Event
from cgtextract.names import normalize_product
from cgtextract.store.engine import now as utc_now
from cgtextract.store.identity import (
    Merged,
    change_of,
    compatible,
    content,
    date_bounds,
    dumps,
    merge_reports,
    report_of,
    report_of_row,
)
from cgtextract.store.reports import EventChange, SaveReport
from cgtextract.store.tables import ARTICLES, EVENT_NAMES, EVENTS, MENTIONS, ArticleRow

__all__ = [
    "Applied",
    "apply",
    "extractor_version",
    "record_failure",
    "rename_article",
    "save_article",
]


@cache
def extractor_version() -> str:
    """`cgtextract.__version__` plus a hash of the vocabulary files: what produced an event.

    A changed pattern file changes the version, so rows show which ones predate it.
    """
    from cgtextract import __version__
    from cgtextract.errors import PatternError
    from cgtextract.read.vocab import patterns_dir

    digest = hashlib.sha256()
    try:
        root = patterns_dir()
    except PatternError:
        return f"{__version__}+nopatterns"
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


_EVENT_COLUMNS = tuple(c.name for c in EVENTS.c)

_FIND_ARTICLE = select(
    ARTICLES.c.id,
    ARTICLES.c.final_url,
    ARTICLES.c.etag,
    ARTICLES.c.last_modified,
    ARTICLES.c.http_status,
).where(ARTICLES.c.url == bindparam("url"))
_ARTICLE_EXISTS = select(ARTICLES.c.id).where(ARTICLES.c.id == bindparam("id"))
_OLD_MENTIONS = (
    select(
        MENTIONS.c.id,
        MENTIONS.c.event_id,
        MENTIONS.c.evidence,
        MENTIONS.c.evidence_start,
        MENTIONS.c.evidence_end,
        MENTIONS.c.reported,
        MENTIONS.c.extractor_version,
    )
    .where(MENTIONS.c.article_id == bindparam("article_id"))
    .order_by(MENTIONS.c.id)
)
_EVENTS_BY_ID = (
    select(EVENTS).where(EVENTS.c.id.in_(bindparam("ids", expanding=True))).order_by(EVENTS.c.id)
)
# The names narrow it to a handful of rows; written as a join, SQLite (no statistics) went
# through the regulator's index instead, every FDA event for every match: 17 ms a query at
# 20,000 events. The IN-subquery starts from the name index whatever the table holds.
_MATCH = (
    select(EVENTS)
    .where(
        EVENTS.c.id.in_(
            select(EVENT_NAMES.c.event_id).where(
                EVENT_NAMES.c.name_key.in_(bindparam("names", expanding=True))
            )
        ),
        EVENTS.c.regulator == bindparam("regulator"),
        EVENTS.c.kind == bindparam("kind"),
    )
    .order_by(EVENTS.c.id)
)
_REPORTS = (
    select(MENTIONS.c.reported, ARTICLES.c.url, ARTICLES.c.published)
    .join(ARTICLES, ARTICLES.c.id == MENTIONS.c.article_id)
    .where(MENTIONS.c.event_id == bindparam("event_id"))
    .order_by(MENTIONS.c.id)
)
_REPORTS_EXCLUDING = _REPORTS.where(MENTIONS.c.id.not_in(bindparam("exclude", expanding=True)))
_NAMES_OF = select(EVENT_NAMES.c.name_key).where(EVENT_NAMES.c.event_id == bindparam("event_id"))
_DROP_NAMES = delete(EVENT_NAMES).where(
    EVENT_NAMES.c.event_id == bindparam("event_id"),
    EVENT_NAMES.c.name_key.in_(bindparam("names", expanding=True)),
)
_ADD_NAMES = insert(EVENT_NAMES)
_NEW_MENTION = insert(MENTIONS)
_DROP_MENTIONS = delete(MENTIONS).where(MENTIONS.c.id.in_(bindparam("ids", expanding=True)))
_DROP_EVENT = delete(EVENTS).where(EVENTS.c.id == bindparam("event_id"))
# INSERT / UPDATE statements take their columns from the parameters given: one statement
# object each, compiled once per set of columns.
_NEW_ARTICLE = insert(ARTICLES)
_NEW_EVENT = insert(EVENTS)
_SET_ARTICLE = update(ARTICLES).where(ARTICLES.c.id == bindparam("row_id"))
_SET_EVENT = update(EVENTS).where(EVENTS.c.id == bindparam("row_id"))
_SET_MENTION = update(MENTIONS).where(MENTIONS.c.id == bindparam("row_id"))


class HeldEvent:
    """One `events` row held in memory while an article is applied.

    Reads as the ORM row would (`row.date`, `row.conflicts`); `set` records a changed
    column, and `flush` writes the changed ones only, as the ORM did (no spurious UPDATEs).
    """

    def __init__(self, values: Mapping[Any, Any], names: set[str] | None = None) -> None:
        self.values: dict[str, Any] = dict(values)
        self.dirty: dict[str, Any] = {}
        # The row's event_names, once read (None: not read yet).
        self.names = names

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def set(self, name: str, value: Any) -> None:
        if self.values[name] != value:
            self.values[name] = value
            self.dirty[name] = value

    def flush(self, conn: Connection) -> None:
        if self.dirty:
            conn.execute(_SET_EVENT, {"row_id": self.values["id"], **self.dirty})
            self.dirty = {}


def _new_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT of one row gave it."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def save_article(
    session: Session,
    article: Article,
    events: Sequence[Event],
    version: str,
    fetched: Mapping[str, Any],
) -> SaveReport:
    """The article's row, then its events: the body of one article's save."""
    article_id, new = _upsert_article(session.connection(), article, fetched)
    applied = apply(
        session,
        article_id,
        events,
        version,
        source=article.source,
        published=article.published,
        new_article=new,
    )
    return applied.report(article_id)


def _upsert_article(
    conn: Connection, article: Article, fetched: Mapping[str, Any]
) -> tuple[int, bool]:
    """Insert or update the article's row (its large columns are written, never read);
    its id, and whether it is new."""
    row = conn.execute(_FIND_ARTICLE, {"url": article.source}).first()
    old: Mapping[Any, Any] = row._mapping if row is not None else {}
    headers = {str(k).lower(): v for k, v in (fetched.get("headers") or {}).items()}
    status = fetched.get("http_status", fetched.get("status"))
    values = {
        "final_url": fetched.get("final_url") or article.url or old.get("final_url"),
        "title": article.title,
        "published": article.published,
        "text": article.text,
        "raw_html": zlib.compress(article.raw.encode("utf-8")) if article.raw else None,
        "content_hash": hashlib.sha256(article.text.encode("utf-8")).hexdigest(),
        "fetched_at": fetched.get("fetched_at") or utc_now(),
        "etag": fetched.get("etag") or headers.get("etag") or old.get("etag"),
        "last_modified": (
            fetched.get("last_modified") or headers.get("last-modified") or old.get("last_modified")
        ),
        "http_status": int(status) if status is not None else old.get("http_status"),
        "error": None,
    }
    if row is None:
        result = conn.execute(_NEW_ARTICLE, {"url": article.source, **values})
        return _new_id(result), True
    conn.execute(_SET_ARTICLE, {"row_id": row.id, **values})
    return int(row.id), False


@dataclass
class Applied:
    """What applying one article's events did, by event id."""

    created: set[int] = field(default_factory=set)
    # content of each pre-existing event before this article touched it
    snapshots: dict[int, dict[str, Any]] = field(default_factory=dict)
    updated: set[int] = field(default_factory=set)
    removed: dict[int, EventChange] = field(default_factory=dict)
    mentions_added: int = 0
    mentions_removed: int = 0

    def report(self, article_id: int) -> SaveReport:
        return SaveReport(
            article_id=article_id,
            new_events=len(self.created),
            updated_events=len(self.updated),
            mentions=self.mentions_added,
            removed_mentions=self.mentions_removed,
            removed_events=len(self.removed),
        )


@dataclass
class _Place:
    """A mention of the article being applied: its id and the columns a save writes."""

    id: int
    values: dict[str, Any]


def apply(
    session: Session,
    article_id: int,
    events: Sequence[Event],
    version: str,
    *,
    source: str,
    published: Date | None,
    new_article: bool = False,
) -> Applied:
    """Replace what one article says with `events`: match, mention, recompute, prune.

    The article's old mentions are set aside first and its events recomputed without them,
    so a corrected report matches the event as the other articles describe it. Mentions
    whose place comes back are reused; the rest are deleted at the end, and so are events
    left with no mention.
    """
    conn = session.connection()
    applied = Applied()
    # an article row inserted by this save has no mentions yet
    old = [] if new_article else conn.execute(_OLD_MENTIONS, {"article_id": article_id}).all()
    pending = {m.id for m in old}
    places = {
        (m.event_id, _place(m.evidence_start, m.evidence)): _Place(
            m.id,
            {
                "evidence": m.evidence,
                "evidence_start": m.evidence_start,
                "evidence_end": m.evidence_end,
                "reported": m.reported,
                "extractor_version": m.extractor_version,
            },
        )
        for m in old
    }
    touched: dict[int, HeldEvent] = {}
    # Whether each touched row still has a mention once `pending` is gone. A row's last
    # recompute already left out every mention still pending then, and a pending mention
    # of a row is only reused while that row is being recomputed, so it is final.
    alive: dict[int, bool] = {}

    def touch(row: HeldEvent) -> None:
        if row.id not in touched and row.id not in applied.created:
            applied.snapshots[row.id] = content(row)
        touched[row.id] = row

    old_events = sorted({m.event_id for m in old})
    if old_events:
        for found in conn.execute(_EVENTS_BY_ID, {"ids": old_events}).mappings():
            row = HeldEvent(found)
            touch(row)
            alive[row.id] = _recompute(session, row, exclude=pending)

    for ev in events:
        reported = dumps(report_of(ev))
        row_or_none = _match(conn, ev, touched)
        fresh = row_or_none is None
        if row_or_none is None:
            row = _new_event(conn, ev, version, (json.loads(reported), source, published))
            applied.created.add(row.id)
        else:
            row = row_or_none
        touch(row)
        key = (row.id, _place(ev.evidence_start, ev.evidence))
        values = {
            "evidence": ev.evidence,
            "evidence_start": ev.evidence_start,
            "evidence_end": ev.evidence_end,
            "reported": reported,
            "extractor_version": version,
        }
        mention = places.get(key)
        if mention is None:
            result = conn.execute(
                _NEW_MENTION, {"event_id": row.id, "article_id": article_id, **values}
            )
            places[key] = _Place(_new_id(result), values)
            applied.mentions_added += 1
        else:
            pending.discard(mention.id)
            changed = {k: v for k, v in values.items() if mention.values[k] != v}
            if changed:
                conn.execute(_SET_MENTION, {"row_id": mention.id, **changed})
                mention.values.update(changed)
        row.set("extractor_version", version)
        # a row made just now from this mention already is what recomputing would make it
        alive[row.id] = fresh or _recompute(session, row, exclude=pending)

    if pending:
        conn.execute(_DROP_MENTIONS, {"ids": sorted(pending)})
        applied.mentions_removed = len(pending)
    now = utc_now()
    for event_id, row in touched.items():
        if not alive[event_id]:
            row.dirty = {}
            conn.execute(_DROP_EVENT, {"event_id": event_id})
            if event_id in applied.created:
                applied.created.discard(event_id)
            else:
                applied.removed[event_id] = change_of(row)
            continue
        if event_id not in applied.created and content(row) != applied.snapshots[event_id]:
            row.set("updated_at", now)
            applied.updated.add(event_id)
        row.flush(conn)
    conn.execute(
        _SET_ARTICLE, {"row_id": article_id, "extractor_version": version, "extracted_at": now}
    )
    return applied


def _place(start: int | None, evidence: str) -> tuple[str, Any]:
    # Without offsets the UNIQUE key cannot tell places apart (NULL != NULL), so the
    # evidence text does.
    return ("at", start) if start is not None else ("text", evidence)


def _match(conn: Connection, ev: Event, touched: Mapping[int, HeldEvent]) -> HeldEvent | None:
    """The stored event this one is, if any: same regulator and kind, a shared name,
    compatible dates. Preference: the same date, then a dated row, then the oldest.

    A row this save already holds is returned as held (its changes are written before
    every match, so the database agrees with it)."""
    names = {normalize_product(n) for n in [ev.product, *ev.product_aliases]} - {""}
    if not names:
        return None
    params = {"names": sorted(names), "regulator": ev.regulator, "kind": ev.kind}
    candidates = [
        row for row in conn.execute(_MATCH, params).mappings() if compatible(row["date"], ev.date)
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda r: (r["date"] != ev.date, r["date"] is None, r["id"]))
    return touched.get(best["id"]) or HeldEvent(best)


def _new_event(
    conn: Connection, ev: Event, version: str, report: tuple[dict[str, Any], str, Date | None]
) -> HeldEvent:
    """Insert a row for an event no stored row matches, with its names.

    `report` is its one mention's (report, article url, article published): the row is
    derived from it exactly as `_recompute` would derive it, without reading it back."""
    now = utc_now()
    values: dict[str, Any] = dict.fromkeys(_EVENT_COLUMNS)
    del values["id"]
    values.update(
        product_key=normalize_product(ev.product),
        regulator=ev.regulator,
        kind=ev.kind,
        date_key=ev.date or "",
        product=ev.product,
        product_aliases="[]",
        event_type=ev.event_type,
        designation=ev.designation,
        indications="[]",
        first_seen_at=now,
        updated_at=now,
        field_sources="{}",
        extractor_version=version,
    )
    reported, url, published = report
    merged = merge_reports([(reported, url)])
    row = HeldEvent(values, names=set(merged.names))
    _assign(row, merged)
    row.set("first_published", published)
    result = conn.execute(_NEW_EVENT, row.values)
    row.values["id"] = _new_id(result)
    row.dirty = {}
    if merged.names:
        conn.execute(
            _ADD_NAMES, [{"event_id": row.id, "name_key": n} for n in sorted(merged.names)]
        )
    return row


def _assign(row: HeldEvent, merged: Merged) -> None:
    """Set the row's derived columns, touching only those that differ (no spurious UPDATEs)."""
    start, end = date_bounds(merged.date) if merged.date else (None, None)
    values: dict[str, Any] = {
        "product": merged.product,
        "product_key": merged.product_key,
        "product_aliases": dumps(merged.product_aliases),
        "company": merged.company,
        "target": merged.target,
        "modality": merged.modality,
        "allogeneic": merged.allogeneic,
        "date": merged.date,
        "date_precision": merged.date_precision,
        "date_key": merged.date or "",
        "date_start": start,
        "date_end": end,
        "indications": dumps(merged.indications),
        "field_sources": dumps(merged.field_sources),
        "conflicts": dumps(merged.conflicts) if merged.conflicts else None,
    }
    for name, value in values.items():
        row.set(name, value)


def _recompute(session: Session, row: HeldEvent, *, exclude: set[int] | None = None) -> bool:
    """Derive the row from its mentions (less `exclude`); False when it has none left.

    With no mention left the row keeps its values, so it can still be matched (a re-read
    article finds its old event) until the caller deletes it. The row's changes are
    written before it returns, so the next match sees them.
    """
    conn = session.connection()
    if exclude:
        found = conn.execute(
            _REPORTS_EXCLUDING, {"event_id": row.id, "exclude": sorted(exclude)}
        ).all()
    else:
        found = conn.execute(_REPORTS, {"event_id": row.id}).all()
    if not found:
        row.flush(conn)
        return False
    reports = [
        (json.loads(reported) if reported else report_of_row(row), url)
        for reported, url, _ in found
    ]
    merged = merge_reports(reports)
    _assign(row, merged)
    published = [p for _, _, p in found if p is not None]
    row.set("first_published", min(published) if published else None)
    if row.names is None:
        row.names = set(conn.scalars(_NAMES_OF, {"event_id": row.id}))
    known = row.names
    if known != merged.names:
        if gone := known - merged.names:
            conn.execute(_DROP_NAMES, {"event_id": row.id, "names": sorted(gone)})
        if new := merged.names - known:
            conn.execute(_ADD_NAMES, [{"event_id": row.id, "name_key": n} for n in sorted(new)])
        row.names = set(merged.names)
    row.flush(conn)
    return True


def record_failure(session: Session, url: str, error: str) -> None:
    """Remember that a source could not be read (its row's `error`), keeping what it had."""
    row = session.scalars(select(ArticleRow).where(ArticleRow.url == url)).one_or_none()
    if row is None:
        row = ArticleRow(url=url)
        session.add(row)
    row.error = error
    row.fetched_at = utc_now()


_RENAME_ARTICLE = (
    update(ARTICLES)
    .where(
        ARTICLES.c.url == bindparam("old"),
        ~select(ARTICLES.c.id).where(ARTICLES.c.url == bindparam("new")).exists(),
    )
    .values(url=bindparam("new"))
)


def rename_article(session: Session, old: str, new: str) -> None:
    """The article stored as `old` is stored as `new`, unless `new` is taken."""
    session.connection().execute(_RENAME_ARTICLE, {"old": old, "new": new})
