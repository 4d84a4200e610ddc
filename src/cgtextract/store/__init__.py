"""The database: articles, de-duplicated events, the mentions that link them.

One real-world event is one `events` row however many articles report it; every place it
was read is a `mentions` row that keeps what that article said (`mentions.reported`). The
event row is derived from its mentions: the most precise date, the first value given for
each other field (`field_sources` says which article gave it), and the values other articles
disagree with in `conflicts`. So a later, more precise report refines the row, and
re-reading or pruning one article recomputes the rows it touched.

The flow, one module per job:

    Store(url)        engine.py     engine from the URL, SQLite pragmas, Alembic migrations
    Store.save        write.py      match each event (identity.py), mention it, recompute
                                    the rows it touched from their mentions, prune
    Store.query ...   read.py       filters as bound parameters, stats, export, articles
    Store.read_sql    readonly_sql  one SELECT, read-only for real
                      tables.py     the tables; reports.py what the operations return

There is no UNIQUE key for identity (a refined date would break one), so writers serialize
instead: `BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on PostgreSQL.
The SQLAlchemy tables are private to this package: callers hand in and get back the
Pydantic models of `models.py`, and driver errors become `StorageError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Literal, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cgtextract.errors import Failure, StorageError
from cgtextract.models import Article, Event
from cgtextract.names import normalize_product
from cgtextract.settings import (
    DEFAULT_DB_BUSY_TIMEOUT_S,
    DEFAULT_SQL_MAX_BYTES,
    DEFAULT_SQL_MAX_ROWS,
    DEFAULT_SQL_TIMEOUT_S,
)
from cgtextract.store import read, readonly_sql, write
from cgtextract.store.engine import (
    PG_LOCK_KEY,
    RETRIES,
    SCHEMA_REVISION,
    busy_timeout_of,
    check_integrity,
    make_engine,
    migrate,
    one_line,
    shown_url,
    transient,
)
from cgtextract.store.identity import merge_reports
from cgtextract.store.read import SORTS
from cgtextract.store.reports import (
    EventChange,
    InitReport,
    ReextractReport,
    SaveReport,
    SqlResult,
    StoreStats,
)
from cgtextract.store.tables import OWN_TABLES, metadata
from cgtextract.store.write import Applied, extractor_version

__all__ = [
    "OWN_TABLES",
    "SCHEMA_REVISION",
    "SORTS",
    "Applied",
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
    "metadata",
    "normalize_product",
]

_T = TypeVar("_T")
_log = logging.getLogger(__name__)


class Store:
    """The event database behind one SQLAlchemy URL (SQLite file by default).

    `engine` is public so other modules (the nightly ingest) can keep their own tables in
    the same database; they must not write the tables in `OWN_TABLES`.
    """

    def __init__(
        self,
        url: str,
        *,
        upgrade: bool = True,
        busy_timeout_s: float | None = None,
        check: Literal["quick", "full"] | None = None,
    ) -> None:
        """Open the database, creating or upgrading its schema to the newest revision.

        With `upgrade=False` an older database is refused (StorageError) instead of being
        upgraded. StorageError also when the database cannot be opened.

        `busy_timeout_s` (SQLite): how long a statement waits for another process's lock
        before failing with "database is locked"; default the URL's `?timeout=` (the
        pysqlite option), else `settings.DEFAULT_DB_BUSY_TIMEOUT_S`.

        `check` runs SQLite's own check first (`check_integrity`), before anything is
        written: a damaged file is a StorageError saying how to recover, left as it was.
        """
        self.url = url
        self._shown_url = shown_url(url)
        self.engine: Engine = make_engine(url, self._shown_url, busy_timeout_s)
        self.busy_timeout_s: float = (
            busy_timeout_of(self.engine, busy_timeout_s)  # checked by make_engine
            if self.engine.dialect.name == "sqlite"
            else DEFAULT_DB_BUSY_TIMEOUT_S
        )
        try:
            if check is not None:
                self.check_integrity(full=check == "full")
            self.revision_before, self.revision = migrate(self.engine, upgrade=upgrade)
        except StorageError:
            self.engine.dispose()
            raise
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StorageError(f"cannot open database {self._shown_url}: {self._why(exc)}") from exc

    def check_integrity(self, *, full: bool = False) -> None:
        """StorageError (saying how to recover) unless the database passes SQLite's
        `PRAGMA quick_check`, or `integrity_check` with `full`. No-op on PostgreSQL."""
        check_integrity(self.engine, self._shown_url, full=full)

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
        for tries in range(1, RETRIES + 1):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(cgt_write=True)
                    with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                        if conn.dialect.name == "postgresql":
                            session.execute(
                                text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY}
                            )
                        return work(session)
            except SQLAlchemyError as exc:
                if tries < RETRIES and transient(exc):
                    # info, not warning: with no logging set up, a warning would reach
                    # stderr through logging's last-resort handler, around the CLI's line.
                    _log.info("retrying %s after %s", what, one_line(exc))
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
        message = one_line(exc)
        if isinstance(exc, SQLAlchemyError) and transient(exc) and self._is_sqlite:
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
            return write.save_article(session, article, events, version, fetched or {})

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
                        out.append(write.save_article(session, article, events, version, {}))
                except SQLAlchemyError as exc:
                    if transient(exc):
                        raise
                    error = StorageError(
                        f"cannot save {article.source} in {self._shown_url}: {self._why(exc)}"
                    )
                    out.append(Failure.of(article.source, error))
            return out

        return self._transact(f"save {len(items)} articles", work) if items else []

    def record_failure(self, url: str, error: str) -> None:
        """Remember that a source could not be read, so a run summary and SQL can show it."""
        self._transact(
            f"record failure of {url}", lambda session: write.record_failure(session, url, error)
        )

    def adopt_sources(self, renamed: Mapping[str, str]) -> None:
        """Store articles kept under an old name (`renamed`: old -> new) under the new one,
        when nothing is stored under the new one yet, in one transaction."""

        def work(session: Session) -> None:
            for old, new in renamed.items():
                write.rename_article(session, old, new)

        self._transact("rename articles", work)

    def replace_events(
        self, article_id: int, article: Article, events: list[Event], *, extractor: str
    ) -> Applied:
        """Replace what a stored article says with `events` (a re-reading of its text), in
        one transaction; what changed, for `changes`. Nothing when the article is gone."""

        def work(session: Session) -> Applied:
            if read.stored_article(session, article_id) is None:
                return Applied()  # deleted meanwhile by another process
            return write.apply(
                session,
                article_id,
                events,
                extractor,
                source=article.source,
                published=article.published,
            )

        return self._transact(f"re-extract {article.source}", work)

    # -- reading -----------------------------------------------------------------------------

    def query(self, **filters: Any) -> list[Event]:
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
        for dates and False for names; `limit`. A bad value is an InputError.
        """
        stmt = read.query_statement(**filters)
        return self._read("query events", lambda session: read.events(session, stmt))

    def counts(self) -> dict[str, int]:
        """Row counts of the three main tables, for `stats` and tests."""
        return self._read("count rows", read.counts)

    def stats(self) -> StoreStats:
        """Counts of events by regulator, kind, modality and month (quarter or year when the
        date is no more precise; "undated" when there is none)."""
        return self._read("count events", read.stats)

    def export(self, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every event with its mentions, oldest first, as plain JSON-ready dicts.

        Each has the event's columns (lists and JSON columns decoded) and `mentions`: the
        article source, final URL, title and publication date, evidence and offsets, and
        the extractor version of each place the event was read. Read in batches, so a
        large database streams.
        """
        last = 0
        while True:
            records = self._read(
                "export events", partial(read.export_batch, after=last, batch=batch)
            )
            if not records:
                return
            yield from records
            last = int(records[-1]["id"])

    def article_ids(self, *, since: str | None = None) -> list[int]:
        """Ids of the articles with stored text, oldest first; `since` (an ISO date at any
        precision) keeps those published on or after it (undated: by the day fetched)."""
        return self._read("list articles", lambda session: read.article_ids(session, since))

    def stored_article(self, article_id: int) -> Article | None:
        """A stored article rebuilt from its text, title, date and source (None: no text)."""
        return self._read("read article", lambda s: read.stored_article(s, article_id))

    def changes(
        self, applied: Sequence[Applied]
    ) -> tuple[list[EventChange], list[EventChange], list[EventChange]]:
        """The events that `replace_events` calls added, changed and retired, as they are now."""
        return self._read("compare events", lambda session: read.changes(session, applied))

    def read_sql(
        self,
        statement: str,
        *,
        timeout_s: float = DEFAULT_SQL_TIMEOUT_S,
        max_rows: int = DEFAULT_SQL_MAX_ROWS,
        max_bytes: int = DEFAULT_SQL_MAX_BYTES,
    ) -> SqlResult:
        """Run one SELECT (or WITH ... SELECT) read-only and return its rows.

        Read-only for real, not only by looking at the text: SQLite runs it on a separate
        connection opened with `mode=ro`, `PRAGMA query_only=ON` and an authorizer that
        allows reads only; PostgreSQL in a READ ONLY transaction that is rolled back, sent
        with the extended protocol (one statement, whatever the text holds) on a connection
        that is closed afterwards. Other drivers are refused. Anything but a single
        SELECT/WITH statement (as the dialect tokenizes it) is refused first. Refusals and
        SQL errors are InputError; a broken or locked database is StorageError.

        Limits (InputError naming the setting): the statement stops after `timeout_s`,
        returns at most `max_rows` rows and `max_bytes` bytes of values.
        """
        limits = readonly_sql.SqlLimits(timeout_s, max_rows, max_bytes)
        return readonly_sql.read_sql(
            self.engine, statement, self._shown_url, self.busy_timeout_s, limits
        )


def init_database(url: str, *, upgrade: bool = False) -> InitReport:
    """Create the database at the newest schema, or with `upgrade` bring an older one there.

    Without `upgrade`, a database at an older revision is a StorageError naming the fix.
    A SQLite file must pass `PRAGMA integrity_check` first.
    """
    with Store(url, upgrade=upgrade, check="full") as store:
        return InitReport(url=shown_url(url), before=store.revision_before, after=store.revision)
