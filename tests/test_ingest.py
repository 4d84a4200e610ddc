"""`ingest` end to end against a real HTTP server on 127.0.0.1: runs, re-runs, faults."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fixtures_ingest.helpers import (
    FAST,
    HERE,
    OTHER_PAGE,
    PAGES,
    Validated,
    atom,
    config,
    db_counts,
    pub_date,
    rss,
    run,
    serve_feed,
    serve_pages,
    sitemap,
    sitemap_index,
    url_state,
)
from server import LocalServer, Reply

from cgtextract.errors import Failure, attempt
from cgtextract.ingest import IngestLocked, canonicalize_url
from cgtextract.store import Store


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "events.db"
    return f"sqlite:///{path}", path


def _rss_source(server: LocalServer, path: str = "/feed.xml", **extra: object) -> dict[str, object]:
    return {"name": "newsroom", "url": server.url(path), "type": "rss", **extra}


def _feed_of(server: LocalServer, paths: list[str], day: int = 5) -> str:
    return rss([(server.url(p) + "?utm_source=rss&utm_medium=feed", pub_date(day)) for p in paths])


# -- the normal life of a feed -------------------------------------------------------------


def test_first_run_stores_all_second_run_fetches_nothing(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, paths))
    cfg = config([_rss_source(http_server)])

    first = run(cfg, db[0])
    assert (first.discovered, first.fetched, first.stored, first.failed) == (4, 4, 4, 0)
    assert first.events_new > 0 and first.status == "ok" and first.exit_code == 0
    after_first = db_counts(db[1])
    assert after_first["articles"] == 4
    assert after_first["events"] == first.events_new

    second = run(cfg, db[0])
    assert (second.discovered, second.fetched, second.unchanged, second.stored) == (4, 0, 4, 0)
    assert (second.events_new, second.events_updated) == (0, 0)
    assert all(http_server.hits[p] == 1 for p in paths), "stored articles were downloaded again"
    assert db_counts(db[1]) == after_first
    # Events are stored under the canonical URL: no utm_* parameters.
    with sqlite3.connect(db[1]) as conn:
        urls = {u for (u,) in conn.execute("SELECT url FROM articles")}
    assert urls == {http_server.url(p) for p in paths}


def test_undated_items_are_revalidated_with_conditional_get(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    pages = {name: Validated(body) for name, body in PAGES.items()}
    for name, handler in pages.items():
        http_server.route_fn(f"/news/{name}", handler)
    listing = "".join(f'<li><a href="/news/{n}">{n}</a></li>' for n in pages)
    http_server.route(
        "/press", body=f"<html><body><nav><a href='/about'>About</a></nav><ul>{listing}</ul></body>"
    )
    cfg = config(
        [{"name": "press", "url": http_server.url("/press"), "type": "page", "include": r"/news/"}]
    )

    first = run(cfg, db[0])
    assert (first.discovered, first.stored) == (4, 4)
    second = run(cfg, db[0])
    assert (second.fetched, second.unchanged, second.stored) == (0, 4, 0)
    assert all(h.not_modified == 1 for h in pages.values()), "expected one 304 per article"
    assert http_server.hits["/about"] == 0


def test_unchanged_body_is_not_extracted_again(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    # No validators at all: the second run downloads, sees the same bytes, stores nothing.
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", rss([(http_server.url(p), None) for p in paths]))
    cfg = config([_rss_source(http_server)])
    run(cfg, db[0])
    second = run(cfg, db[0])
    assert (second.fetched, second.unchanged, second.stored) == (4, 4, 0)


def test_changed_page_is_reextracted(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, paths))
    cfg = config([_rss_source(http_server)])
    run(cfg, db[0])
    before = db_counts(db[1])

    # The newsroom rewrites one release and the feed re-dates it.
    http_server.route(paths[0], body=OTHER_PAGE)
    items = [(http_server.url(p), pub_date(9 if p == paths[0] else 5)) for p in paths]
    serve_feed(http_server, "/feed.xml", rss(items))
    second = run(cfg, db[0])
    assert (second.fetched, second.stored, second.unchanged) == (1, 1, 3)
    assert second.events_new > 0
    assert http_server.hits[paths[0]] == 2
    with Store(db[0]) as store:
        products = {e.product for e in store.query() if e.source == http_server.url(paths[0])}
    assert "FT819" in products  # the new text's event; the old text's events are gone
    assert db_counts(db[1])["articles"] == before["articles"]


def test_new_feed_item_is_picked_up(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths = serve_pages(http_server, dict(list(PAGES.items())[:3]))
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, paths))
    cfg = config([_rss_source(http_server)])
    run(cfg, db[0])

    new_path = serve_pages(http_server, {"abo102": PAGES["abo102"]})[0]
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, [new_path, *paths]))
    second = run(cfg, db[0])
    assert (second.discovered, second.fetched, second.stored, second.unchanged) == (4, 1, 1, 3)
    assert second.events_new > 0
    assert http_server.hits[new_path] == 1
    assert all(http_server.hits[p] == 1 for p in paths)


def test_feed_not_modified_costs_one_request(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    paths = serve_pages(http_server, PAGES)
    feed = Validated(_feed_of(http_server, paths).encode(), etag='"feed-1"')
    http_server.route_fn("/feed.xml", feed)
    cfg = config([_rss_source(http_server)])
    run(cfg, db[0])
    second = run(cfg, db[0])
    assert feed.not_modified == 1
    assert (second.discovered, second.fetched, second.failed) == (0, 0, 0)


def test_atom_feed_tracking_variants_and_max_items(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    paths = serve_pages(http_server, PAGES)
    url = http_server.url
    entries = [
        (url(paths[0]) + "?utm_campaign=x#top", "2026-01-09T10:00:00Z"),
        (url(paths[0]) + "/?fbclid=abc", "2026-01-09T10:00:00Z"),  # the same article again
        (url(paths[1]), "2026-01-08T10:00:00Z"),
        (url(paths[2]), "2026-01-07T10:00:00Z"),
        (url(paths[3]), "2026-01-06T10:00:00Z"),
    ]
    serve_feed(http_server, "/atom.xml", atom(entries), kind="atom")
    cfg = config([_rss_source(http_server, "/atom.xml", max_items=3, exclude=r"mb107")])
    report = run(cfg, db[0])
    assert (report.discovered, report.stored) == (3, 3)  # paths 0, 1, 3 (2 is excluded)
    assert http_server.hits[paths[2]] == 0
    assert set(url_state(db[1])) == {
        canonicalize_url(url(p)) for p in (paths[0], paths[1], paths[3])
    }


def test_sitemap_index_with_children(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths = serve_pages(http_server, PAGES)
    url = http_server.url
    http_server.route(
        "/sitemap-2026.xml",
        body=sitemap([(url(p), "2026-01-0" + str(i + 1)) for i, p in enumerate(paths[:2])]),
        content_type="application/xml",
    )
    http_server.route(
        "/sitemap-2025.xml",
        body=sitemap([(url(p), None) for p in paths[2:]] + [(url("/about"), None)]),
        content_type="application/xml",
    )
    http_server.route(
        "/sitemap.xml",
        body=sitemap_index([(url("/sitemap-2026.xml"), "2026-01-02"), ("/sitemap-2025.xml", None)]),
        content_type="application/xml",
    )
    cfg = config(
        [{"name": "site", "url": url("/sitemap.xml"), "type": "sitemap", "include": "/news/"}]
    )
    report = run(cfg, db[0])
    assert (report.discovered, report.stored, report.failed) == (4, 4, 0)
    assert http_server.hits["/about"] == 0
    second = run(cfg, db[0])
    # Dated entries are skipped outright; undated ones answer with the same body.
    assert (second.fetched, second.unchanged, second.stored) == (2, 4, 0)
    assert all(http_server.hits[p] == 1 for p in paths[:2])


def test_workers_process_pool_stores_the_same(http_server: LocalServer, tmp_path: Path) -> None:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, paths))
    one = run(config([_rss_source(http_server)]), f"sqlite:///{tmp_path / 'one.db'}")
    two = run(config([_rss_source(http_server)], workers=2), f"sqlite:///{tmp_path / 'two.db'}")
    assert (two.stored, two.events_new, two.failed) == (one.stored, one.events_new, 0)
    assert db_counts(tmp_path / "one.db") == db_counts(tmp_path / "two.db")
    # Nothing to read: the pool starts and stops at once, cleanly.
    again = run(config([_rss_source(http_server)], workers=2), f"sqlite:///{tmp_path / 'two.db'}")
    assert (again.stored, again.unchanged, again.failed) == (0, 4, 0)


# -- faults: each one fails alone, the rest of the run goes on -----------------------------


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(body="<html><body><p>Page moved</p></body></html>"), "not an RSS or Atom feed"),
        (Reply(body=b"\x00\x01garbage", content_type="application/rss+xml"), "not an RSS"),
        (Reply(status=404, body="gone", content_type="text/plain"), "HTTP 404"),
    ],
    ids=["html-not-xml", "binary-garbage", "404"],
)
def test_broken_feed_fails_alone(
    http_server: LocalServer, db: tuple[str, Path], reply: Reply, message: str
) -> None:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/good.xml", _feed_of(http_server, paths))
    http_server.route_fn("/bad.xml", lambda _req: reply)
    cfg = config(
        [
            _rss_source(http_server, "/bad.xml"),
            {"name": "good", "url": http_server.url("/good.xml"), "type": "rss"},
        ]
    )
    report = run(cfg, db[0])
    assert (report.sources, report.sources_failed, report.stored) == (2, 1, 4)
    assert report.status == "partial" and report.exit_code == 1
    assert [f.url for f in report.failures] == [http_server.url("/bad.xml")]
    assert message in report.failures[0].error


def _one_bad_article(
    http_server: LocalServer, bad: str = "/news/bad"
) -> tuple[list[str], dict[str, object]]:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, [*paths, bad]))
    return paths, _rss_source(http_server)


def test_article_that_times_out(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths, source = _one_bad_article(http_server)
    http_server.route("/news/bad", body=PAGES["ct053"], delay=5)
    settings = replace(FAST, timeout_s=0.3, retries=1)
    report = run(config([source]), db[0], settings=settings)
    assert (report.stored, report.failed, report.exit_code) == (4, 1, 1)
    assert "timed out" in report.failures[0].error
    assert http_server.hits["/news/bad"] == 2  # first try + one retry
    bad = canonicalize_url(http_server.url("/news/bad"))
    assert url_state(db[1])[bad] == ("failed", 1)

    # Next night the server is fine again: only the failed article is fetched, and stored.
    http_server.route("/news/bad", body=OTHER_PAGE)
    again = run(config([source]), db[0], settings=settings)
    assert (again.fetched, again.stored, again.failed, again.unchanged) == (1, 1, 0, 4)
    assert url_state(db[1])[bad] == ("done", 0)


def test_article_500_twice_then_200_is_stored(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    paths, source = _one_bad_article(http_server)
    http_server.route_seq("/news/bad", [500, 500, Reply(body=OTHER_PAGE)])
    report = run(config([source]), db[0])
    assert (report.stored, report.failed) == (5, 0)
    assert http_server.hits["/news/bad"] == 3


def test_article_429_retry_after_is_honoured(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    paths, source = _one_bad_article(http_server)
    http_server.route_seq(
        "/news/bad",
        [
            Reply(status=429, headers={"Retry-After": "1"}, content_type=None),
            Reply(body=OTHER_PAGE),
        ],
    )
    started = time.monotonic()
    report = run(config([source]), db[0])
    assert (report.stored, report.failed) == (5, 0)
    assert http_server.hits["/news/bad"] == 2
    assert time.monotonic() - started >= 1.0


def test_redirect_loop_fails_alone(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths, source = _one_bad_article(http_server)
    http_server.redirect("/news/bad", "/news/bad-2")
    http_server.redirect("/news/bad-2", "/news/bad")
    report = run(config([source]), db[0])
    assert (report.stored, report.failed) == (4, 1)
    assert "too many redirects" in report.failures[0].error


def test_body_over_the_cap_fails_alone(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths, source = _one_bad_article(http_server)
    http_server.route("/news/bad", body=b"<html><body>" + b"<p>filler</p>" * 20_000 + b"</body>")
    cap = max(len(b) for b in PAGES.values()) + 1000
    report = run(config([source]), db[0], settings=replace(FAST, max_bytes=cap))
    assert (report.stored, report.failed) == (4, 1)
    assert "larger than" in report.failures[0].error


def test_failure_is_retried_then_given_up(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths, source = _one_bad_article(http_server)
    http_server.route("/news/bad", status=403, body="no", content_type="text/plain")
    cfg = config([source], max_attempts=2)
    assert run(cfg, db[0]).failed == 1
    assert run(cfg, db[0]).failed == 1
    third = run(cfg, db[0])  # two attempts spent: skipped until the feed re-dates it
    assert (third.failed, third.skipped, third.exit_code) == (0, 1, 0)
    assert http_server.hits["/news/bad"] == 2
    with sqlite3.connect(db[1]) as conn:
        error = conn.execute("SELECT error FROM articles WHERE url LIKE '%/news/bad'").fetchone()
    assert "HTTP 403" in error[0]


def test_non_utf8_page_declared_only_in_meta(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    body = (HERE / "windows-1252-press-release.html").read_bytes()
    assert b"\x93STC\x94" in body  # windows-1252 curly quotes, not UTF-8
    http_server.route("/fr/stc-207", body=body, content_type="text/html")  # no charset
    serve_feed(http_server, "/feed.xml", rss([(http_server.url("/fr/stc-207"), pub_date(12))]))
    report = run(config([_rss_source(http_server)]), db[0])
    assert (report.stored, report.events_new) == (1, 1)
    with sqlite3.connect(db[1]) as conn:
        title, text = conn.execute("SELECT title, text FROM articles").fetchone()
    assert title.startswith("Société Thérapie Cellulaire")
    assert "(“STC” or the “Company”)" in text
    assert "Hélène Bédard" in text and "Company’s" in text
    assert "Ã" not in text and "\ufffd" not in text
    with Store(db[0]) as store:
        [event] = store.query()
    assert (event.product, event.designation, event.date) == (
        "STC-207",
        "orphan_drug",
        "2026-01-12",
    )


def test_robots_txt_disallowing_a_path(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths = serve_pages(http_server, PAGES)
    http_server.route("/private/draft", body=OTHER_PAGE)
    http_server.route(
        "/robots.txt",
        body="User-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n",
        content_type="text/plain",
    )
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, [*paths, "/private/draft"]))
    report = run(config([_rss_source(http_server)]), db[0])
    assert (report.stored, report.skipped, report.failed, report.exit_code) == (4, 1, 0, 0)
    assert http_server.hits["/private/draft"] == 0
    assert http_server.hits["/robots.txt"] == 1  # once per host per run
    assert url_state(db[1])[canonicalize_url(http_server.url("/private/draft"))][0] == "disallowed"
    assert "cgtextract" in http_server.last_request(paths[0]).headers["user-agent"]


def test_robots_txt_server_error_skips_the_host(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    paths = serve_pages(http_server, PAGES)
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, paths))
    http_server.route("/robots.txt", status=503, body="down", content_type="text/plain")
    report = run(config([_rss_source(http_server)]), db[0])
    assert (report.sources_failed, report.stored) == (1, 0)
    assert "robots.txt" in report.failures[0].error
    assert http_server.hits["/feed.xml"] == 0


# -- two runs at once ----------------------------------------------------------------------


def test_second_concurrent_run_is_refused(http_server: LocalServer, db: tuple[str, Path]) -> None:
    paths = serve_pages(http_server, {"ct053": PAGES["ct053"]})
    http_server.route(paths[0], body=PAGES["ct053"], delay=0.5)  # < FAST.timeout_s
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, paths))
    cfg = config([_rss_source(http_server)])
    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(run(cfg, db[0])))
    first.start()
    deadline = time.monotonic() + 10
    while http_server.hits[paths[0]] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(IngestLocked, match="another ingest is already running"):
        run(cfg, db[0])
    first.join(timeout=20)
    assert len(results) == 1 and getattr(results[0], "stored", None) == 1
    # Once the first run is over, the lock is free again.
    assert run(cfg, db[0]).status == "ok"


# -- links that leave the configured origin ------------------------------------------------


def test_feed_link_to_another_local_server_is_refused(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    with LocalServer() as other:
        paths = serve_pages(other, PAGES)
        serve_feed(http_server, "/feed.xml", rss([(other.url(p), pub_date(5)) for p in paths]))
        report = run(config([_rss_source(http_server)]), db[0])
        assert report.stored == 0 and report.failed == len(paths)
        assert all(other.hits[p] == 0 for p in paths), "a refused address was requested"
        assert all("refused" in f.error for f in report.failures)


def test_feed_link_to_another_local_server_with_private_addresses_allowed(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    with LocalServer() as other:
        paths = serve_pages(other, PAGES)
        serve_feed(http_server, "/feed.xml", rss([(other.url(p), pub_date(5)) for p in paths]))
        cfg = config([_rss_source(http_server)], allow_private_addresses=True)
        report = run(cfg, db[0])
        assert report.stored == len(paths) and report.failed == 0


def test_a_feed_of_a_million_items_is_read_up_to_max_items_only(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    """Far past 5 MiB: read as it arrives, and only until max_items links are kept."""
    import resource

    sent = [0]
    paths = serve_pages(http_server, PAGES)

    def million() -> Iterator[bytes]:
        yield b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        for path in paths:
            yield f"<item><link>{http_server.url(path)}</link></item>".encode()
        item = f"<item><title>x</title><link>{http_server.url('/gone/%d')}</link></item>"
        for i in range(1_000_000):
            sent[0] += 1
            yield (item % i).encode()
        yield b"</channel></rss>"

    http_server.route("/huge.xml", stream=million, content_type="application/rss+xml")
    cfg = config([_rss_source(http_server, "/huge.xml", max_items=len(paths))])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = run(cfg, db[0])
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    assert (report.sources_failed, report.discovered, report.stored) == (0, len(paths), len(paths))
    assert sent[0] < 200_000, "the rest of the feed was read anyway"
    assert grown < 200


def test_a_sitemap_past_5_mib_keeps_its_newest_urls(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    """50,000 URLs in up to 50 MB is a legal sitemap: its newest max_items are taken."""
    paths = serve_pages(http_server, PAGES)
    old = [
        (
            http_server.url(f"/archive/2020/01/press-release-{i:06d}.html"),
            f"2020-01-{1 + i % 28:02d}",
        )
        for i in range(50_000 - len(paths))
    ]
    new = [(http_server.url(p), f"2026-01-0{d}") for d, p in enumerate(paths, 1)]
    body = sitemap(old[:30_000] + new + old[30_000:]).encode()
    assert len(body) > 5 * 1024 * 1024
    http_server.route("/sitemap.xml", body=body, content_type="application/xml")
    source = {"name": "map", "url": http_server.url("/sitemap.xml"), "type": "sitemap"}
    report = run(config([{**source, "max_items": len(paths)}]), db[0])
    assert (report.sources_failed, report.discovered, report.stored) == (0, len(paths), len(paths))
    assert all(http_server.hits[p] == 1 for p in paths)


def test_a_feed_past_max_feed_bytes_fails_naming_the_setting(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    items = [(http_server.url(f"/news/{i}"), pub_date(5)) for i in range(5000)]
    serve_feed(http_server, "/feed.xml", rss(items))
    cfg = config([_rss_source(http_server)], max_feed_bytes=100_000)
    report = run(cfg, db[0])
    assert report.sources_failed == 1 and report.discovered == 0
    assert "max_feed_bytes" in report.failures[0].error


# -- a hung run cannot hold the lock forever -----------------------------------------------


def test_a_run_past_max_run_s_stops_and_frees_the_lock(
    http_server: LocalServer, db: tuple[str, Path]
) -> None:
    """A server that never answers and a huge host delay: the run stops at max_run_s,
    records itself as `timeout`, and the next run gets the lock."""
    paths = serve_pages(http_server, PAGES)
    for path in paths:
        http_server.route(path, body=PAGES["ct053"], delay=30)
    serve_feed(http_server, "/feed.xml", _feed_of(http_server, paths))
    cfg = config([_rss_source(http_server)], max_run_s=1.5, host_delay_s=60, per_host=1)
    slow = replace(FAST, timeout_s=20.0, max_fetch_s=25.0)
    started = time.monotonic()
    report = run(cfg, db[0], slow)
    took = time.monotonic() - started
    assert took < 6, f"the run took {took:.1f}s past max_run_s=1.5"
    assert report.status == "timeout" and report.exit_code == 1
    assert report.stored == 0
    with sqlite3.connect(db[1]) as conn:
        (status, message) = conn.execute("SELECT status, message FROM runs").fetchone()
    assert status == "timeout" and "max_run_s" in message
    # the lock is free: a second run starts at once (and stops at its own deadline)
    assert run(cfg, db[0], slow).run_id == 2


def test_the_watchdog_ends_a_run_that_outlives_its_deadline() -> None:
    from cgtextract.ingest.lock import Watchdog

    fired: list[float] = []
    with Watchdog(0.2, lambda: fired.append(time.monotonic())):
        time.sleep(0.6)
    assert len(fired) == 1
    with Watchdog(0.2, lambda: fired.append(time.monotonic())):
        pass  # the run ended in time: nothing fires
    time.sleep(0.4)
    assert len(fired) == 1


def test_the_lock_says_who_holds_it_since_when(db: tuple[str, Path]) -> None:
    from cgtextract.ingest import ingest_lock

    with Store(db[0]) as store, ingest_lock(store.engine):
        second = attempt("second run", lambda: ingest_lock(store.engine).__enter__())
    assert isinstance(second, Failure) and second.kind == "locked"
    message = second.message
    assert f"pid {os.getpid()}" in message and "since" in message and "UTC" in message
