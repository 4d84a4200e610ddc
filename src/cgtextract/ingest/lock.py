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

__all__ = ["HeldLock", "Watchdog", "ingest_lock", "lock_path"]


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
def ingest_lock(engine: Engine) -> Iterator[HeldLock]:
    """Hold the one-run-at-a-time lock for the database behind `engine`, or raise IngestLocked.

    SQLite: `flock` on `<database>.lock` next to the file (released by the kernel when
    the process dies, so `kill -9` leaves no stale lock). PostgreSQL: a session advisory
    lock, which works across machines. Other databases: a lock file in the temp directory,
    which guards one machine only.
    """
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine):
            yield HeldLock()
        return
    path = lock_path(str(engine.url))
    if path is None or sys.platform == "win32":
        yield HeldLock()
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
        left = os.pread(fd, _LOCK_FILE_BYTES, 0).decode("utf-8", "replace").split("\n")
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        # Padded to its full size now, so that a note written later (on a full disk, say)
        # overwrites bytes the file already has instead of needing new ones.
        head = f"{os.getpid()} {started}\n".encode().ljust(_LOCK_FILE_BYTES, b" ")
        os.pwrite(fd, head, 0)
        os.ftruncate(fd, _LOCK_FILE_BYTES)
        try:
            yield HeldLock(fd, left[1].strip() if len(left) > 1 else "")
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


_LOCK_FILE_BYTES = 512


class HeldLock:
    """The lock a run holds, and a place that survives a database that cannot be written:
    `note` leaves a line in the lock file, which the next run finds in `previous_note`."""

    def __init__(self, fd: int | None = None, previous_note: str = "") -> None:
        self._fd = fd
        self.previous_note = previous_note

    def note(self, line: str) -> bool:
        """Leave `line` for the next run; False where there is no lock file."""
        if self._fd is None:
            return False
        data = " ".join(line.split()).encode("utf-8")[: _LOCK_FILE_BYTES // 2]
        try:
            first = os.pread(self._fd, _LOCK_FILE_BYTES, 0).split(b"\n", 1)[0]
            os.pwrite(self._fd, (first + b"\n" + data).ljust(_LOCK_FILE_BYTES, b" "), 0)
        except OSError:
            return False
        return True


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
