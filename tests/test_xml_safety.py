"""Feeds and sitemaps that attack XML parsers do nothing: no expansion, no file read, no request."""

from __future__ import annotations

import contextlib
import resource
import time

import pytest
from server import LocalServer

from cgtextract.errors import CgtextractError
from cgtextract.ingest import parse_feed, parse_sitemap

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
{root}"""
RSS_BODY = (
    "<rss version='2.0'><channel><title>&lol9;</title><item><title>x</title>"
    "<link>http://example.com/a</link></item></channel></rss>"
)
SITEMAP_BODY = (
    "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
    "<url><loc>http://example.com/&lol9;</loc></url></urlset>"
)
XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
{root}"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (lambda b: parse_feed(b, "http://example.com/feed.xml"), LAUGHS.format(root=RSS_BODY)),
        (parse_sitemap, LAUGHS.format(root=SITEMAP_BODY)),
        (
            lambda b: parse_feed(b, "http://example.com/feed.xml"),
            XXE.format(root=RSS_BODY.replace("&lol9;", "&xxe;")),
        ),
        (parse_sitemap, XXE.format(root=SITEMAP_BODY.replace("&lol9;", "&xxe;"))),
    ],
    ids=["billion-laughs-feed", "billion-laughs-sitemap", "xxe-feed", "xxe-sitemap"],
)
def test_entity_attacks_are_refused_quickly(parse: object, body: str) -> None:
    before, started = _peak_mb(), time.monotonic()
    with pytest.raises(CgtextractError, match="refused"):
        parse(body.encode())  # type: ignore[operator]
    assert time.monotonic() - started < 2
    assert _peak_mb() - before < 100


def test_utf16_entity_declarations_are_refused_too() -> None:
    with pytest.raises(CgtextractError, match="refused"):
        parse_feed(LAUGHS.format(root=RSS_BODY).encode("utf-16"), "http://example.com/f")


def test_external_dtd_is_never_fetched(http_server: LocalServer) -> None:
    http_server.route("/evil.dtd", body=b"<!ENTITY x 'y'>", content_type="application/xml-dtd")
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{http_server.url("/evil.dtd")}">'
        "<rss version='2.0'><channel><title>t</title><item><title>x</title>"
        "<link>http://example.com/a</link></item></channel></rss>"
    )
    items = parse_feed(feed.encode(), "http://example.com/feed.xml")
    assert [link for link, _ in items] == ["http://example.com/a"]
    sitemap = (
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{http_server.url("/evil.dtd")}">'
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<url><loc>http://example.com/b</loc></url></urlset>"
    )
    with contextlib.suppress(CgtextractError):  # refusing a DTD outright is fine too
        parse_sitemap(sitemap.encode())
    assert http_server.hits["/evil.dtd"] == 0
