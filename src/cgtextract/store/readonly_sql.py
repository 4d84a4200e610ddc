"""`query --sql`: one SELECT, read-only for real, checked first and enforced by the database.

A tokenizer that follows each dialect's rules (`single_select`) is the friendly first check;
then SQLite runs the statement on a separate `mode=ro` connection with `query_only` and an
authorizer that allows reads only, and PostgreSQL in a READ ONLY transaction sent over the
extended protocol (one statement per Parse). Other drivers are refused.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from cgtextract.errors import InputError, StorageError
from cgtextract.settings import (
    DEFAULT_SQL_MAX_BYTES,
    DEFAULT_SQL_MAX_ROWS,
    DEFAULT_SQL_TIMEOUT_S,
)
from cgtextract.store.engine import one_line
from cgtextract.store.reports import SqlResult

__all__ = ["SqlLimits", "read_sql", "single_select"]


@dataclass(frozen=True)
class SqlLimits:
    """What one --sql statement may take: wall time, rows, and bytes of values returned."""

    timeout_s: float = DEFAULT_SQL_TIMEOUT_S
    max_rows: int = DEFAULT_SQL_MAX_ROWS
    max_bytes: int = DEFAULT_SQL_MAX_BYTES

    def collect(self, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The rows, read one at a time; InputError past `max_rows` or `max_bytes`."""
        out: list[tuple[Any, ...]] = []
        size = 0
        for row in rows:
            if len(out) >= self.max_rows:
                raise InputError(
                    f"--sql returned more than {self.max_rows} rows (sql_max_rows); "
                    "add a LIMIT or an aggregate"
                )
            size += sum(_size(value) for value in row)
            if size > self.max_bytes:
                raise self.too_big()
            out.append(tuple(row))
        return out

    def too_big(self) -> InputError:
        """The error for values past `max_bytes`."""
        return InputError(
            f"--sql returned more than {self.max_bytes} bytes (sql_max_bytes); "
            "select fewer or shorter values"
        )

    def too_long(self) -> InputError:
        """The error for a statement past `timeout_s`."""
        return InputError(f"--sql stopped after {self.timeout_s:g}s (sql_timeout_s)")


def _size(value: Any) -> int:
    if isinstance(value, bytes | bytearray | memoryview | str):
        return len(value)
    return 8


def read_sql(
    engine: Engine, statement: str, shown: str, busy_timeout_s: float, limits: SqlLimits
) -> SqlResult:
    """`Store.read_sql` on `engine` (`shown`: its URL for messages)."""
    dialect = engine.dialect
    sql = single_select(statement, dialect.name)
    if dialect.name == "sqlite":
        return _read_sql_sqlite(engine, sql, shown, busy_timeout_s, limits)
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
        raw = engine.raw_connection()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot run SQL in {shown}: {one_line(exc)}") from exc
    try:
        cursor: Any = raw.cursor()
        cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute(f"SET LOCAL statement_timeout = {max(int(limits.timeout_s * 1000), 1)}")
        cursor.execute("SHOW transaction_read_only")
        if (cursor.fetchone() or ("off",))[0] != "on":
            raise StorageError(f"cannot run SQL in {shown}: not read-only")
        # stream(): the extended protocol, whose Parse takes exactly one statement,
        # whatever the text looks like to `single_select` (the simple protocol would run
        # "SELECT 1; COMMIT; DELETE ..." and the DELETE after the read-only COMMIT), and
        # one row at a time, so no result is held whole before the limits see it.
        stream = cursor.stream(sql)
        try:
            rows = limits.collect(stream)
        finally:
            stream.close()  # a stream left open holds the connection's lock
        if cursor.description is None and not rows:  # no row: ask for the columns alone
            cursor.execute(f"SELECT * FROM ({sql}\n) AS q LIMIT 0", prepare=True)
        columns = [d[0] for d in cursor.description or ()]
    except dbapi_error as exc:
        message = one_line(exc)
        if "multiple commands" in message:
            raise InputError("--sql takes a single statement") from exc
        if "statement timeout" in message:
            raise limits.too_long() from exc
        raise InputError(_sql_error(message)) from exc
    finally:
        # The SQL may have changed the session in ways a rollback keeps (a session
        # advisory lock, a prepared statement): this connection is not pooled again.
        with contextlib.suppress(Exception):
            raw.rollback()
        raw.invalidate()
        raw.close()
    return SqlResult(columns, rows)


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


def single_select(statement: str, dialect: str | None = None) -> str:
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


def _read_sql_sqlite(
    engine: Engine, sql: str, shown: str, busy_timeout_s: float, limits: SqlLimits
) -> SqlResult:
    database = engine.url.database or ""
    conn: sqlite3.Connection | None = None
    raw: Any = None
    try:
        if database in ("", ":memory:") or database.startswith("file:"):
            # No file to reopen read-only: the same database, with query_only on.
            raw = engine.raw_connection()
            conn = raw.driver_connection
        else:
            path = Path(database).resolve()
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        assert conn is not None
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA query_only=ON")
        deadline = time.monotonic() + limits.timeout_s
        # SQLite asks every 10,000 steps of its virtual machine whether to go on, and no
        # value may grow past max_bytes (randomblob(1e9) fails before it allocates).
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        length = conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(limits.max_bytes, 1))
        try:
            conn.set_authorizer(_sqlite_read_only_authorizer)
            cursor = conn.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            rows = limits.collect(cursor)
        except sqlite3.Warning as exc:  # Python < 3.12: "one statement at a time"
            raise InputError(_sql_error(str(exc))) from exc
        except sqlite3.Error as exc:
            if "interrupted" in str(exc) and time.monotonic() > deadline:
                raise limits.too_long() from exc
            if "too big" in str(exc):
                raise limits.too_big() from exc
            name = str(getattr(exc, "sqlite_errorname", ""))
            if name.startswith(_SQLITE_STORAGE_ERRORS) or name.startswith(_SQLITE_BUSY_ERRORS):
                raise StorageError(f"cannot run SQL in {shown}: {one_line(exc)}") from exc
            raise InputError(_sql_error(str(exc))) from exc
        finally:
            conn.set_authorizer(None)
            conn.set_progress_handler(None, 0)
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, length)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA query_only=OFF")
    except (sqlite3.Error, SQLAlchemyError) as exc:
        raise StorageError(f"cannot run SQL in {shown}: {one_line(exc)}") from exc
    finally:
        if raw is not None:
            raw.close()
        elif conn is not None:
            conn.close()
    return SqlResult(columns, rows)
