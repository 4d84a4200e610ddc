"""What `ingest` remembers between runs: the run history, each feed's and each URL's state.

Three tables, in the same database as the events, created and upgraded by the migrations
(revision 0003) like the store's own:

    runs        one row per `ingest` run: when, how it ended, what it counted
    feed_state  one row per feed or sitemap URL: validators for the next conditional GET
    url_state   one row per canonical article URL: where it was found, its validators,
                body hash, the feed's date for it, and whether it is done, pending or failing

Every method is one short transaction, so a run killed at any moment leaves the tables
consistent: a URL becomes `done` only in a transaction that follows the commit of its
articles/events (see run.py), and discovery writes a feed's validators together with
the URLs found in it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from cgtextract.errors import StorageError
from cgtextract.ingest.report import RunCounts, RunRecord

__all__ = [
    "STATUS_DISALLOWED",
    "STATUS_DONE",
    "STATUS_EMPTY",
    "STATUS_FAILED",
    "STATUS_PENDING",
    "DiscoveredURL",
    "FeedState",
    "IngestState",
    "FEED_STATE",
    "RUNS",
    "URL_STATE",
    "metadata",
    "URLState",
]

#: url_state.status values.
STATUS_PENDING = "pending"  # discovered, not read yet (or a run died before it was)
STATUS_DONE = "done"  # stored: its article and events are committed
STATUS_EMPTY = "empty"  # read fine, but the page has no article text (nothing to store)
STATUS_FAILED = "failed"  # the last attempt failed; retried on later runs up to max_attempts
STATUS_DISALLOWED = "disallowed"  # robots.txt said no; checked again when rediscovered


_ENDED = re.compile(r"ended (\d+) (\w+) (.*)")


def _now() -> datetime:
    return datetime.now(UTC)


class _IngestBase(DeclarativeBase):
    pass


RUNS = Table(
    "runs",
    _IngestBase.metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    # running | ok | partial (some failed) | interrupted (killed; set by the next run) | error
    Column("status", String(16), nullable=False),
    Column("config", Text),
    Column("pid", Integer),
    *(Column(name, Integer, nullable=False, default=0) for name in RunCounts.model_fields),
    Column("seconds", Float),
    Column("message", Text),
)


class _FeedState(_IngestBase):
    __tablename__ = "feed_state"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    items: Mapped[int | None] = mapped_column(Integer)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class _URLState(_IngestBase):
    __tablename__ = "url_state"

    # Canonical URL: also the `articles.url` the events are stored under.
    url: Mapped[str] = mapped_column(Text, primary_key=True)
    # The URL as discovered, tracking parameters and fragment removed: what is requested.
    fetch_url: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # sha256 of the response body last read: an unchanged body is not extracted again.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # The feed's own date for the item (RSS pubDate/updated, sitemap lastmod), as written:
    # `hint_seen` is the latest discovery's, `hint_done` the one last read successfully;
    # they differ when the source says the item changed.
    hint_seen: Mapped[str | None] = mapped_column(Text)
    hint_done: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int | None] = mapped_column(Integer)


FEED_STATE = cast(Table, _FeedState.__table__)
URL_STATE = cast(Table, _URLState.__table__)
metadata = _IngestBase.metadata
"""The ingest tables, for Alembic's autogenerate and the test that migrations match them."""


@dataclass(frozen=True)
class FeedState:
    """Validators of one feed or sitemap from its last successful fetch."""

    url: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class URLState:
    """What the last runs learned about one article URL."""

    url: str
    fetch_url: str
    source: str
    status: str
    attempts: int
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    hint_seen: str | None
    hint_done: str | None


@dataclass(frozen=True)
class DiscoveredURL:
    """An article link read from a feed, sitemap or listing page."""

    url: str  # canonical
    fetch_url: str
    hint: str | None  # the source's date for it, verbatim; None when it gives none


class IngestState:
    """The ingest tables on an engine (normally the `Store`'s), created on first use."""

    def __init__(self, engine: Engine) -> None:
        """The tables behind `engine`, a Store's (whose migrations made them)."""
        self._engine = engine

    @contextmanager
    def _session(self, what: str, *, write: bool = True) -> Iterator[Session]:
        try:
            with self._engine.connect() as conn:
                # Store's SQLite hook turns this into BEGIN IMMEDIATE: a writer waits on the
                # busy timeout instead of failing when another process writes too. A read
                # takes no write lock (it works on a read-only database).
                conn.execution_options(cgt_write=write)
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    yield session
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot {what}: {_first_line(exc)}") from exc

    # -- runs -----------------------------------------------------------------------------

    def begin_run(self, config: str | None, previous_note: str = "") -> int:
        """Insert a `running` row; a `running` row left by a killed run becomes `interrupted`,
        or what `previous_note` says (a run that could not record its end wrote it in the
        lock file: `ended RUN_ID STATUS MESSAGE`).

        Call it only while holding the ingest lock: then no other run can be live.
        """
        with self._session("start a run") as session:
            conn = session.connection()
            ended = _ENDED.match(previous_note)
            if ended:
                conn.execute(
                    update(RUNS)
                    .where(RUNS.c.id == int(ended[1]), RUNS.c.status == "running")
                    .values(status=ended[2], message=ended[3], finished_at=_now())
                )
            conn.execute(
                update(RUNS)
                .where(RUNS.c.status == "running")
                .values(status="interrupted", message="the process stopped before the end")
            )
            values = {"started_at": _now(), "status": "running", "config": config}
            result = conn.execute(insert(RUNS).values(pid=os.getpid(), **values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: RunCounts,
        seconds: float,
        message: str | None = None,
    ) -> None:
        """Record how the run ended and what it counted."""
        with self._session("finish the run") as session:
            session.connection().execute(
                update(RUNS)
                .where(RUNS.c.id == run_id)
                .values(
                    status=status,
                    finished_at=_now(),
                    seconds=round(seconds, 3),
                    message=message,
                    **counts.counted(),
                )
            )

    def runs(self, limit: int | None = 20) -> list[RunRecord]:
        """The run history, newest first."""
        with self._session("read the run history", write=False) as session:
            stmt = select(RUNS).order_by(RUNS.c.id.desc())
            if limit is not None:
                stmt = stmt.limit(limit)
            rows = session.connection().execute(stmt).mappings()
            return [
                RunRecord.model_validate({k: v for k, v in row.items() if k != "pid"})
                for row in rows
            ]

    # -- feeds ----------------------------------------------------------------------------

    def feeds(self) -> dict[str, FeedState]:
        """Validators of every feed seen so far, by feed URL."""
        with self._session("read feed state", write=False) as session:
            return {
                r.url: FeedState(url=r.url, etag=r.etag, last_modified=r.last_modified)
                for r in session.scalars(select(_FeedState))
            }

    def record_feed(
        self,
        source: str,
        feed_url: str,
        *,
        http_status: int | None,
        etag: str | None,
        last_modified: str | None,
        items: Sequence[DiscoveredURL],
        error: str | None = None,
    ) -> None:
        """Save what one feed fetch found: its validators and its URLs, in one transaction.

        New URLs become `pending`. For known ones only `hint_seen` moves, so a change the
        feed announces stays visible (hint_seen != hint_done) until the URL is read again.
        A failed fetch keeps the old validators and records the error.
        """
        with self._session(f"record feed {feed_url}") as session:
            row = session.get(_FeedState, feed_url)
            if row is None:
                row = _FeedState(url=feed_url, source=source)
                session.add(row)
            row.source = source
            row.checked_at = _now()
            row.http_status = http_status
            row.error = error
            if error is None and http_status != 304:
                row.etag, row.last_modified = etag, last_modified
                row.items = len(items)
            self._add_urls(session, source, items)

    @staticmethod
    def _add_urls(session: Session, source: str, items: Sequence[DiscoveredURL]) -> None:
        if not items:
            return
        by_url = {item.url: item for item in items}
        known = {
            r.url: r
            for r in session.scalars(select(_URLState).where(_URLState.url.in_(list(by_url))))
        }
        now = _now()
        for url, item in by_url.items():
            row = known.get(url)
            if row is None:
                session.add(
                    _URLState(
                        url=url,
                        fetch_url=item.fetch_url,
                        source=source,
                        status=STATUS_PENDING,
                        attempts=0,
                        hint_seen=item.hint,
                        first_seen_at=now,
                    )
                )
            else:
                if row.status == STATUS_FAILED and item.hint and item.hint != row.hint_seen:
                    # The source dates the item anew: a URL given up on gets its tries back.
                    row.attempts = 0
                row.hint_seen = item.hint
                row.source = source

    # -- URLs -----------------------------------------------------------------------------

    def url_states(self, urls: Iterable[str]) -> dict[str, URLState]:
        """The state of each of these canonical URLs that has one."""
        wanted = list(dict.fromkeys(urls))
        out: dict[str, URLState] = {}
        with self._session("read URL state", write=False) as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for r in session.scalars(select(_URLState).where(_URLState.url.in_(chunk))):
                    out[r.url] = _url_state(r)
        return out

    def unfinished(self, sources: Iterable[str]) -> list[URLState]:
        """URLs of these sources left `pending` or `failed` by earlier runs (oldest first)."""
        names = list(sources)
        with self._session("read unfinished URLs", write=False) as session:
            stmt = (
                select(_URLState)
                .where(
                    _URLState.source.in_(names),
                    _URLState.status.in_([STATUS_PENDING, STATUS_FAILED]),
                )
                .order_by(_URLState.first_seen_at, _URLState.url)
            )
            return [_url_state(r) for r in session.scalars(stmt)]

    def mark_done(
        self,
        url: str,
        *,
        run_id: int,
        status: str = STATUS_DONE,
        final_url: str | None,
        etag: str | None,
        last_modified: str | None,
        content_hash: str | None,
        counts: RunCounts | None = None,
    ) -> None:
        """The URL was read and (for `done`) its article committed: nothing left to do.

        Also used for 304s and unchanged bodies: validators are refreshed, the feed's date
        is acknowledged (hint_done = hint_seen) and the attempt count reset.
        """
        with self._session(f"mark {url} {status}") as session:
            row = session.get(_URLState, url)
            if row is None:
                return
            now = _now()
            row.status = status
            row.attempts = 0
            row.error = None
            row.final_url = final_url or row.final_url
            # Keep the old validator when a 304 does not repeat it.
            row.etag = etag or row.etag
            row.last_modified = last_modified or row.last_modified
            row.content_hash = content_hash or row.content_hash
            row.hint_done = row.hint_seen
            row.last_attempt_at = now
            row.done_at = now
            row.run_id = run_id
            _count(session, run_id, counts)

    def mark_failed(
        self, url: str, error: str, *, run_id: int, counts: RunCounts | None = None
    ) -> int:
        """Count one more failed attempt; returns the attempt count."""
        with self._session(f"mark {url} failed") as session:
            row = session.get(_URLState, url)
            if row is None:
                return 0
            row.status = STATUS_FAILED
            row.attempts = (row.attempts or 0) + 1
            row.error = error
            row.last_attempt_at = _now()
            row.run_id = run_id
            _count(session, run_id, counts)
            return row.attempts

    def mark_disallowed(self, url: str, *, run_id: int, counts: RunCounts | None = None) -> None:
        """robots.txt forbids the URL; it is looked at again only when rediscovered."""
        with self._session(f"mark {url} disallowed") as session:
            row = session.get(_URLState, url)
            if row is None:
                return
            row.status = STATUS_DISALLOWED
            row.error = "disallowed by robots.txt"
            row.last_attempt_at = _now()
            row.run_id = run_id
            _count(session, run_id, counts)


def _count(session: Session, run_id: int, counts: RunCounts | None) -> None:
    """The run's counts so far, in the transaction that changes them: a run killed at any
    moment leaves a row that says what it did."""
    if counts is not None:
        session.execute(update(RUNS).where(RUNS.c.id == run_id).values(**counts.counted()))


def _url_state(r: _URLState) -> URLState:
    return URLState(
        url=r.url,
        fetch_url=r.fetch_url,
        source=r.source,
        status=r.status,
        attempts=r.attempts or 0,
        etag=r.etag,
        last_modified=r.last_modified,
        content_hash=r.content_hash,
        hint_seen=r.hint_seen,
        hint_done=r.hint_done,
    )


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    lines = [ln.strip() for ln in str(orig or exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__
