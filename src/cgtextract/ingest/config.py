"""The source list of `ingest`: which feeds, sitemaps and pages, and how hard to work.

`load_config` reads the TOML file (see sources.example.toml) and refuses anything it cannot
use with one ConfigError line naming the file, the source and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cgtextract.errors import ConfigError, InputError
from cgtextract.settings import Settings, check_range

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_HOST_DELAY_S",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_SITEMAPS",
    "DEFAULT_PER_HOST",
    "DEFAULT_WORKERS",
    "SOURCE_TYPES",
    "IngestConfig",
    "IngestOptions",
    "SourceConfig",
    "load_config",
    "parse_config",
]

DEFAULT_CONCURRENCY = 8
DEFAULT_PER_HOST = 2
DEFAULT_HOST_DELAY_S = 1.0
DEFAULT_WORKERS = 1
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_MAX_SITEMAPS = 20
DEFAULT_MAX_RUN_S = 6 * 3600.0
"""A run still going after this long stops where it is (status `timeout`)."""

OPTION_RANGES: dict[str, tuple[float, float]] = {
    "concurrency": (1, 64),
    "per_host": (1, 16),
    "host_delay_s": (0.0, 60.0),
    "workers": (1, 64),
    "max_attempts": (1, 100),
    "max_run_s": (1.0, 7 * 24 * 3600.0),
}
"""The values each `[ingest]` option may take, bounds included."""
SOURCE_RANGES = {"max_items": (1, 1_000_000), "max_sitemaps": (1, 1000)}
"""The values each `[[sources]]` number may take, bounds included."""

SOURCE_TYPES = ("rss", "sitemap", "page")
_TYPE_ALIASES = {"atom": "rss", "feed": "rss"}


@dataclass(frozen=True)
class SourceConfig:
    """One `[[sources]]` table."""

    name: str
    url: str
    type: Literal["rss", "sitemap", "page"]
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    max_items: int | None = None
    max_sitemaps: int = DEFAULT_MAX_SITEMAPS

    def wants(self, url: str) -> bool:
        """True when `url` matches an `include` pattern (or there is none) and no `exclude`."""
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)


@dataclass(frozen=True)
class IngestOptions:
    """How hard to work: the `[ingest]` table, then the command-line flags."""

    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST
    host_delay_s: float = DEFAULT_HOST_DELAY_S
    workers: int = DEFAULT_WORKERS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    robots: bool = True
    # links found in feeds may not reach loopback/private/metadata addresses on another
    # origin than the configured sources unless this is set (see netpolicy)
    allow_private_addresses: bool = False
    max_run_s: float = DEFAULT_MAX_RUN_S

    def __post_init__(self) -> None:
        for name, (low, high) in OPTION_RANGES.items():
            check_range(name, getattr(self, name), low, high)

    def with_flags(
        self,
        *,
        workers: int | None = None,
        concurrency: int | None = None,
        allow_private_addresses: bool | None = None,
    ) -> IngestOptions:
        """These options with the command-line flags that were given laid over them."""
        return replace(
            self,
            workers=self.workers if workers is None else workers,
            concurrency=self.concurrency if concurrency is None else concurrency,
            allow_private_addresses=(
                self.allow_private_addresses
                if allow_private_addresses is None
                else allow_private_addresses
            ),
        )


@dataclass(frozen=True)
class IngestConfig:
    """A parsed source list: the sources, run options, and fetch settings it overrides."""

    sources: tuple[SourceConfig, ...]
    options: IngestOptions = field(default_factory=IngestOptions)
    settings_overrides: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None

    def apply(self, settings: Settings) -> Settings:
        """`settings` with this file's fetch overrides (timeouts, retries, user agent...)."""
        return replace(settings, **self.settings_overrides) if self.settings_overrides else settings


_OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "concurrency": (int,),
    "per_host": (int,),
    "host_delay_s": (int, float),
    "workers": (int,),
    "max_attempts": (int,),
    "max_run_s": (int, float),
    "robots": (bool,),
    "allow_private_addresses": (bool,),
}
_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    "timeout_s": (int, float),
    "retries": (int,),
    "backoff_s": (int, float),
    "max_bytes": (int,),
    "max_feed_bytes": (int,),
    "max_redirects": (int,),
    "max_fetch_s": (int, float),
    "user_agent": (str,),
}
_SOURCE_KEYS = {"name", "url", "type", "include", "exclude", "max_items", "max_sitemaps"}


def load_config(path: str | Path) -> IngestConfig:
    """Read a TOML source list; ConfigError (one line) when it is missing or malformed."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file (sources.example.toml is a start)") from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a directory, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: not UTF-8 ({exc.reason})") from exc
    return parse_config(data, where)


def parse_config(data: Mapping[str, Any], where: str = "config") -> IngestConfig:
    """Validate a decoded source list (see sources.example.toml for the format)."""
    unknown = set(data) - {"sources", "ingest"}
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    options, overrides = _parse_ingest_table(data.get("ingest", {}), where)
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{where}: no sources (add one [[sources]] table per feed)")
    sources: list[SourceConfig] = []
    names: set[str] = set()
    for index, raw in enumerate(raw_sources, 1):
        source = _parse_source(raw, index, where)
        if source.name in names:
            raise ConfigError(f"{where}: source #{index}: duplicate name {source.name!r}")
        names.add(source.name)
        sources.append(source)
    return IngestConfig(
        sources=tuple(sources), options=options, settings_overrides=overrides, path=where
    )


def _parse_ingest_table(raw: Any, where: str) -> tuple[IngestOptions, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [ingest] must be a table")
    options: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _OPTION_TYPES:
            target, types = options, _OPTION_TYPES[key]
        elif key in _SETTING_TYPES:
            target, types = overrides, _SETTING_TYPES[key]
        else:
            known = ", ".join(sorted({*_OPTION_TYPES, *_SETTING_TYPES}))
            raise ConfigError(f"{where}: [ingest]: unknown key {key!r} (known: {known})")
        # bool is an int in Python; only the switches may be one.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ConfigError(f"{where}: [ingest]: {key} has the wrong type ({value!r})")
        if float in types and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        target[key] = value
    try:
        replace(Settings(), **overrides)  # every setting within its range
        return IngestOptions(**options), overrides
    except InputError as exc:
        raise ConfigError(f"{where}: [ingest]: {exc}") from exc


def _parse_source(raw: Any, index: int, where: str) -> SourceConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: source #{index} must be a table ([[sources]])")
    label = f"source #{index}" + (f" ({raw['name']})" if isinstance(raw.get("name"), str) else "")
    at = f"{where}: {label}"
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        raise ConfigError(f"{at}: unknown key(s): {', '.join(sorted(unknown))}")
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{at}: missing url")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{at}: url must be an http(s) URL, got {url!r}")
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise ConfigError(f"{at}: missing type (one of {', '.join(SOURCE_TYPES)})")
    kind = _TYPE_ALIASES.get(kind.lower(), kind.lower())
    if kind not in SOURCE_TYPES:
        raise ConfigError(
            f"{at}: unknown type {raw['type']!r} (choose rss (RSS or Atom), sitemap or page)"
        )
    name = raw.get("name", parts.netloc.lower())
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{at}: name must be a non-empty string")
    include = _patterns(raw.get("include"), "include", at)
    exclude = _patterns(raw.get("exclude"), "exclude", at)
    if kind == "page" and not include:
        raise ConfigError(f"{at}: a page source needs include = '<regex of article links>'")
    max_items = raw.get("max_items")
    max_sitemaps = raw.get("max_sitemaps", DEFAULT_MAX_SITEMAPS)
    for key, value in (("max_items", max_items), ("max_sitemaps", max_sitemaps)):
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{at}: {key} must be a positive integer")
        try:
            check_range(key, value, *SOURCE_RANGES[key])
        except InputError as exc:
            raise ConfigError(f"{at}: {exc}") from exc
    return SourceConfig(
        name=name.strip(),
        url=url,
        type=kind,  # type: ignore[arg-type]  # checked against SOURCE_TYPES above
        include=include,
        exclude=exclude,
        max_items=max_items,
        max_sitemaps=max_sitemaps,
    )


def _patterns(raw: Any, key: str, at: str) -> tuple[re.Pattern[str], ...]:
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{at}: {key} must be a regex string or a list of them")
    compiled: list[re.Pattern[str]] = []
    for value in values:
        try:
            compiled.append(re.compile(value))
        except re.error as exc:
            raise ConfigError(f"{at}: {key} {value!r} is not a valid regex ({exc})") from exc
    return tuple(compiled)
