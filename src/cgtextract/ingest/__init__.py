"""The nightly run: read the source list, find new articles, fetch, extract and store them.

    sources.toml ─► discover ─► plan ─► fetch (threads) ─► clean+extract ─► store ─► url_state
                    (feeds,     (what is  (robots.txt,     (in this process,  (Store.save,
                     sitemaps,   new or    per-host limit   or a process pool  one transaction
                     pages)      changed)  and delay)       with --workers)    per article)

One module per job:

    config.py    the TOML source list and the run's options, validated
    discover.py  feeds, sitemaps and listing pages -> article links under canonical URLs
    run.py       the run: plan, per-host limiter, fetch threads, worker pool, storing
    robots.py    robots.txt, fetched once per host per run (through the address guard)
    lock.py      one run at a time per database
    state.py     the tables `runs`, `feed_state`, `url_state`
    report.py    the counts, the summary line, the progress bar, the run history

What makes it safe to run every night, twice at once, or killed at any moment:

* **Only new or changed URLs are fetched.** Every article URL is canonicalized (tracking
  parameters, fragment and trailing slash dropped) and remembered in `url_state`. A URL
  already stored is not requested again while its feed gives the same date for it; when
  the feed gives no date it is revalidated with a conditional GET (ETag/Last-Modified), and
  a 200 whose body hashes the same as last time is not extracted again.
* **One article, one transaction.** `Store.save` commits an article with its events; only
  after that commit is the URL marked `done`. A run killed in between re-reads that URL
  next time, and the save is idempotent, so nothing is stored twice and nothing half.
* **Failures are kept, not fatal.** A failed URL is recorded (`Store.record_failure` and
  `url_state`: error, attempt count) and retried by the next runs, up to `max_attempts`.
* **One run at a time.** A lock file next to the SQLite database (an advisory lock on
  PostgreSQL) makes a second concurrent run stop at once with `IngestLocked`.
* **Every run is in `runs`:** started, finished, counts, status.
"""

from __future__ import annotations

from cgtextract.clean import decode_html
from cgtextract.errors import EXIT_LOCKED, ConfigError, IngestLocked
from cgtextract.ingest.config import (
    DEFAULT_CONCURRENCY,
    DEFAULT_HOST_DELAY_S,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_PER_HOST,
    SOURCE_TYPES,
    IngestConfig,
    IngestOptions,
    SourceConfig,
    load_config,
    parse_config,
)
from cgtextract.ingest.discover import (
    TRACKING_PARAMS,
    canonicalize_url,
    parse_feed,
    parse_listing,
    parse_sitemap,
    strip_tracking,
)
from cgtextract.ingest.lock import ingest_lock
from cgtextract.ingest.report import (
    IngestFailure,
    IngestReport,
    Progress,
    RunCounts,
    RunRecord,
    TerminalProgress,
    format_runs,
)
from cgtextract.ingest.robots import RobotsCache, RobotsRules, product_token
from cgtextract.ingest.run import HostLimiter, ingest, run_history
from cgtextract.ingest.state import IngestState

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_HOST_DELAY_S",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_PER_HOST",
    "EXIT_LOCKED",
    "SOURCE_TYPES",
    "TRACKING_PARAMS",
    "ConfigError",
    "HostLimiter",
    "IngestConfig",
    "IngestFailure",
    "IngestLocked",
    "IngestOptions",
    "IngestReport",
    "IngestState",
    "Progress",
    "RobotsCache",
    "RobotsRules",
    "RunCounts",
    "RunRecord",
    "SourceConfig",
    "TerminalProgress",
    "canonicalize_url",
    "decode_html",
    "format_runs",
    "ingest",
    "ingest_lock",
    "load_config",
    "parse_config",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
    "product_token",
    "run_history",
    "strip_tracking",
]
