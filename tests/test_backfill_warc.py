"""Reading WARCs: records kept and skipped, payload decoding, truncation, http(s) streams."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import brotli
import pytest
from server import LocalServer
from warc_fixtures import Page, chunked, deflated, gzipped, write_warc

from cgtextract.backfill.driver import warc_paths
from cgtextract.backfill.warc import (
    Capture,
    HostFilter,
    RecordCounts,
    RecordError,
    WarcError,
    captures,
    decode_payload,
    open_warc,
)
from cgtextract.errors import FetchError, InputError
from cgtextract.settings import Settings

HTML = (
    b"<html><body><p>"
    + b"The FDA cleared the IND for a CAR-T cell therapy. " * 40
    + b"</p></body></html>"
)
MAX = 1 << 20


def read_all(
    uri: str,
    settings: Settings | None = None,
    hosts: HostFilter | None = None,
    max_bytes: int = MAX,
) -> tuple[list[Capture], RecordCounts]:
    counts = RecordCounts()
    stream = open_warc(uri, settings or Settings(), 1 << 30)
    try:
        return list(captures(stream, counts, hosts or HostFilter(), max_bytes)), counts
    finally:
        stream.close()


@pytest.mark.parametrize("name", ["a.warc", "a.warc.gz"])
def test_html_responses_are_kept_others_skipped(tmp_path: Path, name: str) -> None:
    warc = write_warc(
        tmp_path / name,
        [
            Page("https://a.example/1", HTML, date="2020-01-02T03:04:05Z"),
            Page(
                "https://a.example/pdf", b"%PDF-1.4", headers=[("Content-Type", "application/pdf")]
            ),
            Page("https://a.example/gone", HTML, status="404 Not Found"),
            Page("https://a.example/moved", b"", status="301 Moved", headers=[("Location", "/1")]),
            Page("https://a.example/res", HTML, record_type="resource"),
            Page("https://b.example/2", HTML, headers=[("Content-Type", "application/xhtml+xml")]),
        ],
    )
    got, counts = read_all(str(warc))
    assert [c.uri for c in got] == ["https://a.example/1", "https://b.example/2"]
    assert got[0].body == HTML
    assert got[0].date.isoformat() == "2020-01-02T03:04:05+00:00"
    assert got[0].charset == "utf-8"
    assert (counts.seen, counts.failed) == (5, 0)  # response records only


@pytest.mark.parametrize(
    ("headers", "payload"),
    [
        ([("Content-Encoding", "gzip")], gzipped(HTML)),
        ([("Content-Encoding", "deflate")], deflated(HTML)),
        ([("Content-Encoding", "deflate")], zlib.compress(HTML)[2:-4]),  # raw deflate
        ([("Content-Encoding", "br")], brotli.compress(HTML)),
        ([("Transfer-Encoding", "chunked")], chunked(HTML)),
        ([("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")], chunked(gzipped(HTML))),
        # crawlers that stored the decoded body but kept the header
        ([("Content-Encoding", "gzip")], HTML),
        ([("Transfer-Encoding", "chunked")], HTML),
    ],
)
def test_http_encodings_are_decoded(
    tmp_path: Path, headers: list[tuple[str, str]], payload: bytes
) -> None:
    page = Page("https://a.example/x", payload, headers=[("Content-Type", "text/html"), *headers])
    got, _ = read_all(str(write_warc(tmp_path / "a.warc.gz", [page])))
    assert got[0].body == HTML


@pytest.mark.parametrize(
    ("encoding", "payload", "message"),
    [
        ("gzip", gzip.compress(b"\0" * (4 << 20)), "larger than 1048576 bytes once decompressed"),
        ("br", brotli.compress(b"\0" * (4 << 20)), "larger than 1048576 bytes once decompressed"),
        ("gzip", b"\x1f\x8b\x08\x00garbage", "corrupt gzip payload"),
        ("zstd", b"(\xb5/\xfd", "unsupported Content-Encoding 'zstd'"),
    ],
)
def test_a_bad_payload_fails_its_record_alone(
    tmp_path: Path, encoding: str, payload: bytes, message: str
) -> None:
    pages = [
        Page(
            "https://a.example/bad",
            payload,
            headers=[("Content-Type", "text/html"), ("Content-Encoding", encoding)],
        ),
        Page("https://a.example/good", HTML),
    ]
    got, counts = read_all(str(write_warc(tmp_path / "a.warc.gz", pages)))
    assert [c.uri for c in got] == ["https://a.example/good"]
    assert counts.failed == 1
    assert message in counts.failures[0]


def test_a_record_over_the_size_bound_fails_alone(tmp_path: Path) -> None:
    pages = [Page("https://a.example/big", HTML * 10), Page("https://a.example/small", HTML)]
    got, counts = read_all(str(write_warc(tmp_path / "a.warc", pages)), max_bytes=len(HTML) + 10)
    assert [c.uri for c in got] == ["https://a.example/small"]
    assert counts.failures == [f"https://a.example/big: body larger than {len(HTML) + 10} bytes"]


def test_host_filter(tmp_path: Path) -> None:
    pages = [Page(f"https://{h}/p", HTML) for h in ("news.example", "www.news.example", "x.org")]
    warc = str(write_warc(tmp_path / "a.warc.gz", pages))
    allow = HostFilter(allow=("news.example",))
    assert [c.uri for c in read_all(warc, hosts=allow)[0]] == [
        "https://news.example/p",
        "https://www.news.example/p",
    ]
    deny = HostFilter(deny=("www.news.example",))
    assert [c.uri for c in read_all(warc, hosts=deny)[0]] == [
        "https://news.example/p",
        "https://x.org/p",
    ]


def _pages(n: int = 6) -> list[Page]:
    return [Page(f"https://a.example/{i}", HTML + str(i).encode()) for i in range(n)]


@pytest.mark.parametrize("name", ["a.warc", "a.warc.gz"])
@pytest.mark.parametrize("keep", [0.5, 0.9, -40, -3, -1])
def test_a_truncated_warc_is_an_error(tmp_path: Path, name: str, keep: float) -> None:
    whole = write_warc(tmp_path / name, _pages()).read_bytes()
    cut = int(len(whole) * keep) if keep > 0 else len(whole) + int(keep)
    (tmp_path / name).write_bytes(whole[:cut])
    with pytest.raises(WarcError, match="truncated"):
        read_all(str(tmp_path / name))


@pytest.mark.parametrize("name", ["a.warc", "a.warc.gz"])
def test_a_whole_warc_reads_to_its_end(tmp_path: Path, name: str) -> None:
    got, counts = read_all(str(write_warc(tmp_path / name, _pages())))
    assert len(got) == counts.seen == 6


@pytest.mark.parametrize("name", ["a.warc", "a.warc.gz"])
def test_garbage_after_the_records_is_an_error(tmp_path: Path, name: str) -> None:
    warc = write_warc(tmp_path / name, _pages(3))
    tail = b"<html>not a record</html>\r\n" * 50
    warc.write_bytes(warc.read_bytes() + (gzip.compress(tail) if name.endswith(".gz") else tail))
    with pytest.raises(WarcError):
        read_all(str(warc))


def test_garbage_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.warc").write_bytes(b"this is not a WARC file\r\n" * 100)
    with pytest.raises(WarcError):
        read_all(str(tmp_path / "x.warc"))


@pytest.mark.parametrize(
    ("path", "message"), [("missing.warc.gz", "no such file"), (".", "is a directory")]
)
def test_an_unreadable_path_is_an_input_error(tmp_path: Path, path: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        open_warc(str(tmp_path / path), Settings(), 1 << 30)


def test_a_warc_over_http_is_streamed(tmp_path: Path, http_server: LocalServer) -> None:
    data = write_warc(tmp_path / "a.warc.gz", _pages()).read_bytes()
    http_server.route("/a.warc.gz", body=data, content_type="application/octet-stream")
    got, counts = read_all(http_server.url("/a.warc.gz"))
    assert len(got) == counts.seen == 6
    assert http_server.last_request("/a.warc.gz").headers["accept-encoding"] == "identity"


def test_an_http_body_shorter_than_its_content_length_is_an_error(
    tmp_path: Path, http_server: LocalServer
) -> None:
    data = write_warc(tmp_path / "a.warc.gz", _pages()).read_bytes()
    # cut at a gzip member boundary: only the Content-Length can tell
    members = _member_offsets(data)
    cut = members[-2]
    http_server.route(
        "/a.warc.gz",
        body=data[:cut],
        content_type="application/octet-stream",
        headers={"Content-Length": str(len(data))},
        content_length=False,
    )
    with pytest.raises(WarcError, match=f"truncated: {cut} of {len(data)} bytes"):
        read_all(http_server.url("/a.warc.gz"))


def _member_offsets(data: bytes) -> list[int]:
    offsets, pos = [], 0
    while pos < len(data):
        offsets.append(pos)
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        inflater.decompress(data[pos:])
        pos = len(data) - len(inflater.unused_data)
    return offsets


@pytest.mark.parametrize(("status", "message"), [(404, "HTTP 404"), (500, "HTTP 500")])
def test_an_http_error_is_a_fetch_error(
    http_server: LocalServer, status: int, message: str
) -> None:
    http_server.route("/x.warc.gz", status=status, body=b"no")
    with pytest.raises(FetchError, match=message):
        open_warc(http_server.url("/x.warc.gz"), Settings(retries=0), 1 << 30)


def test_a_warc_over_the_size_bound_is_refused(http_server: LocalServer) -> None:
    http_server.route("/x.warc.gz", body=b"x" * 1000, content_type="application/octet-stream")
    with pytest.raises(FetchError, match="WARC larger than 100 bytes"):
        open_warc(http_server.url("/x.warc.gz"), Settings(), 100)


def test_redirects_are_followed_within_the_bound(tmp_path: Path, http_server: LocalServer) -> None:
    data = write_warc(tmp_path / "a.warc", _pages(1)).read_bytes()
    http_server.route("/a.warc", body=data, content_type="application/octet-stream")
    http_server.redirect("/old.warc", "/a.warc")
    assert len(read_all(http_server.url("/old.warc"))[0]) == 1
    for i in range(3):
        http_server.redirect(f"/r{i}", f"/r{i + 1}")
    with pytest.raises(FetchError, match="too many redirects"):
        open_warc(http_server.url("/r0"), Settings(max_redirects=1), 1 << 30)


def test_decode_payload_without_encodings_is_the_payload() -> None:
    assert decode_payload(HTML, None, None, MAX) == HTML
    assert decode_payload(HTML, "identity", "identity", MAX) == HTML
    with pytest.raises(RecordError):
        decode_payload(b"x", None, "compress", MAX)


def test_warc_paths(tmp_path: Path) -> None:
    listing = "crawl-data/CC-NEWS/2024/01/a.warc.gz\n\n# comment\nhttps://x.org/b.warc.gz\n"
    (tmp_path / "warc.paths").write_text(listing)
    (tmp_path / "warc.paths.gz").write_bytes(gzip.compress(listing.encode()))
    expected = [
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/01/a.warc.gz",
        "https://x.org/b.warc.gz",
    ]
    assert warc_paths(str(tmp_path / "warc.paths")) == expected
    assert warc_paths(str(tmp_path / "warc.paths.gz")) == expected
    assert warc_paths(str(tmp_path / "warc.paths"), "http://127.0.0.1:9/base")[0] == (
        "http://127.0.0.1:9/base/crawl-data/CC-NEWS/2024/01/a.warc.gz"
    )
    with pytest.raises(InputError, match="no such file"):
        warc_paths(str(tmp_path / "missing"))
