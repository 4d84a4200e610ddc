"""Shared pieces of the ingest tests: real press-release pages, feed XML, quick runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server import LocalServer, Reply, Request

from cgtextract.ingest import IngestConfig, IngestReport, ingest, parse_config
from cgtextract.settings import Settings
from cgtextract.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "dev"
HERE = Path(__file__).resolve().parent

#: Real press releases and news pages (each reports regulatory events).
PAGES = {
    "ct053": (DEV / "dev-02-carsgen-ct053-prime.html").read_bytes(),
    "adp-a2m4": (DEV / "dev-03-adaptimmune-adp-a2m4-rmat.html").read_bytes(),
    "mb107": (DEV / "dev-05-mustang-mb107-odd.html").read_bytes(),
    "abo102": (DEV / "dev-11-abeona-abo102-fast-track.html").read_bytes(),
}
#: A page with events that none of PAGES has, to swap in as "the page changed".
OTHER_PAGE = (DEV / "dev-08-fate-ft819-ind.html").read_bytes()
ALL_DEV_PAGES = sorted(DEV.glob("dev-*.html"))

#: Short timeouts and tiny backoff: every fault test takes well under a second or two.
FAST = Settings(timeout_s=1.0, retries=2, backoff_s=0.01, max_redirects=3)
FAST_INGEST = {"host_delay_s": 0.0, "concurrency": 4, "per_host": 4}


def pub_date(day: int) -> str:
    """An RFC 822 date as RSS writes it."""
    return f"Mon, {day:02d} Jan 2026 10:00:00 GMT"


def rss(items: Sequence[tuple[str, str | None]], title: str = "Newsroom") -> str:
    """An RSS 2.0 feed whose items link to the given absolute URLs (with optional pubDate)."""
    body = "".join(
        f"<item><title>Release {i}</title><link>{link}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + f"<guid>{link}</guid></item>"
        for i, (link, date) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.com/</link>"
        f"<description>Press releases</description>{body}</channel></rss>"
    )


def atom(items: Sequence[tuple[str, str]]) -> str:
    """An Atom feed whose entries link to the given URLs, with `updated` dates."""
    entries = "".join(
        f'<entry><title>Release {i}</title><link rel="alternate" href="{link}"/>'
        f"<id>urn:x:{i}</id><updated>{updated}</updated></entry>"
        for i, (link, updated) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>News</title><id>urn:x</id><updated>2026-01-10T00:00:00Z</updated>"
        f"{entries}</feed>"
    )


def sitemap(urls: Sequence[tuple[str, str | None]]) -> str:
    """An XML sitemap (urlset) with optional lastmod."""
    body = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>"
        for loc, mod in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    )


def sitemap_index(children: Sequence[tuple[str, str | None]]) -> str:
    """A sitemap index pointing at child sitemaps."""
    body = "".join(
        f"<sitemap><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</sitemap>"
        for loc, mod in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    )


def serve_pages(server: LocalServer, pages: dict[str, bytes], prefix: str = "/news/") -> list[str]:
    """Route each page at prefix+name; returns the paths."""
    paths = []
    for name, body in pages.items():
        path = f"{prefix}{name}"
        server.route(path, body=body)
        paths.append(path)
    return paths


def serve_feed(server: LocalServer, path: str, xml: str, kind: str = "rss") -> None:
    content_type = {"rss": "application/rss+xml", "atom": "application/atom+xml"}.get(
        kind, "application/xml"
    )
    server.route(path, body=xml, content_type=content_type)


def config(sources: list[dict[str, Any]], **ingest_table: Any) -> IngestConfig:
    """A parsed config with fast, impolite-on-localhost defaults."""
    table = {**FAST_INGEST, **ingest_table}
    return parse_config({"ingest": table, "sources": sources}, "test-config")


def run(cfg: IngestConfig, db_url: str, settings: Settings = FAST, **kw: Any) -> IngestReport:
    """One ingest into `db_url` with the test's fast settings."""
    with Store(db_url) as store:
        return ingest(cfg, cfg.apply(settings), store, **kw)


def db_counts(db_path: Path) -> dict[str, int]:
    """Row counts straight from SQLite (articles with text, events, mentions)."""
    with sqlite3.connect(db_path) as conn:
        return {
            "articles": conn.execute(
                "SELECT COUNT(*) FROM articles WHERE text IS NOT NULL"
            ).fetchone()[0],
            "events": conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
            "mentions": conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0],
        }


def url_state(db_path: Path) -> dict[str, tuple[str, int]]:
    """url -> (status, attempts)."""
    with sqlite3.connect(db_path) as conn:
        return {
            url: (status, attempts)
            for url, status, attempts in conn.execute("SELECT url, status, attempts FROM url_state")
        }


@dataclass
class Validated:
    """A page served with an ETag that answers 304 to a matching If-None-Match."""

    body: bytes
    etag: str = '"v1"'
    not_modified: int = 0

    def __call__(self, request: Request) -> Reply:
        if request.headers.get("if-none-match") == self.etag:
            self.not_modified += 1
            return Reply(status=304, headers={"ETag": self.etag}, content_type=None)
        return Reply(body=self.body, headers={"ETag": self.etag})
