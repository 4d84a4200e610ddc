"""Reading WARC files: local or streamed over http(s), gzip or not, checked for truncation.

FastWARC parses the records. It reads from `WarcStream`, which inflates `.warc.gz` member by
member itself and checks what both WARC libraries do not: that the last gzip member is whole,
that the file ends where a record ends, and that an http(s) body is as long as its
Content-Length. (Both libraries stop silently at the end of a truncated file.) HTTP payloads
that still carry their transfer or content encoding are decoded here, bounded: warcio removes
the chunking, zlib and brotli inflate with a cap on the output.

Before any record reaches trafilatura it must be a `response` with an HTML payload and a 2xx
status, from an allowed host, no larger than `Settings.max_bytes`; what passes that is a
`Capture`, which `worker.py` hands to the keyword prefilter.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cgtextract.errors import FetchError, InputError, RecordError, WarcError
from cgtextract.pipeline import is_url
from cgtextract.settings import Settings

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
CHUNK_BYTES = 64 * 1024
DEFAULT_MAX_WARC_BYTES = 8 * 1024**3
"""Largest WARC file read over http(s) (CC-NEWS files are just under 1 GB)."""
_GZIP_MAGIC = b"\x1f\x8b"
_RECORD_END = b"\r\n\r\n"


# --- the byte stream ------------------------------------------------------------------------


class WarcStream:
    """The uncompressed bytes of one WARC file, for FastWARC to read.

    `read` never raises (an exception inside FastWARC's reader would abort the process);
    it ends the stream early and leaves the reason in `problem`, which the caller checks
    once FastWARC has stopped.
    """

    def __init__(
        self,
        chunks: Iterable[bytes],
        name: str,
        expected: int | None = None,
        etag: str | None = None,
    ) -> None:
        self.name = name
        self.size = expected
        self.etag = etag
        self.problem: str | None = None
        self._chunks = iter(chunks)
        self._expected = expected
        self._raw_bytes = 0
        self._buffer = bytearray()
        self._position = 0
        self._tail = b""
        self._inflater: Any = None
        self._gzip: bool | None = None
        self._done = False

    def tell(self) -> int:
        """Uncompressed bytes handed out so far."""
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Only where the stream already is: it is read once, front to back."""
        if (whence, offset) in ((io.SEEK_CUR, 0), (io.SEEK_SET, self._position)):
            return self._position
        raise io.UnsupportedOperation("a WARC stream is read front to back")

    def read(self, size: int = -1) -> bytes:
        """Up to `size` uncompressed bytes; b"" at the end (or where a problem stopped it)."""
        want = CHUNK_BYTES if size is None or size < 0 else size
        while len(self._buffer) < want and not self._done:
            self._fill()
        data = bytes(self._buffer[:want])
        del self._buffer[:want]
        self._position += len(data)
        if data:
            self._tail = (self._tail + data)[-len(_RECORD_END) :]
        return data

    def close(self) -> None:
        """Close the file or the connection behind the stream."""
        closer = getattr(self._chunks, "close", None)
        if closer is not None:
            closer()

    def _fill(self) -> None:
        try:
            raw = next(self._chunks, b"")
        except (OSError, FetchError) as exc:
            self._stop(str(exc))
            return
        if not raw:
            self._finish()
            return
        self._raw_bytes += len(raw)
        if self._gzip is None:
            self._gzip = raw.startswith(_GZIP_MAGIC)
        if not self._gzip:
            self._buffer += raw
            return
        while raw:
            if self._inflater is None:
                self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            try:
                self._buffer += self._inflater.decompress(raw)
            except zlib.error as exc:
                self._stop(f"corrupt gzip data after {self._raw_bytes} bytes ({exc})")
                return
            if not self._inflater.eof:
                return
            raw, self._inflater = self._inflater.unused_data, None

    def _finish(self) -> None:
        self._done = True
        if self._expected is not None and self._raw_bytes < self._expected:
            self.problem = (
                f"truncated: {self._raw_bytes} of {self._expected} bytes "
                "(body shorter than its Content-Length)"
            )
        elif self._inflater is not None:
            self.problem = "truncated: the last gzip member is incomplete"

    def _stop(self, problem: str) -> None:
        self.problem = problem
        self._done = True
        self._buffer.clear()

    def ended_cleanly(self) -> bool:
        """After FastWARC stopped: no problem found, it read to the end, and the data ends
        where a record ends."""
        if self.problem is None and not (self._done and not self._buffer):
            self.problem = f"unreadable data after byte {self._position} (not a WARC record)"
        elif self.problem is None and self._position and self._tail != _RECORD_END:
            self.problem = "truncated: the file does not end at the end of a record"
        return self.problem is None


def open_warc(uri: str, settings: Settings, max_warc_bytes: int) -> WarcStream:
    """A `WarcStream` over a local file or an http(s) URL (streamed, never saved whole).

    A missing file, a refused or failed request is an InputError / FetchError at once.
    """
    if is_url(uri):
        return WarcStream(*_http_chunks(uri, settings, max_warc_bytes))
    path = Path(uri)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{uri}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{uri}: is a directory, not a WARC file") from None
    except OSError as exc:
        raise InputError(f"{uri}: cannot read ({exc.strerror})") from exc
    return WarcStream(_file_chunks(handle), uri, os.fstat(handle.fileno()).st_size)


def _file_chunks(handle: io.BufferedReader) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def _http_chunks(
    url: str, settings: Settings, max_warc_bytes: int
) -> tuple[Iterator[bytes], str, int | None, str | None]:
    """The raw body of a GET, chunk by chunk, with the bounds of `fetch`: http(s) only at
    every hop, `max_redirects`, `timeout_s` per connect or read, the User-Agent; and the
    body's length checked against Content-Length and `max_warc_bytes`."""
    import httpx

    client = httpx.Client(
        timeout=httpx.Timeout(settings.timeout_s),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "identity"},
        follow_redirects=True,
        max_redirects=settings.max_redirects,
    )
    try:
        response = client.send(client.build_request("GET", url), stream=True)
    except httpx.TooManyRedirects:
        client.close()
        raise FetchError(f"{url}: too many redirects (>{settings.max_redirects})") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        client.close()
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        response.close()
        client.close()
        raise FetchError(f"{url}: HTTP {response.status_code}")
    length = response.headers.get("content-length")
    expected = int(length) if length and length.isdigit() else None
    if expected is not None and expected > max_warc_bytes:
        response.close()
        client.close()
        raise FetchError(f"{url}: WARC larger than {max_warc_bytes} bytes")

    def chunks() -> Iterator[bytes]:
        received = 0
        try:
            for chunk in response.iter_raw():  # as received: a chunker would hide bytes
                received += len(chunk)
                if received > max_warc_bytes:
                    raise FetchError(f"WARC larger than {max_warc_bytes} bytes")
                yield chunk
        except httpx.HTTPError as exc:
            if expected is not None and received < expected:
                raise FetchError(
                    f"truncated: {received} of {expected} bytes "
                    "(body shorter than its Content-Length)"
                ) from None
            raise FetchError(f"connection lost after {received} bytes ({exc})") from None
        finally:
            response.close()
            client.close()

    return chunks(), url, expected, response.headers.get("etag")


def warc_size(uri: str) -> int | None:
    """A local WARC's size in bytes (None for URLs and missing files)."""
    if is_url(uri):
        return None
    try:
        return os.stat(uri).st_size
    except OSError:
        return None


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capture:
    """One archived HTML response, its payload decoded."""

    uri: str
    date: datetime
    status: int
    content_type: str
    charset: str | None
    body: bytes


@dataclass
class HostFilter:
    """Hosts to keep or drop; a name matches itself and its subdomains."""

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    def keeps(self, uri: str) -> bool:
        """True when the URL's host is allowed (or no allow list) and not denied."""
        host = (urlsplit(uri).hostname or "").lower().rstrip(".")
        if any(_within(host, d) for d in self.deny):
            return False
        return not self.allow or any(_within(host, a) for a in self.allow)


def _within(host: str, domain: str) -> bool:
    domain = domain.lower().strip(".")
    return host == domain or host.endswith("." + domain)


@dataclass
class RecordCounts:
    """What happened to a WARC's response records."""

    seen: int = 0
    passed: int = 0
    read: int = 0
    failed: int = 0
    events: int = 0
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str, keep: int = 20) -> None:
        """Count a bad record; keep the first few messages for the report."""
        self.failed += 1
        if len(self.failures) < keep:
            self.failures.append(message)


def captures(
    stream: WarcStream, counts: RecordCounts, hosts: HostFilter, max_bytes: int
) -> Iterator[Capture]:
    """The HTML responses of the WARC, in file order. `counts.seen` counts every response
    record; one that is over `max_bytes` or cannot be decoded is counted failed and skipped.
    WarcError when the file cannot be read to its end."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    try:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response):
            counts.seen += 1
            capture = _capture(record, counts, hosts, max_bytes)
            if capture is not None:
                yield capture
    except OSError as exc:  # FastWARC: a malformed record header
        raise WarcError(f"{stream.name}: {stream.problem or exc}") from None
    if not stream.ended_cleanly():
        raise WarcError(f"{stream.name}: {stream.problem}")


def _capture(
    record: Any, counts: RecordCounts, hosts: HostFilter, max_bytes: int
) -> Capture | None:
    uri = (record.headers.get("WARC-Target-URI") or "").strip().strip("<>")
    http = record.http_headers
    status = http.status_code or 0
    content_type = (record.http_content_type or "").lower()
    if not uri or not 200 <= status < 300 or content_type not in HTML_TYPES:
        return None
    if not hosts.keeps(uri):
        return None
    size = record.content_length
    if size > max_bytes:
        counts.fail(f"{uri}: body larger than {max_bytes} bytes")
        return None
    raw = record.reader.read(size)
    if len(raw) < size:
        raise WarcError(f"truncated: record {uri} has {len(raw)} of {size} bytes")
    try:
        body = decode_payload(
            raw, http.get("Transfer-Encoding"), http.get("Content-Encoding"), max_bytes
        )
    except RecordError as exc:
        counts.fail(f"{uri}: {exc}")
        return None
    date = record.record_date
    if date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    return Capture(uri, date, status, content_type, record.http_charset, body)


# --- HTTP payload decoding ------------------------------------------------------------------


def decode_payload(
    raw: bytes, transfer_encoding: str | None, content_encoding: str | None, max_bytes: int
) -> bytes:
    """The payload as the page was sent, before its transfer and content encodings.

    As browsers (and warcio) do, a payload whose header names an encoding it does not carry
    (crawlers that stored the decoded body but kept the header) is taken as it is. The
    output is capped at `max_bytes`: a compression bomb stops there (RecordError).
    """
    data = raw
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        from warcio.bufferedreaders import ChunkedDataReader

        data = ChunkedDataReader(io.BytesIO(raw)).read()
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("identity", "none"):
            continue
        if coding in ("gzip", "x-gzip", "deflate"):
            data = _inflate(data, coding, max_bytes)
        elif coding == "br":
            data = _unbrotli(data, max_bytes)
        else:
            raise RecordError(f"unsupported Content-Encoding {coding!r}")
    return data


def _inflate(data: bytes, coding: str, max_bytes: int) -> bytes:
    if coding == "deflate":
        wbits = [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    elif data.startswith(_GZIP_MAGIC):
        wbits = [zlib.MAX_WBITS | 16]
    else:
        return data  # stored decoded
    for bits in wbits:
        inflater = zlib.decompressobj(bits)
        try:
            out = inflater.decompress(data, max_bytes + 1)
        except zlib.error:
            continue
        if len(out) > max_bytes:
            raise RecordError(f"body larger than {max_bytes} bytes once decompressed")
        if not inflater.eof:
            continue
        return out
    if coding == "deflate":
        return data  # stored decoded
    raise RecordError(f"corrupt {coding} payload")


def _unbrotli(data: bytes, max_bytes: int) -> bytes:
    import brotli  # a dependency of FastWARC

    decompressor = brotli.Decompressor()
    try:
        out = decompressor.process(data, output_buffer_limit=max_bytes + 1)
    except brotli.error:
        if data.lstrip()[:1] == b"<":
            return data  # stored decoded
        raise RecordError("corrupt br payload") from None
    if len(out) > max_bytes:
        raise RecordError(f"body larger than {max_bytes} bytes once decompressed")
    if not decompressor.is_finished():
        raise RecordError("truncated br payload")
    return bytes(out)
