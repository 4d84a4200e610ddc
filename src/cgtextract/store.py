"""The database: articles, de-duplicated events and the mentions that link them.

One real-world event (product, regulator, kind, date) is one `events` row however many
articles report it; every place it was read is a `mentions` row. The SQLAlchemy tables are
private to this module: callers hand in and get back the Pydantic models of `models.py`.
SQLAlchemy and driver errors are turned into `StorageError` here, at the edge.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import date as Date
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from cgtextract.errors import InputError, StorageError
from cgtextract.models import Article, Event

__all__ = ["SaveReport", "Store", "normalize_product"]

_T = TypeVar("_T")

# Characters that do not distinguish two product names: "ide-cel" = "Ide Cel" = "idecel",
# "Abecma®" = "abecma", "NouvNeu.001" = "nouvneu001". Unicode dashes count as hyphens.
_PRODUCT_NOISE = re.compile(r"[\s\-\u2010-\u2015.®™]+")

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def normalize_product(name: str) -> str:
    """The identity form of a product name: lowercase, no spaces, hyphens, dots, ®, ™."""
    return _PRODUCT_NOISE.sub("", name).lower()


def _date_bounds(value: str) -> tuple[str, str]:
    """First and last day of an ISO date at any precision, so quarters compare correctly.

    Plain string comparison would put "2025-Q1" after "2025-12-31"; the bounds are
    `YYYY-MM-DD` strings, which sort like the dates they name.
    """
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


def _shown(url: str) -> str:
    """The URL for messages, password masked: error lines end up in logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return url


def _now() -> datetime:
    return datetime.now(UTC)


def _dumps(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _loads(raw: str | None) -> list[str]:
    if not raw:
        return []
    values = json.loads(raw)
    return [str(v) for v in values]


def _union(old: Sequence[str], new: Sequence[str], *, key: Callable[[str], str]) -> list[str]:
    """Old values first, then new ones whose key is not there yet (keeps the first spelling)."""
    seen: set[str] = set()
    out: list[str] = []
    for value in [*old, *new]:
        k = key(value)
        if k not in seen:
            seen.add(k)
            out.append(value)
    return out


def _one_line(exc: BaseException) -> str:
    """The driver's own message when there is one: SQLAlchemy's str() carries SQL and a URL."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    message = str(orig if orig is not None else exc)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


class _Base(DeclarativeBase):
    pass


class _Article(_Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The source as given (path or URL): the same string events carry in `source`.
    url: Mapped[str] = mapped_column(Text, unique=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[Date | None]
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class _Event(_Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("product_key", "regulator", "kind", "date_key", name="uq_events_identity"),
        Index("ix_events_regulator", "regulator"),
        Index("ix_events_event_type", "event_type"),
        Index("ix_events_date", "date"),
        Index("ix_events_date_start", "date_start"),
        Index("ix_events_company", "company"),
        Index("ix_events_product_key", "product_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_key: Mapped[str] = mapped_column(Text)
    regulator: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    # NULL never equals NULL in a UNIQUE key, so undated events use '' here.
    date_key: Mapped[str] = mapped_column(String(16), default="")
    company: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str] = mapped_column(Text)
    product_aliases: Mapped[str] = mapped_column(Text, default="[]")
    target: Mapped[str | None] = mapped_column(Text)
    modality: Mapped[str | None] = mapped_column(String(32))
    allogeneic: Mapped[bool | None] = mapped_column(Boolean)
    event_type: Mapped[str] = mapped_column(String(32))
    designation: Mapped[str | None] = mapped_column(String(64))
    date: Mapped[str | None] = mapped_column(String(16))
    date_precision: Mapped[str | None] = mapped_column(String(16))
    # First and last day the date can mean (YYYY-MM-DD): for --since/--until and sorting.
    date_start: Mapped[str | None] = mapped_column(String(10))
    date_end: Mapped[str | None] = mapped_column(String(10))
    indications: Mapped[str] = mapped_column(Text, default="[]")
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Mention(_Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("event_id", "article_id", "evidence_start", name="uq_mentions_place"),
        Index("ix_mentions_article_id", "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    evidence: Mapped[str] = mapped_column(Text)
    # Not `start`/`end`: END is a reserved word, and these names match `Event`.
    evidence_start: Mapped[int | None] = mapped_column(Integer)
    evidence_end: Mapped[int | None] = mapped_column(Integer)


_VIEW_BODY = """
SELECT
    e.id, e.company, e.product, e.product_aliases, e.target, e.modality, e.allogeneic,
    e.regulator, e.event_type, e.designation, e.date, e.date_precision, e.indications,
    e.first_seen_at, e.updated_at,
    (SELECT COUNT(*) FROM mentions m WHERE m.event_id = e.id) AS mention_count,
    (SELECT a.url FROM mentions m JOIN articles a ON a.id = m.article_id
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_source,
    (SELECT m.evidence FROM mentions m
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_evidence
FROM events e
"""


@dataclass
class SaveReport:
    """What one `Store.save` changed, for the run summary."""

    article_id: int
    new_events: int
    updated_events: int
    mentions: int
    removed_mentions: int = 0
    removed_events: int = 0


class Store:
    """The event database behind one SQLAlchemy URL (SQLite file by default)."""

    def __init__(self, url: str) -> None:
        """Open (and create if needed) the database; StorageError when it cannot be opened."""
        self._shown_url = _shown(url)
        try:
            self._engine: Engine = create_engine(url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StorageError(f"cannot open database {self._shown_url}: {_one_line(exc)}") from exc
        if self._engine.dialect.name == "sqlite":
            _configure_sqlite(self._engine)
        try:
            with self._engine.begin() as conn:
                _Base.metadata.create_all(conn)
                if self._engine.dialect.name == "sqlite":
                    conn.execute(text(f"CREATE VIEW IF NOT EXISTS events_flat AS {_VIEW_BODY}"))
                else:
                    # PostgreSQL has no CREATE VIEW IF NOT EXISTS; OR REPLACE is idempotent.
                    conn.execute(text(f"CREATE OR REPLACE VIEW events_flat AS {_VIEW_BODY}"))
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise StorageError(f"cannot open database {self._shown_url}: {_one_line(exc)}") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections (and their file handles)."""
        self._engine.dispose()

    @contextmanager
    def _write(self, what: str) -> Iterator[Session]:
        """One write transaction: all of it commits or none of it does.

        On SQLite it starts with BEGIN IMMEDIATE, so two writers wait on busy_timeout
        instead of failing when a read lock cannot be upgraded.
        """
        try:
            with self._engine.connect() as conn:
                conn.execution_options(cgt_write=True)
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    yield session
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot {what} in {self._shown_url}: {_one_line(exc)}") from exc

    def _read(self, what: str, work: Callable[[Session], _T]) -> _T:
        try:
            with Session(self._engine) as session:
                return work(session)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot {what} in {self._shown_url}: {_one_line(exc)}") from exc

    def save(
        self, article: Article, events: list[Event], *, fetched: Mapping[str, Any] | None = None
    ) -> SaveReport:
        """Store an article with its events and mentions in one transaction.

        Idempotent: saving the same article and events again adds no rows. The article's
        mentions are replaced by this extraction (its text may have changed, so old offsets
        would point nowhere); events left with no mention anywhere are deleted.

        `fetched` carries what the fetcher learned: `final_url`, `http_status` (or
        `status`), `etag`, `last_modified`, `fetched_at`, or `headers` to read the
        validators from. Other keys are ignored.
        """
        with self._write(f"save {article.source}") as session:
            row = _upsert_article(session, article, fetched or {})
            new_ids: set[int] = set()
            updated_ids: set[int] = set()
            kept: set[int] = set()
            added = 0
            for ev in events:
                ev_row, created, changed = _upsert_event(session, ev)
                if created:
                    new_ids.add(ev_row.id)
                elif changed and ev_row.id not in new_ids:
                    updated_ids.add(ev_row.id)
                mention, mention_created = _upsert_mention(session, ev_row, row, ev)
                kept.add(mention.id)
                added += mention_created
            removed_mentions, removed_events = _prune(session, row.id, kept)
            return SaveReport(
                article_id=row.id,
                new_events=len(new_ids),
                updated_events=len(updated_ids),
                mentions=added,
                removed_mentions=removed_mentions,
                removed_events=removed_events,
            )

    def record_failure(self, url: str, error: str) -> None:
        """Remember that a source could not be read, so a run summary and SQL can show it."""
        with self._write(f"record failure of {url}") as session:
            row = session.scalars(select(_Article).where(_Article.url == url)).one_or_none()
            if row is None:
                row = _Article(url=url)
                session.add(row)
            row.error = error
            row.fetched_at = _now()

    def query(
        self,
        *,
        company: str | None = None,
        product: str | None = None,
        regulator: str | None = None,
        event_type: str | None = None,
        designation: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Events matching every given filter, newest first (undated last).

        `company`/`product`: case-insensitive substring (product also over aliases and the
        normalized key). `regulator`/`designation`: exact, any case. `event_type`: the event
        type or the designation value, so "rmat" and "approval" both work. `since`/`until`:
        an ISO date at any precision; an event is kept when its date's period overlaps
        the range, and undated events are left out.
        """
        conditions: list[ColumnElement[bool]] = []
        if company:
            conditions.append(func.lower(_Event.company).contains(company.lower(), autoescape=True))
        if product:
            needle = product.lower()
            options = [
                func.lower(_Event.product).contains(needle, autoescape=True),
                func.lower(_Event.product_aliases).contains(needle, autoescape=True),
            ]
            if key := normalize_product(product):
                options.append(_Event.product_key.contains(key, autoescape=True))
            conditions.append(or_(*options))
        if regulator:
            conditions.append(func.lower(_Event.regulator) == regulator.lower())
        if event_type:
            value = event_type.lower()
            conditions.append(
                or_(func.lower(_Event.event_type) == value, func.lower(_Event.designation) == value)
            )
        if designation:
            conditions.append(func.lower(_Event.designation) == designation.lower())
        if since:
            conditions.append(_Event.date_end >= _bound(since, "since")[0])
        if until:
            conditions.append(_Event.date_start <= _bound(until, "until")[1])
        if limit is not None and limit < 0:
            raise InputError(f"limit must be 0 or more, got {limit}")

        first = (
            select(_Mention.event_id, func.min(_Mention.id).label("mention_id"))
            .group_by(_Mention.event_id)
            .subquery()
        )
        stmt = (
            select(_Event, _Mention, _Article)
            .select_from(_Event)
            .outerjoin(first, first.c.event_id == _Event.id)
            .outerjoin(_Mention, _Mention.id == first.c.mention_id)
            .outerjoin(_Article, _Article.id == _Mention.article_id)
            .where(*conditions)
            .order_by(_Event.date_start.desc().nulls_last(), _Event.date.desc(), _Event.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)

        def work(session: Session) -> list[Event]:
            return [_to_model(e, m, a) for e, m, a in session.execute(stmt)]

        return self._read("query events", work)

    def counts(self) -> dict[str, int]:
        """Row counts of the three tables, for `stats` and tests."""

        def work(session: Session) -> dict[str, int]:
            return {
                name: session.scalar(select(func.count()).select_from(table)) or 0
                for name, table in (
                    ("articles", _Article),
                    ("events", _Event),
                    ("mentions", _Mention),
                )
            }

        return self._read("count rows", work)


def _configure_sqlite(engine: Engine) -> None:
    """WAL + NORMAL: readers never block the writer, one fsync per checkpoint not per commit.

    sqlite3's own transaction handling is switched off and SQLAlchemy emits BEGIN itself
    (the recipe in SQLAlchemy's SQLite dialect docs), so that a write can BEGIN IMMEDIATE.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            for pragma in (
                "PRAGMA busy_timeout=5000",
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
            ):
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("cgt_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _bound(value: str, name: str) -> tuple[str, str]:
    try:
        return _date_bounds(value.strip())
    except ValueError as exc:
        raise InputError(
            f"{name} must be an ISO date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD), got {value!r}"
        ) from exc


def _upsert_article(session: Session, article: Article, fetched: Mapping[str, Any]) -> _Article:
    row = session.scalars(select(_Article).where(_Article.url == article.source)).one_or_none()
    if row is None:
        row = _Article(url=article.source)
        session.add(row)
    headers = {str(k).lower(): v for k, v in (fetched.get("headers") or {}).items()}
    row.final_url = fetched.get("final_url") or article.url or row.final_url
    row.title = article.title
    row.published = article.published
    row.text = article.text
    row.content_hash = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    row.fetched_at = fetched.get("fetched_at") or _now()
    row.etag = fetched.get("etag") or headers.get("etag") or row.etag
    row.last_modified = (
        fetched.get("last_modified") or headers.get("last-modified") or row.last_modified
    )
    status = fetched.get("http_status", fetched.get("status"))
    row.http_status = int(status) if status is not None else row.http_status
    row.error = None
    session.flush()
    return row


def _upsert_event(session: Session, ev: Event) -> tuple[_Event, bool, bool]:
    """Find the row this event is (by any of its names) or insert it.

    Returns (row, created, changed). Candidates share regulator, kind and date, so the
    alias comparison runs over a handful of rows in Python rather than over JSON in SQL.
    """
    date_key = ev.date or ""
    names = [normalize_product(n) for n in [ev.product, *ev.product_aliases]]
    candidates = session.scalars(
        select(_Event)
        .where(
            _Event.regulator == ev.regulator, _Event.kind == ev.kind, _Event.date_key == date_key
        )
        .order_by(_Event.id)
    ).all()
    for row in candidates:
        known = {row.product_key, *(normalize_product(a) for a in _loads(row.product_aliases))}
        if known.intersection(names):
            return row, False, _merge(row, ev)

    now = _now()
    start, end = _date_bounds(ev.date) if ev.date else (None, None)
    row = _Event(
        product_key=names[0],
        regulator=ev.regulator,
        kind=ev.kind,
        date_key=date_key,
        company=ev.company,
        product=ev.product,
        product_aliases=_dumps(_union([], ev.product_aliases, key=normalize_product)),
        target=ev.target,
        modality=ev.modality,
        allogeneic=ev.allogeneic,
        event_type=ev.event_type,
        designation=ev.designation,
        date=ev.date,
        date_precision=ev.date_precision,
        date_start=start,
        date_end=end,
        indications=_dumps(_union([], ev.indications, key=str.casefold)),
        first_seen_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row, True, False


def _merge(row: _Event, ev: Event) -> bool:
    """Add what the new report knows and the row lacks; True when anything changed."""
    changed = False
    old_aliases = _loads(row.product_aliases)
    # The new event's own name becomes an alias when the row is known under another one.
    new_names = [
        n for n in [ev.product, *ev.product_aliases] if normalize_product(n) != row.product_key
    ]
    aliases = _union(old_aliases, new_names, key=normalize_product)
    if aliases != old_aliases:
        row.product_aliases = _dumps(aliases)
        changed = True
    old_ind = _loads(row.indications)
    indications = _union(old_ind, ev.indications, key=str.casefold)
    if indications != old_ind:
        row.indications = _dumps(indications)
        changed = True
    if row.company is None and ev.company is not None:
        row.company, changed = ev.company, True
    if row.target is None and ev.target is not None:
        row.target, changed = ev.target, True
    if row.modality is None and ev.modality is not None:
        row.modality, changed = ev.modality, True
    if row.allogeneic is None and ev.allogeneic is not None:
        row.allogeneic, changed = ev.allogeneic, True
    if changed:
        row.updated_at = _now()
    return changed


def _upsert_mention(
    session: Session, ev_row: _Event, article: _Article, ev: Event
) -> tuple[_Mention, bool]:
    # Without offsets the UNIQUE key cannot tell places apart (NULL != NULL), so the
    # evidence text does.
    place = (
        _Mention.evidence_start == ev.evidence_start
        if ev.evidence_start is not None
        else (_Mention.evidence_start.is_(None)) & (_Mention.evidence == ev.evidence)
    )
    found = session.scalars(
        select(_Mention).where(
            _Mention.event_id == ev_row.id, _Mention.article_id == article.id, place
        )
    ).first()
    if found is not None:
        found.evidence = ev.evidence
        found.evidence_end = ev.evidence_end
        return found, False
    mention = _Mention(
        event_id=ev_row.id,
        article_id=article.id,
        evidence=ev.evidence,
        evidence_start=ev.evidence_start,
        evidence_end=ev.evidence_end,
    )
    session.add(mention)
    session.flush()
    return mention, True


def _prune(session: Session, article_id: int, kept: set[int]) -> tuple[int, int]:
    """Drop this article's mentions the new extraction no longer has, then orphaned events."""
    stale = session.execute(
        select(_Mention.id, _Mention.event_id).where(
            _Mention.article_id == article_id, _Mention.id.not_in(kept)
        )
    ).all()
    if not stale:
        return 0, 0
    session.execute(delete(_Mention).where(_Mention.id.in_([m for m, _ in stale])))
    touched = {e for _, e in stale}
    orphans = session.scalars(
        select(_Event.id).where(
            _Event.id.in_(touched),
            ~select(_Mention.id).where(_Mention.event_id == _Event.id).exists(),
        )
    ).all()
    if orphans:
        session.execute(delete(_Event).where(_Event.id.in_(orphans)))
    session.expire_all()
    return len(stale), len(orphans)


def _to_model(row: _Event, mention: _Mention | None, article: _Article | None) -> Event:
    return Event.model_validate(
        {
            "source": article.url if article is not None else "",
            "company": row.company,
            "product": row.product,
            "product_aliases": _loads(row.product_aliases),
            "target": row.target,
            "modality": row.modality,
            "allogeneic": row.allogeneic,
            "regulator": row.regulator,
            "event_type": row.event_type,
            "designation": row.designation,
            "date": row.date,
            "date_precision": row.date_precision,
            "indications": _loads(row.indications),
            "evidence": mention.evidence if mention is not None else "",
            "published": article.published if article is not None else None,
            "evidence_start": mention.evidence_start if mention is not None else None,
            "evidence_end": mention.evidence_end if mention is not None else None,
        }
    )
