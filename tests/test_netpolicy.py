"""Links found in feeds cannot make the fetcher request the machine's own network."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_ingest.helpers import config, pub_date, rss, run
from server import LocalServer, Reply

from cgtextract.errors import FetchError
from cgtextract.fetch import fetch
from cgtextract.ingest import IngestReport
from cgtextract.netpolicy import UrlGuard, guard_for, origin
from cgtextract.settings import Settings

PAGE = b"<html><body><p>hello</p></body></html>"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",  # loopback
        "http://[::1]:9/x",  # IPv6 loopback
        "http://10.1.2.3/x",  # private
        "http://192.168.0.10/x",
        "http://172.16.5.4/x",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://[::ffff:127.0.0.1]/x",  # IPv4-mapped loopback
        "http://0.0.0.0/x",
        "http://localhost:9/x",  # a host name that resolves to loopback
    ],
)
def test_private_addresses_are_refused_before_any_request(url: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        UrlGuard()(url)


def test_user_configured_origin_is_trusted(http_server: LocalServer) -> None:
    http_server.route("/feed.xml", body=PAGE)
    guard = guard_for([http_server.url("/feed.xml")])
    got = fetch(http_server.url("/feed.xml"), Settings(), guard=guard)
    assert got.status == 200


def test_link_to_a_second_local_server_is_refused(http_server: LocalServer) -> None:
    with LocalServer() as other:
        other.route("/secret", body=b"secret")
        guard = guard_for([http_server.url("/feed.xml")])
        with pytest.raises(FetchError, match="refused"):
            fetch(other.url("/secret"), Settings(), guard=guard)
        assert other.hits["/secret"] == 0


def test_redirect_from_allowed_url_to_blocked_address_is_refused(http_server: LocalServer) -> None:
    with LocalServer() as other:
        other.route("/secret", body=b"secret")
        http_server.redirect("/go", other.url("/secret"))
        guard = guard_for([http_server.url("/")])
        with pytest.raises(FetchError, match="refused"):
            fetch(http_server.url("/go"), Settings(), guard=guard)
        assert other.hits["/secret"] == 0


def test_allow_private_lets_everything_through(http_server: LocalServer) -> None:
    http_server.route("/p", body=PAGE)
    assert (
        fetch(http_server.url("/p"), Settings(), guard=UrlGuard(allow_private=True)).status == 200
    )


def test_origin_fills_default_ports() -> None:
    assert origin("HTTPS://Example.COM/a") == ("https", "example.com", 443)
    assert origin("http://example.com:8080/a") == ("http", "example.com", 8080)


# -- no request at all reaches a refused origin: robots.txt, redirects, retries --------------


def _ingest(feed_server: LocalServer, tmp_path: Path, feed: str) -> IngestReport:
    feed_server.route("/feed.xml", body=feed, content_type="application/rss+xml")
    cfg = config([{"name": "newsroom", "url": feed_server.url("/feed.xml"), "type": "rss"}])
    return run(cfg, f"sqlite:///{tmp_path / 'events.db'}")


def test_a_feed_link_to_a_refused_origin_sends_it_no_request_at_all(
    http_server: LocalServer, tmp_path: Path
) -> None:
    with LocalServer() as refused:
        refused.route("/robots.txt", body="User-agent: *\nAllow: /\n", content_type="text/plain")
        refused.route("/news/a", body=PAGE)
        report = _ingest(http_server, tmp_path, rss([(refused.url("/news/a"), pub_date(5))]))
        assert refused.requests == [], "the refused origin was asked for something"
    assert report.failed == 1 and "refused" in report.failures[0].error


def test_a_redirect_to_a_refused_origin_sends_it_no_request(
    http_server: LocalServer, tmp_path: Path
) -> None:
    with LocalServer() as refused:
        refused.route("/news/a", body=PAGE)
        http_server.redirect("/news/a", refused.url("/news/a"))
        report = _ingest(http_server, tmp_path, rss([(http_server.url("/news/a"), pub_date(5))]))
        assert refused.requests == []
    assert report.failed == 1 and "refused" in report.failures[0].error


def test_a_robots_txt_redirect_to_a_refused_origin_is_not_followed(
    http_server: LocalServer, tmp_path: Path
) -> None:
    with LocalServer() as refused:
        refused.route("/robots.txt", body="User-agent: *\nDisallow: /\n", content_type="text/plain")
        http_server.redirect("/robots.txt", refused.url("/robots.txt"))
        http_server.route("/news/a", body=PAGE)
        _ingest(http_server, tmp_path, rss([(http_server.url("/news/a"), pub_date(5))]))
        assert refused.requests == []
    assert http_server.hits["/news/a"] == 1  # robots.txt unreadable: allowed


def test_every_retry_is_vetted_again(http_server: LocalServer) -> None:
    """An address can change between two tries (DNS rebinding): each try asks the guard."""
    http_server.route_seq("/flaky", [503, Reply(body=PAGE)])
    asked: list[str] = []

    def guard(url: str) -> None:
        asked.append(url)
        if len(asked) > 1:
            raise FetchError(f"{url}: refused: now a private address")

    settings = Settings(retries=2, backoff_s=0.01)
    with pytest.raises(FetchError, match="refused"):
        fetch(http_server.url("/flaky"), settings, guard=guard)
    assert http_server.hits["/flaky"] == 1 and len(asked) == 2
