"""What a run tells: its counts, its failures, the summary line, the progress bar, the history.

`RunCounts` is the one list of counters: the summary line, `--json`, and the columns of
the `runs` table are all made from it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Literal

from pydantic import BaseModel, ConfigDict

from cgtextract.errors import Failure

__all__ = [
    "IngestFailure",
    "IngestReport",
    "Progress",
    "RunCounts",
    "RunRecord",
    "TerminalProgress",
    "format_runs",
]


class RunCounts(BaseModel):
    """What a run counted: the summary line, `--json`, and the columns of `runs`.

    `fetched`: article pages downloaded (HTTP 200). `unchanged`: known articles not read
    again, because the feed gave the same date (no request), the server answered 304, or
    the body hashed the same. `skipped`: disallowed by robots.txt, no article text, or
    given up after `max_attempts`. `stored`: articles saved with their events.
    """

    sources: int = 0
    sources_failed: int = 0
    discovered: int = 0
    fetched: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    stored: int = 0
    events_new: int = 0
    events_updated: int = 0

    def counted(self) -> dict[str, int]:
        """The counters by name, as the `runs` columns take them."""
        return {name: int(getattr(self, name)) for name in RunCounts.model_fields}


_RUN_COLUMNS = ("id", "started_at", "finished_at", "status", "config", *RunCounts.model_fields)
_RUN_COLUMNS += ("seconds", "message")


class RunRecord(RunCounts):
    """One row of `runs`, as `cgtextract runs` shows it."""

    model_config = ConfigDict(frozen=True)

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    config: str | None
    seconds: float | None
    message: str | None


class IngestFailure(BaseModel):
    """One URL (article or feed) that could not be read in this run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    source: str
    error: str
    attempts: int | None = None
    kind: str = "internal"

    @classmethod
    def of(cls, failure: Failure, source: str, attempts: int | None = None) -> IngestFailure:
        """The report's record of a Failure (`source` is the name of the feed it came from)."""
        return cls(
            url=failure.source,
            source=source,
            error=failure.line,
            attempts=attempts,
            kind=failure.kind,
        )


class IngestReport(RunCounts):
    """What one run did (the counts, then how it went); `--json` prints exactly this."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: int | None
    status: Literal["ok", "partial", "timeout"]
    seconds: float
    failures: list[IngestFailure]

    @property
    def exit_code(self) -> int:
        """0 when everything went well, 1 when some sources or articles failed or the run
        stopped at max_run_s (what is left waits for the next run)."""
        return 0 if self.status == "ok" else 1

    def failure_lines(self, limit: int = 20) -> list[str]:
        """One line per failure (at most `limit`, then where to find the rest)."""
        lines = [f.error for f in self.failures[:limit]]
        if len(self.failures) > limit:
            lines.append(
                f"... and {len(self.failures) - limit} more failure(s): SELECT url, attempts, "
                "error FROM url_state WHERE status = 'failed'"
            )
        return lines

    def summary_line(self) -> str:
        """The one line a cron log gets."""
        src_failed = f" ({self.sources_failed} failed)" if self.sources_failed else ""
        return (
            f"ingest: {self.sources} source(s){src_failed}, {self.discovered} URL(s) discovered, "
            f"{self.fetched} fetched, {self.unchanged} unchanged, {self.skipped} skipped, "
            f"{self.failed} failed; {self.stored} stored, {self.events_new} new / "
            f"{self.events_updated} updated event(s); {self.seconds:.1f} s"
        )


@dataclass
class Progress:
    """A snapshot for a progress display."""

    phase: Literal["discover", "fetch", "done"]
    done: int
    total: int
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0


class TerminalProgress:
    """A one-line progress bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: IO[str], width: int = 24) -> None:
        """Draw on `stream` (normally sys.stderr, when it is a TTY)."""
        self._stream = stream
        self._width = width
        self._last = 0.0
        self._phase = ""
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        """Redraw for snapshot `p` (throttled; the final snapshot clears the line)."""
        now = time.monotonic()
        if p.phase == "done":
            if self._drawn:
                self._stream.write("\r\x1b[2K")
                self._stream.flush()
            return
        if now - self._last < 0.1 and p.done < p.total and p.phase == self._phase:
            return
        self._last, self._phase = now, p.phase
        total = max(p.total, 1)
        filled = int(self._width * min(p.done, total) / total)
        bar = "#" * filled + "-" * (self._width - filled)
        what = "sources" if p.phase == "discover" else "URLs"
        line = f"\r[{bar}] {p.done}/{p.total} {what}"
        if p.phase == "fetch":
            line += f"  fetched {p.fetched}  unchanged {p.unchanged}  failed {p.failed}"
        self._stream.write(line + "\x1b[K")
        self._stream.flush()
        self._drawn = True


def format_runs(history: Sequence[RunRecord], *, json_lines: bool = False) -> str:
    """The run history as a fixed-width table, or as JSON Lines."""
    if json_lines:
        order = _RUN_COLUMNS  # as the table, not as the model
        return "".join(
            json.dumps({k: getattr(r, k) for k in order}, default=str) + "\n" for r in history
        )
    columns = "id|started (UTC)|status|secs|found|fetched|unchanged|failed|stored|new|updated"
    widths = (4, 19, 11, 7, 6, 7, 9, 6, 6, 5, 7)
    rows: list[tuple[str, ...]] = [tuple(columns.split("|"))]
    for r in history:
        rows.append(
            (
                str(r.id),
                f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                r.status,
                f"{r.seconds:.1f}" if r.seconds is not None else "-",
                *(str(n) for n in (r.discovered, r.fetched, r.unchanged)),
                str(r.failed + r.sources_failed),
                *(str(n) for n in (r.stored, r.events_new, r.events_updated)),
            )
        )
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if i in (1, 2) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
