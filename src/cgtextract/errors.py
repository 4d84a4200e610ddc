"""The exception tree, the one shape of a failed input, and how both reach the user.

CgtextractError
├── InputError          bad file, path, or argument given by the user
│   └── ConfigError     the source list of `ingest` cannot be used
├── FetchError          an HTTP fetch failed (network, status, type, size, time, address)
│   └── Disallowed      robots.txt forbids the URL
├── FeedError           a feed, sitemap or listing page cannot be read as one
├── NoContentError      the page has no article text to read
├── PatternError        a vocabulary file in patterns/ is malformed
├── StorageError        the database could not be opened, read or written
└── IngestLocked        another `ingest` run holds the lock on the database

An input that failed (a file, a URL, a stored article re-read, a feed) is a `Failure`:
`attempt(source, fn, ...)` runs one step and returns its value or the Failure, whatever
was raised, so one bad input never stops the others. Its `kind` comes from the tree above
("internal" for anything else: a bug, told in one line). `exit_code` maps a kind to the
process's exit code, `batch_exit_code` a batch's counts, and `error_line` is the one
format of every line on stderr.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

__all__ = [
    "EXIT_FAILED",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_SOME_FAILED",
    "KINDS",
    "CgtextractError",
    "ConfigError",
    "Disallowed",
    "Failure",
    "FeedError",
    "FetchError",
    "IngestLocked",
    "InputError",
    "NoContentError",
    "PatternError",
    "StorageError",
    "attempt",
    "batch_exit_code",
    "error_line",
    "exit_code",
]

_log = logging.getLogger(__name__)
_P = ParamSpec("_P")
_T = TypeVar("_T")


class CgtextractError(Exception):
    """Base of every error cgtextract raises on purpose."""


class InputError(CgtextractError):
    """A file, path or argument given by the user cannot be used."""


class ConfigError(InputError):
    """The source list cannot be used: missing, not TOML, or a source is malformed."""


class FetchError(CgtextractError):
    """An HTTP fetch failed."""


class Disallowed(FetchError):
    """robots.txt forbids the URL."""


class FeedError(CgtextractError):
    """A feed, sitemap or listing page that cannot be read as one."""


class NoContentError(CgtextractError):
    """The document has no article text."""


class PatternError(CgtextractError):
    """A vocabulary or pattern file is malformed."""


class StorageError(CgtextractError):
    """The database could not be opened, migrated or written."""


class IngestLocked(CgtextractError):
    """Another `ingest` run holds the lock on this database."""


# Signals of a backfill's own loop, caught where they are raised (not failures of an input
# that reach the user as such: the record or WARC is counted failed with their message)
class WarcError(Exception):
    """A WARC file that cannot be read to its end: the whole file fails."""


class RecordError(Exception):
    """One WARC record that cannot be read: it is counted and skipped."""


class RecordTimeout(Exception):
    """One WARC record took longer than its time bound."""


class ShardError(Exception):
    """A backfill shard that cannot be read (damaged on disk)."""


# The kind of each class of the tree; a subclass not listed takes its parent's.
_KIND_OF: dict[type[BaseException], str] = {
    ConfigError: "config",
    InputError: "input",
    Disallowed: "disallowed",
    FetchError: "fetch",
    FeedError: "feed",
    NoContentError: "no_content",
    PatternError: "pattern",
    StorageError: "storage",
    IngestLocked: "locked",
}
KINDS = (*_KIND_OF.values(), "internal")
"""Every `Failure.kind`: one per class of the tree, and "internal" for anything else."""

EXIT_OK = 0
"""Every input was read (and stored)."""
EXIT_SOME_FAILED = 1
"""Some inputs failed; the others were read and stored."""
EXIT_FAILED = 2
"""Bad usage, a database that cannot be used, or every input failed."""
EXIT_LOCKED = 3
"""Another run holds the lock."""

_EXIT_CODE_OF_KIND = {"locked": EXIT_LOCKED}


def kind_of(exc: BaseException) -> str:
    """The Failure kind of an exception: its class's place in the tree."""
    for cls in type(exc).__mro__:
        if cls in _KIND_OF:
            return _KIND_OF[cls]
    return "internal"


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


@dataclass(frozen=True)
class Failure:
    """One input that could not be read or stored: which, what kind of failure, and why."""

    source: str
    kind: str
    message: str

    @classmethod
    def of(cls, source: str, exc: BaseException) -> Failure:
        """The Failure an exception stands for; a bug is "internal error (Type: text)"."""
        kind = kind_of(exc)
        text = _first_line(str(exc))
        if kind == "internal":
            text = f"internal error ({type(exc).__name__}{': ' + text if text else ''})"
        return cls(source, kind, text or type(exc).__name__)

    @property
    def line(self) -> str:
        """The failure in one line that names its source once."""
        return self.message if self.source in self.message else f"{self.source}: {self.message}"


def attempt(
    source: str, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
) -> _T | Failure:
    """`fn(*args, **kwargs)`, or the Failure of `source` it raised.

    The one place an input's failure is caught: a CgtextractError is the expected kind;
    anything else is a bug, reported as "internal" (traceback in the debug log) instead of
    costing the other inputs their run.
    """
    try:
        return fn(*args, **kwargs)
    except CgtextractError as exc:
        return Failure.of(source, exc)
    except Exception as exc:
        _log.debug("%s: internal error", source, exc_info=exc)
        return Failure.of(source, exc)


def exit_code(kind: str) -> int:
    """The exit code of a command stopped by a failure of this kind."""
    return _EXIT_CODE_OF_KIND.get(kind, EXIT_FAILED)


def batch_exit_code(failed: int, succeeded: int) -> int:
    """0 when nothing failed, 1 when some inputs did, 2 when all of them did."""
    if not failed:
        return EXIT_OK
    return EXIT_FAILED if not succeeded else EXIT_SOME_FAILED


def error_line(text: str | BaseException | Failure) -> str:
    """The one format of an error on stderr: `cgtextract: ` and a single line."""
    if isinstance(text, Failure):
        text = text.line
    elif isinstance(text, BaseException):
        text = Failure.of("", text).message
    return f"cgtextract: {' '.join(text.split())}"
