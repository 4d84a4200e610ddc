"""One frozen settings object with named defaults (units in the names)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

DEFAULT_DB_URL = "sqlite:///cgtextract.db"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Largest body a fetch keeps, counted after decompression (and before it)."""
DEFAULT_MAX_FETCH_S = 60.0
"""Wall time one fetch may take in all: every redirect hop, retry, wait and body byte."""
DEFAULT_DB_BUSY_TIMEOUT_S = 10.0
"""How long a SQLite connection waits for another process's lock before giving up."""
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_S = 0.5
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
