"""fetch() against a real local HTTP server: statuses, redirects, retries, limits, caching."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from server import LocalServer, Reply, Request

from cgtextract.errors import FetchError
from cgtextract.fetch import Fetched, fetch, make_client, parse_content_type
from cgtextract.settings import Settings

PAGE = b"<html><head><title>FDA approves</title></head><body><p>Hello</p></body></html>"


def test_page_200(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/news", body=PAGE, content_type="text/html; charset=ISO-8859-1")
    got = fetch(http_server.url("/news"), fast_settings)
    assert isinstance(got, Fetched)
    assert got.status == 200
    assert got.body == PAGE
    assert got.url == got.final_url == http_server.url("/news")
    assert got.content_type == "text/html"
    assert got.charset == "iso-8859-1"
    assert got.headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert not got.not_modified
    assert http_server.hits["/news"] == 1


def test_charset_none_when_not_given(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/plain", body=b"text", content_type="text/plain")
    got = fetch(http_server.url("/plain"), fast_settings)
    assert (got.content_type, got.charset) == ("text/plain", None)


def test_missing_content_type_is_accepted(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    http_server.route("/bare", body=b"<p>x</p>", content_type=None)
    got = fetch(http_server.url("/bare"), fast_settings)
    assert got.body == b"<p>x</p>"
    assert (got.content_type, got.charset) == (None, None)


@pytest.mark.parametrize(
    "content_type",
    ["application/xhtml+xml", "application/rss+xml", "application/atom+xml", "text/xml"],
)
def test_other_text_types_are_accepted(
    http_server: LocalServer, fast_settings: Settings, content_type: str
) -> None:
    http_server.route("/feed", body=b"<x/>", content_type=content_type)
    assert fetch(http_server.url("/feed"), fast_settings).content_type == content_type


def test_user_agent_is_sent(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/ua", body=PAGE)
    settings = replace(fast_settings, user_agent="cgtextract-test/9 (+mailto:x@example.org)")
    fetch(http_server.url("/ua"), settings)
    assert http_server.last_request("/ua").headers["user-agent"] == settings.user_agent


def test_user_agent_overrides_a_given_client(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    http_server.route("/ua", body=PAGE)
    with httpx.Client(headers={"User-Agent": "something-else"}) as client:
        fetch(http_server.url("/ua"), fast_settings, client=client)
        assert not client.is_closed  # a caller's client is left open for reuse
    assert http_server.last_request("/ua").headers["user-agent"] == fast_settings.user_agent


def test_redirect_302_sets_final_url(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/article", body=PAGE)
    http_server.redirect("/old", "/article")  # relative Location
    got = fetch(http_server.url("/old"), fast_settings)
    assert got.status == 200
    assert got.body == PAGE
    assert got.url == http_server.url("/old")
    assert got.final_url == http_server.url("/article")
    assert http_server.hits["/old"] == 1
    assert http_server.hits["/article"] == 1


def test_redirect_chain_up_to_the_limit_is_followed(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    settings = replace(fast_settings, max_redirects=3)
    http_server.route("/end", body=PAGE)
    for i in range(3):
        http_server.redirect(f"/r{i}", f"/r{i + 1}" if i < 2 else "/end", status=301)
    assert fetch(http_server.url("/r0"), settings).final_url == http_server.url("/end")


def test_redirect_chain_over_the_limit_fails(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    settings = replace(fast_settings, max_redirects=3)
    http_server.route("/end", body=PAGE)
    for i in range(4):
        http_server.redirect(f"/r{i}", f"/r{i + 1}" if i < 3 else "/end", status=307)
    with pytest.raises(FetchError, match=r"too many redirects \(>3\)"):
        fetch(http_server.url("/r0"), settings)
    assert http_server.hits["/end"] == 0


def test_redirect_loop_fails(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")
    with pytest.raises(FetchError, match=r"too many redirects \(>5\)") as info:
        fetch(http_server.url("/a"), fast_settings)
    assert str(info.value).startswith(http_server.url("/a") + ": ")
    assert http_server.hits["/a"] + http_server.hits["/b"] == fast_settings.max_redirects + 1


def test_redirect_to_non_http_scheme_fails(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    http_server.redirect("/sneaky", "file:///etc/passwd")
    with pytest.raises(FetchError, match="redirected to a non-http URL"):
        fetch(http_server.url("/sneaky"), fast_settings)


def test_redirect_without_location_fails(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/nowhere", status=302, content_type=None)
    with pytest.raises(FetchError, match="without a Location"):
        fetch(http_server.url("/nowhere"), fast_settings)


def test_404_fails_at_once(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/gone", status=404, body=b"nope")
    url = http_server.url("/gone")
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch(url, fast_settings)
    assert str(info.value) == f"{url}: HTTP 404 Not Found"
    assert http_server.hits["/gone"] == 1


def test_error_after_redirect_names_both_urls(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    http_server.redirect("/moved", "/gone")
    http_server.route("/gone", status=410)
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/moved"), fast_settings)
    assert str(info.value) == (
        f"{http_server.url('/moved')} (at {http_server.url('/gone')}): HTTP 410 Gone"
    )


def test_500_is_retried_then_fails(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/broken", status=500)
    with pytest.raises(FetchError, match=r"HTTP 500 .*gave up after 3 attempts"):
        fetch(http_server.url("/broken"), fast_settings)
    assert http_server.hits["/broken"] == fast_settings.retries + 1


def test_retries_zero_means_one_attempt(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/broken", status=503)
    with pytest.raises(FetchError, match="HTTP 503"):
        fetch(http_server.url("/broken"), replace(fast_settings, retries=0))
    assert http_server.hits["/broken"] == 1


def test_500_then_200_succeeds(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route_seq("/flaky", [500, 502, Reply(body=PAGE)])
    got = fetch(http_server.url("/flaky"), fast_settings)
    assert got.body == PAGE
    assert http_server.hits["/flaky"] == 3


def test_backoff_grows_exponentially(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route_seq("/flaky", [500, 500, Reply(body=PAGE)])
    settings = replace(fast_settings, backoff_s=0.1)
    start = time.monotonic()
    fetch(http_server.url("/flaky"), settings)
    assert time.monotonic() - start >= 0.1 + 0.2 - 0.02


def test_429_honours_retry_after(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route_seq(
        "/busy", [Reply(status=429, headers={"Retry-After": "1"}), Reply(body=PAGE)]
    )
    start = time.monotonic()
    got = fetch(http_server.url("/busy"), fast_settings)  # backoff_s is only 0.01
    elapsed = time.monotonic() - start
    assert got.body == PAGE
    assert http_server.hits["/busy"] == 2
    assert 0.95 <= elapsed < 5


def test_non_html_content_type_fails(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/doc.pdf", body=b"%PDF-1.7", content_type="application/pdf")
    url = http_server.url("/doc.pdf")
    with pytest.raises(FetchError) as info:
        fetch(url, fast_settings)
    assert str(info.value) == f"{url}: not an HTML or text page (application/pdf)"
    assert http_server.hits["/doc.pdf"] == 1


def test_body_over_cap_with_content_length_fails(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    http_server.route("/big", body=b"x" * 2048)
    with pytest.raises(FetchError, match="body larger than 1024 bytes"):
        fetch(http_server.url("/big"), replace(fast_settings, max_bytes=1024))


def test_body_over_cap_without_content_length_fails(
    http_server: LocalServer, fast_settings: Settings
) -> None:
    http_server.route("/big", body=b"x" * 2048, content_length=False)
    with pytest.raises(FetchError, match="body larger than 1024 bytes"):
        fetch(http_server.url("/big"), replace(fast_settings, max_bytes=1024))


def test_body_exactly_at_cap_is_fine(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/edge", body=b"x" * 1024, content_length=False)
    got = fetch(http_server.url("/edge"), replace(fast_settings, max_bytes=1024))
    assert len(got.body) == 1024


def test_endless_body_is_not_read_whole(http_server: LocalServer, fast_settings: Settings) -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        chunk = b"<p>" + b"y" * 16_380 + b"</p>"
        for _ in range(100_000):  # ~1.6 GB if the client kept reading
            sent.append(len(chunk))
            yield chunk

    http_server.route("/endless", stream=endless)
    start = time.monotonic()
    with pytest.raises(FetchError, match="body larger than 65536 bytes"):
        fetch(http_server.url("/endless"), replace(fast_settings, max_bytes=65_536))
    assert time.monotonic() - start < 3
    assert sum(sent) < 50 * 1024 * 1024


def test_timeout_fails(http_server: LocalServer) -> None:
    http_server.route("/hang", body=PAGE, delay=30)  # teardown wakes the handler at once
    settings = Settings(timeout_s=0.5, retries=0)
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.5s") as info:
        fetch(http_server.url("/hang"), settings)
    assert time.monotonic() - start < 3
    assert isinstance(info.value.__cause__, httpx.TimeoutException)
    assert http_server.hits["/hang"] == 1


def test_timeout_is_retried(http_server: LocalServer) -> None:
    http_server.route_seq("/slow-once", [Reply(delay=30), Reply(body=PAGE)])
    settings = Settings(timeout_s=0.3, retries=1, backoff_s=0.01)
    assert fetch(http_server.url("/slow-once"), settings).body == PAGE
    assert http_server.hits["/slow-once"] == 2


def test_connection_refused_fails(fast_settings: Settings) -> None:
    with socket.socket() as sock:  # find a port nobody is listening on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect") as info:
        fetch(f"http://127.0.0.1:{port}/", replace(fast_settings, retries=0))
    assert isinstance(info.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)", "example.org/x", ""],
)
def test_non_http_scheme_fails(url: str, fast_settings: Settings) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch(url, fast_settings)


def test_url_without_host_fails(fast_settings: Settings) -> None:
    with pytest.raises(FetchError, match="no host"):
        fetch("http:///path", fast_settings)


def test_conditional_get_304(http_server: LocalServer, fast_settings: Settings) -> None:
    etag = '"v1"'
    modified = "Tue, 25 Nov 2025 10:00:00 GMT"

    def handler(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(status=304, content_type=None, headers={"ETag": etag})
        return Reply(body=PAGE, headers={"ETag": etag, "Last-Modified": modified})

    http_server.route_fn("/cached", handler)
    url = http_server.url("/cached")
    first = fetch(url, fast_settings)
    assert (first.status, first.body, first.etag, first.last_modified) == (
        200,
        PAGE,
        etag,
        modified,
    )
    assert "if-none-match" not in http_server.last_request("/cached").headers

    again = fetch(url, fast_settings, etag=first.etag, last_modified=first.last_modified)
    assert again.status == 304
    assert again.not_modified
    assert again.body == b""
    sent = http_server.last_request("/cached").headers
    assert sent["if-none-match"] == etag
    assert sent["if-modified-since"] == modified
    assert http_server.hits["/cached"] == 2


def test_shared_client_is_reused(http_server: LocalServer, fast_settings: Settings) -> None:
    http_server.route("/one", body=b"1")
    http_server.route("/two", body=b"2")
    with make_client(fast_settings) as client:
        assert fetch(http_server.url("/one"), fast_settings, client=client).body == b"1"
        assert fetch(http_server.url("/two"), fast_settings, client=client).body == b"2"
        assert client.headers["user-agent"] == fast_settings.user_agent
        assert client.timeout.read == fast_settings.timeout_s
        assert not client.follow_redirects


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, (None, None)),
        ("", (None, None)),
        ("TEXT/HTML", ("text/html", None)),
        ('text/html; charset="UTF-8"', ("text/html", "utf-8")),
        ("text/html;foo=bar; Charset=windows-1252", ("text/html", "windows-1252")),
    ],
)
def test_parse_content_type(header: str | None, expected: tuple[str | None, str | None]) -> None:
    assert parse_content_type(header) == expected
