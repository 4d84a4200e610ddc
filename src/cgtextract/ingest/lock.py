"""One `ingest` at a time per database: a lock held for the whole run, never forever.

SQLite: `flock` on `<database>.lock` next to the file, released by the kernel when the
process dies (so `kill -9` leaves no stale lock). PostgreSQL: a session advisory lock,
which works across machines. Other databases: a lock file in the temp directory.

A run that hangs holds the lock while its process lives, so the process cannot live
forever: the run stops itself at `max_run_s`, and a `Watchdog` ends the process (after
recording the run as `hung`) if it is still there well after that.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from cgtextract.errors import IngestLocked, StorageError

__all__ = ["Watchdog", "ingest_lock", "lock_path"]


def lock_path(db_url: str) -> Path | None:
    """Where the lock file of a database is (None: a private in-memory database)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None  # a private in-memory database: nobody else can write to it
        return Path(f"{database}.lock")
    import tempfile

    key = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"cgtextract-ingest-{key}.lock"


@contextmanager
def ingest_lock(engine: Engine) -> Iterator[None]:
    """Hold the one-run-at-a-time lock for the database behind `engine`, or raise IngestLocked.

    SQLite: `flock` on `<database>.lock` next to the file (released by the kernel when
    the process dies, so `kill -9` leaves no stale lock). PostgreSQL: a session advisory
    lock, which works across machines. Other databases: a lock file in the temp directory,
    which guards one machine only.
    """
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine):
            yield
        return
    path = lock_path(str(engine.url))
    if path is None or sys.platform == "win32":
        yield
        return
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StorageError(f"cannot create the ingest lock file {path}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 128, 0).decode("ascii", "replace").split()
            who = ""
            if holder and holder[0].isdigit():
                since = f", since {holder[1]} UTC" if len(holder) > 1 else ""
                who = f" (pid {holder[0]}{since})"
            raise IngestLocked(
                f"another ingest is already running on this database{who}; lock: {path}"
            ) from None
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        os.pwrite(fd, f"{os.getpid()} {started}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


_PG_LOCK_KEY = int.from_bytes(hashlib.sha256(b"cgtextract-ingest").digest()[:8], "big", signed=True)


@contextmanager
def _pg_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_LOCK_KEY}).scalar()
        if not got:
            raise IngestLocked("another ingest is already running on this database")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})


class Watchdog:
    """Calls `on_expire` (from a thread of its own) if the block it guards is still running
    `seconds` after it began; nothing when the block ends first."""

    def __init__(self, seconds: float, on_expire: Callable[[], None]) -> None:
        self._timer = threading.Timer(seconds, on_expire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()
