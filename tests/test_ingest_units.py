"""The pure pieces of ingest: URL canonicalization, parsers, decoding, robots, progress."""

from __future__ import annotations

import io
import socket
import time
from pathlib import Path

import httpx
import pytest
from fixtures_ingest.helpers import FAST, atom, rss, sitemap, sitemap_index
from server import LocalServer

from cgtextract.fetch import make_client
from cgtextract.ingest import (
    ConfigError,
    HostLimiter,
    Progress,
    RobotsCache,
    TerminalProgress,
    canonicalize_url,
    decode_html,
    load_config,
    parse_config,
    parse_feed,
    parse_listing,
    parse_sitemap,
    product_token,
    strip_tracking,
)
from cgtextract.ingest.discover import TRACKING_PARAMS, TRACKING_PREFIXES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.Example.COM/News/Item/", "https://www.example.com/News/Item"),
        ("https://example.com/a?utm_source=x&utm_medium=rss&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=1&gclid=2&ref=tw&p=1#section", "https://example.com/a?p=1"),
        ("http://example.com:80/a/", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/?utm_campaign=x", "https://example.com/"),
        ("https://user:pw@example.com/a", "https://example.com/a"),
        ("https://example.com/a?b=1&a=2", "https://example.com/a?b=1&a=2"),
        # RFC 3986 normalization (url-normalize): dot segments, percent-encodings, IDNA
        ("https://x.org/a/./b/../c/", "https://x.org/a/c"),
        ("https://x.org/%7Euser/caf%c3%a9", "https://x.org/~user/caf%C3%A9"),
        ("https://x.org/café", "https://x.org/caf%C3%A9"),
        ("https://Bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://x.org/a?x=1&&y=2", "https://x.org/a?x=1&y=2"),
        # the other parameters stay as written when a tracking one goes
        ("https://x.org/a?q=a%20b&utm_source=x", "https://x.org/a?q=a%20b"),
        ("https://x.org/a?UTM_Medium=x&Ref=y&keep=1", "https://x.org/a?keep=1"),
    ],
)
def test_canonicalize_url(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical  # idempotent


def test_tracking_rules_are_data() -> None:
    assert "fbclid" in TRACKING_PARAMS and TRACKING_PREFIXES == ("utm_",)
    for name in TRACKING_PARAMS:
        assert canonicalize_url(f"https://x.org/a?{name}=1&id=2") == "https://x.org/a?id=2"


def test_strip_tracking_keeps_the_path_as_written() -> None:
    assert strip_tracking("https://x.org/News/a/?utm_source=rss#top") == "https://x.org/News/a/"
    assert strip_tracking("https://x.org/a?q=a%20b") == "https://x.org/a?q=a%20b"


def test_parse_rss_resolves_links_and_keeps_dates() -> None:
    xml = rss([("/news/a", "Mon, 05 Jan 2026 10:00:00 GMT"), ("https://y.org/b", None)])
    items = parse_feed(xml.encode(), "https://x.org/feed.xml")
    assert items == [
        ("https://x.org/news/a", "Mon, 05 Jan 2026 10:00:00 GMT"),
        ("https://y.org/b", None),
    ]


def test_parse_atom() -> None:
    xml = atom([("https://x.org/a", "2026-01-09T10:00:00Z")])
    assert parse_feed(xml.encode(), "https://x.org/atom") == [
        ("https://x.org/a", "2026-01-09T10:00:00Z")
    ]


def test_parse_empty_feed_is_fine() -> None:
    assert parse_feed(rss([]).encode(), "https://x.org/feed") == []


@pytest.mark.parametrize("body", [b"<html><body>Not a feed</body></html>", b"", b'{"json": 1}'])
def test_parse_feed_rejects_non_feeds(body: bytes) -> None:
    with pytest.raises(Exception, match="not an RSS or Atom feed"):
        parse_feed(body, "https://x.org/feed")


def test_parse_sitemap_and_index() -> None:
    kind, items = parse_sitemap(
        sitemap([("https://x.org/a", "2026-01-01"), ("https://x.org/b", None)]).encode()
    )
    assert kind == "urlset" and items == [
        ("https://x.org/a", "2026-01-01"),
        ("https://x.org/b", None),
    ]
    kind, items = parse_sitemap(sitemap_index([("https://x.org/s1.xml", None)]).encode())
    assert kind == "index" and items == [("https://x.org/s1.xml", None)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>hi</body></html>", "root element <html>"),
        (b"not xml", "not an XML sitemap"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol2;</loc>'
            b"</url></urlset>",
            "refused",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>&xxe;</loc></url></urlset>",
            "refused",
        ),
    ],
    ids=["html", "not-xml", "entity-expansion", "external-entity"],
)
def test_parse_sitemap_rejects(body: bytes, message: str) -> None:
    with pytest.raises(Exception, match=message):
        parse_sitemap(body)


def test_parse_listing() -> None:
    html = (
        b"<html><body><a href='/news/1'>1</a><a href='https://y.org/2#c'>2</a>"
        b"<a href='mailto:x@y.org'>m</a><a>no href</a></body></html>"
    )
    assert parse_listing(html, "https://x.org/press/") == [
        "https://x.org/news/1",
        "https://y.org/2#c",
    ]


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        (  # no declaration, not UTF-8: mostly ASCII markup with a few high bytes is windows-1252
            "<html><body><p>“Café” – ok, the FDA granted the designation</p></body></html>".encode(
                "cp1252"
            ),
            None,
            "“Café” – ok",
        ),
        (b'<meta charset="windows-1252"><p>\x93Caf\xe9\x94</p>', None, "“Café”"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>\x93x\x94',
            None,
            "“x”",  # WHATWG: iso-8859-1 means windows-1252
        ),
        ("<p>Café</p>".encode(), None, "Café"),
        ("<p>Café</p>".encode(), "utf-8", "Café"),
        ("<p>Café</p>".encode("latin-1"), "iso-8859-1", "Café"),
        (b"\xef\xbb\xbf<p>Caf\xc3\xa9</p>", "iso-8859-1", "<p>Café</p>"),  # the BOM wins
        ('<?xml version="1.0" encoding="utf-8"?><html>é</html>'.encode(), None, "<html>é</html>"),
        ("<p>Café</p>".encode(), "no-such-charset", "Café"),
    ],
)
def test_decode_html(body: bytes, charset: str | None, expected: str) -> None:
    assert expected in decode_html(body, charset)


def test_load_config_of_the_shipped_example() -> None:
    cfg = load_config(ROOT / "sources.example.toml")
    assert len(cfg.sources) >= 5
    assert {s.type for s in cfg.sources} == {"rss", "sitemap", "page"}
    assert all(s.url.startswith("https://") for s in cfg.sources)


def test_config_overrides_settings_and_options() -> None:
    cfg = parse_config(
        {
            "ingest": {"concurrency": 3, "host_delay_s": 2, "timeout_s": 5, "user_agent": "me/1"},
            "sources": [{"url": "https://x.org/feed", "type": "atom"}],
        }
    )
    assert cfg.options.concurrency == 3 and cfg.options.host_delay_s == 2.0
    assert cfg.sources[0].type == "rss" and cfg.sources[0].name == "x.org"
    applied = cfg.apply(FAST)
    assert (applied.timeout_s, applied.user_agent, applied.retries) == (5.0, "me/1", FAST.retries)
    assert cfg.options.with_flags(workers=2).workers == 2
    assert cfg.options.with_flags(workers=None).concurrency == 3


def test_duplicate_source_names() -> None:
    source = {"name": "a", "url": "https://x.org/f", "type": "rss"}
    with pytest.raises(ConfigError, match="duplicate name"):
        parse_config({"sources": [source, source]})


def test_host_limiter_spaces_requests() -> None:
    limiter = HostLimiter(per_host=1, delay_s=0.1)
    started = time.monotonic()
    for _ in range(3):
        with limiter.slot("https://x.org/a"):
            pass
    with limiter.slot("https://other.org/a"):  # another host does not wait
        pass
    assert 0.2 <= time.monotonic() - started < 1.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("status", "body", "allowed"),
    [
        (200, "User-agent: cgtextract\nDisallow: /news/\n", False),
        (200, "User-agent: *\nDisallow: /private/\n", True),
        (404, "", True),
        (403, "", True),
        (500, "", False),
        (429, "", False),
    ],
)
def test_robots_policy(http_server: LocalServer, status: int, body: str, allowed: bool) -> None:
    http_server.route("/robots.txt", status=status, body=body, content_type="text/plain")
    with make_client(FAST) as client:
        cache = RobotsCache(client, FAST)
        assert cache.allowed(http_server.url("/news/a")) is allowed
        assert cache.allowed(http_server.url("/news/b")) is allowed
    assert http_server.hits["/robots.txt"] == 1


def test_robots_unreachable_means_allowed() -> None:
    with httpx.Client(timeout=1.0) as client:
        cache = RobotsCache(client, FAST)
        assert cache.allowed(f"http://127.0.0.1:{_free_port()}/news/a")


def test_robots_crawl_delay_and_token(http_server: LocalServer) -> None:
    http_server.route(
        "/robots.txt", body="User-agent: *\nCrawl-delay: 2\n", content_type="text/plain"
    )
    with make_client(FAST) as client:
        assert RobotsCache(client, FAST).crawl_delay(http_server.url("/a")) == 2.0
    assert product_token(FAST.user_agent) == "cgtextract"


def test_terminal_progress_draws_and_clears() -> None:
    out = io.StringIO()
    show = TerminalProgress(out)
    show(Progress("discover", 0, 2))
    show(Progress("fetch", 5, 10, fetched=4, unchanged=1))
    show(Progress("done", 10, 10))
    text = out.getvalue()
    assert "\r[" in text and "5/10 URLs" in text and "fetched 4" in text
    assert text.endswith("\r\x1b[2K")
