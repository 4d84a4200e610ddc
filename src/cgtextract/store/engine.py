"""Opening a database: engines from URLs, SQLite's pragmas, Alembic migrations, error text.

SQLite runs in WAL mode with `synchronous=NORMAL` and a busy timeout; a write transaction
starts with BEGIN IMMEDIATE (`cgt_write`), PostgreSQL writers take one advisory lock. The
schema is migrated with Alembic (`cgtextract/migrations/`) under that same lock, so two
processes opening a new database at once do not both create it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from cgtextract.errors import StorageError
from cgtextract.settings import DEFAULT_DB_BUSY_TIMEOUT_S

__all__ = [
    "PG_LOCK_KEY",
    "RETRIES",
    "SCHEMA_REVISION",
    "alembic_config",
    "busy_timeout_of",
    "check_integrity",
    "make_engine",
    "migrate",
    "now",
    "one_line",
    "shown_url",
    "transient",
]

SCHEMA_REVISION = "0004"
"""The newest Alembic revision in `cgtextract/migrations/versions` (a test checks)."""

# One key for every writer and for migrations: PostgreSQL advisory locks are per database,
# so two processes writing the same database wait for each other here ("cgtxtrct").
PG_LOCK_KEY = 0x6367747874726374
_SQLITE_BUSY_TIMEOUT_MS = int(DEFAULT_DB_BUSY_TIMEOUT_S * 1000)
# Transient failures worth one more try: SQLite busy after the timeout, PostgreSQL
# serialization failure, deadlock, lock not available.
_RETRY_SQLSTATES = {"40001", "40P01", "55P03"}
RETRIES = 3
"""Tries of a write transaction that lost a lock, before it is reported."""

_log = logging.getLogger(__name__)


def shown_url(url: str) -> str:
    """The URL with any password masked, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as given: it carries no parsable password
        return url


def now() -> datetime:
    """The current time in UTC, as the store writes it."""
    return datetime.now(UTC)


RECOVER = (
    "the file is damaged: restore a backup, or save what is still readable with "
    "`sqlite3 DAMAGED.db .recover | sqlite3 NEW.db` and use NEW.db"
)
"""What to do about a damaged SQLite file, said wherever SQLite reports one."""
_DAMAGED = ("malformed", "not a database")


def one_line(exc: BaseException) -> str:
    """The driver's own message when there is one (SQLAlchemy's str() carries SQL and a
    URL), with what to do when it says the file is damaged."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    message = str(orig if orig is not None else exc)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    return f"{first}; {RECOVER}" if any(d in first for d in _DAMAGED) else first


def check_integrity(engine: Engine, shown: str, *, full: bool = False) -> None:
    """StorageError unless SQLite's own check passes: `PRAGMA quick_check` (page structure,
    O(pages)), or with `full` `PRAGMA integrity_check` (indexes too). Other databases check
    themselves; nothing is done for them."""
    if engine.dialect.name != "sqlite":
        return
    pragma = "integrity_check" if full else "quick_check"
    try:
        with engine.connect() as conn:
            found = [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA {pragma}(1)")]
    except SQLAlchemyError as exc:
        found = [one_line(exc).split(";")[0]]
    if found != ["ok"]:
        problem = " ".join((found[0] if found else "no answer").split())
        problem = problem.replace("*** in database main *** ", "")
        raise StorageError(f"database {shown} is malformed (PRAGMA {pragma}: {problem}); {RECOVER}")


def transient(exc: SQLAlchemyError) -> bool:
    """A lock that another writer held too long: worth another try."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if isinstance(orig, sqlite3.OperationalError):
        return "locked" in str(orig) or "busy" in str(orig)
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES


def make_engine(url: str, shown: str, busy_timeout_s: float | None = None) -> Engine:
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(f"cannot open database {shown}: {one_line(exc)}") from exc
    if engine.dialect.name == "sqlite":
        try:
            busy_ms = int(busy_timeout_of(engine, busy_timeout_s) * 1000)
        except ValueError as exc:
            raise StorageError(f"cannot open database {shown}: {exc}") from exc
        _configure_sqlite(engine, busy_ms)
    return engine


def busy_timeout_of(engine: Engine, given: float | None) -> float:
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


def alembic_config(conn: Connection) -> Any:
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


def migrate(engine: Engine, *, upgrade: bool) -> tuple[str | None, str]:
    """Bring the schema to SCHEMA_REVISION; returns (revision before, revision after).

    The common case, an up-to-date database, costs one small query and no Alembic import.
    Otherwise the upgrade runs in one transaction under the writer lock, so two processes
    opening a new database at once do not both create it. On SQLite, foreign keys are off
    while tables are rebuilt (dropping a parent table would otherwise cascade-delete its
    children's rows) and checked before they are switched back on.
    """
    shown = shown_url(engine.url.render_as_string(hide_password=False))
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
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
                # Another process may have migrated while this one waited for the lock.
                current = _current_revision(conn)
                if current != SCHEMA_REVISION:
                    from alembic import command

                    config = alembic_config(conn)
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
