"""The task of one WARC file: read it, keep what passes the prefilter, write its shard.

`read_warc` is the one function both engines run (in a local process pool, or on a Dask
worker). It never writes the database and never raises: whatever happens comes back as a
`WarcResult`, and the shard exists only when the whole WARC was read.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from types import FrameType

from cgtextract.backfill.prefilter import Prefilter
from cgtextract.backfill.shards import Item, ShardWriter
from cgtextract.backfill.warc import (
    DEFAULT_MAX_WARC_BYTES,
    HostFilter,
    RecordCounts,
    captures,
    open_warc,
)
from cgtextract.errors import CgtextractError, RecordTimeout, WarcError
from cgtextract.pipeline import process_body
from cgtextract.settings import Settings

DEFAULT_RECORD_TIMEOUT_S = 30.0
"""Longest one record may take from the prefilter's pass to its events."""


@dataclass(frozen=True)
class WarcTask:
    """Everything a worker needs to read one WARC (picklable: it travels to the worker)."""

    uri: str
    shard: str
    extractor: str
    settings: Settings = field(default_factory=Settings)
    hosts: HostFilter = field(default_factory=HostFilter)
    prefilter: bool = True
    max_warc_bytes: int = DEFAULT_MAX_WARC_BYTES
    record_timeout_s: float = DEFAULT_RECORD_TIMEOUT_S


@dataclass
class WarcResult:
    """What reading one WARC gave: its shard (None if it failed) and its counts."""

    uri: str
    shard: str | None = None
    error: str | None = None
    size: int | None = None
    etag: str | None = None
    counts: RecordCounts = field(default_factory=RecordCounts)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of this process while it read the WARC
    started: float = 0.0  # wall clock (epoch seconds) when the worker began and ended it
    finished: float = 0.0
    peak_rss_mb: float = 0.0
    pid: int = 0


def read_warc(task: WarcTask) -> WarcResult:
    """Read one WARC into its shard; a bad record is counted and skipped, a bad WARC is the
    result's `error` (and leaves no shard)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = WarcResult(uri=task.uri, pid=os.getpid(), started=time.time())
    counts = result.counts
    writer: ShardWriter | None = None
    try:
        writer = ShardWriter(Path(task.shard), task.uri, task.extractor)
        keywords = _prefilter() if task.prefilter else None
        with closing(open_warc(task.uri, task.settings, task.max_warc_bytes)) as stream:
            result.size, result.etag = stream.size, stream.etag
            for capture in captures(stream, counts, task.hosts, task.settings.max_bytes):
                if keywords is not None and not keywords.passes(capture.body):
                    continue
                counts.passed += 1
                try:
                    with time_limit(task.record_timeout_s):
                        article, events = process_body(
                            capture.body,
                            capture.uri,
                            charset=capture.charset,
                            content_type=capture.content_type,
                            url=capture.uri,
                        )
                except CgtextractError as exc:
                    counts.fail(str(exc))
                    continue
                except RecordTimeout:
                    counts.fail(f"{capture.uri}: took longer than {task.record_timeout_s:g}s")
                    continue
                except Exception as exc:  # a bug on one page must not cost the WARC
                    counts.fail(f"{capture.uri}: internal error ({type(exc).__name__}: {exc})")
                    continue
                counts.read += 1
                counts.events += len(events)
                writer.add(Item(capture.date, capture.status, article, events))
        writer.close(asdict(counts))
        result.shard = task.shard
    except (WarcError, CgtextractError, OSError) as exc:
        result.error = str(exc)
    except BaseException as exc:  # FastWARC's panics derive from BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        result.error = f"{task.uri}: internal error ({type(exc).__name__}: {exc})"
    finally:
        if result.shard is None and writer is not None:
            writer.discard()
    result.seconds = time.perf_counter() - start
    result.cpu_seconds = time.process_time() - cpu
    result.finished = time.time()
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


@cache
def _prefilter() -> Prefilter:
    """Built once per worker process."""
    return Prefilter.from_patterns()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise RecordTimeout in this thread if the block runs longer than `seconds`.

    In a main thread (the local engine's processes) a SIGALRM timer does it. Dask runs tasks
    in worker threads, where signals cannot reach; there a timer thread raises the exception
    asynchronously in the task's thread (CPython's PyThreadState_SetAsyncExc), which takes
    effect at the next Python instruction (a long call into C finishes first).
    """
    if seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
        return
    with _async_raise_after(seconds):
        yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise RecordTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _async_raise_after(seconds: float) -> Iterator[None]:
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(RecordTimeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["active"] = False
            if state["fired"]:  # not delivered yet, if the block ended just then: cancel it
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
        timer.cancel()
