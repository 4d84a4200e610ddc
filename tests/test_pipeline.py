"""load / process / run: inputs of every kind, failures kept apart, idempotent storing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from server import LocalServer

from cgtextract.clean import garbled_characters
from cgtextract.errors import FetchError, InputError, NoContentError
from cgtextract.models import Article
from cgtextract.pipeline import is_url, load, process, run
from cgtextract.settings import Settings
from cgtextract.store import Store

ROOT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED = ROOT_FIXTURES / "seed"
SEED_TXT = str(SEED / "seed-article.txt")
SEED_HTML = str(SEED / "page.html")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'events.db'}") as s:
        yield s


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("http://x.org/a", True),
        ("https://x.org/a", True),
        ("page.html", False),
        ("-", False),
        ("ftp://x.org/a", False),
    ],
)
def test_is_url(source: str, expected: bool) -> None:
    assert is_url(source) is expected


@pytest.mark.parametrize("source", [SEED_TXT, SEED_HTML])
def test_load_file(source: str, fast_settings: Settings) -> None:
    article = load(source, fast_settings)
    assert article.source == source
    assert article.published == date(2026, 1, 4)
    assert "NouvNeu001" in article.text


def test_html_content_without_html_suffix(tmp_path: Path, fast_settings: Settings) -> None:
    page = tmp_path / "page"
    page.write_bytes((SEED / "page.html").read_bytes())
    article = load(str(page), fast_settings)
    assert "Related News" not in article.text
    assert "NouvNeu001" in article.text


@pytest.mark.parametrize("name", ["seed-article.txt", "page.html"])
def test_load_stdin(monkeypatch: pytest.MonkeyPatch, fast_settings: Settings, name: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO((SEED / name).read_text(encoding="utf-8")))
    article = load("-", fast_settings)
    assert article.source == "-"
    assert article.published == date(2026, 1, 4)
    assert "Related News" not in article.text
    assert "On December 29, 2025, CARsgen Therapeutics" in article.text


def test_load_url(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/seed", body=(SEED / "page.html").read_bytes())
    article = load(http_server.url("/seed"), fast_settings)
    assert article.source == article.url == http_server.url("/seed")
    assert "NouvNeu001" in article.text


def test_load_plain_text_url(http_server: LocalServer, fast_settings: Settings) -> None:
    body = (SEED / "seed-article.txt").read_bytes()
    http_server.route("/seed.txt", body=body, content_type="text/plain; charset=utf-8")
    article = load(http_server.url("/seed.txt"), fast_settings)
    assert article.published == date(2026, 1, 4)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("missing.html", None, InputError),
        ("blob.txt", b"abc\x00def" * 10, InputError),
        ("empty.html", b"", NoContentError),
        ("nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", NoContentError),
        ("short.txt", b"Hello.", NoContentError),
    ],
)
def test_load_errors(
    tmp_path: Path,
    fast_settings: Settings,
    name: str,
    content: bytes | None,
    error: type[Exception],
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=name):
        load(str(path), fast_settings)


def test_load_directory(tmp_path: Path, fast_settings: Settings) -> None:
    with pytest.raises(InputError, match="directory"):
        load(str(tmp_path), fast_settings)


def test_load_http_error(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/gone", status=404, body=b"not here")
    with pytest.raises(FetchError):
        load(http_server.url("/gone"), fast_settings)


def test_process(fast_settings: Settings) -> None:
    article, events = process(SEED_TXT, fast_settings)
    assert len(events) == 6
    assert {e.source for e in events} == {article.source}


def test_run_keeps_going_after_a_failure(
    tmp_path: Path, fast_settings: Settings, store: Store
) -> None:
    missing = str(tmp_path / "missing.html")
    report = run([SEED_HTML, missing], fast_settings, store)
    assert [source for source, _ in report.stored] == [SEED_HTML]
    assert [f.source for f in report.failed] == [missing]
    assert report.failed[0].kind == "input" and "no such file" in report.failed[0].message
    assert len(report.events) == 6
    assert store.counts() == {"articles": 1, "events": 6, "mentions": 6}


def test_run_twice_is_idempotent(fast_settings: Settings, store: Store) -> None:
    first = run([SEED_HTML], fast_settings, store)
    counts = store.counts()
    second = run([SEED_HTML], fast_settings, store)
    assert first.stored[0][1].new_events == 6
    assert second.stored[0][1].new_events == 0
    assert second.stored[0][1].mentions == 0
    assert store.counts() == counts


def test_run_failed_url_is_recorded(
    http_server: LocalServer, fast_settings: Settings, store: Store
) -> None:
    http_server.route("/gone", status=404)
    report = run([http_server.url("/gone")], fast_settings, store)
    assert report.stored == []
    assert len(report.failed) == 1
    assert store.counts() == {"articles": 1, "events": 0, "mentions": 0}


def test_two_workers_store_what_one_stores(tmp_path: Path) -> None:
    from cgtextract.pipeline import run
    from cgtextract.settings import Settings
    from cgtextract.store import Store

    pages = sorted(str(p) for p in (ROOT_FIXTURES / "dev").glob("dev-0[1-6]*.html"))
    counts = []
    for workers in (1, 2):
        with Store(f"sqlite:///{tmp_path}/w{workers}.db") as store:
            report = run(pages, Settings(), store, workers=workers, keep_events=False)
            assert not report.failed and len(report.stored) == len(pages)
            counts.append((report.events_found, store.counts()))
    assert counts[0] == counts[1]


def _rows(store: Store) -> list[tuple[object, ...]]:
    """Every stored event's content, without ids and clocks."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return sorted(
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT product, regulator, kind, date, company, target, modality, "
                    "indications, product_aliases FROM events"
                )
            )
        )


def test_batched_run_stores_what_article_by_article_stores(tmp_path: Path) -> None:
    pages = [SEED_HTML, *sorted(str(p) for p in (ROOT_FIXTURES / "dev").glob("dev-0*.html"))]
    results = []
    for batch in (1, 3, 100):
        with Store(f"sqlite:///{tmp_path}/b{batch}.db") as store:
            report = run(pages, Settings(), store, batch=batch)
            assert not report.failed
            assert [source for source, _ in report.stored] == pages
            results.append((report.events_found, store.counts(), _rows(store)))
            again = run(pages, Settings(), store, batch=batch)
            assert sum(r.new_events + r.mentions for _, r in again.stored) == 0
            assert store.counts() == results[-1][1]
    assert results[0] == results[1] == results[2]


def test_a_failing_article_is_rolled_back_alone(tmp_path: Path, fast_settings: Settings) -> None:
    """One article's statements fail inside a batch: its savepoint goes, the batch stays."""
    import sqlite3

    from sqlalchemy import event

    pages = [SEED_HTML, str(ROOT_FIXTURES / "dev" / "dev-01-carsgen-ct041.html"), SEED_TXT]
    failing_article: list[int] = []

    def fail_carsgen(cursor, statement, parameters, context):  # type: ignore[no-untyped-def]
        # the carsgen article's row is written, then its first mention fails
        if statement.startswith("INSERT INTO articles") and "carsgen" in str(parameters):
            failing_article.append(1)
        elif statement.startswith("INSERT INTO mentions") and failing_article:
            failing_article.clear()
            raise sqlite3.IntegrityError("disk says no")

    with Store(f"sqlite:///{tmp_path}/events.db") as store:
        event.listen(store.engine, "do_execute", fail_carsgen)
        report = run(pages, fast_settings, store, batch=10)
        assert [source for source, _ in report.stored] == [SEED_HTML, SEED_TXT]
        assert [f.source for f in report.failed] == [pages[1]]
        assert report.failed[0].kind == "storage"
        assert "cannot save" in report.failed[0].message
        assert "disk says no" in report.failed[0].message
        counts = store.counts()
        assert counts["articles"] == 2  # nothing of the failed article, not even its row
        assert {r[0] for r in _rows(store)} <= {
            e.product for e in process(SEED_TXT, fast_settings)[1]
        }


def test_a_batch_goes_when_its_pages_grow_large(
    monkeypatch: pytest.MonkeyPatch, fast_settings: Settings, store: Store
) -> None:
    """Fifty 5 MB pages must not be held at once: a batch is stored when its characters add up."""
    calls: list[int] = []
    real = store.save_many

    def counting(items, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        return real(items, **kwargs)

    monkeypatch.setattr(store, "save_many", counting)
    pages = [SEED_HTML, *sorted(str(p) for p in (ROOT_FIXTURES / "dev").glob("dev-0[1-4]*.html"))]
    run(pages, fast_settings, store)
    assert calls == [len(pages)]
    calls.clear()
    report = run(pages, fast_settings, store, batch_chars=2 * len(Path(SEED_HTML).read_text()) + 1)
    assert len(report.stored) == len(pages) and not report.failed
    assert calls and max(calls) < len(pages)


# -- garbled text is never stored ------------------------------------------------------------


def _garbled_copy(tmp_path: Path, name: str, count: int, seed: int) -> str:
    """A real release with `count` invalid UTF-8 sequences in the middle of its text."""
    import random

    page = bytearray((ROOT_FIXTURES / "dev" / name).read_bytes())
    rng = random.Random(seed)
    start = page.index(b"<p>")
    for at in sorted(rng.sample(range(start, len(page) * 3 // 4), count), reverse=True):
        page[at:at] = rng.choice([b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xff", b"\x9d"])
    path = tmp_path / f"{seed}-{name}"
    path.write_bytes(bytes(page))
    return str(path)


@pytest.mark.parametrize("count", [2, 8, 40])
@pytest.mark.parametrize(
    "name", ["dev-02-carsgen-ct053-prime.html", "dev-09-bluebird-zynteglo-ec-approval.html"]
)
def test_invalid_utf8_never_reaches_the_database(
    tmp_path: Path, fast_settings: Settings, name: str, count: int
) -> None:
    sources = [_garbled_copy(tmp_path, name, count, seed) for seed in range(3)]
    with Store(f"sqlite:///{tmp_path}/events.db") as store:
        report = run(sources, fast_settings, store)
        stored = store.read_sql("SELECT evidence FROM mentions").rows
        texts = store.read_sql("SELECT text FROM articles WHERE text IS NOT NULL").rows
    for (evidence,) in stored:
        assert garbled_characters(evidence) == 0, evidence
    for (text,) in texts:
        assert garbled_characters(text) <= 3
    for failure in report.failed:
        assert "garbled" in failure.message
    if count == 40:
        # far too damaged: refused (not detectable: damage in a page without one well-formed
        # UTF-8 character decodes as plausible Latin-1 letters)
        assert report.failed


def test_events_read_from_garbled_text_are_not_stored(fast_settings: Settings) -> None:
    """What a wrong decoding leaves (U+FFFD, box drawing, C1 controls, UTF-8 read as
    Latin-1) in the sentence an event is read from: the article is refused whole."""
    from cgtextract.pipeline import extract_readable

    text = (ROOT_FIXTURES / "seed" / "seed-article.txt").read_text(encoding="utf-8")
    article = Article(source="seed.txt", text=text)
    assert extract_readable(article)  # the clean text reads fine
    sentence = text.index("December 29, 2025")
    for junk in ("\ufffd", "\u2502\u2500", "\x9d", "Ã©"):
        damaged = Article(source="seed.txt", text=text[:sentence] + junk + text[sentence:])
        with pytest.raises(NoContentError, match="garbled"):
            extract_readable(damaged)
