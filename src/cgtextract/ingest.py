"""The nightly run: read the source list, find new articles, fetch, extract and store them.

    sources.toml ─► discover ─► plan ─► fetch (threads) ─► clean+extract ─► store ─► url_state
                    (feeds,     (what is  (robots.txt,     (in this process,  (Store.save,
                     sitemaps,   new or    per-host limit   or a process pool  one transaction
                     pages)      changed)  and delay)       with --workers)    per article)

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

import concurrent.futures as cf
import hashlib
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import tomllib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import httpx
import lxml.html
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as xml_fromstring
from lxml.etree import LxmlError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from cgtextract.clean import clean_html, clean_text, decode_html
from cgtextract.errors import (
    EXIT_LOCKED,
    CgtextractError,
    ConfigError,
    Disallowed,
    Failure,
    FeedError,
    IngestLocked,
    StorageError,
    attempt,
)
from cgtextract.extract import extract
from cgtextract.fetch import Fetched, fetch, make_client
from cgtextract.ingest_store import (
    RUNS,
    STATUS_DONE,
    STATUS_EMPTY,
    STATUS_FAILED,
    DiscoveredURL,
    FeedState,
    IngestState,
    RunCounts,
    RunRecord,
    URLState,
)
from cgtextract.netpolicy import guard_for
from cgtextract.robots import RobotsCache
from cgtextract.settings import Settings

if TYPE_CHECKING:
    from cgtextract.models import Article, Event
    from cgtextract.store import Store

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_HOST_DELAY_S",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_PER_HOST",
    "EXIT_LOCKED",
    "SOURCE_TYPES",
    "ConfigError",
    "IngestConfig",
    "IngestFailure",
    "IngestLocked",
    "IngestOptions",
    "IngestReport",
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
    "run_history",
    "strip_tracking",
]

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
DEFAULT_PER_HOST = 2
DEFAULT_HOST_DELAY_S = 1.0
DEFAULT_WORKERS = 1
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_MAX_SITEMAPS = 20

SOURCE_TYPES = ("rss", "sitemap", "page")
_TYPE_ALIASES = {"atom": "rss", "feed": "rss"}

#: Query parameters that only say where a click came from; `utm_*` is matched by prefix.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "ref",
        "ref_src",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


# ---------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------


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
    "robots": (bool,),
    "allow_private_addresses": (bool,),
}
_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    "timeout_s": (int, float),
    "retries": (int,),
    "backoff_s": (int, float),
    "max_bytes": (int,),
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
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{where}: [ingest]: {key} must not be negative")
        if float in types and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        target[key] = value
    for key in ("concurrency", "per_host", "workers", "max_attempts"):
        if key in options and options[key] < 1:
            raise ConfigError(f"{where}: [ingest]: {key} must be at least 1")
    return IngestOptions(**options), overrides


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
    if max_items is not None and (
        not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1
    ):
        raise ConfigError(f"{at}: max_items must be a positive integer")
    max_sitemaps = raw.get("max_sitemaps", DEFAULT_MAX_SITEMAPS)
    if not isinstance(max_sitemaps, int) or isinstance(max_sitemaps, bool) or max_sitemaps < 1:
        raise ConfigError(f"{at}: max_sitemaps must be a positive integer")
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


# ---------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def strip_tracking(url: str) -> str:
    """`url` without tracking parameters and fragment: the address to request."""
    parts = urlsplit(url.strip())
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def canonicalize_url(url: str) -> str:
    """The identity of an article URL: the key of `url_state` and `articles.url`.

    Scheme and host lower-cased, default port, user info, fragment, tracking parameters
    (utm_*, fbclid, gclid, ref, ...) and trailing slashes dropped; the rest of the path and
    query kept as written (paths are case-sensitive on most servers).
    """
    parts = urlsplit(strip_tracking(url))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


# ---------------------------------------------------------------------------------------
# Discovery: feeds, sitemaps, listing pages
# ---------------------------------------------------------------------------------------


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


def _refuse_entities(body: bytes, what: str) -> None:
    """Feeds never need entity declarations; they are how 'billion laughs' and XXE attacks
    start. Refused before any parser (feedparser's strict or loose one) sees the bytes."""
    head = body[:1_000_000]
    if _ENTITY_DECL.search(head) or _ENTITY_DECL.search(head.decode("utf-16", "ignore").encode()):
        raise FeedError(f"{what} refused: it declares XML entities")


def parse_feed(
    body: bytes, base_url: str, content_type: str | None = None
) -> list[tuple[str, str | None]]:
    """(link, date) of each item of an RSS or Atom feed, in feed order.

    The date is the entry's `updated` (else `published`) exactly as the feed writes it:
    it is only compared with the previous run's. Relative links are resolved against
    `base_url`. Raises `FeedError` when the body is not a feed at all.
    """
    _refuse_entities(body, "feed")
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({str(problem).strip() or type(problem).__name__})" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{detail}")
    items: list[tuple[str, str | None]] = []
    for entry in entries:
        # dict.get: FeedParserDict.get warns on its updated->published fallback.
        link = dict.get(entry, "feedburner_origlink") or dict.get(entry, "link")
        if not link:
            for alt in dict.get(entry, "links") or []:
                if alt.get("rel", "alternate") == "alternate" and alt.get("href"):
                    link = alt["href"]
                    break
        if not link or not isinstance(link, str):
            continue
        hint = dict.get(entry, "updated") or dict.get(entry, "published")
        items.append((urljoin(base_url, link.strip()), str(hint) if hint else None))
    return items


def parse_sitemap(body: bytes) -> tuple[Literal["urlset", "index"], list[tuple[str, str | None]]]:
    """("urlset" | "index", [(loc, lastmod)]) of an XML sitemap or sitemap index.

    Parsed with defusedxml: no DTDs, entities or network access. Raises `FeedError`.
    """
    _refuse_entities(body, "sitemap")
    try:
        root = xml_fromstring(body)
    except DefusedXmlException as exc:
        raise FeedError(f"sitemap refused ({type(exc).__name__})") from exc
    except Exception as exc:  # ParseError and friends: not XML at all
        raise FeedError(f"not an XML sitemap ({str(exc).strip() or type(exc).__name__})") from exc
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise FeedError(f"not an XML sitemap (root element <{kind}>)")
    child = "url" if kind == "urlset" else "sitemap"
    items: list[tuple[str, str | None]] = []
    for node in root:
        if _local(node.tag) != child:
            continue
        loc = lastmod = None
        for part in node:
            name = _local(part.tag)
            if name == "loc" and part.text:
                loc = part.text.strip()
            elif name == "lastmod" and part.text:
                lastmod = part.text.strip()
        if loc:
            items.append((loc, lastmod))
    return ("urlset" if kind == "urlset" else "index"), items


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_listing(body: bytes, base_url: str, charset: str | None = None) -> list[str]:
    """Absolute http(s) links of an HTML listing page, in page order, fragments dropped."""
    if not body.strip():
        raise FeedError("empty listing page")
    try:
        parser = lxml.html.HTMLParser(encoding=charset) if charset else None
        doc = lxml.html.fromstring(body, parser=parser)
    except (LxmlError, ValueError, LookupError) as exc:
        raise FeedError(f"not an HTML page ({exc})") from exc
    links: list[str] = []
    for anchor in doc.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        absolute = urljoin(base_url, href.strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            links.append(absolute)
    return links


# ---------------------------------------------------------------------------------------
# The CPU stage: runs here, or in a worker process with --workers N
# ---------------------------------------------------------------------------------------


def read_page(
    page: str, content_type: str | None, source: str, final_url: str
) -> tuple[Article, list[Event]] | Failure:
    """Clean and extract one decoded page: its article and events, or its Failure."""
    return attempt(source, _read_page, page, content_type, source, final_url)


def _read_page(
    page: str, content_type: str | None, source: str, final_url: str
) -> tuple[Article, list[Event]]:
    if content_type == "text/plain":
        article = clean_text(page, source)
    else:
        article = clean_html(page, source, url=final_url)
    return article, extract(article)


def _init_worker() -> None:
    """Worker process start: leave Ctrl-C to the parent, build the spaCy pipeline once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with suppress(CgtextractError):
        extract(clean_text("Warm-up: the FDA granted RMAT designation to XYZ-001.", "warm-up"))


def _ping() -> None:
    """A no-op task: submitting one per worker starts the workers early."""


def _warm_up(pool: cf.ProcessPoolExecutor, workers: int) -> None:
    with suppress(RuntimeError, BrokenProcessPool):  # the run ended (or broke) first
        for _ in range(workers):
            pool.submit(_ping)


def _process_pool(workers: int) -> cf.ProcessPoolExecutor:
    # Not fork: this process already runs fetch threads, and forking a threaded process can
    # copy a held lock into the child. forkserver forks workers from a clean process that
    # has imported the pipeline once (preload), so starting two workers costs one import.
    ctx: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(["cgtextract.ingest"])
        ctx = server
    else:
        ctx = multiprocessing.get_context("spawn")
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker)


# ---------------------------------------------------------------------------------------
# Politeness: per-host concurrency and delay
# ---------------------------------------------------------------------------------------


class HostLimiter:
    """At most `per_host` requests in flight per host, their starts `delay_s` apart."""

    def __init__(self, per_host: int, delay_s: float) -> None:
        """`per_host` >= 1 concurrent requests; `delay_s` between two starts on one host."""
        self._per_host = max(1, per_host)
        self._delay_s = max(0.0, delay_s)
        self._guard = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, url: str, min_delay_s: float | None = None) -> Iterator[None]:
        """Hold one of the host's slots for a request, after waiting its turn."""
        host = _host(url)
        delay = max(self._delay_s, min_delay_s or 0.0)
        with self._guard:
            semaphore = self._slots.setdefault(host, threading.Semaphore(self._per_host))
        with semaphore:
            with self._guard:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                self._next_start[host] = start + delay
            if start > now:
                time.sleep(start - now)
            yield


# ---------------------------------------------------------------------------------------
# The lock
# ---------------------------------------------------------------------------------------


def _lock_path(db_url: str) -> Path | None:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None  # a private in-memory database: nobody else can write to it
        return Path(f"{database}.lock")
    import tempfile

    key = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"cgtextract-ingest-{key}.lock"


@contextmanager
def ingest_lock(engine: Engine) -> Iterator[None]:
    """Hold the one-run-at-a-time lock for the database behind `engine`, or raise IngestLocked.

    SQLite: `flock` on `<database>.lock` next to the file (released by the kernel when
    the process dies, so `kill -9` leaves no stale lock). PostgreSQL: a session advisory
    lock, which works across machines. Other databases: a lock file in the temp directory,
    which guards one machine only.
    """
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine):
            yield
        return
    path = _lock_path(str(engine.url))
    if path is None or sys.platform == "win32":
        yield
        return
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StorageError(f"cannot create the ingest lock file {path}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise IngestLocked(
                f"another ingest is already running on this database{who}; lock: {path}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


_PG_LOCK_KEY = int.from_bytes(hashlib.sha256(b"cgtextract-ingest").digest()[:8], "big", signed=True)


@contextmanager
def _pg_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_LOCK_KEY}).scalar()
        if not got:
            raise IngestLocked("another ingest is already running on this database")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})


# ---------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------


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
    status: Literal["ok", "partial"]
    seconds: float
    failures: list[IngestFailure]

    @property
    def exit_code(self) -> int:
        """0 when everything went well, 1 when some sources or articles failed."""
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


# ---------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------


_ReadResult = tuple["Article", list["Event"]] | Failure


@dataclass(frozen=True)
class _FeedResult:
    feed_url: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    items: list[DiscoveredURL] = field(default_factory=list)
    failure: Failure | None = None


@dataclass(frozen=True)
class _Job:
    url: str
    fetch_url: str
    source: str
    status: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None


@dataclass(frozen=True)
class _Fetch:
    kind: Literal["body", "not_modified", "same_body", "disallowed", "failed"]
    got: Fetched | None = None
    page: str = ""
    body_hash: str | None = None
    failure: Failure | None = None


def ingest(
    config: IngestConfig,
    settings: Settings,
    store: Store,
    *,
    options: IngestOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> IngestReport:
    """Run every source of `config` once into `store`; the run is recorded in `runs`.

    `settings` should already carry the file's overrides (`config.apply(settings)`);
    `options` replaces `config.options` (the CLI merges its flags in). Raises IngestLocked
    when another run holds the lock, StorageError when the database fails; a failing feed
    or article only counts as failed in the report.
    """
    engine = _engine_of(store)
    with ingest_lock(engine):
        state = IngestState(engine)
        run = _Run(config, settings, store, state, options or config.options, progress)
        return run.execute()


def run_history(store: Store, limit: int | None = 20) -> list[RunRecord]:
    """The `runs` table, newest first (the ingest tables are created if missing)."""
    return IngestState(_engine_of(store)).runs(limit)


def format_runs(history: Sequence[RunRecord], *, json_lines: bool = False) -> str:
    """The run history as a fixed-width table, or as JSON Lines."""
    if json_lines:
        order = [c.name for c in RUNS.c if c.name in RunRecord.model_fields]  # as the table
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


def _engine_of(store: Store) -> Engine:
    # `Store.engine` is becoming public; until then the private attribute is the same object.
    engine = getattr(store, "engine", None)
    if engine is None:
        engine = store._engine
    if not isinstance(engine, Engine):
        raise StorageError("the store has no SQLAlchemy engine")
    return engine


class _Run:
    """One ingest run. The main thread owns the database; threads only fetch."""

    def __init__(
        self,
        config: IngestConfig,
        settings: Settings,
        store: Store,
        state: IngestState,
        options: IngestOptions,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.store = store
        self.state = state
        self.options = options
        self.progress = progress
        self.counts = RunCounts(sources=len(config.sources))
        self.failures: list[IngestFailure] = []
        self.limiter = HostLimiter(options.per_host, options.host_delay_s)
        self.guard = guard_for(
            [src.url for src in config.sources], allow_private=options.allow_private_addresses
        )
        self.run_id = 0
        self.robots: RobotsCache | None = None
        self.client: httpx.Client | None = None
        self._done = 0
        self._total = 0
        self._cpu: cf.ProcessPoolExecutor | None = None

    # -- top level ------------------------------------------------------------------------

    def execute(self) -> IngestReport:
        started = time.monotonic()
        self.run_id = self.state.begin_run(self.config.path)
        try:
            with make_client(self.settings) as client:
                self.client = client
                self.robots = (
                    RobotsCache(client, self.settings, self.guard) if self.options.robots else None
                )
                pool = cf.ThreadPoolExecutor(
                    max_workers=self.options.concurrency, thread_name_prefix="ingest-fetch"
                )
                # Worker processes start now, so their imports overlap with discovery.
                self._start_workers()
                try:
                    discovered = self._discover(pool)
                    jobs = self._plan(discovered)
                    self._fetch_all(pool, jobs)
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)
                    if self._cpu is not None:
                        self._cpu.shutdown(wait=True, cancel_futures=True)
        except BaseException as exc:
            ended = "interrupted" if isinstance(exc, KeyboardInterrupt) else "error"
            with suppress(CgtextractError):
                self.state.finish_run(
                    self.run_id,
                    ended,
                    self.counts,
                    time.monotonic() - started,
                    message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                )
            raise
        finally:
            if self.progress is not None:
                self.progress(Progress("done", self._done, self._total))
        seconds = time.monotonic() - started
        status: Literal["ok", "partial"] = (
            "ok" if not (self.counts.failed or self.counts.sources_failed) else "partial"
        )
        self.state.finish_run(self.run_id, status, self.counts, seconds)
        return IngestReport(
            run_id=self.run_id,
            status=status,
            seconds=round(seconds, 3),
            failures=self.failures,
            **self.counts.counted(),
        )

    def _tick(self, phase: Literal["discover", "fetch"]) -> None:
        if self.progress is not None:
            c = self.counts
            self.progress(
                Progress(phase, self._done, self._total, c.fetched, c.unchanged, c.failed)
            )

    # -- discovery ------------------------------------------------------------------------

    def _discover(self, pool: cf.ThreadPoolExecutor) -> dict[str, tuple[str, DiscoveredURL]]:
        """Read every source (in parallel); record each feed's URLs; canonical URL -> item."""
        feeds = self.state.feeds()
        futures = {
            pool.submit(attempt, src.url, self._read_source, src, feeds): src
            for src in self.config.sources
        }
        results: dict[str, list[_FeedResult]] = {}
        self._done, self._total = 0, len(futures)
        self._tick("discover")
        for future in cf.as_completed(futures):
            src = futures[future]
            read = future.result()
            if isinstance(read, Failure):  # a bug in discovery: this source fails alone
                read = [_FeedResult(src.url, failure=read)]
            results[src.name] = read
            self._done += 1
            self._tick("discover")

        found: dict[str, tuple[str, DiscoveredURL]] = {}
        for src in self.config.sources:  # config order, so the first source listed wins
            failed = False
            for result in results.get(src.name, []):
                if result.failure is not None:
                    failed = True
                    self.failures.append(IngestFailure.of(result.failure, src.name))
                self.state.record_feed(
                    src.name,
                    result.feed_url,
                    http_status=result.status,
                    etag=result.etag,
                    last_modified=result.last_modified,
                    items=result.items,
                    error=result.failure.line if result.failure is not None else None,
                )
                for item in result.items:
                    found.setdefault(item.url, (src.name, item))
            self.counts.sources_failed += failed
        self.counts.discovered = len(found)
        return found

    def _get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """One polite request: the address guard, robots.txt, the host's turn, fetch().

        The guard comes first: a refused origin is not even asked for its robots.txt."""
        self.guard(url)
        delay = None
        if self.robots is not None:
            if not self.robots.allowed(url):
                raise Disallowed(f"{url}: disallowed by robots.txt")
            delay = self.robots.crawl_delay(url)
        assert self.client is not None
        with self.limiter.slot(url, delay):
            return fetch(
                url,
                self.settings,
                client=self.client,
                etag=etag,
                last_modified=last_modified,
                guard=self.guard,
            )

    def _read_source(self, src: SourceConfig, feeds: Mapping[str, FeedState]) -> list[_FeedResult]:
        """Runs in a fetch thread: fetch and parse one source (and a sitemap's children)."""
        if src.type == "sitemap":
            return self._read_sitemap(src, src.url, feeds, depth=0)
        known = feeds.get(src.url)
        try:
            got = self._get(
                src.url,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
        except CgtextractError as exc:
            return [_FeedResult(src.url, failure=Failure.of(src.url, exc))]
        if got.not_modified:
            return [_FeedResult(src.url, status=304)]
        try:
            if src.type == "rss":
                links = parse_feed(got.body, got.final_url, got.headers.get("content-type"))
            else:
                page = canonicalize_url(got.final_url)
                links = [
                    (u, None)
                    for u in parse_listing(got.body, got.final_url, got.charset)
                    if canonicalize_url(u) != page
                ]
        except FeedError as exc:
            return [_FeedResult(src.url, status=got.status, failure=Failure.of(src.url, exc))]
        return [
            _FeedResult(
                src.url,
                status=got.status,
                etag=got.etag,
                last_modified=got.last_modified,
                items=self._select(src, links, keep_order=True),
            )
        ]

    def _read_sitemap(
        self, src: SourceConfig, url: str, feeds: Mapping[str, FeedState], depth: int
    ) -> list[_FeedResult]:
        # The top-level sitemap is always fetched in full: when it is an index, its list of
        # children is what tells which child sitemaps to look at.
        known = feeds.get(url) if depth > 0 else None
        try:
            got = self._get(
                url,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
        except CgtextractError as exc:
            return [_FeedResult(url, failure=Failure.of(url, exc))]
        if got.not_modified:
            return [_FeedResult(url, status=304)]
        try:
            kind, entries = parse_sitemap(got.body)
        except FeedError as exc:
            return [_FeedResult(url, status=got.status, failure=Failure.of(url, exc))]
        if kind == "urlset":
            # Newest first, so max_items keeps the latest articles.
            entries.sort(key=lambda e: e[1] or "", reverse=True)
            items = self._select(src, entries, keep_order=False)
            return [_FeedResult(url, got.status, got.etag, got.last_modified, items)]
        results = [_FeedResult(url, got.status, got.etag, got.last_modified)]
        if depth >= 2:
            return results
        entries.sort(key=lambda e: e[1] or "", reverse=True)
        for child, _lastmod in entries[: src.max_sitemaps]:
            results.extend(self._read_sitemap(src, urljoin(url, child), feeds, depth + 1))
        return results

    @staticmethod
    def _select(
        src: SourceConfig, links: Sequence[tuple[str, str | None]], *, keep_order: bool
    ) -> list[DiscoveredURL]:
        items: dict[str, DiscoveredURL] = {}
        for link, hint in links:
            if urlsplit(link).scheme.lower() not in ("http", "https"):
                continue
            canonical = canonicalize_url(link)
            if canonical in items or not src.wants(canonical):
                continue
            items[canonical] = DiscoveredURL(canonical, strip_tracking(link), hint)
            if src.max_items is not None and len(items) >= src.max_items:
                break
        return list(items.values())

    # -- planning -------------------------------------------------------------------------

    def _plan(self, found: dict[str, tuple[str, DiscoveredURL]]) -> list[_Job]:
        """Which URLs to request: new, changed, unfinished; the rest counts as unchanged."""
        states = self.state.url_states(found)
        jobs: list[_Job] = []
        for url, (_source, item) in found.items():
            st = states.get(url)
            if st is None:  # record_feed inserted it; only a concurrent deletion gets here
                continue
            if st.status in (STATUS_DONE, STATUS_EMPTY):
                # The feed dates the item and the date is the one already read: no request.
                if item.hint is not None and st.hint_seen == st.hint_done:
                    self.counts.unchanged += 1
                    continue
            elif st.status == STATUS_FAILED and st.attempts >= self.options.max_attempts:
                self.counts.skipped += 1
                continue
            jobs.append(self._job(st))
        names = [s.name for s in self.config.sources]
        for st in self.state.unfinished(names):
            if st.url in found:
                continue
            if st.status == STATUS_FAILED and st.attempts >= self.options.max_attempts:
                continue  # given up; only a new date from its feed revives it
            jobs.append(self._job(st))
        return _interleave_hosts(jobs)

    @staticmethod
    def _job(st: URLState) -> _Job:
        return _Job(
            url=st.url,
            fetch_url=st.fetch_url,
            source=st.source,
            status=st.status,
            etag=st.etag,
            last_modified=st.last_modified,
            content_hash=st.content_hash,
        )

    # -- fetch, read, store ---------------------------------------------------------------

    def _fetch_one(self, job: _Job) -> _Fetch:
        """Runs in a fetch thread: request, hash, decode. Never raises."""
        got = attempt(
            job.fetch_url, self._get, job.fetch_url, etag=job.etag, last_modified=job.last_modified
        )
        if isinstance(got, Failure):
            return _Fetch("disallowed" if got.kind == "disallowed" else "failed", failure=got)
        if got.not_modified:
            return _Fetch("not_modified", got=got)
        body_hash = hashlib.sha256(got.body).hexdigest()
        if body_hash == job.content_hash and job.status in (STATUS_DONE, STATUS_EMPTY):
            return _Fetch("same_body", got=got, body_hash=body_hash)
        page = decode_html(got.body, got.charset)
        return _Fetch("body", got=got, page=page, body_hash=body_hash)

    def _start_workers(self) -> None:
        """Create the worker pool; its processes start in the background (about 2 s)."""
        if self.options.workers > 1:
            pool = self._cpu = _process_pool(self.options.workers)
            # submit() starts the processes and blocks while the fork server imports the
            # pipeline, so a helper thread pays that wait while discovery and fetching go on.
            threading.Thread(
                target=_warm_up, args=(pool, self.options.workers), name="ingest-start-workers"
            ).start()

    def _fetch_all(self, pool: cf.ThreadPoolExecutor, jobs: list[_Job]) -> None:
        self._done, self._total = 0, len(jobs)
        self._tick("fetch")
        pending = deque(jobs)
        fetching: dict[cf.Future[_Fetch], _Job] = {}
        reading: dict[cf.Future[_ReadResult], tuple[_Job, _Fetch, cf.ProcessPoolExecutor]] = {}
        # Bounded look-ahead: at most `concurrency` fetches and a few pages per worker wait,
        # so memory stays flat however long the run.
        backlog = 4 * self.options.workers
        while pending or fetching or reading:
            while pending and len(fetching) < self.options.concurrency and len(reading) < backlog:
                job = pending.popleft()
                fetching[pool.submit(self._fetch_one, job)] = job
            waiting: set[cf.Future[Any]] = {*fetching, *reading}
            done, _ = cf.wait(waiting, return_when=cf.FIRST_COMPLETED)
            for future in done:
                if future in fetching:
                    job = fetching.pop(future)
                    outcome: _Fetch = future.result()
                    if outcome.kind != "body":
                        self._settle(job, outcome)
                    elif self._cpu is None:
                        self._store(job, outcome, self._read_here(job, outcome))
                    else:
                        fn, *args = self._read_args(job, outcome)
                        reading[self._cpu.submit(fn, *args)] = (job, outcome, self._cpu)
                else:
                    job, outcome, cpu = reading.pop(future)
                    try:
                        result: _ReadResult = future.result()
                    except BrokenProcessPool:
                        # A worker died (out of memory, a crash in a C extension): the pages
                        # it held fail now and are retried next run; a fresh pool goes on.
                        result = Failure(job.url, "internal", "worker died")
                        if cpu is self._cpu:
                            cpu.shutdown(wait=False, cancel_futures=True)
                            self._start_workers()
                    self._store(job, outcome, result)

    def _read_args(self, job: _Job, outcome: _Fetch) -> tuple[Any, ...]:
        assert outcome.got is not None
        return (read_page, outcome.page, outcome.got.content_type, job.url, outcome.got.final_url)

    def _read_here(self, job: _Job, outcome: _Fetch) -> _ReadResult:
        fn, *args = self._read_args(job, outcome)
        result: _ReadResult = fn(*args)
        return result

    def _settle(self, job: _Job, outcome: _Fetch) -> None:
        """A fetch that needs no extraction: unchanged, disallowed or failed."""
        if outcome.kind == "failed":
            assert outcome.failure is not None
            self._fail(job, outcome.failure)
        elif outcome.kind == "disallowed":
            self.state.mark_disallowed(job.url, run_id=self.run_id)
            self.counts.skipped += 1
        else:
            got = outcome.got
            assert got is not None
            self.counts.fetched += outcome.kind == "same_body"
            self.counts.unchanged += 1
            self.state.mark_done(
                job.url,
                run_id=self.run_id,
                status=job.status if job.status in (STATUS_DONE, STATUS_EMPTY) else STATUS_DONE,
                final_url=got.final_url,
                etag=got.etag,
                last_modified=got.last_modified,
                content_hash=outcome.body_hash,
            )
        self._advance()

    def _store(self, job: _Job, outcome: _Fetch, result: _ReadResult) -> None:
        """Save one read page in its own transaction, then mark its URL done."""
        got = outcome.got
        assert got is not None
        self.counts.fetched += 1
        if isinstance(result, Failure) and result.kind == "no_content":
            self.counts.skipped += 1
            self.state.mark_done(
                job.url,
                run_id=self.run_id,
                status=STATUS_EMPTY,
                final_url=got.final_url,
                etag=got.etag,
                last_modified=got.last_modified,
                content_hash=outcome.body_hash,
            )
            self._advance()
            return
        if not isinstance(result, Failure):
            article, events = result
            fetched = {
                "final_url": got.final_url,
                "http_status": got.status,
                "etag": got.etag,
                "last_modified": got.last_modified,
            }
            saved = attempt(job.url, self.store.save, article, events, fetched=fetched)
            if isinstance(saved, Failure):
                result = saved
            else:
                # Only now, after the article's transaction committed, is the URL done.
                self.counts.stored += 1
                self.counts.events_new += saved.new_events
                self.counts.events_updated += saved.updated_events
                self.state.mark_done(
                    job.url,
                    run_id=self.run_id,
                    final_url=got.final_url,
                    etag=got.etag,
                    last_modified=got.last_modified,
                    content_hash=outcome.body_hash,
                )
        if isinstance(result, Failure):
            self._fail(job, result)
        self._advance()

    def _fail(self, job: _Job, failure: Failure) -> None:
        self.counts.failed += 1
        recorded = attempt(job.url, self.store.record_failure, job.url, failure.line)
        if isinstance(recorded, Failure):
            log.info("cannot record the failure of %s: %s", job.url, recorded.message)
        attempts = self.state.mark_failed(job.url, failure.line, run_id=self.run_id)
        self.failures.append(IngestFailure.of(failure, job.source, attempts))

    def _advance(self) -> None:
        self._done += 1
        self._tick("fetch")


def _interleave_hosts(jobs: list[_Job]) -> list[_Job]:
    """Round-robin over hosts, so threads are not all queued on one slow site."""
    by_host: dict[str, deque[_Job]] = {}
    for job in jobs:
        by_host.setdefault(_host(job.fetch_url), deque()).append(job)
    out: list[_Job] = []
    queues = list(by_host.values())
    while queues:
        for queue in queues:
            out.append(queue.popleft())
        queues = [q for q in queues if q]
    return out
