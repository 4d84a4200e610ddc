"""Process pools for the CPU stages (clean + extract) of `run --workers` and `ingest --workers`.

Each worker leaves Ctrl-C to its parent, builds the spaCy pipeline once when it starts, and
watches the process that made the pool: when that one is gone (`kill -9`, the OOM killer,
`timeout`), the worker exits within `PARENT_CHECK_S` instead of idling on as an orphan.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from typing import Literal

from cgtextract.errors import CgtextractError

__all__ = ["process_pool", "start_early"]


PARENT_CHECK_S = 0.5
"""How often a worker checks that the process that made its pool is still there."""


def _start_time(pid: int) -> str | None:
    """When process `pid` started (Linux), to tell it from a later process given its pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return started is None or _start_time(pid) == started


def _watch_parent(pid: int) -> None:
    """End this process when process `pid` is gone (a daemon thread of each worker)."""
    started = _start_time(pid)
    while True:
        time.sleep(PARENT_CHECK_S)
        if not _alive(pid, started):
            os._exit(1)


def _init_worker(parent: int) -> None:
    """Worker process start: watch `parent`, leave Ctrl-C to it, build the spaCy pipeline."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from cgtextract.clean import clean_text
    from cgtextract.read import extract

    with suppress(CgtextractError):
        extract(clean_text("Warm-up: the FDA granted RMAT designation to XYZ-001.", "warm-up"))


def process_pool(
    workers: int, start: Literal["fork", "forkserver"] = "fork"
) -> cf.ProcessPoolExecutor:
    """A pool of `workers` processes.

    `fork` copies this process (quick when it is not running threads). A process that runs
    threads (ingest's fetchers) asks for `forkserver`: forking a threaded process can copy
    a held lock into the child, so workers are forked from a clean server process that has
    imported the pipeline once (preloaded), and starting two workers costs one import.
    """
    ctx: multiprocessing.context.BaseContext
    methods = multiprocessing.get_all_start_methods()
    if start == "forkserver" and "forkserver" in methods:
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(["cgtextract.pipeline"])
        ctx = server
    elif start == "fork" and "fork" in methods:
        ctx = multiprocessing.get_context("fork")
    else:
        ctx = multiprocessing.get_context("spawn")
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),)
    )


def _ping() -> None:
    """A no-op task: submitting one per worker starts the workers early."""


def start_early(pool: cf.ProcessPoolExecutor, workers: int) -> None:
    """Start every worker now (submit blocks while a fork server imports the pipeline, so
    call it from a helper thread to overlap that wait with other work)."""
    with suppress(RuntimeError, BrokenProcessPool):  # the run ended (or broke) first
        for _ in range(workers):
            pool.submit(_ping)
