"""A backfill run: which WARCs to read, the engine that reads them, the loader that stores.

For each WARC given: skipped when `backfill_warcs` says it is done by this extractor version
(and, for a local file, at this size), unless `force`; loaded straight from its shard when a
killed run left a whole one; otherwise handed to the engine. Shards are stored as their tasks
finish, one at a time, by this process only; a stored WARC's shard is then deleted.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cgtextract.backfill import state as st
from cgtextract.backfill.engines import results
from cgtextract.backfill.loader import LoadCounts, load_shard
from cgtextract.backfill.shards import read_header, read_summary, shard_path
from cgtextract.backfill.warc import DEFAULT_MAX_WARC_BYTES, HostFilter, RecordCounts, warc_size
from cgtextract.backfill.worker import DEFAULT_RECORD_TIMEOUT_S, WarcResult, WarcTask
from cgtextract.errors import CgtextractError, InputError, ShardError
from cgtextract.pipeline import is_url
from cgtextract.settings import Settings
from cgtextract.store import Store, extractor_version

DEFAULT_SHARDS = Path("backfill-shards")
CC_BASE_URL = "https://data.commoncrawl.org/"


@dataclass(frozen=True)
class BackfillOptions:
    """How a backfill runs (the CLI's flags)."""

    engine: str = "local"
    workers: int = 1
    scheduler: str | None = None
    shards: Path = DEFAULT_SHARDS
    force: bool = False
    prefilter: bool = True
    hosts: HostFilter = field(default_factory=HostFilter)
    memory_limit: str | None = None
    max_warc_bytes: int = DEFAULT_MAX_WARC_BYTES
    record_timeout_s: float = DEFAULT_RECORD_TIMEOUT_S
    keep_shards: bool = False


class BackfillReport(BaseModel):
    """What one run did; `--json` prints exactly this."""

    warcs: int = 0
    read: int = 0
    loaded_from_shards: int = 0
    skipped: int = 0
    failed: int = 0
    records_seen: int = 0
    records_passed: int = 0
    records_read: int = 0
    records_failed: int = 0
    articles_stored: int = 0
    articles_older: int = 0
    articles_failed: int = 0
    events_new: int = 0
    events_updated: int = 0
    seconds: float = 0.0
    failures: list[str] = []

    @property
    def exit_code(self) -> int:
        """0 all went well; 1 some WARCs (or articles) failed; 2 every WARC failed."""
        if self.failed and self.failed == self.warcs - self.skipped:
            return 2
        return 1 if self.failed or self.articles_failed else 0

    def summary_line(self) -> str:
        """The one line a log gets."""
        rate = self.records_seen / self.seconds if self.seconds else 0.0
        share = 100.0 * self.records_passed / self.records_seen if self.records_seen else 0.0
        older = (
            f", {self.articles_older} older capture(s) not stored" if self.articles_older else ""
        )
        return (
            f"backfill: {self.warcs} WARC(s), {self.read} read, {self.skipped} skipped, "
            f"{self.failed} failed; {self.records_seen} record(s), {self.records_passed} passed "
            f"the prefilter ({share:.1f} %), {self.records_read} read, {self.records_failed} "
            f"failed; {self.articles_stored} article(s) stored{older}, {self.events_new} new / "
            f"{self.events_updated} updated event(s); {self.seconds:.1f} s ({rate:.0f} records/s)"
        )


Progress = Callable[[int, WarcResult | None], None]
"""Told the number of WARCs to read (result None), then each result as it is stored."""


def backfill(
    sources: Sequence[str],
    store: Store,
    settings: Settings,
    options: BackfillOptions | None = None,
    progress: Progress | None = None,
) -> BackfillReport:
    """Read the WARCs (paths or http(s) URLs) into the store. One WARC's failure is counted
    and reported, never stops the others; InputError for a missing package or engine."""
    options = options or BackfillOptions()
    require_packages()
    started = time.perf_counter()
    version = extractor_version()
    state = st.WarcState(store.engine)
    uris = list(dict.fromkeys(s if is_url(s) else str(Path(s).resolve()) for s in sources))
    report = BackfillReport(warcs=len(uris))
    rows = state.rows(uris)
    tasks: list[WarcTask] = []
    ready: list[WarcResult] = []
    for uri in uris:
        shard = shard_path(options.shards, uri)
        if not options.force and _done(rows.get(uri), version, warc_size(uri)):
            report.skipped += 1
            shard.unlink(missing_ok=True)
            continue
        whole = None if options.force else _whole_shard(shard, uri, version)
        if whole is not None:
            ready.append(whole)
            continue
        _drop_parts(shard)
        tasks.append(
            WarcTask(
                uri=uri,
                shard=str(shard),
                extractor=version,
                settings=settings,
                hosts=options.hosts,
                prefilter=options.prefilter,
                max_warc_bytes=options.max_warc_bytes,
                record_timeout_s=options.record_timeout_s,
            )
        )
    for task in tasks:
        state.start(task.uri, size=warc_size(task.uri), etag=None, version=version)
    if progress is not None:
        progress(len(ready) + len(tasks), None)
    report.loaded_from_shards = len(ready)
    for result in ready:
        _store(result, store, state, version, options, report, progress)
    if tasks:
        for result in results(
            tasks,
            engine=options.engine,
            workers=options.workers,
            scheduler=options.scheduler,
            memory_limit=options.memory_limit,
        ):
            _store(result, store, state, version, options, report, progress)
    report.seconds = time.perf_counter() - started
    return report


BACKFILL_HINT = "pip install 'cgtextract[backfill]'"


def require_packages() -> None:
    """InputError naming the extra to install when FastWARC, warcio or resiliparse is missing."""
    import importlib.util

    needed = ("fastwarc", "warcio", "resiliparse")
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(f"backfill needs {' and '.join(missing)}: {BACKFILL_HINT}")


def _done(row: st.WarcRow | None, version: str, size: int | None) -> bool:
    return (
        row is not None
        and row.status == st.STATUS_DONE
        and row.extractor_version == version
        and (size is None or row.size is None or row.size == size)
    )


def _whole_shard(shard: Path, uri: str, version: str) -> WarcResult | None:
    """The result a killed run left in a whole shard of this WARC and extractor, if any."""
    header = read_header(shard)
    if header is None or header.get("warc") != uri or header.get("extractor") != version:
        return None
    try:
        summary = read_summary(shard)
    except ShardError:
        return None
    counts = RecordCounts(failures=list(summary.get("failures", [])))
    for name in ("seen", "passed", "read", "failed", "events"):
        setattr(counts, name, int(summary.get(name, 0)))
    return WarcResult(uri=uri, shard=str(shard), counts=counts)


def _drop_parts(shard: Path) -> None:
    """Temporary files a killed run's workers left for this shard."""
    for part in shard.parent.glob(f".{shard.name}.*.part"):
        part.unlink(missing_ok=True)


def _store(
    result: WarcResult,
    store: Store,
    state: st.WarcState,
    version: str,
    options: BackfillOptions,
    report: BackfillReport,
    progress: Progress | None,
) -> None:
    """Record a WARC's result and store its shard; a failure is the WARC's, not the run's."""
    seen = result.counts
    report.records_seen += seen.seen
    report.records_passed += seen.passed
    report.records_read += seen.read
    report.records_failed += seen.failed
    counts: dict[str, Any] = {
        "records_seen": seen.seen,
        "records_passed": seen.passed,
        "records_read": seen.read,
        "records_failed": seen.failed,
        "events": seen.events,
        "seconds": result.seconds,
    }
    if result.size is not None:
        counts["size"] = result.size
    if result.etag is not None:
        counts["etag"] = result.etag[:256]
    error = result.error
    loaded = LoadCounts()
    if error is None and result.shard is not None:
        state.set(result.uri, status=st.STATUS_LOADING, extractor_version=version, **counts)
        try:
            loaded = load_shard(store, Path(result.shard))
        except (ShardError, CgtextractError) as exc:
            error = str(exc)
        else:
            if loaded.failed:
                error = f"{result.uri}: {loaded.failed} article(s) could not be stored"
                report.failures.extend(loaded.failures)
    report.articles_stored += loaded.stored
    report.articles_older += loaded.older
    report.articles_failed += loaded.failed
    report.events_new += loaded.new_events
    report.events_updated += loaded.updated_events
    counts.update(articles_stored=loaded.stored, articles_older=loaded.older)
    if error is None:
        report.read += 1
        state.finish(result.uri, st.STATUS_DONE, extractor_version=version, **counts)
        if result.shard is not None and not options.keep_shards:
            Path(result.shard).unlink(missing_ok=True)
        _drop_parts(shard_path(options.shards, result.uri))  # left by a worker that died
    else:
        report.failed += 1
        report.failures.append(error)
        state.finish(result.uri, st.STATUS_FAILED, error=error, extractor_version=version, **counts)
    if progress is not None:
        progress(0, result)


def warc_paths(paths_file: str, base_url: str = CC_BASE_URL) -> list[str]:
    """The WARCs of a `warc.paths` listing (plain or gzip): one path a line, each joined to
    `base_url` unless it is already a URL. Blank lines and `#` comments are skipped."""
    path = Path(paths_file)
    try:
        data = path.read_bytes()
        if data.startswith(b"\x1f\x8b"):
            data = gzip.decompress(data)
        lines = data.decode("utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{paths_file}: no such file") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"{paths_file}: cannot read ({exc})") from None
    base = base_url if base_url.endswith("/") else base_url + "/"
    out = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(line if is_url(line) else base + line.lstrip("/"))
    return out


class TerminalProgress:
    """A rich progress bar over the WARCs, with records per second and the time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("WARCs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[records]} records, {task.fields[rate]} rec/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None
        self._records = 0
        self._started = time.monotonic()

    def __call__(self, total: int, result: WarcResult | None) -> None:
        if result is None:
            self._bar.start()
            self._task = self._bar.add_task("backfill", total=total, records=0, rate=0)
            return
        self._records += result.counts.seen
        rate = self._records / max(time.monotonic() - self._started, 1e-6)
        self._bar.update(self._task, advance=1, records=self._records, rate=f"{rate:.0f}")

    def close(self) -> None:
        """Take the bar off the terminal."""
        self._bar.stop()
