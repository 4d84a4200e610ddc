"""One ingest run: discover, plan, fetch politely, read (here or in worker processes), store.

The main thread owns the database; fetch threads only fetch (and read robots.txt), and
worker processes only clean and extract. A URL is marked done only after its article's
transaction committed, so a run killed at any moment is finished by the next one.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from cgtextract.clean import decode_html
from cgtextract.errors import (
    EXIT_FAILED,
    CgtextractError,
    Disallowed,
    Failure,
    FetchError,
    attempt,
    error_line,
)
from cgtextract.fetch import Fetched, fetch, make_client
from cgtextract.ingest.config import IngestConfig, IngestOptions
from cgtextract.ingest.discover import FeedResult, host_of, read_source
from cgtextract.ingest.lock import HeldLock, Watchdog, ingest_lock
from cgtextract.ingest.report import IngestFailure, IngestReport, Progress, RunCounts, RunRecord
from cgtextract.ingest.robots import RobotsCache
from cgtextract.ingest.state import (
    STATUS_DONE,
    STATUS_EMPTY,
    STATUS_FAILED,
    DiscoveredURL,
    IngestState,
    URLState,
)
from cgtextract.models import Article, Event
from cgtextract.netpolicy import guard_for
from cgtextract.pipeline import read_page
from cgtextract.settings import Settings
from cgtextract.store import Store
from cgtextract.workers import process_pool, start_early

__all__ = ["HostLimiter", "ingest", "run_history"]

log = logging.getLogger(__name__)


class HostLimiter:
    """At most `per_host` requests in flight per host, their starts `delay_s` apart."""

    def __init__(self, per_host: int, delay_s: float, stop: threading.Event | None = None) -> None:
        """`per_host` >= 1 concurrent requests; `delay_s` between two starts on one host.
        Setting `stop` ends every wait at once (FetchError), so a stopped run does not
        leave threads sleeping out their turn."""
        self._per_host = max(1, per_host)
        self._delay_s = max(0.0, delay_s)
        self._stop = stop or threading.Event()
        self._guard = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, url: str, min_delay_s: float | None = None) -> Iterator[None]:
        """Hold one of the host's slots for a request, after waiting its turn."""
        host = host_of(url)
        delay = max(self._delay_s, min_delay_s or 0.0)
        with self._guard:
            semaphore = self._slots.setdefault(host, threading.Semaphore(self._per_host))
        with semaphore:
            with self._guard:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                self._next_start[host] = start + delay
            if start > now and self._stop.wait(start - now):
                raise FetchError(f"{url}: not requested, the run stopped")
            yield


_ReadResult = tuple[Article, list[Event]] | Failure


@dataclass(frozen=True)
class _Fetch:
    kind: Literal["body", "not_modified", "same_body", "disallowed", "failed"]
    got: Fetched | None = None
    page: str = ""
    body_hash: str | None = None
    failure: Failure | None = None


def ingest(
    config: IngestConfig,
    settings: Settings,
    store: Store,
    *,
    options: IngestOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> IngestReport:
    """Run every source of `config` once into `store`; the run is recorded in `runs`.

    `settings` should already carry the file's overrides (`config.apply(settings)`);
    `options` replaces `config.options` (the CLI merges its flags in). Raises IngestLocked
    when another run holds the lock, StorageError when the database fails; a failing feed
    or article only counts as failed in the report.
    """
    engine = store.engine
    with ingest_lock(engine) as lock:
        state = IngestState(engine)
        run = _Run(config, settings, store, state, options or config.options, progress, lock)
        return run.execute()


def run_history(store: Store, limit: int | None = 20) -> list[RunRecord]:
    """The `runs` table, newest first (the ingest tables are created if missing)."""
    return IngestState(store.engine).runs(limit)


class _Run:
    """One ingest run. The main thread owns the database; threads only fetch."""

    def __init__(
        self,
        config: IngestConfig,
        settings: Settings,
        store: Store,
        state: IngestState,
        options: IngestOptions,
        progress: Callable[[Progress], None] | None,
        lock: HeldLock,
    ) -> None:
        self.config = config
        self.lock = lock
        self.settings = settings
        self.store = store
        self.state = state
        self.options = options
        self.progress = progress
        self.counts = RunCounts(sources=len(config.sources))
        self.failures: list[IngestFailure] = []
        self.deadline = time.monotonic() + options.max_run_s
        self.stopped = threading.Event()  # set when the run ends, or is out of time
        self._timed_out = False
        self.limiter = HostLimiter(options.per_host, options.host_delay_s, self.stopped)
        self.guard = guard_for(
            [src.url for src in config.sources], allow_private=options.allow_private_addresses
        )
        self.run_id = 0
        self.robots: RobotsCache | None = None
        self.client: httpx.Client | None = None
        self._done = 0
        self._total = 0
        self._cpu: cf.ProcessPoolExecutor | None = None

    # -- top level ------------------------------------------------------------------------

    def _remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def _time_is_up(self) -> None:
        """Past `max_run_s`: no new request starts, and no wait goes on."""
        self._timed_out = True
        self.stopped.set()

    def _hung(self) -> None:
        """The watchdog's last resort: the run is still alive long after max_run_s. Record
        it and end the process, which releases the lock (the kernel drops the flock)."""
        message = f"hung: still running {self.options.max_run_s:g}s (max_run_s) after its start"
        with suppress(Exception):  # whatever state the process is in, it must end
            self.state.finish_run(self.run_id, "hung", self.counts, 0.0, message=message)
        with suppress(Exception):
            sys.stderr.write(error_line(f"ingest run {self.run_id} {message}; stopped") + "\n")
            sys.stderr.flush()
        os._exit(EXIT_FAILED)

    def execute(self) -> IngestReport:
        # Past its deadline the run stops itself; if it is somehow still alive after a
        # last fetch could have ended too, the watchdog ends the process.
        grace = self.options.max_run_s + self.settings.max_fetch_s + 60
        with Watchdog(grace, self._hung):
            return self._execute()

    def _execute(self) -> IngestReport:
        started = time.monotonic()
        self.run_id = self.state.begin_run(self.config.path, self.lock.previous_note)
        try:
            with make_client(self.settings) as client:
                self.client = client
                self.robots = (
                    RobotsCache(client, self.settings, self.guard) if self.options.robots else None
                )
                pool = cf.ThreadPoolExecutor(
                    max_workers=self.options.concurrency, thread_name_prefix="ingest-fetch"
                )
                # Worker processes start now, so their imports overlap with discovery.
                self._start_workers()
                try:
                    discovered = self._discover(pool)
                    jobs = self._plan(discovered) if not self.stopped.is_set() else []
                    self._fetch_all(pool, jobs)
                except BaseException:
                    self.stopped.set()  # interrupted or failed: nothing waits for fetches
                    raise
                finally:
                    # A stopped run leaves its last fetches to end on their own (within
                    # max_fetch_s) instead of waiting for them.
                    wait = not self.stopped.is_set()
                    self.stopped.set()
                    pool.shutdown(wait=wait, cancel_futures=True)
                    if self._cpu is not None:
                        self._cpu.shutdown(wait=wait, cancel_futures=True)
        except BaseException as exc:
            ended = "interrupted" if isinstance(exc, KeyboardInterrupt | SystemExit) else "error"
            self._record_end(ended, Failure.of("", exc).message, time.monotonic() - started)
            raise
        finally:
            if self.progress is not None:
                self.progress(Progress("done", self._done, self._total))
        seconds = time.monotonic() - started
        status: Literal["ok", "partial", "timeout"] = (
            "ok" if not (self.counts.failed or self.counts.sources_failed) else "partial"
        )
        message = None
        if self._timed_out:
            status = "timeout"
            left = self._total - self._done
            message = f"stopped at max_run_s={self.options.max_run_s:g}s; {left} URL(s) left"
        self.state.finish_run(self.run_id, status, self.counts, seconds, message=message)
        return IngestReport(
            run_id=self.run_id,
            status=status,
            seconds=round(seconds, 3),
            failures=self.failures,
            **self.counts.counted(),
        )

    def _record_end(self, status: str, message: str, seconds: float) -> None:
        """Record how a run that did not finish ended; when the database cannot take it
        (a full disk), leave it in the lock file for the next run to record."""
        for pause in (0.0, 0.2, 0.5):
            time.sleep(pause)
            try:
                self.state.finish_run(self.run_id, status, self.counts, seconds, message=message)
                return
            except CgtextractError:
                continue
        self.lock.note(f"ended {self.run_id} {status} {message}")

    def _tick(self, phase: Literal["discover", "fetch"]) -> None:
        if self.progress is not None:
            c = self.counts
            self.progress(
                Progress(phase, self._done, self._total, c.fetched, c.unchanged, c.failed)
            )

    # -- discovery ------------------------------------------------------------------------

    def _discover(self, pool: cf.ThreadPoolExecutor) -> dict[str, tuple[str, DiscoveredURL]]:
        """Read every source (in parallel); record each feed's URLs; canonical URL -> item."""
        feeds = self.state.feeds()
        futures = {
            pool.submit(attempt, src.url, read_source, src, feeds, self._get): src
            for src in self.config.sources
        }
        results: dict[str, list[FeedResult]] = {}
        self._done, self._total = 0, len(futures)
        self._tick("discover")
        try:
            finished = list(cf.as_completed(futures, timeout=self._remaining()))
        except TimeoutError:
            finished = [f for f in futures if f.done()]
            self._time_is_up()
        for future in finished:
            src = futures[future]
            read = future.result()
            if isinstance(read, Failure):  # a bug in discovery: this source fails alone
                read = [FeedResult(src.url, failure=read)]
            results[src.name] = read
            self._done += 1
            self._tick("discover")

        found: dict[str, tuple[str, DiscoveredURL]] = {}
        for src in self.config.sources:  # config order, so the first source listed wins
            failed = False
            for result in results.get(src.name, []):
                if result.failure is not None:
                    failed = True
                    self.failures.append(IngestFailure.of(result.failure, src.name))
                self.state.record_feed(
                    src.name,
                    result.feed_url,
                    http_status=result.status,
                    etag=result.etag,
                    last_modified=result.last_modified,
                    items=result.items,
                    error=result.failure.line if result.failure is not None else None,
                )
                for item in result.items:
                    found.setdefault(item.url, (src.name, item))
            self.counts.sources_failed += failed
        self.counts.discovered = len(found)
        return found

    def _get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        sink: Callable[[bytes, str], bool] | None = None,
    ) -> Fetched:
        """One polite request: the address guard, robots.txt, the host's turn, fetch().

        The guard comes first: a refused origin is not even asked for its robots.txt. A
        body read through `sink` (a feed or sitemap) is bounded by max_feed_bytes."""
        self.guard(url)
        delay = None
        if self.robots is not None:
            if not self.robots.allowed(url):
                raise Disallowed(f"{url}: disallowed by robots.txt")
            delay = self.robots.crawl_delay(url)
        assert self.client is not None
        with self.limiter.slot(url, delay):
            return fetch(
                url,
                self.settings,
                client=self.client,
                etag=etag,
                last_modified=last_modified,
                guard=self.guard,
                sink=sink,
                max_bytes=self.settings.max_feed_bytes,
                cap_name="max_feed_bytes",
            )

    # -- planning -------------------------------------------------------------------------

    def _plan(self, found: dict[str, tuple[str, DiscoveredURL]]) -> list[URLState]:
        """Which URLs to request: new, changed, unfinished; the rest counts as unchanged."""
        states = self.state.url_states(found)
        jobs: list[URLState] = []
        for url, (_source, item) in found.items():
            st = states.get(url)
            if st is None:  # record_feed inserted it; only a concurrent deletion gets here
                continue
            if st.status in (STATUS_DONE, STATUS_EMPTY):
                # The feed dates the item and the date is the one already read: no request.
                if item.hint is not None and st.hint_seen == st.hint_done:
                    self.counts.unchanged += 1
                    continue
            elif st.status == STATUS_FAILED and st.attempts >= self.options.max_attempts:
                self.counts.skipped += 1
                continue
            jobs.append(st)
        names = [s.name for s in self.config.sources]
        for st in self.state.unfinished(names):
            if st.url in found:
                continue
            if st.status == STATUS_FAILED and st.attempts >= self.options.max_attempts:
                continue  # given up; only a new date from its feed revives it
            jobs.append(st)
        return _interleave_hosts(jobs)

    # -- fetch, read, store ---------------------------------------------------------------

    def _fetch_one(self, job: URLState) -> _Fetch:
        """Runs in a fetch thread: request, hash, decode. Never raises."""
        got = attempt(
            job.fetch_url, self._get, job.fetch_url, etag=job.etag, last_modified=job.last_modified
        )
        if isinstance(got, Failure):
            return _Fetch("disallowed" if got.kind == "disallowed" else "failed", failure=got)
        if got.not_modified:
            return _Fetch("not_modified", got=got)
        body_hash = hashlib.sha256(got.body).hexdigest()
        if body_hash == job.content_hash and job.status in (STATUS_DONE, STATUS_EMPTY):
            return _Fetch("same_body", got=got, body_hash=body_hash)
        page = decode_html(got.body, got.charset)
        return _Fetch("body", got=got, page=page, body_hash=body_hash)

    def _start_workers(self) -> None:
        """Create the worker pool; its processes start in the background (about 2 s)."""
        if self.options.workers > 1:
            pool = self._cpu = process_pool(self.options.workers, "forkserver")
            # submit() starts the processes and blocks while the fork server imports the
            # pipeline, so a helper thread pays that wait while discovery and fetching go on.
            threading.Thread(
                target=start_early, args=(pool, self.options.workers), name="ingest-start-workers"
            ).start()

    def _fetch_all(self, pool: cf.ThreadPoolExecutor, jobs: list[URLState]) -> None:
        self._done, self._total = 0, len(jobs)
        self._tick("fetch")
        pending = deque(jobs)
        fetching: dict[cf.Future[_Fetch], URLState] = {}
        reading: dict[cf.Future[_ReadResult], tuple[URLState, _Fetch, cf.ProcessPoolExecutor]] = {}
        # Bounded look-ahead: at most `concurrency` fetches and a few pages per worker wait,
        # so memory stays flat however long the run.
        backlog = 4 * self.options.workers
        while pending or fetching or reading:
            while pending and len(fetching) < self.options.concurrency and len(reading) < backlog:
                job = pending.popleft()
                fetching[pool.submit(self._fetch_one, job)] = job
            waiting: set[cf.Future[Any]] = {*fetching, *reading}
            done, _ = cf.wait(waiting, timeout=self._remaining(), return_when=cf.FIRST_COMPLETED)
            if (not done and self._remaining() <= 0) or self.stopped.is_set():
                self._time_is_up()  # what is left stays pending for the next run
                return
            for future in done:
                if future in fetching:
                    job = fetching.pop(future)
                    outcome: _Fetch = future.result()
                    if outcome.kind != "body":
                        self._settle(job, outcome)
                    elif self._cpu is None:
                        self._store(job, outcome, self._read_here(job, outcome))
                    else:
                        fn, *args = self._read_args(job, outcome)
                        reading[self._cpu.submit(fn, *args)] = (job, outcome, self._cpu)
                else:
                    job, outcome, cpu = reading.pop(future)
                    try:
                        result: _ReadResult = future.result()
                    except BrokenProcessPool:
                        # A worker died (out of memory, a crash in a C extension): the pages
                        # it held fail now and are retried next run; a fresh pool goes on.
                        result = Failure(job.url, "internal", "worker died")
                        if cpu is self._cpu:
                            cpu.shutdown(wait=False, cancel_futures=True)
                            self._start_workers()
                    self._store(job, outcome, result)

    def _read_args(self, job: URLState, outcome: _Fetch) -> tuple[Any, ...]:
        assert outcome.got is not None
        return (read_page, outcome.page, outcome.got.content_type, job.url, outcome.got.final_url)

    def _read_here(self, job: URLState, outcome: _Fetch) -> _ReadResult:
        fn, *args = self._read_args(job, outcome)
        result: _ReadResult = fn(*args)
        return result

    def _settle(self, job: URLState, outcome: _Fetch) -> None:
        """A fetch that needs no extraction: unchanged, disallowed or failed."""
        if outcome.kind == "failed":
            assert outcome.failure is not None
            self._fail(job, outcome.failure)
        elif outcome.kind == "disallowed":
            self.counts.skipped += 1
            self.state.mark_disallowed(job.url, run_id=self.run_id, counts=self.counts)
        else:
            got = outcome.got
            assert got is not None
            self.counts.fetched += outcome.kind == "same_body"
            self.counts.unchanged += 1
            self.state.mark_done(
                job.url,
                run_id=self.run_id,
                counts=self.counts,
                status=job.status if job.status in (STATUS_DONE, STATUS_EMPTY) else STATUS_DONE,
                final_url=got.final_url,
                etag=got.etag,
                last_modified=got.last_modified,
                content_hash=outcome.body_hash,
            )
        self._advance()

    def _store(self, job: URLState, outcome: _Fetch, result: _ReadResult) -> None:
        """Save one read page in its own transaction, then mark its URL done."""
        got = outcome.got
        assert got is not None
        self.counts.fetched += 1
        if isinstance(result, Failure) and result.kind == "no_content":
            self.counts.skipped += 1
            self.state.mark_done(
                job.url,
                run_id=self.run_id,
                counts=self.counts,
                status=STATUS_EMPTY,
                final_url=got.final_url,
                etag=got.etag,
                last_modified=got.last_modified,
                content_hash=outcome.body_hash,
            )
            self._advance()
            return
        if not isinstance(result, Failure):
            article, events = result
            fetched = {
                "final_url": got.final_url,
                "http_status": got.status,
                "etag": got.etag,
                "last_modified": got.last_modified,
            }
            saved = attempt(job.url, self.store.save, article, events, fetched=fetched)
            if isinstance(saved, Failure):
                result = saved
            else:
                # Only now, after the article's transaction committed, is the URL done.
                self.counts.stored += 1
                self.counts.events_new += saved.new_events
                self.counts.events_updated += saved.updated_events
                self.state.mark_done(
                    job.url,
                    run_id=self.run_id,
                    counts=self.counts,
                    final_url=got.final_url,
                    etag=got.etag,
                    last_modified=got.last_modified,
                    content_hash=outcome.body_hash,
                )
        if isinstance(result, Failure):
            self._fail(job, result)
        self._advance()

    def _fail(self, job: URLState, failure: Failure) -> None:
        self.counts.failed += 1
        recorded = attempt(job.url, self.store.record_failure, job.url, failure.line)
        if isinstance(recorded, Failure):
            log.info("cannot record the failure of %s: %s", job.url, recorded.message)
        attempts = self.state.mark_failed(
            job.url, failure.line, run_id=self.run_id, counts=self.counts
        )
        self.failures.append(IngestFailure.of(failure, job.source, attempts))

    def _advance(self) -> None:
        self._done += 1
        self._tick("fetch")


def _interleave_hosts(jobs: list[URLState]) -> list[URLState]:
    """Round-robin over hosts, so threads are not all queued on one slow site."""
    by_host: dict[str, deque[URLState]] = {}
    for job in jobs:
        by_host.setdefault(host_of(job.fetch_url), deque()).append(job)
    out: list[URLState] = []
    queues = list(by_host.values())
    while queues:
        for queue in queues:
            out.append(queue.popleft())
        queues = [q for q in queues if q]
    return out
