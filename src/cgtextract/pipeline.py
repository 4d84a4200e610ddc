"""Wires the stages for one input: source -> Article -> events (-> store)."""

from __future__ import annotations

import io
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from cgtextract.clean import (
    clean_html,
    clean_text,
    decode_html,
    garbled_characters,
    looks_like_html,
)
from cgtextract.errors import CgtextractError, Failure, InputError, NoContentError, attempt
from cgtextract.fetch import fetch
from cgtextract.models import Article, Event
from cgtextract.read import extract
from cgtextract.settings import Settings
from cgtextract.store import Applied, ReextractReport, SaveReport, Store, extractor_version
from cgtextract.workers import process_pool

_TEXT_SUFFIXES = {".txt", ".text", ".md"}
BATCH_CHARS = 8_000_000
"""Characters of pages held before `run` stores them, however few they are."""
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def is_url(source: str) -> bool:
    """http(s) URLs are fetched; everything else is a path (or '-' for stdin)."""
    return source.startswith(("http://", "https://"))


def stored_source(source: str) -> str:
    """The name an input's article is stored under: a file by its absolute path (so
    `pages/a.html` and `/srv/pages/a.html` are one article), anything else as given."""
    if is_url(source) or source == "-":
        return source
    return str(Path(source).resolve())


def load(source: str, settings: Settings) -> Article:
    """Read and clean one input: a URL, an .html/.htm/.txt file, or '-' for stdin."""
    if is_url(source):
        got = fetch(source, settings)
        return read_fetched(
            decode_html(got.body, got.charset), got.content_type, source, got.final_url
        )
    if source == "-":
        data = _read_capped(_stdin_bytes(), "standard input", settings.max_bytes)
        text = decode_html(data)
        return clean_html(data, source) if looks_like_html(text) else clean_text(text, source)
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not a file")
    try:
        with path.open("rb") as stream:
            raw = _read_capped(stream, source, settings.max_bytes)
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror})") from exc
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return clean_html(raw, source)
    text = decode_html(raw)
    if suffix in _TEXT_SUFFIXES or not looks_like_html(text):
        return clean_text(text, source)
    return clean_html(raw, source)


def read_fetched(
    page: str, content_type: str | None, source: str, final_url: str | None
) -> Article:
    """A fetched page, decoded, as an Article: plain text as it is, anything else as HTML."""
    if content_type == "text/plain":
        return clean_text(page, source)
    return clean_html(page, source, url=final_url)


def read_page(
    page: str, content_type: str | None, source: str, final_url: str
) -> tuple[Article, list[Event]] | Failure:
    """Clean and extract one fetched page: its article and events, or its Failure (the task
    `ingest` hands its worker processes)."""
    return attempt(source, _read_and_extract, page, content_type, source, final_url)


def _read_and_extract(
    page: str, content_type: str | None, source: str, final_url: str
) -> tuple[Article, list[Event]]:
    article = read_fetched(page, content_type, source, final_url)
    return article, extract_readable(article)


def extract_readable(article: Article) -> list[Event]:
    """`extract`, refusing (NoContentError) an article whose events were read from text
    that a wrong or damaged decoding left (a trace elsewhere in a page is tolerated;
    in evidence, never: garbled text is not stored)."""
    events = extract(article)
    if any(garbled_characters(e.evidence) for e in events):
        raise NoContentError(
            f"{article.source}: text looks garbled where its events were read "
            "(wrong or damaged character encoding), skipped"
        )
    return events


def _stdin_bytes() -> BinaryIO:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return cast(BinaryIO, buffer)
    return io.BytesIO(sys.stdin.read().encode("utf-8"))  # a text stream put in its place


def _read_capped(stream: BinaryIO, name: str, max_bytes: int) -> bytes:
    """At most `max_bytes` of a file or of standard input, which is refused beyond that
    (without reading more than one byte past it) and when it holds NUL bytes."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"{name}: larger than {max_bytes} bytes (max_bytes), skipped")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: binary data, not an HTML or text page")
    return data


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
    the address the body was served from. `run`, `ingest` and `backfill` all read bodies
    here, so the same page gives the same article (and events) whichever way it came.
    """
    return read_fetched(decode_html(body, charset), content_type, source, url)


def process_body(
    body: bytes,
    source: str,
    *,
    charset: str | None = None,
    content_type: str | None = None,
    url: str | None = None,
) -> tuple[Article, list[Event]]:
    """`read_body`, then the events of the article (refused when read from garbled text)."""
    article = read_body(body, source, charset=charset, content_type=content_type, url=url)
    return article, extract_readable(article)


def process(source: str, settings: Settings) -> tuple[Article, list[Event]]:
    """One input through fetch/clean/extract; errors are CgtextractError subclasses."""
    article = load(source, settings)
    return article, extract_readable(article)


@dataclass
class RunReport:
    """What a batch run did, input by input."""

    stored: list[tuple[str, SaveReport]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    events_found: int = 0


Outcome = tuple[str, tuple[Article, list[Event]] | Failure]
"""One source and what became of it: its article and events, or its Failure."""


def process_safely(source: str, settings: Settings) -> Outcome:
    """`process` that reports failure as a value (a worker process's task)."""
    return source, attempt(source, process, source, settings)


def outcomes(sources: Iterable[str], settings: Settings, workers: int = 1) -> Iterator[Outcome]:
    """Each source's outcome, in input order; with workers > 1 the CPU stages (fetch, clean,
    extract) run in a process pool, with a bounded number of pages in flight so that memory
    stays flat whatever the number of inputs."""
    if workers <= 1:
        for source in sources:
            yield process_safely(source, settings)
        return
    pool = process_pool(workers)
    try:
        pending: deque[Future[Outcome]] = deque()
        for source in sources:
            pending.append(pool.submit(process_safely, source, settings))
            if len(pending) >= 4 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:
        # interrupted: drop what is queued and do not wait for pages in progress (a worker
        # whose parent is gone ends by itself)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def run(
    sources: Iterable[str],
    settings: Settings,
    store: Store,
    *,
    workers: int = 1,
    keep_events: bool = True,
    batch: int = 50,
    batch_seconds: float = 2.0,
    batch_chars: int = BATCH_CHARS,
    on_stored: Callable[[list[Event]], None] | None = None,
) -> RunReport:
    """Process and store each source; one failure never stops the rest.

    Extracted articles are stored `batch` at a time in one transaction (each in its own
    savepoint, so a failing article is rolled back alone), or sooner when the oldest
    unstored one has waited `batch_seconds` by the time the next is ready (slow sources
    never keep finished work unstored for long), or when the pages held reach
    `batch_chars` characters (a few very large pages do not pile up in memory).
    `keep_events=False` keeps only counts, for runs over more pages than memory should hold;
    `on_stored` is given the events of each article once it is stored (to print them as
    the run goes).
    """
    report = RunReport()
    pending: list[tuple[str, Article, list[Event]]] = []
    since, held = time.monotonic(), 0  # when the oldest pending came; characters held

    def flush() -> None:
        renamed = {s: stored_source(s) for s, _, _ in pending if stored_source(s) != s}
        if renamed:  # a row stored under the name as given by an older version is kept
            attempt("", store.adopt_sources, renamed)
        articles = [
            (article.model_copy(update={"source": renamed.get(s, s)}), events)
            for s, article, events in pending
        ]
        results = _save_all(store, articles)
        for (source, _, events), saved in zip(pending, results, strict=True):
            if isinstance(saved, Failure):
                report.failed.append(saved)
                continue
            report.stored.append((source, saved))
            report.events_found += len(events)
            if keep_events:
                report.events.extend(events)
            if on_stored is not None:
                on_stored(events)
        pending.clear()

    for source, outcome in outcomes(sources, settings, workers):
        if isinstance(outcome, Failure):
            report.failed.append(outcome)
            if is_url(source):
                with suppress(CgtextractError):  # the failure is reported either way
                    store.record_failure(source, outcome.line)
            continue
        article, events = outcome
        if not pending:
            since, held = time.monotonic(), 0
        pending.append((source, article, events))
        held += len(article.text) + len(article.raw or "")
        if (
            len(pending) >= batch
            or held >= batch_chars
            or time.monotonic() - since >= batch_seconds
        ):
            flush()
    if pending:
        flush()
    return report


def _save_all(store: Store, items: list[tuple[Article, list[Event]]]) -> list[SaveReport | Failure]:
    """Each article's SaveReport or Failure: one transaction for them all, unless that
    fails as a whole (a lock held too long, a full disk); then each on its own, so every
    failure is told in its own words and whatever can be stored is."""
    if len(items) > 1:
        whole = attempt("", store.save_many, items)
        if not isinstance(whole, Failure):
            return whole
    return [attempt(article.source, store.save, article, events) for article, events in items]


def reextract(
    store: Store,
    extract_fn: Callable[[Article], list[Event]],
    *,
    since: str | None = None,
    extractor: str | None = None,
) -> ReextractReport:
    """Re-run an extractor over the stored articles' text, without fetching anything.

    Each article is rebuilt from its stored text, title, publication date and source,
    given to `extract_fn`, and its events are stored as `save` would, one transaction per
    article. `since` (an ISO date at any precision) keeps articles published on or after
    it (those without a publication date count by the day they were fetched). The report
    lists the events added, changed (field by field) and retired; an article the extractor
    fails on is listed in `failed` and keeps its events.
    """
    version = extractor or extractor_version()
    report = ReextractReport(extractor_version=version)
    applied: list[Applied] = []
    for article_id in store.article_ids(since=since):
        article = store.stored_article(article_id)
        if article is None:  # deleted meanwhile
            continue
        report.articles += 1
        events = attempt(article.source, extract_fn, article)
        if isinstance(events, Failure):  # it keeps its events; the others go on
            report.failed.append(events)
            continue
        applied.append(store.replace_events(article_id, article, events, extractor=version))
    report.added, report.changed, report.retired = store.changes(applied)
    return report
