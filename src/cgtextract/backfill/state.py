"""What a backfill remembers between runs: one `backfill_warcs` row per WARC file.

The table is created by the migrations (revision 0004); this module only reads and writes its
rows, through the store's engine, one short transaction each. A WARC is `done` only in a
transaction that follows the commit of its last article, so a run killed at any moment leaves
it `running` (or `loading`) and the next run reads or loads it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from cgtextract.errors import StorageError

STATUS_RUNNING = "running"  # handed to a worker; its shard may not exist yet
STATUS_LOADING = "loading"  # its shard is complete and being stored
STATUS_DONE = "done"  # every article of its shard is stored
STATUS_FAILED = "failed"  # the WARC could not be read (bad, truncated, unreachable)

_metadata = MetaData()
WARCS = Table(
    "backfill_warcs",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("uri", Text, nullable=False, unique=True),
    Column("size", BigInteger),
    Column("etag", String(256)),
    Column("extractor_version", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("records_seen", Integer, nullable=False, default=0),
    Column("records_passed", Integer, nullable=False, default=0),
    Column("records_read", Integer, nullable=False, default=0),
    Column("records_failed", Integer, nullable=False, default=0),
    Column("articles_stored", Integer, nullable=False, default=0),
    Column("articles_older", Integer, nullable=False, default=0),
    Column("events", Integer, nullable=False, default=0),
    Column("seconds", Float),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)
COUNT_COLUMNS = (
    "records_seen",
    "records_passed",
    "records_read",
    "records_failed",
    "articles_stored",
    "articles_older",
    "events",
)


@dataclass(frozen=True)
class WarcRow:
    """One WARC as the table has it."""

    uri: str
    size: int | None
    etag: str | None
    extractor_version: str
    status: str


def _now() -> datetime:
    return datetime.now(UTC)


class WarcState:
    """Reads and writes `backfill_warcs` rows on the database behind `engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, uris: Iterable[str]) -> dict[str, WarcRow]:
        """The rows of these WARCs that exist, by uri."""
        wanted = list(dict.fromkeys(uris))
        found: dict[str, WarcRow] = {}
        cols = (WARCS.c.uri, WARCS.c.size, WARCS.c.etag, WARCS.c.extractor_version, WARCS.c.status)
        try:
            with self.engine.connect() as conn:
                for i in range(0, len(wanted), 500):
                    part = wanted[i : i + 500]
                    for row in conn.execute(select(*cols).where(WARCS.c.uri.in_(part))):
                        found[row.uri] = WarcRow(*row)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read backfill_warcs: {_one_line(exc)}") from exc
        return found

    def set(self, uri: str, **values: object) -> None:
        """Insert the WARC's row or update the given columns of it, in one transaction."""
        try:
            with self.engine.begin() as conn:
                # a write first, so SQLite takes the write lock at once (with its busy wait)
                done = conn.execute(update(WARCS).where(WARCS.c.uri == uri).values(**values))
                if done.rowcount == 0:
                    defaults = {name: 0 for name in COUNT_COLUMNS}
                    conn.execute(WARCS.insert().values(**{**defaults, "uri": uri, **values}))
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot record {uri} in backfill_warcs: {_one_line(exc)}") from exc

    def start(self, uri: str, *, size: int | None, etag: str | None, version: str) -> None:
        """The WARC is handed to a worker: counts back to zero, status running."""
        self.set(
            uri,
            size=size,
            etag=etag,
            extractor_version=version,
            status=STATUS_RUNNING,
            error=None,
            started_at=_now(),
            finished_at=None,
            seconds=None,
            **{name: 0 for name in COUNT_COLUMNS},
        )

    def finish(self, uri: str, status: str, *, error: str | None = None, **counts: object) -> None:
        """The WARC's final status and counts."""
        self.set(uri, status=status, error=error, finished_at=_now(), **counts)


def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(getattr(exc, "orig", None) or exc).splitlines()]
    return next((line for line in lines if line), type(exc).__name__)
