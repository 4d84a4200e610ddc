"""The database: articles, de-duplicated events, the mentions that link them.

One real-world event is one `events` row however many articles report it; every place it
was read is a `mentions` row that keeps what that article said (`mentions.reported`). The
event row is derived from its mentions: the most precise date, the first value given for
each other field (`field_sources` says which article gave it), and the values other articles
disagree with in `conflicts`. So a later, more precise report refines the row, and
re-reading or pruning one article recomputes the rows it touched.

Identity: same regulator and kind, a shared product name (any alias, compared normalized)
and compatible dates (equal, one the coarser form of the other, or one unknown). There is
no UNIQUE key for that (a refined date would break one), so writers serialize instead:
`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on PostgreSQL.

The schema is migrated with Alembic (`cgtextract/migrations/`): opening a `Store` upgrades an
older database in place. The SQLAlchemy tables are private to this module: callers hand in
and get back the Pydantic models of `models.py`, and driver errors become `StorageError`.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import json
import logging
import re
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import date as Date
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import CursorResult, RowMapping, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, aliased, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from cgtextract.errors import Failure, InputError, StorageError, attempt
from cgtextract.models import (
    EVENT_FIELDS,
    Article,
    Designation,
    Event,
    EventType,
    Modality,
    Regulator,
)
from cgtextract.settings import DEFAULT_DB_BUSY_TIMEOUT_S

__all__ = [
    "OWN_TABLES",
    "SCHEMA_REVISION",
    "SORTS",
    "EventChange",
    "InitReport",
    "ReextractReport",
    "SaveReport",
    "SqlResult",
    "Store",
    "StoreStats",
    "extractor_version",
    "init_database",
    "merge_reports",
    "normalize_product",
]

SCHEMA_REVISION = "0002"
"""The newest Alembic revision in `cgtextract/migrations/versions` (a test checks)."""

OWN_TABLES = frozenset({"articles", "events", "mentions", "event_names", "alembic_version"})
"""Tables this module owns; other modules may keep their own tables in the same database."""

SORTS = ("date", "published", "company", "product")
"""The orders `Store.query` can sort by."""

_T = TypeVar("_T")
_log = logging.getLogger(__name__)

# One key for every writer and for migrations: PostgreSQL advisory locks are per database,
# so two processes writing the same database wait for each other here ("cgtxtrct").
_PG_LOCK_KEY = 0x6367747874726374
_SQLITE_BUSY_TIMEOUT_MS = int(DEFAULT_DB_BUSY_TIMEOUT_S * 1000)
# Transient failures worth one more try: SQLite busy after the timeout, PostgreSQL
# serialization failure, deadlock, lock not available.
_RETRY_SQLSTATES = {"40001", "40P01", "55P03"}
_RETRIES = 3

# Characters that do not distinguish two product names: "ide-cel" = "Ide Cel" = "idecel",
# "Abecma®" = "abecma", "NouvNeu.001" = "nouvneu001". Unicode dashes count as hyphens.
_PRODUCT_NOISE = re.compile(r"[\s\-\u2010-\u2015.®™]+")
_LEGAL_SUFFIX = re.compile(
    r"\b(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|ag|sa|se|nv|bv|"
    r"gmbh|kk|lp|holdings?)\b"
)
_NON_WORD = re.compile(r"[^\w]+")

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_PRECISION_RANK = {"year": 0, "quarter": 1, "month": 2, "day": 3}

# What each mention keeps of the event as its article reported it.
_REPORT_FIELDS = (
    "company",
    "product",
    "product_aliases",
    "target",
    "modality",
    "allogeneic",
    "date",
    "date_precision",
    "indications",
)
# The event's content: a change in any of these is an "updated" / "changed" event.
_CONTENT_FIELDS = (*_REPORT_FIELDS, "conflicts")


def normalize_product(name: str) -> str:
    """The identity form of a product name: lowercase, no spaces, hyphens, dots, ®, ™."""
    return _PRODUCT_NOISE.sub("", name).lower()


def _company_key(name: str) -> str:
    """Company names that differ only in case, punctuation or legal suffix are the same."""
    words = _NON_WORD.sub(" ", name.casefold())
    return "".join(_LEGAL_SUFFIX.sub(" ", words).split())


def _target_key(name: str) -> str:
    return _PRODUCT_NOISE.sub("", name).casefold()


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


def _contains(outer: str, inner: str) -> bool:
    """True when the period `outer` names covers the period `inner` names."""
    (o0, o1), (i0, i1) = _date_bounds(outer), _date_bounds(inner)
    return o0 <= i0 and i1 <= o1


def _compatible(a: str | None, b: str | None) -> bool:
    """Two dates that can name the same day: equal, one coarser than the other, or unknown."""
    if a is None or b is None:
        return True
    return _contains(a, b) or _contains(b, a)


@cache
def extractor_version() -> str:
    """`cgtextract.__version__` plus a hash of the vocabulary files: what produced an event.

    A changed pattern file changes the version, so rows show which ones predate it.
    """
    from cgtextract import __version__
    from cgtextract.errors import PatternError
    from cgtextract.rules import patterns_dir

    digest = hashlib.sha256()
    try:
        root = patterns_dir()
    except PatternError:
        return f"{__version__}+nopatterns"
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _shown(url: str) -> str:
    """The URL with any password masked, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as given: it carries no parsable password
        return url


def _now() -> datetime:
    return datetime.now(UTC)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(raw: str | None) -> list[str]:
    if not raw:
        return []
    values = json.loads(raw)
    return [str(v) for v in values]


def _one_line(exc: BaseException) -> str:
    """The driver's own message when there is one: SQLAlchemy's str() carries SQL and a URL."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    message = str(orig if orig is not None else exc)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _transient(exc: SQLAlchemyError) -> bool:
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if isinstance(orig, sqlite3.OperationalError):
        return "locked" in str(orig) or "busy" in str(orig)
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES


# --- tables ---------------------------------------------------------------------------------


class _Base(DeclarativeBase):
    pass


metadata = _Base.metadata
"""The head schema, for Alembic's autogenerate and for the test that migrations match it."""


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
    # The page as fetched, zlib-compressed UTF-8 (NULL for plain-text inputs).
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary)
    extractor_version: Mapped[str | None] = mapped_column(String(64))
    extracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


_PG_NULLS_FIRST = {"date_start": "NULLS FIRST"}


class _Event(_Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_regulator", "regulator"),
        Index("ix_events_event_type", "event_type"),
        Index("ix_events_date", "date"),
        Index("ix_events_date_start", "date_start", postgresql_ops=_PG_NULLS_FIRST),
        Index("ix_events_company", "company"),
        Index("ix_events_product_key", "product_key"),
        # --regulator / --type with a date range, newest first: walk one index backwards
        # and stop at --limit (query() adds a date_start bound that these can use).
        # "Newest first, undated last" is DESC NULLS LAST: SQLite's DESC already puts
        # NULLs last, PostgreSQL's puts them first, so there the index is NULLS FIRST and
        # read backwards (postgresql_ops is the text after the column; SQLite ignores it).
        Index(
            "ix_events_regulator_date_start",
            "regulator",
            "date_start",
            postgresql_ops=_PG_NULLS_FIRST,
        ),
        Index("ix_events_kind_date_start", "kind", "date_start", postgresql_ops=_PG_NULLS_FIRST),
        Index("ix_events_first_published", "first_published"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_key: Mapped[str] = mapped_column(Text)
    regulator: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    # The date, or '' when undated (0.1.0's identity column; kept so old SQL still runs).
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
    # JSON: field -> the article (source) its value came from; list fields: item -> source.
    field_sources: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # JSON: field -> [{"value", "source"}] that other articles gave; NULL when all agree.
    conflicts: Mapped[str | None] = mapped_column(Text)
    extractor_version: Mapped[str | None] = mapped_column(String(64))
    # The earliest publication date among the articles that report the event.
    first_published: Mapped[Date | None]


class _EventName(_Base):
    """Every normalized name an event is known by: finds the row for any alias in one lookup."""

    __tablename__ = "event_names"
    __table_args__ = (Index("ix_event_names_name_key", "name_key"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    name_key: Mapped[str] = mapped_column(Text, primary_key=True)


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
    # JSON: the event as this article reported it (company, product, aliases, target,
    # modality, allogeneic, date, date_precision, indications).
    reported: Mapped[str | None] = mapped_column(Text)
    extractor_version: Mapped[str | None] = mapped_column(String(64))


# --- reports --------------------------------------------------------------------------------


@dataclass
class SaveReport:
    """What one `Store.save` changed, for the run summary."""

    article_id: int
    new_events: int
    updated_events: int
    mentions: int
    removed_mentions: int = 0
    removed_events: int = 0


@dataclass(frozen=True)
class EventChange:
    """One event that `reextract` added, changed or retired, named for a person."""

    event_id: int
    regulator: str
    kind: str
    product: str
    date: str | None
    # field -> (before, after), for changed events only
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: `2020-09-23 FDA rmat ide-cel` plus what changed."""
        head = f"{self.date or 'undated'} {self.regulator} {self.kind} {self.product}"
        if not self.fields:
            return head
        diffs = ", ".join(
            f"{name}: {_short(a)} -> {_short(b)}" for name, (a, b) in self.fields.items()
        )
        return f"{head} ({diffs})"


def _short(value: Any) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


@dataclass
class ReextractReport:
    """What `Store.reextract` did: articles re-read, events added, changed and retired."""

    extractor_version: str
    articles: int = 0
    added: list[EventChange] = field(default_factory=list)
    changed: list[EventChange] = field(default_factory=list)
    retired: list[EventChange] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class SqlResult:
    """The rows of a read-only SQL query, with their column names."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class StoreStats:
    """Row totals and event counts by regulator, kind, modality and month."""

    totals: dict[str, int]
    by_regulator: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    by_modality: list[tuple[str, int]]
    by_month: list[tuple[str, int]]


@dataclass(frozen=True)
class InitReport:
    """The schema revision a database had (None: it was empty) and has now."""

    url: str
    before: str | None
    after: str

    def describe(self) -> str:
        """`sqlite:///x.db: schema 0002 (upgraded from 0001)`."""
        if self.before is None:
            how = "created"
        elif self.before == self.after:
            how = "up to date"
        else:
            how = f"upgraded from {self.before}"
        return f"{self.url}: schema {self.after} ({how})"


# --- merging reports into an event ----------------------------------------------------------


@dataclass
class _Merged:
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


def merge_reports(reports: Sequence[tuple[Mapping[str, Any], str]]) -> _Merged:
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
        "company": _company_key,
        "target": _target_key,
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
        date, precision, date_source, _ = max(dated, key=lambda d: (_PRECISION_RANK[d[1]], -d[3]))
        sources["date"] = date_source
        listed = {date}
        for value, _, source, _ in dated:
            if value not in listed and not _contains(value, date):
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

    return _Merged(
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


def _report_of(ev: Event) -> dict[str, Any]:
    return {name: getattr(ev, name) for name in _REPORT_FIELDS}


def _report_of_row(row: _Event | _EventRow) -> dict[str, Any]:
    """A mention stored before reports were kept reads as what its event row says."""
    return {
        "company": row.company,
        "product": row.product,
        "product_aliases": _loads(row.product_aliases),
        "target": row.target,
        "modality": row.modality,
        "allogeneic": row.allogeneic,
        "date": row.date,
        "date_precision": row.date_precision,
        "indications": _loads(row.indications),
    }


def _content(row: _Event | _EventRow) -> dict[str, Any]:
    """What a row says, conflicts included: compared before and after a re-extraction."""
    return {
        **_report_of_row(row),
        "conflicts": json.loads(row.conflicts) if row.conflicts else None,
    }


def _change_of(
    row: _Event | _EventRow, fields: dict[str, tuple[Any, Any]] | None = None
) -> EventChange:
    return EventChange(
        event_id=row.id,
        regulator=row.regulator,
        kind=row.kind,
        product=row.product,
        date=row.date,
        fields=fields or {},
    )


# --- the store ------------------------------------------------------------------------------


class Store:
    """The event database behind one SQLAlchemy URL (SQLite file by default).

    `engine` is public so other modules (the nightly ingest) can keep their own tables in
    the same database; they must not write the tables in `OWN_TABLES`.
    """

    def __init__(
        self, url: str, *, upgrade: bool = True, busy_timeout_s: float | None = None
    ) -> None:
        """Open the database, creating or upgrading its schema to the newest revision.

        With `upgrade=False` an older database is refused (StorageError) instead of being
        upgraded. StorageError also when the database cannot be opened.

        `busy_timeout_s` (SQLite): how long a statement waits for another process's lock
        before failing with "database is locked"; default the URL's `?timeout=` (the
        pysqlite option), else `settings.DEFAULT_DB_BUSY_TIMEOUT_S`.
        """
        self.url = url
        self._shown_url = _shown(url)
        self.engine: Engine = _engine(url, self._shown_url, busy_timeout_s)
        self.busy_timeout_s: float = (
            _busy_timeout_s(self.engine, busy_timeout_s)  # checked by _engine
            if self.engine.dialect.name == "sqlite"
            else DEFAULT_DB_BUSY_TIMEOUT_S
        )
        try:
            self.revision_before, self.revision = _migrate(self.engine, upgrade=upgrade)
        except StorageError:
            self.engine.dispose()
            raise
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StorageError(f"cannot open database {self._shown_url}: {self._why(exc)}") from exc

    @property
    def _engine(self) -> Engine:
        # 0.1.0's name for `engine`, still used by tests and scripts.
        return self.engine

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections (and their file handles)."""
        self.engine.dispose()

    # -- transactions ------------------------------------------------------------------------

    def _transact(self, what: str, work: Callable[[Session], _T]) -> _T:
        """Run `work` in one write transaction that holds the writer lock; all or nothing.

        SQLite starts it with BEGIN IMMEDIATE, so two writers wait on busy_timeout instead
        of failing when a read lock cannot be upgraded; PostgreSQL takes the advisory lock
        first. A transient lock failure is retried a few times, then reported.
        """
        for tries in range(1, _RETRIES + 1):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(cgt_write=True)
                    with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                        if conn.dialect.name == "postgresql":
                            session.execute(
                                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                            )
                        return work(session)
            except SQLAlchemyError as exc:
                if tries < _RETRIES and _transient(exc):
                    # info, not warning: with no logging set up, a warning would reach
                    # stderr through logging's last-resort handler, around the CLI's line.
                    _log.info("retrying %s after %s", what, _one_line(exc))
                    time.sleep(0.05 * tries)
                    continue
                raise StorageError(f"cannot {what} in {self._shown_url}: {self._why(exc)}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, what: str, work: Callable[[Session], _T]) -> _T:
        try:
            with Session(self.engine) as session:
                return work(session)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot {what} in {self._shown_url}: {self._why(exc)}") from exc

    def _why(self, exc: BaseException) -> str:
        """The driver's one-line message, saying what the busy timeout was when locked out."""
        message = _one_line(exc)
        if isinstance(exc, SQLAlchemyError) and _transient(exc) and self._is_sqlite:
            message += f" (another connection holds it; busy timeout {self.busy_timeout_s:g}s)"
        return message

    @property
    def _is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    # -- writing -----------------------------------------------------------------------------

    def save(
        self,
        article: Article,
        events: list[Event],
        *,
        fetched: Mapping[str, Any] | None = None,
        extractor: str | None = None,
    ) -> SaveReport:
        """Store an article with its events and mentions in one transaction.

        Idempotent: saving the same article and events again adds no rows. The article's
        mentions are replaced by this extraction (its text may have changed, so old offsets
        would point nowhere); the events it touched are recomputed from their mentions, and
        events left with no mention anywhere are deleted.

        `fetched` carries what the fetcher learned: `final_url`, `http_status` (or
        `status`), `etag`, `last_modified`, `fetched_at`, or `headers` to read the
        validators from. Other keys are ignored. `extractor` is the extractor version
        recorded on the rows (default: `extractor_version()`).
        """
        version = extractor or extractor_version()

        def work(session: Session) -> SaveReport:
            return _save_article(session, article, events, version, fetched or {})

        return self._transact(f"save {article.source}", work)

    def save_many(
        self, items: Sequence[tuple[Article, list[Event]]], *, extractor: str | None = None
    ) -> list[SaveReport | Failure]:
        """`save` for several articles in one transaction, each inside its own savepoint.

        One commit per batch instead of one per article (on SQLite the commit costs as much
        as the statements of a small article). An article whose statements fail is rolled
        back alone and reported by its Failure, in place of its SaveReport; the others are
        kept. A lost lock retries the whole batch; any other failure stores none of it.
        """
        version = extractor or extractor_version()

        def work(session: Session) -> list[SaveReport | Failure]:
            out: list[SaveReport | Failure] = []
            for article, events in items:
                try:
                    with session.begin_nested():
                        out.append(_save_article(session, article, events, version, {}))
                except SQLAlchemyError as exc:
                    if _transient(exc):
                        raise
                    error = StorageError(
                        f"cannot save {article.source} in {self._shown_url}: {self._why(exc)}"
                    )
                    out.append(Failure.of(article.source, error))
            return out

        return self._transact(f"save {len(items)} articles", work) if items else []

    def record_failure(self, url: str, error: str) -> None:
        """Remember that a source could not be read, so a run summary and SQL can show it."""

        def work(session: Session) -> None:
            row = session.scalars(select(_Article).where(_Article.url == url)).one_or_none()
            if row is None:
                row = _Article(url=url)
                session.add(row)
            row.error = error
            row.fetched_at = _now()

        self._transact(f"record failure of {url}", work)

    def reextract(
        self,
        extract_fn: Callable[[Article], list[Event]],
        *,
        since: str | None = None,
        extractor: str | None = None,
    ) -> ReextractReport:
        """Re-run an extractor over the stored articles' text, without fetching anything.

        Each article is rebuilt from its stored text, title, publication date and source,
        given to `extract_fn`, and its events are stored as `save` would, one transaction
        per article. `since` (an ISO date at any precision) keeps articles published on or
        after it (those without a publication date count by the day they were fetched).
        The report lists the events added, changed (field by field) and retired; an article
        the extractor fails on is listed in `failed` and keeps its events.
        """
        version = extractor or extractor_version()
        report = ReextractReport(extractor_version=version)
        since_day = Date.fromisoformat(_bound(since, "since")[0]) if since else None

        def ids(session: Session) -> list[int]:
            stmt = select(_Article.id, _Article.published, _Article.fetched_at).where(
                _Article.text.is_not(None)
            )
            rows = session.execute(stmt.order_by(_Article.id)).all()
            return [
                i
                for i, published, fetched in rows
                if since_day is None or _article_day(published, fetched) >= since_day
            ]

        before: dict[int, dict[str, Any]] = {}
        created: set[int] = set()
        removed: dict[int, EventChange] = {}
        for article_id in self._read("list articles", ids):

            def rebuilt(session: Session, i: int = article_id) -> Article | None:
                row = session.get(_Article, i)
                return _article_model(row) if row is not None and row.text else None

            article = self._read("read article", rebuilt)
            if article is None:
                continue
            report.articles += 1
            events = attempt(article.source, extract_fn, article)
            if isinstance(events, Failure):  # it keeps its events; the others go on
                report.failed.append(events)
                continue

            def work(
                session: Session,
                i: int = article_id,
                evs: list[Event] = events,
                a: Article = article,
            ) -> _Applied:
                if session.scalar(_ARTICLE_EXISTS, {"id": i}) is None:
                    return _Applied()  # deleted meanwhile by another process
                return _apply(session, i, evs, version, source=a.source, published=a.published)

            applied = self._transact(f"re-extract {article.source}", work)
            for event_id, snap in applied.snapshots.items():
                before.setdefault(event_id, snap)
            created |= applied.created
            for event_id, gone in applied.removed.items():
                if event_id in created:
                    created.discard(event_id)
                else:
                    removed[event_id] = gone

        def diff(session: Session) -> None:
            for event_id in sorted(created):
                if (row := session.get(_Event, event_id)) is not None:
                    report.added.append(_change_of(row))
            for event_id, snap in sorted(before.items()):
                if event_id in created or event_id in removed:
                    continue
                row = session.get(_Event, event_id)
                if row is None:
                    continue
                now = _content(row)
                changes = {k: (snap[k], now[k]) for k in _CONTENT_FIELDS if snap[k] != now[k]}
                if changes:
                    report.changed.append(_change_of(row, changes))
            report.retired.extend(change for _, change in sorted(removed.items()))

        self._read("compare events", diff)
        return report

    # -- reading -----------------------------------------------------------------------------

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
        target: str | None = None,
        modality: str | None = None,
        indication: str | None = None,
        published_since: str | None = None,
        published_until: str | None = None,
        sort: str = "date",
        descending: bool | None = None,
    ) -> list[Event]:
        """Events matching every given filter, newest first (undated last) by default.

        `company`/`product`/`indication`: case-insensitive substring (product also over
        aliases and the normalized name). `regulator`, `modality`, `designation`: a code
        of the vocabulary, any case. `event_type`: the event type or the designation value,
        so "rmat" and "approval" both work. `target`: the antigen or gene, any case, also
        one part of a dual target ("BCMA" finds "CD19/BCMA") or an alias from patterns/
        ("TNFRSF17" finds "BCMA"). `since`/`until`: an ISO date at any precision; an event
        is kept when its date's period overlaps the range; undated events are left out.
        `published_since`/`published_until`: the same over the earliest publication date
        of the articles reporting it. `sort`: one of SORTS; `descending` defaults to True
        for dates and False for names. An unknown code or bad date is an InputError.
        """
        given = {
            "company": company,
            "product": product,
            "target": target,
            "indication": indication,
        }
        for name, value in given.items():
            # SQLite cuts a bound string at a NUL ("x\0y" LIKE matches as "x"), so that one
            # filter would silently match everything; PostgreSQL rejects it outright.
            if value is not None and "\x00" in value:
                raise InputError(f"{name} must not contain a NUL character")
        conditions: list[ColumnElement[bool]] = []
        if company:
            conditions.append(func.lower(_Event.company).contains(company.lower(), autoescape=True))
        if product:
            if key := normalize_product(product):
                # Every name of every event, normalized, is in the narrow event_names table:
                # scanning its index is far cheaper than LIKE over three wide columns.
                names = select(_EventName.event_id).where(
                    _EventName.name_key.contains(key, autoescape=True)
                )
                conditions.append(_Event.id.in_(names))
            else:  # only spaces, dots or dashes: compare the text as given
                needle = product.lower()
                conditions.append(
                    or_(
                        func.lower(_Event.product).contains(needle, autoescape=True),
                        func.lower(_Event.product_aliases).contains(needle, autoescape=True),
                    )
                )
        if regulator:
            conditions.append(_Event.regulator == _code(regulator, Regulator, "regulator"))
        if event_type:
            value = _kind_code(event_type)
            conditions.append(
                _Event.kind == value if value != "designation" else _Event.event_type == value
            )
        if designation:
            conditions.append(_Event.designation == _code(designation, Designation, "designation"))
        if modality:
            conditions.append(_Event.modality == _code(modality, Modality, "modality"))
        if target:
            conditions.append(_target_condition(target))
        if indication:
            conditions.append(
                func.lower(_Event.indications).contains(indication.lower(), autoescape=True)
            )
        if since:
            start = _bound(since, "since")[0]
            conditions.append(_Event.date_end >= start)
            # Redundant but index-friendly: no period is longer than a year, so an event
            # that ends on or after `start` starts at most a year before it.
            conditions.append(_Event.date_start >= f"{int(start[:4]) - 1}{start[4:]}")
        if until:
            conditions.append(_Event.date_start <= _bound(until, "until")[1])
        if published_since:
            day = _bound(published_since, "published_since")[0]
            conditions.append(_Event.first_published >= Date.fromisoformat(day))
        if published_until:
            day = _bound(published_until, "published_until")[1]
            conditions.append(_Event.first_published <= Date.fromisoformat(day))
        if limit is not None and limit < 0:
            raise InputError(f"limit must be 0 or more, got {limit}")
        if sort not in SORTS:
            raise InputError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")

        # Filter, order and limit the events first, then join each one's first mention: the
        # join then runs for the rows shown only, not for every row that matched.
        picked = (
            select(*(_Event.__table__.c[name] for name in _QUERY_EVENT_COLUMNS))
            .where(*conditions)
            .order_by(*_order(sort, descending, _Event.__table__.c))
        )
        if limit is not None:
            picked = picked.limit(limit)
        e = picked.subquery("e")
        other = aliased(_Mention)
        first_mention = (
            select(func.min(other.id))
            .where(other.event_id == e.c.id)
            .correlate(e)
            .scalar_subquery()
        )
        stmt = (
            select(
                *e.c,
                _Mention.evidence,
                _Mention.evidence_start,
                _Mention.evidence_end,
                _Article.url.label("source"),
                _Article.published,
            )
            .select_from(e)
            .outerjoin(_Mention, _Mention.id == first_mention)
            .outerjoin(_Article, _Article.id == _Mention.article_id)
            .order_by(*_order(sort, descending, e.c))
        )

        def work(session: Session) -> list[Event]:
            # Core rows, not ORM loading: a plain SELECT of columns needs no identity map.
            return [_to_model(row._mapping) for row in session.connection().execute(stmt)]

        return self._read("query events", work)

    def counts(self) -> dict[str, int]:
        """Row counts of the three main tables, for `stats` and tests."""

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

    def stats(self) -> StoreStats:
        """Counts of events by regulator, kind, modality and month (quarter or year when the
        date is no more precise; "undated" when there is none)."""

        def grouped(session: Session, column: Any) -> list[tuple[str, int]]:
            stmt = select(column, func.count()).group_by(column)
            rows = [(str(v) if v is not None else "", n) for v, n in session.execute(stmt)]
            return sorted(rows, key=lambda r: (-r[1], r[0]))

        def work(session: Session) -> StoreStats:
            months: dict[str, int] = {}
            stmt = select(_Event.date, _Event.date_precision, func.count()).group_by(
                _Event.date, _Event.date_precision
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
                totals=self.counts(),
                by_regulator=grouped(session, _Event.regulator),
                by_kind=grouped(session, _Event.kind),
                by_modality=[(m or "unknown", n) for m, n in grouped(session, _Event.modality)],
                by_month=by_month,
            )

        return self._read("count events", work)

    def export(self, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every event with its mentions, oldest first, as plain JSON-ready dicts.

        Each has the event's columns (lists and JSON columns decoded) and `mentions`: the
        article source, final URL, title and publication date, evidence and offsets, and
        the extractor version of each place the event was read. Read in batches, so a
        large database streams.
        """
        last = 0
        while True:

            def work(session: Session, after: int = last) -> list[dict[str, Any]]:
                rows = session.scalars(
                    select(_Event).where(_Event.id > after).order_by(_Event.id).limit(batch)
                ).all()
                if not rows:
                    return []
                found: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
                stmt = (
                    select(_Mention, _Article)
                    .join(_Article, _Article.id == _Mention.article_id)
                    .where(_Mention.event_id.in_(list(found)))
                    .order_by(_Mention.id)
                )
                for m, a in session.execute(stmt):
                    found[m.event_id].append(_mention_record(m, a))
                return [_event_record(r, found[r.id]) for r in rows]

            records = self._read("export events", work)
            if not records:
                return
            yield from records
            last = int(records[-1]["id"])

    def read_sql(self, statement: str) -> SqlResult:
        """Run one SELECT (or WITH ... SELECT) read-only and return its rows.

        Read-only for real, not only by looking at the text: SQLite runs it on a separate
        connection opened with `mode=ro`, `PRAGMA query_only=ON` and an authorizer that
        allows reads only; PostgreSQL in a READ ONLY transaction that is rolled back, sent
        with the extended protocol (one statement, whatever the text holds) on a connection
        that is closed afterwards. Other drivers are refused. Anything but a single
        SELECT/WITH statement (as the dialect tokenizes it) is refused first. Refusals and
        SQL errors are InputError; a broken or locked database is StorageError.
        """
        dialect = self.engine.dialect
        sql = _single_select(statement, dialect.name)
        if dialect.name == "sqlite":
            return _read_sql_sqlite(self.engine, sql, self._shown_url, self.busy_timeout_s)
        if dialect.name != "postgresql" or dialect.driver != "psycopg":
            # Read-only is enforced by the database, and checked for these two only.
            raise InputError(
                "--sql runs on SQLite and on PostgreSQL through psycopg only, "
                f"not on {dialect.name}+{dialect.driver}"
            )
        # The DBAPI cursor itself, with no parameters: through SQLAlchemy, psycopg would
        # read every % in the user's SQL (LIKE '%x%') as a placeholder.
        dbapi_error: type[Exception] = dialect.loaded_dbapi.Error
        try:
            raw = self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot run SQL in {self._shown_url}: {_one_line(exc)}") from exc
        try:
            cursor: Any = raw.cursor()
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute("SHOW transaction_read_only")
            if (cursor.fetchone() or ("off",))[0] != "on":
                raise StorageError(f"cannot run SQL in {self._shown_url}: not read-only")
            # prepare=True: the extended protocol, whose Parse takes exactly one statement,
            # whatever the text looks like to `_single_select`. The simple protocol would
            # run "SELECT 1; COMMIT; DELETE ..." and the DELETE after the read-only COMMIT.
            cursor.execute(sql, prepare=True)
            columns = [d[0] for d in cursor.description or ()]
            rows = [tuple(r) for r in cursor.fetchall()] if cursor.description else []
        except dbapi_error as exc:
            message = _one_line(exc)
            if "multiple commands" in message:
                raise InputError("--sql takes a single statement") from exc
            raise InputError(_sql_error(message)) from exc
        finally:
            # The SQL may have changed the session in ways a rollback keeps (a session
            # advisory lock, a prepared statement): this connection is not pooled again.
            with contextlib.suppress(Exception):
                raw.rollback()
            raw.invalidate()
            raw.close()
        return SqlResult(columns, rows)


# --- opening and migrating ------------------------------------------------------------------


def _engine(url: str, shown: str, busy_timeout_s: float | None = None) -> Engine:
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(f"cannot open database {shown}: {_one_line(exc)}") from exc
    if engine.dialect.name == "sqlite":
        try:
            busy_ms = int(_busy_timeout_s(engine, busy_timeout_s) * 1000)
        except ValueError as exc:
            raise StorageError(f"cannot open database {shown}: {exc}") from exc
        _configure_sqlite(engine, busy_ms)
    return engine


def _busy_timeout_s(engine: Engine, given: float | None) -> float:
    """SQLite's busy timeout: as given, else the URL's `?timeout=` (seconds), else default."""
    if given is None:
        from_url = engine.url.query.get("timeout")
        if isinstance(from_url, str) and from_url.strip():
            try:
                given = float(from_url)
            except ValueError:
                raise ValueError(f"timeout={from_url!r} in the URL is not a number") from None
    value = DEFAULT_DB_BUSY_TIMEOUT_S if given is None else float(given)
    if not value >= 0:
        raise ValueError(f"busy timeout must be 0 or more seconds, got {value}")
    return value


def _configure_sqlite(engine: Engine, busy_timeout_ms: int = _SQLITE_BUSY_TIMEOUT_MS) -> None:
    """WAL + NORMAL: readers never block the writer, one fsync per checkpoint not per commit.

    sqlite3's own transaction handling is switched off and SQLAlchemy emits BEGIN itself
    (the recipe in SQLAlchemy's SQLite dialect docs), so that a write can BEGIN IMMEDIATE.
    A cron job that meets a running writer waits up to the busy timeout.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            _switch_to_wal(cursor, busy_timeout_ms / 1000)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("cgt_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _switch_to_wal(cursor: Any, busy_timeout_s: float) -> None:
    """PRAGMA journal_mode=WAL, waiting out other connections for up to the busy timeout.

    Two processes opening a new database at once both try to switch it; SQLite answers
    the loser "database is locked" at once, without its busy handler (waiting there could
    deadlock). By the time it asks again the winner has switched it, and the pragma is a
    no-op. A lock held for longer still fails after the busy timeout, as any statement.
    """
    deadline = time.monotonic() + busy_timeout_s
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


_LEGACY = "0001"  # a 0.1.0 database: our tables, no alembic_version


def _current_revision(conn: Connection) -> str | None:
    """The database's schema revision; None when it has none of our tables yet."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if version is not None:
            return str(version)
    if {"articles", "events", "mentions"} <= tables:
        return _LEGACY
    return None


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cgtextract:migrations")
    config.attributes["connection"] = conn
    return config


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "cgtextract:migrations")
    return {s.revision for s in ScriptDirectory.from_config(config).walk_revisions()}


def _migrate(engine: Engine, *, upgrade: bool) -> tuple[str | None, str]:
    """Bring the schema to SCHEMA_REVISION; returns (revision before, revision after).

    The common case, an up-to-date database, costs one small query and no Alembic import.
    Otherwise the upgrade runs in one transaction under the writer lock, so two processes
    opening a new database at once do not both create it. On SQLite, foreign keys are off
    while tables are rebuilt (dropping a parent table would otherwise cascade-delete its
    children's rows) and checked before they are switched back on.
    """
    shown = _shown(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        before = _current_revision(conn)
        conn.commit()
        if before == SCHEMA_REVISION:
            return before, before
        if before is not None and before not in _known_revisions():
            raise StorageError(
                f"database {shown} has schema revision {before}, newer than this cgtextract "
                f"knows ({SCHEMA_REVISION}): upgrade cgtextract"
            )
        if before is not None and not upgrade:
            raise StorageError(
                f"database {shown} has schema revision {before}, this cgtextract needs "
                f"{SCHEMA_REVISION}: run `cgtextract init --upgrade`"
            )
        sqlite = conn.dialect.name == "sqlite"
        raw: Any = conn.connection.driver_connection if sqlite else None
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            conn.execution_options(cgt_write=True)
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
                # Another process may have migrated while this one waited for the lock.
                current = _current_revision(conn)
                if current != SCHEMA_REVISION:
                    from alembic import command

                    config = _alembic_config(conn)
                    if current == _LEGACY and "alembic_version" not in set(
                        inspect(conn).get_table_names()
                    ):
                        command.stamp(config, _LEGACY)
                    command.upgrade(config, "head")
            if sqlite:
                broken = raw.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StorageError(f"database {shown}: foreign key check failed: {broken[:3]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")
    return before, SCHEMA_REVISION


def init_database(url: str, *, upgrade: bool = False) -> InitReport:
    """Create the database at the newest schema, or with `upgrade` bring an older one there.

    Without `upgrade`, a database at an older revision is a StorageError naming the fix.
    """
    with Store(url, upgrade=upgrade) as store:
        return InitReport(url=_shown(url), before=store.revision_before, after=store.revision)


# --- saving ---------------------------------------------------------------------------------


def _bound(value: str, name: str) -> tuple[str, str]:
    try:
        return _date_bounds(value.strip())
    except ValueError as exc:
        raise InputError(
            f"{name} must be an ISO date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD), got {value!r}"
        ) from exc


def _article_day(published: Date | None, fetched: datetime | None) -> Date:
    if published is not None:
        return published
    if fetched is not None:
        return fetched.date()
    return Date.min


# The write path runs Core statements on the session's connection: the ORM's unit of work
# (autoflush, identity map, one flush per attribute batch) cost several times the SQL itself.
# The statements are built once here, so SQLAlchemy's memoized cache keys and its compiled
# cache make each execution cheap; rows being changed are held as `_EventRow`s.
_A = cast(Table, _Article.__table__)
_E = cast(Table, _Event.__table__)
_M = cast(Table, _Mention.__table__)
_N = cast(Table, _EventName.__table__)
_EVENT_COLUMNS = tuple(c.name for c in _E.c)

_FIND_ARTICLE = select(
    _A.c.id, _A.c.final_url, _A.c.etag, _A.c.last_modified, _A.c.http_status
).where(_A.c.url == bindparam("url"))
_ARTICLE_EXISTS = select(_A.c.id).where(_A.c.id == bindparam("id"))
_OLD_MENTIONS = (
    select(
        _M.c.id,
        _M.c.event_id,
        _M.c.evidence,
        _M.c.evidence_start,
        _M.c.evidence_end,
        _M.c.reported,
        _M.c.extractor_version,
    )
    .where(_M.c.article_id == bindparam("article_id"))
    .order_by(_M.c.id)
)
_EVENTS_BY_ID = select(_E).where(_E.c.id.in_(bindparam("ids", expanding=True))).order_by(_E.c.id)
# The names narrow it to a handful of rows; written as a join, SQLite (no statistics) went
# through the regulator's index instead, every FDA event for every match: 17 ms a query at
# 20,000 events. The IN-subquery starts from the name index whatever the table holds.
_MATCH = (
    select(_E)
    .where(
        _E.c.id.in_(
            select(_N.c.event_id).where(_N.c.name_key.in_(bindparam("names", expanding=True)))
        ),
        _E.c.regulator == bindparam("regulator"),
        _E.c.kind == bindparam("kind"),
    )
    .order_by(_E.c.id)
)
_REPORTS = (
    select(_M.c.reported, _A.c.url, _A.c.published)
    .join(_A, _A.c.id == _M.c.article_id)
    .where(_M.c.event_id == bindparam("event_id"))
    .order_by(_M.c.id)
)
_REPORTS_EXCLUDING = _REPORTS.where(_M.c.id.not_in(bindparam("exclude", expanding=True)))
_NAMES_OF = select(_N.c.name_key).where(_N.c.event_id == bindparam("event_id"))
_DROP_NAMES = delete(_N).where(
    _N.c.event_id == bindparam("event_id"),
    _N.c.name_key.in_(bindparam("names", expanding=True)),
)
_ADD_NAMES = insert(_N)
_NEW_MENTION = insert(_M)
_DROP_MENTIONS = delete(_M).where(_M.c.id.in_(bindparam("ids", expanding=True)))
_DROP_EVENT = delete(_E).where(_E.c.id == bindparam("event_id"))
# INSERT / UPDATE statements take their columns from the parameters given: one statement
# object each, compiled once per set of columns.
_NEW_ARTICLE = insert(_A)
_NEW_EVENT = insert(_E)
_SET_ARTICLE = update(_A).where(_A.c.id == bindparam("row_id"))
_SET_EVENT = update(_E).where(_E.c.id == bindparam("row_id"))
_SET_MENTION = update(_M).where(_M.c.id == bindparam("row_id"))


class _EventRow:
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


def _save_article(
    session: Session,
    article: Article,
    events: Sequence[Event],
    version: str,
    fetched: Mapping[str, Any],
) -> SaveReport:
    """The article's row, then its events: the body of one article's save."""
    article_id, new = _upsert_article(session.connection(), article, fetched)
    applied = _apply(
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
        "fetched_at": fetched.get("fetched_at") or _now(),
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


def _article_model(row: _Article) -> Article:
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


@dataclass
class _Applied:
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


def _apply(
    session: Session,
    article_id: int,
    events: Sequence[Event],
    version: str,
    *,
    source: str,
    published: Date | None,
    new_article: bool = False,
) -> _Applied:
    """Replace what one article says with `events`: match, mention, recompute, prune.

    The article's old mentions are set aside first and its events recomputed without them,
    so a corrected report matches the event as the other articles describe it. Mentions
    whose place comes back are reused; the rest are deleted at the end, and so are events
    left with no mention.
    """
    conn = session.connection()
    applied = _Applied()
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
    touched: dict[int, _EventRow] = {}
    # Whether each touched row still has a mention once `pending` is gone. A row's last
    # recompute already left out every mention still pending then, and a pending mention
    # of a row is only reused while that row is being recomputed, so it is final.
    alive: dict[int, bool] = {}

    def touch(row: _EventRow) -> None:
        if row.id not in touched and row.id not in applied.created:
            applied.snapshots[row.id] = _content(row)
        touched[row.id] = row

    old_events = sorted({m.event_id for m in old})
    if old_events:
        for found in conn.execute(_EVENTS_BY_ID, {"ids": old_events}).mappings():
            row = _EventRow(found)
            touch(row)
            alive[row.id] = _recompute(session, row, exclude=pending)

    for ev in events:
        reported = _dumps(_report_of(ev))
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
    now = _now()
    for event_id, row in touched.items():
        if not alive[event_id]:
            row.dirty = {}
            conn.execute(_DROP_EVENT, {"event_id": event_id})
            if event_id in applied.created:
                applied.created.discard(event_id)
            else:
                applied.removed[event_id] = _change_of(row)
            continue
        if event_id not in applied.created and _content(row) != applied.snapshots[event_id]:
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


def _match(conn: Connection, ev: Event, touched: Mapping[int, _EventRow]) -> _EventRow | None:
    """The stored event this one is, if any: same regulator and kind, a shared name,
    compatible dates. Preference: the same date, then a dated row, then the oldest.

    A row this save already holds is returned as held (its changes are written before
    every match, so the database agrees with it)."""
    names = {normalize_product(n) for n in [ev.product, *ev.product_aliases]} - {""}
    if not names:
        return None
    params = {"names": sorted(names), "regulator": ev.regulator, "kind": ev.kind}
    candidates = [
        row for row in conn.execute(_MATCH, params).mappings() if _compatible(row["date"], ev.date)
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda r: (r["date"] != ev.date, r["date"] is None, r["id"]))
    return touched.get(best["id"]) or _EventRow(best)


def _new_event(
    conn: Connection, ev: Event, version: str, report: tuple[dict[str, Any], str, Date | None]
) -> _EventRow:
    """Insert a row for an event no stored row matches, with its names.

    `report` is its one mention's (report, article url, article published): the row is
    derived from it exactly as `_recompute` would derive it, without reading it back."""
    now = _now()
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
    row = _EventRow(values, names=set(merged.names))
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


def _assign(row: _EventRow, merged: _Merged) -> None:
    """Set the row's derived columns, touching only those that differ (no spurious UPDATEs)."""
    start, end = _date_bounds(merged.date) if merged.date else (None, None)
    values: dict[str, Any] = {
        "product": merged.product,
        "product_key": merged.product_key,
        "product_aliases": _dumps(merged.product_aliases),
        "company": merged.company,
        "target": merged.target,
        "modality": merged.modality,
        "allogeneic": merged.allogeneic,
        "date": merged.date,
        "date_precision": merged.date_precision,
        "date_key": merged.date or "",
        "date_start": start,
        "date_end": end,
        "indications": _dumps(merged.indications),
        "field_sources": _dumps(merged.field_sources),
        "conflicts": _dumps(merged.conflicts) if merged.conflicts else None,
    }
    for name, value in values.items():
        row.set(name, value)


def _recompute(session: Session, row: _EventRow, *, exclude: set[int] | None = None) -> bool:
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
        (json.loads(reported) if reported else _report_of_row(row), url)
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


# --- reading --------------------------------------------------------------------------------


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
    from cgtextract.errors import PatternError
    from cgtextract.rules import load_patterns

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
    column = func.lower(_Event.target)
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
            "product_aliases": _loads(row["product_aliases"]),
            "target": row["target"],
            "modality": row["modality"],
            "allogeneic": row["allogeneic"],
            "regulator": row["regulator"],
            "event_type": row["event_type"],
            "designation": row["designation"],
            "date": row["date"],
            "date_precision": row["date_precision"],
            "indications": _loads(row["indications"]),
            "evidence": row["evidence"] or "",
            "published": row["published"],
            "evidence_start": row["evidence_start"],
            "evidence_end": row["evidence_end"],
        }
    )


def _iso(value: Date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event_record(row: _Event, mentions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row.id,
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
        "first_published": _iso(row.first_published),
        "first_seen_at": _iso(row.first_seen_at),
        "updated_at": _iso(row.updated_at),
        "extractor_version": row.extractor_version,
        "field_sources": json.loads(row.field_sources or "{}"),
        "conflicts": json.loads(row.conflicts) if row.conflicts else None,
        "mentions": mentions,
    }


def _mention_record(m: _Mention, a: _Article) -> dict[str, Any]:
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


# --- read-only SQL --------------------------------------------------------------------------


# Tokens of SQL as each dialect reads them: enough to find where statements end and which
# keyword comes first. SQLite: block comments do not nest, names may be quoted "x", `x`
# or [x]. PostgreSQL: block comments nest, strings may be $tag$...$tag$ or E'..\'..',
# and [ ` are not quotes. A word may hold $ in both ("a$$" is a name, not a quote).
# Unknown dialect: every rule at once (the check then only reads, it does not protect).
def _sql_lexer(*, nested: bool, postgres: bool, sqlite: bool) -> tuple[re.Pattern[str], bool]:
    ident_start = r"[^\W\d]"  # a letter or _, any alphabet
    parts = [
        r"(?P<space>[ \t\n\r\f\v]+)",
        r"(?P<line_comment>--[^\n]*)",
        r"(?P<block_comment>/\*)",
    ]
    if postgres:
        parts.append(r"(?P<estring>[Ee]'(?:[^'\\]|\\.|'')*')")
    parts.append(r"(?P<string>'(?:[^']|'')*')")
    names = [r'"(?:[^"]|"")*"']
    if sqlite:
        names += [r"`(?:[^`]|``)*`", r"\[[^\]]*\]"]
    parts.append(f"(?P<ident>{'|'.join(names)})")
    if postgres:
        parts.append(rf"(?P<dollar>\$(?P<tag>(?:{ident_start}\w*)?)\$.*?\$(?P=tag)\$)")
    parts += [r"(?P<semicolon>;)", rf"(?P<word>{ident_start}[\w$]*)", r"(?P<other>.)"]
    return re.compile("|".join(parts), re.DOTALL), nested


_SQL_LEXERS = {
    "sqlite": _sql_lexer(nested=False, postgres=False, sqlite=True),
    "postgresql": _sql_lexer(nested=True, postgres=True, sqlite=False),
    None: _sql_lexer(nested=True, postgres=True, sqlite=True),
}
_COMMENT_EDGE = re.compile(r"/\*|\*/")


def _block_comment_end(statement: str, start: int, nested: bool) -> int:
    """Where the block comment opened at `start` ends (nested ones counted when `nested`);
    the end of the text when it is never closed."""
    if not nested:
        close = statement.find("*/", start + 2)
        return len(statement) if close < 0 else close + 2
    depth = 0
    for m in _COMMENT_EDGE.finditer(statement, start):
        depth += 1 if m.group() == "/*" else -1
        if depth == 0:
            return m.end()
    return len(statement)


def _single_select(statement: str, dialect: str | None = None) -> str:
    """The statement without a trailing ';' when it is one SELECT or WITH; else InputError.

    A tokenizer, not a parser, reading the text as `dialect` ("sqlite", "postgresql")
    does: it only has to see where statements end (semicolons outside strings, quoted
    names and comments) and which keyword comes first. It is the friendly first check;
    the database is what stops writes and second statements (SQLite opened read-only
    with an authorizer, `sqlite3` running one statement per call; PostgreSQL in a READ
    ONLY transaction through the extended protocol, which takes one statement).
    """
    lexer, nested = _SQL_LEXERS.get(dialect, _SQL_LEXERS[None])
    first: str | None = None
    end: int | None = None
    pos = 0
    while pos < len(statement):
        m = lexer.match(statement, pos)
        if m is None:  # pragma: no cover - `other` matches any character
            break
        kind = m.lastgroup
        pos = m.end()
        if kind == "block_comment":
            pos = _block_comment_end(statement, m.start(), nested)
            continue
        if kind in ("space", "line_comment"):
            continue
        if end is not None:
            raise InputError("--sql takes a single statement")
        if kind == "semicolon":
            end = m.start()
            continue
        if first is None:
            first = m.group().upper() if kind == "word" else m.group()
    if first not in ("SELECT", "WITH"):
        raise InputError("--sql runs only a single SELECT or WITH statement (read-only)")
    return statement[:end] if end is not None else statement


def _sql_error(message: str) -> str:
    if "readonly" in message or "read-only" in message or message == "not authorized":
        return f"--sql is read-only, the database refused to write: {message}"
    return f"SQL error: {message}"


# What --sql may do on SQLite, asked by SQLite itself for every table, column, function
# and pragma a statement touches, before it runs. Reading only: no ATTACH (which would
# create a file; VACUUM INTO starts with one), no transaction, schema or row change.
_SQLITE_READ_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}
)
_SQLITE_DENIED_FUNCTIONS = frozenset(
    {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit", "zipfile"}
)
# Pragmas with no setting form, usable as table-valued functions (pragma_table_info(...)).
_SQLITE_READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
        "database_list",
    }
)
_SQLITE_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_schema", "sqlite_temp_master"})


def _sqlite_read_only_authorizer(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None
) -> int:
    if action in _SQLITE_READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        denied = (arg2 or "").lower() in _SQLITE_DENIED_FUNCTIONS
        return sqlite3.SQLITE_DENY if denied else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _SQLITE_READ_PRAGMAS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and (arg1 or "").lower() in _SQLITE_SCHEMA_TABLES:
        # SQLite asks this when a pragma function reads the schema; the connection is
        # read-only (and `query_only`), so nothing can be written there anyway.
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


# SQLite result codes that say the database itself is broken or unreachable, not the SQL.
_SQLITE_STORAGE_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR", "SQLITE_CANTOPEN")
_SQLITE_BUSY_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED")


def _read_sql_sqlite(engine: Engine, sql: str, shown: str, busy_timeout_s: float) -> SqlResult:
    database = engine.url.database or ""
    conn: sqlite3.Connection | None = None
    raw: Any = None
    try:
        if database in ("", ":memory:") or database.startswith("file:"):
            # No file to reopen read-only: the same database, with query_only on.
            raw = engine.raw_connection()
            conn = raw.driver_connection
        else:
            from pathlib import Path
            from urllib.parse import quote

            path = Path(database).resolve()
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        assert conn is not None
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA query_only=ON")
        try:
            conn.set_authorizer(_sqlite_read_only_authorizer)
            cursor = conn.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            rows = [tuple(r) for r in cursor.fetchall()]
        except sqlite3.Warning as exc:  # Python < 3.12: "one statement at a time"
            raise InputError(_sql_error(str(exc))) from exc
        except sqlite3.Error as exc:
            name = str(getattr(exc, "sqlite_errorname", ""))
            if name.startswith(_SQLITE_STORAGE_ERRORS) or name.startswith(_SQLITE_BUSY_ERRORS):
                raise StorageError(f"cannot run SQL in {shown}: {_one_line(exc)}") from exc
            raise InputError(_sql_error(str(exc))) from exc
        finally:
            conn.set_authorizer(None)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA query_only=OFF")
    except (sqlite3.Error, SQLAlchemyError) as exc:
        raise StorageError(f"cannot run SQL in {shown}: {_one_line(exc)}") from exc
    finally:
        if raw is not None:
            raw.close()
        elif conn is not None:
            conn.close()
    return SqlResult(columns, rows)
