"""Where `read_warc` runs: this process, a local process pool, or a Dask cluster.

One task per WARC file. Both engines yield each `WarcResult` as its task finishes, so the
driver stores a shard while the other WARCs are still being read. A task whose worker process
dies (killed, out of memory) is run again, twice at most, then reported failed: the local
pool starts a fresh pool for what was in flight; Dask reschedules it itself (the scheduler's
`allowed-failures`, set to 2 on a cluster started here) and `retries=2` covers an exception.
"""

from __future__ import annotations

import hashlib
import importlib
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from cgtextract.backfill.worker import WarcResult, WarcTask, read_warc
from cgtextract.errors import InputError

ENGINES = ("local", "dask")
RETRIES = 2
DASK_HINT = "pip install 'cgtextract[dask]'"


def results(
    tasks: Sequence[WarcTask],
    *,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    memory_limit: str | None = None,
) -> Iterator[WarcResult]:
    """Each task's result, in the order they finish."""
    if engine == "dask":
        yield from dask_results(
            tasks, workers=workers, scheduler=scheduler, memory_limit=memory_limit
        )
    elif engine == "local":
        yield from local_results(tasks, workers=workers)
    else:
        raise InputError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")


# --- local ----------------------------------------------------------------------------------


def local_results(tasks: Sequence[WarcTask], *, workers: int = 1) -> Iterator[WarcResult]:
    """One worker: in this process, one WARC after the other. More: a process pool of
    `workers` fresh (spawned) processes that exit if this one dies."""
    if workers <= 1:
        for task in tasks:
            yield read_warc(task)
        return
    tries: Counter[str] = Counter()
    pending = list(tasks)
    while pending:
        crashed: list[WarcTask] = []
        with ProcessPoolExecutor(
            max_workers=min(workers, len(pending)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            running: dict[Future[WarcResult], WarcTask] = {}
            queue = list(pending)
            # at most two tasks per worker queued at once: a broken pool loses few
            while queue or running:
                while queue and len(running) < 2 * workers:
                    task = queue.pop(0)
                    running[pool.submit(read_warc, task)] = task
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        crashed.append(task)
                if crashed:  # the pool is gone: everything in flight goes round again
                    crashed += list(running.values()) + queue
                    running.clear()
                    queue.clear()
        pending = []
        for task in crashed:
            tries[task.uri] += 1
            if tries[task.uri] > RETRIES:
                yield WarcResult(
                    uri=task.uri, error=f"{task.uri}: worker process died {tries[task.uri]} times"
                )
            else:
                pending.append(task)


def _exit_with_parent(parent: int) -> None:
    """Pool workers outlive a parent killed with SIGKILL unless they watch for it."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="cgtextract-parent-watch").start()


# --- Dask -----------------------------------------------------------------------------------


def dask_results(
    tasks: Sequence[WarcTask],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    memory_limit: str | None = None,
) -> Iterator[WarcResult]:
    """Run the tasks on the Dask cluster at `scheduler` (tcp://host:8786), or on a
    `LocalCluster` of `workers` single-threaded processes started here."""
    try:
        import dask

        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise InputError(f"the dask engine needs dask.distributed: {DASK_HINT}") from None
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    cluster: Any = None
    with dask.config.set({"distributed.scheduler.allowed-failures": RETRIES}):
        try:
            if scheduler:
                client = Client(scheduler, timeout="20s")
            else:
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    memory_limit=memory_limit or "auto",
                )
                client = Client(cluster)
        except (OSError, TimeoutError) as exc:
            if cluster is not None:
                cluster.close()
            where = scheduler or "a local cluster"
            raise InputError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
    try:
        futures = {
            client.submit(read_warc, task, key=_key(task), pure=False, retries=RETRIES): task
            for task in tasks
        }
        for future in distributed.as_completed(futures):
            task = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # KilledWorker after the retries, a lost scheduler
                yield WarcResult(uri=task.uri, error=f"{task.uri}: {type(exc).__name__}: {exc}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _key(task: WarcTask) -> str:
    digest = hashlib.sha256(task.uri.encode("utf-8")).hexdigest()[:16]
    return f"cgtextract-warc-{digest}-{os.getpid()}-{time.monotonic_ns()}"
