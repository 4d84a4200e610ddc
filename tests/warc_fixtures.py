"""WARC files for the backfill tests, written with warcio at test time."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEV_PAGES = sorted((FIXTURES / "dev").glob("*.html"))
SEED_PAGE = FIXTURES / "seed" / "page.html"


@dataclass(frozen=True)
class Page:
    """One archived response."""

    uri: str
    body: bytes
    date: str = "2021-03-04T05:06:07Z"
    status: str = "200 OK"
    headers: Sequence[tuple[str, str]] = field(
        default_factory=lambda: [("Content-Type", "text/html; charset=utf-8")]
    )
    record_type: str = "response"


def write_warc(path: Path, pages: Iterable[Page]) -> Path:
    """A WARC (gzip per record when the name ends in .gz) holding these responses, each
    after a request record, as crawlers write them."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for page in pages:
            host = page.uri.split("/")[2]
            request = StatusAndHeaders(
                f"GET /{page.uri.split('/', 3)[-1]} HTTP/1.1",
                [("Host", host)],
                is_http_request=True,
            )
            writer.write_record(
                writer.create_warc_record(
                    page.uri,
                    "request",
                    payload=io.BytesIO(b""),
                    length=0,
                    http_headers=request,
                    warc_headers_dict={"WARC-Date": page.date},
                )
            )
            http = StatusAndHeaders(page.status, list(page.headers), protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    page.uri,
                    page.record_type,
                    payload=io.BytesIO(page.body),
                    length=len(page.body),  # given, or warcio leaks a temporary file
                    http_headers=http,
                    warc_headers_dict={"WARC-Date": page.date},
                )
            )
    return path


def dev_pages(base: str = "https://news.example", date: str = "2021-03-04T05:06:07Z") -> list[Page]:
    """The dev fixture pages (gold events) and the seed page, as archived responses."""
    return [Page(f"{base}/{p.stem}", p.read_bytes(), date) for p in [*DEV_PAGES, SEED_PAGE]]


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body)


def deflated(body: bytes) -> bytes:
    return zlib.compress(body)


def chunked(body: bytes, size: int = 1000) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
