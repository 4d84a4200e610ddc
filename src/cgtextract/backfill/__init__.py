"""Backfill: regulatory events from web archives (WARC files), on one core or a Dask cluster.

warc.py       read local or http(s) WARCs, checked for truncation; HTML responses only
prefilter.py  the keyword test built from patterns/ that keeps trafilatura off most records
worker.py     one WARC -> one shard (the task both engines run)
engines.py    this process, a local process pool, or Dask
shards.py     the shard files workers write and the driver reads
loader.py     the only writer: shards -> Store, newest capture wins
state.py      backfill_warcs: what was read, by which extractor, with what counts
driver.py     a run: skip, resume, read, store, report
"""

from cgtextract.backfill.driver import (
    CC_BASE_URL,
    BackfillOptions,
    BackfillReport,
    TerminalProgress,
    backfill,
    warc_paths,
)
from cgtextract.backfill.engines import ENGINES
from cgtextract.backfill.prefilter import Prefilter
from cgtextract.backfill.warc import HostFilter

__all__ = [
    "CC_BASE_URL",
    "ENGINES",
    "BackfillOptions",
    "BackfillReport",
    "HostFilter",
    "Prefilter",
    "TerminalProgress",
    "backfill",
    "warc_paths",
]
