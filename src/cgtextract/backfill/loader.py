"""The one writer: stores the articles of a shard through `Store`, in the driver process.

Each article is saved with its capture date as `fetched_at`, and a capture older than the
copy already stored under the same URL (by an earlier WARC, `run` or `ingest`) does not
replace it. Saving is idempotent, so loading a shard again (a run killed half-way through
it, `--force`) stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from cgtextract.backfill.shards import Item, read_items
from cgtextract.errors import CgtextractError, StorageError
from cgtextract.store import Store

BATCH = 200
_STORED = text("SELECT url, fetched_at FROM articles WHERE url IN :urls").bindparams(
    bindparam("urls", expanding=True)
)


@dataclass
class LoadCounts:
    """What storing one shard did."""

    stored: int = 0
    older: int = 0
    failed: int = 0
    new_events: int = 0
    updated_events: int = 0
    failures: list[str] = field(default_factory=list)


def load_shard(store: Store, path: Path) -> LoadCounts:
    """Store every article of the shard whose capture is not older than the stored copy."""
    counts = LoadCounts()
    for batch in _batches(read_items(path)):
        latest = stored_captures(store, [item.article.source for item in batch])
        for item in batch:
            url = item.article.source
            known = latest.get(url)
            if known is not None and known > _utc(item.captured):
                counts.older += 1
                continue
            fetched = {
                "fetched_at": item.captured,
                "http_status": item.status,
                "final_url": item.article.url,
            }
            try:
                saved = store.save(item.article, item.events, fetched=fetched)
            except CgtextractError as exc:
                counts.failed += 1
                if len(counts.failures) < 20:
                    counts.failures.append(str(exc))
                continue
            latest[url] = _utc(item.captured)
            counts.stored += 1
            counts.new_events += saved.new_events
            counts.updated_events += saved.updated_events
    return counts


def stored_captures(store: Store, urls: list[str]) -> dict[str, datetime]:
    """When each of these URLs' stored copy was fetched or captured (UTC), if stored."""
    if not urls:
        return {}
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(_STORED, {"urls": sorted(set(urls))}).all()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read stored articles: {exc}") from exc
    return {url: _utc(at) for url, at in rows if at is not None}


def _utc(value: datetime | str) -> datetime:
    """Comparable instants: SQLite hands back naive UTC datetimes (or strings)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _batches(items: Iterator[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
