"""Shards: what a worker read from one WARC, in a file the driver's loader stores from.

One gzip JSON Lines file per WARC, named after the WARC's address: a header line (the WARC,
the extractor version), one line per article read (the capture's date and HTTP status, the
article, its events), and a summary line (the record counts, the first failures). It is
written under a temporary name and renamed when the summary is written, so a shard that
exists is whole; a worker that dies leaves only a temporary file, and a retried task
overwrites the shard instead of adding to it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from cgtextract.errors import ShardError
from cgtextract.models import Article, Event

SUFFIX = ".jsonl.gz"


def shard_path(directory: Path, warc_uri: str) -> Path:
    """Where the shard of this WARC goes: a name derived from its address (and its tail,
    for people listing the directory)."""
    digest = hashlib.sha256(warc_uri.encode("utf-8")).hexdigest()[:16]
    tail = "".join(c if c.isalnum() or c in "-_." else "_" for c in warc_uri.rsplit("/", 1)[-1])
    return directory / f"{digest}-{tail[-60:]}{SUFFIX}"


@dataclass(frozen=True)
class Item:
    """One article read from a WARC, with its events and when it was captured."""

    captured: datetime
    status: int
    article: Article
    events: list[Event]


class ShardWriter:
    """Writes one shard: `add` each article, then `close` with the summary (which renames
    the file into place); `discard` drops an unfinished one."""

    def __init__(self, path: Path, warc_uri: str, extractor: str) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
        # open until `close` or `discard`: the shard is written one article at a time
        self._file: IO[str] = gzip.open(  # noqa: SIM115
            self._tmp, "wt", encoding="utf-8", compresslevel=3
        )
        self._line({"kind": "header", "warc": warc_uri, "extractor": extractor})

    def _line(self, value: dict[str, Any]) -> None:
        self._file.write(json.dumps(value, ensure_ascii=False) + "\n")

    def add(self, item: Item) -> None:
        """One article and its events."""
        self._line(
            {
                "kind": "article",
                "captured": item.captured.isoformat(),
                "status": item.status,
                "article": item.article.model_dump(mode="json"),
                "events": [e.model_dump(mode="json") for e in item.events],
            }
        )

    def close(self, summary: dict[str, Any]) -> None:
        """Write the summary, flush to disk, and rename the shard into place."""
        self._line({"kind": "summary", **summary})
        self._file.close()
        with self._tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self._tmp, self.path)

    def discard(self) -> None:
        """Drop an unfinished shard (the WARC failed)."""
        self._file.close()
        self._tmp.unlink(missing_ok=True)


def read_header(path: Path) -> dict[str, Any] | None:
    """The shard's header line, or None when there is no readable shard."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            first = handle.readline()
        value = json.loads(first)
    except (OSError, EOFError, zlib.error, ValueError):
        return None
    return value if isinstance(value, dict) and value.get("kind") == "header" else None


def read_items(path: Path) -> Iterator[Item]:
    """The articles of a shard, in the order they were read. ShardError when the file is
    damaged (it is then read again from its WARC)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                value = json.loads(line)
                if value.get("kind") != "article":
                    continue
                yield Item(
                    captured=datetime.fromisoformat(value["captured"]),
                    status=int(value["status"]),
                    article=Article.model_validate(value["article"]),
                    events=[Event.model_validate(e) for e in value["events"]],
                )
    except (OSError, EOFError, zlib.error, ValueError, KeyError, ValidationError) as exc:
        raise ShardError(f"{path}: damaged shard ({type(exc).__name__})") from exc


def read_summary(path: Path) -> dict[str, Any]:
    """The shard's summary line (the last one)."""
    last: dict[str, Any] = {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                last = json.loads(line)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise ShardError(f"{path}: damaged shard ({type(exc).__name__})") from exc
    if last.get("kind") != "summary":
        raise ShardError(f"{path}: shard has no summary")
    return last
