"""Links found in feeds cannot make the fetcher request the machine's own network."""

from __future__ import annotations

import pytest
from server import LocalServer

from cgtextract.errors import FetchError
from cgtextract.fetch import fetch
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
