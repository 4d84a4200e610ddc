"""One frozen settings object with named defaults (units in the names)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace

from cgtextract.errors import InputError

DEFAULT_DB_URL = "sqlite:///cgtextract.db"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Largest body a fetch keeps, counted after decompression (and before it)."""
DEFAULT_MAX_FEED_BYTES = 50 * 1024 * 1024
"""Largest feed or sitemap read: the sitemap protocol's own limit (50,000 URLs, 50 MB)."""
DEFAULT_MAX_FETCH_S = 60.0
"""Wall time one fetch may take in all: every redirect hop, retry, wait and body byte."""
DEFAULT_DB_BUSY_TIMEOUT_S = 10.0
"""How long a SQLite connection waits for another process's lock before giving up."""
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_S = 0.5
MIB = 1024 * 1024
DEFAULT_SQL_TIMEOUT_S = 30.0
"""Longest one `query --sql` statement may run."""
DEFAULT_SQL_MAX_ROWS = 100_000
"""Most rows one `query --sql` statement may return."""
DEFAULT_SQL_MAX_BYTES = 64 * MIB
"""Most bytes of values (text and blobs) one `query --sql` statement may return."""

RANGES: dict[str, tuple[float, float]] = {
    "timeout_s": (0.01, 600.0),
    "max_bytes": (1, 1024 * MIB),
    "max_feed_bytes": (1, 1024 * MIB),
    "max_redirects": (0, 100),
    "retries": (0, 10),
    "backoff_s": (0.0, 60.0),
    "max_fetch_s": (0.01, 3600.0),
    "db_busy_timeout_s": (0.0, 3600.0),
    "sql_timeout_s": (0.01, 3600.0),
    "sql_max_rows": (1, 100_000_000),
    "sql_max_bytes": (1, 1024 * MIB),
}
"""The values each number of `Settings` may take, bounds included: anything else (a typo
such as `timeout_s = 1e12`) is refused when the settings are made, not met later as a hang
or an overflow."""

DEFAULT_USER_AGENT = (
    "cgtextract/0.1 (+https://github.com/cgtextract/cgtextract; regulatory-event reader)"
)


@dataclass(frozen=True)
class Settings:
    """Everything a run can be configured with; built once, passed down."""

    db_url: str = DEFAULT_DB_URL
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    retries: int = DEFAULT_RETRIES
    backoff_s: float = DEFAULT_BACKOFF_S
    user_agent: str = DEFAULT_USER_AGENT
    # Added later; kept last so positional construction still means what it did.
    max_fetch_s: float = DEFAULT_MAX_FETCH_S
    db_busy_timeout_s: float = DEFAULT_DB_BUSY_TIMEOUT_S
    sql_timeout_s: float = DEFAULT_SQL_TIMEOUT_S
    sql_max_rows: int = DEFAULT_SQL_MAX_ROWS
    sql_max_bytes: int = DEFAULT_SQL_MAX_BYTES
    max_feed_bytes: int = DEFAULT_MAX_FEED_BYTES

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name in RANGES:
                check_range(f.name, getattr(self, f.name), *RANGES[f.name])
        if not self.db_url.strip():
            raise InputError("db_url must not be empty")
        if not self.user_agent.strip() or not self.user_agent.isprintable():
            # a newline would let the value add HTTP headers of its own
            raise InputError(f"user_agent must be one printable line, got {self.user_agent!r}")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then CGTEXTRACT_DB from the environment, then explicit overrides."""
        base = cls()
        env_db = os.environ.get("CGTEXTRACT_DB")
        if env_db:
            base = replace(base, db_url=env_db)
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given)  # type: ignore[arg-type]


def normalize_db_url(value: str) -> str:
    """Accept a plain file path as well as a SQLAlchemy URL."""
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def check_range(name: str, value: float, low: float, high: float) -> None:
    """InputError naming the setting when `value` is not a number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name} must be a number, got {value!r}")
    if math.isnan(value) or not low <= value <= high:
        raise InputError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
