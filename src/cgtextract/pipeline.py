"""Wires the stages for one input: source -> Article -> events (-> store)."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from cgtextract.clean import clean_html, clean_text, decode_html, looks_like_html
from cgtextract.errors import CgtextractError, InputError
from cgtextract.fetch import fetch
from cgtextract.models import Article, Event
from cgtextract.read import extract
from cgtextract.settings import Settings
from cgtextract.store import SaveReport, Store

_TEXT_SUFFIXES = {".txt", ".text", ".md"}
_BATCH_CHARS = 8_000_000
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def is_url(source: str) -> bool:
    """http(s) URLs are fetched; everything else is a path (or '-' for stdin)."""
    return source.startswith(("http://", "https://"))


def load(source: str, settings: Settings) -> Article:
    """Read and clean one input: a URL, an .html/.htm/.txt file, or '-' for stdin."""
    if is_url(source):
        got = fetch(source, settings)
        return read_body(
            got.body, source, charset=got.charset, content_type=got.content_type, url=got.final_url
        )
    if source == "-":
        data = sys.stdin.read()
        return clean_html(data, source) if looks_like_html(data) else clean_text(data, source)
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not a file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror})") from exc
    if b"\x00" in raw[:4096]:
        raise InputError(f"{source}: binary file, not an HTML or text page")
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return clean_html(raw, source)
    text = decode_html(raw)
    if suffix in _TEXT_SUFFIXES or not looks_like_html(text):
        return clean_text(text, source)
    return clean_html(raw, source)


def read_body(
    body: bytes,
    source: str,
    *,
    charset: str | None = None,
    content_type: str | None = None,
    url: str | None = None,
) -> Article:
    """An HTTP response body, fetched now or read from a web archive, to an Article.

    `charset` and `content_type` come from the response's Content-Type header, `url` is
    the address the body was served from. `run` and `backfill` both read bodies here, so
    the same page gives the same article (and so the same events) whichever way it came.
    """
    page = decode_html(body, charset)
    if content_type == "text/plain":
        return clean_text(page, source)
    return clean_html(page, source, url=url)


def process_body(
    body: bytes,
    source: str,
    *,
    charset: str | None = None,
    content_type: str | None = None,
    url: str | None = None,
) -> tuple[Article, list[Event]]:
    """`read_body`, then the events of the article."""
    article = read_body(body, source, charset=charset, content_type=content_type, url=url)
    return article, extract(article)


def process(source: str, settings: Settings) -> tuple[Article, list[Event]]:
    """One input through fetch/clean/extract; errors are CgtextractError subclasses."""
    article = load(source, settings)
    return article, extract(article)


@dataclass
class RunReport:
    """What a batch run did, input by input."""

    stored: list[tuple[str, SaveReport]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    events_found: int = 0


Outcome = tuple[str, Article | None, list[Event], str | None]


def process_safely(source: str, settings: Settings) -> Outcome:
    """`process` that reports failure as a value: (source, article, events, error)."""
    try:
        article, events = process(source, settings)
    except CgtextractError as exc:
        return source, None, [], str(exc)
    except Exception as exc:  # a bug must not cost the other inputs their run
        return source, None, [], f"{source}: internal error ({type(exc).__name__}: {exc})"
    return source, article, events, None


def outcomes(sources: Iterable[str], settings: Settings, workers: int = 1) -> Iterator[Outcome]:
    """Each source's outcome, in input order; with workers > 1 the CPU stages (fetch, clean,
    extract) run in a process pool, with a bounded number of pages in flight so that memory
    stays flat whatever the number of inputs."""
    if workers <= 1:
        for source in sources:
            yield process_safely(source, settings)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[Outcome]] = deque()
        for source in sources:
            pending.append(pool.submit(process_safely, source, settings))
            if len(pending) >= 4 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def run(
    sources: Iterable[str],
    settings: Settings,
    store: Store,
    *,
    workers: int = 1,
    keep_events: bool = True,
    batch: int = 50,
    batch_seconds: float = 2.0,
) -> RunReport:
    """Process and store each source; one failure never stops the rest.

    Extracted articles are stored `batch` at a time in one transaction (each in its own
    savepoint, so a failing article is rolled back alone), or sooner when the oldest
    unstored one has waited `batch_seconds` by the time the next is ready (slow sources
    never keep finished work unstored for long), or when the pages held reach
    `_BATCH_CHARS` characters (a few very large pages do not pile up in memory).
    `keep_events=False` keeps only counts, for runs over more pages than memory should hold.
    """
    report = RunReport()
    pending: list[tuple[str, Article, list[Event]]] = []
    since, held = time.monotonic(), 0  # when the oldest pending came; characters held

    def flush() -> None:
        results = _save_all(store, [(article, events) for _, article, events in pending])
        for (source, _, events), saved in zip(pending, results, strict=True):
            if isinstance(saved, str):
                report.failed.append((source, saved))
                continue
            report.stored.append((source, saved))
            report.events_found += len(events)
            if keep_events:
                report.events.extend(events)
        pending.clear()

    for source, article, events, error in outcomes(sources, settings, workers):
        if article is None:
            message = error or f"{source}: failed"
            report.failed.append((source, message))
            if is_url(source):
                with suppress(CgtextractError):  # the failure is reported either way
                    store.record_failure(source, message)
            continue
        if not pending:
            since, held = time.monotonic(), 0
        pending.append((source, article, events))
        held += len(article.text) + len(article.raw or "")
        if (
            len(pending) >= batch
            or held >= _BATCH_CHARS
            or time.monotonic() - since >= batch_seconds
        ):
            flush()
    if pending:
        flush()
    return report


def _save_all(store: Store, items: list[tuple[Article, list[Event]]]) -> list[SaveReport | str]:
    """Each article's SaveReport or failure message: one transaction for them all, unless
    that fails as a whole (a lock held too long, a full disk); then each on its own, so
    every failure is told in its own words and whatever can be stored is."""
    if len(items) > 1:
        with suppress(CgtextractError):
            return store.save_many(items)
    out: list[SaveReport | str] = []
    for article, events in items:
        try:
            out.append(store.save(article, events))
        except CgtextractError as exc:
            out.append(str(exc))
    return out
