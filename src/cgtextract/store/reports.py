"""What the store's operations return: plain, frozen where they can be, JSON-friendly."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cgtextract.errors import Failure

__all__ = [
    "EventChange",
    "InitReport",
    "ReextractReport",
    "SaveReport",
    "SqlResult",
    "StoreStats",
]


@dataclass
class SaveReport:
    """What one `Store.save` changed, for the run summary."""

    article_id: int
    new_events: int
    updated_events: int
    mentions: int
    removed_mentions: int = 0
    removed_events: int = 0


@dataclass(frozen=True)
class EventChange:
    """One event that `reextract` added, changed or retired, named for a person."""

    event_id: int
    regulator: str
    kind: str
    product: str
    date: str | None
    # field -> (before, after), for changed events only
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: `2020-09-23 FDA rmat ide-cel` plus what changed."""
        head = f"{self.date or 'undated'} {self.regulator} {self.kind} {self.product}"
        if not self.fields:
            return head
        diffs = ", ".join(
            f"{name}: {_short(a)} -> {_short(b)}" for name, (a, b) in self.fields.items()
        )
        return f"{head} ({diffs})"


def _short(value: Any) -> str:
    """A value as a person reads it in a change line: JSON, null for None."""
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


@dataclass
class ReextractReport:
    """What `pipeline.reextract` did: articles re-read, events added, changed and retired."""

    extractor_version: str
    articles: int = 0
    added: list[EventChange] = field(default_factory=list)
    changed: list[EventChange] = field(default_factory=list)
    retired: list[EventChange] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class SqlResult:
    """The rows of a read-only SQL query, with their column names."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class StoreStats:
    """Row totals and event counts by regulator, kind, modality and month."""

    totals: dict[str, int]
    by_regulator: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    by_modality: list[tuple[str, int]]
    by_month: list[tuple[str, int]]


@dataclass(frozen=True)
class InitReport:
    """The schema revision a database had (None: it was empty) and has now."""

    url: str
    before: str | None
    after: str

    def describe(self) -> str:
        """`sqlite:///x.db: schema 0002 (upgraded from 0001)`."""
        if self.before is None:
            how = "created"
        elif self.before == self.after:
            how = "up to date"
        else:
            how = f"upgraded from {self.before}"
        return f"{self.url}: schema {self.after} ({how})"
