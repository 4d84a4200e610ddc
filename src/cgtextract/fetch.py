"""Fetch one web page politely: identify ourselves, cap time and size, retry gently.

Every failure comes out as a single FetchError with a one-line human message;
no httpx exception escapes, so callers (and the CLI) handle one error type.

Bounds, each from `Settings`: `max_bytes` for the body both as sent and once decompressed
(gzip and deflate are inflated here, 64 KiB at a time, so a small compression bomb never
grows past the cap in memory); `max_redirects` hops; `timeout_s` for each connect or read;
`max_fetch_s` for the whole fetch, hops, retries and a slowly dripped body included.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from cgtextract.errors import FetchError
from cgtextract.settings import Settings

#: Media types we know how to read text out of. A missing Content-Type is also accepted,
#: because plenty of small press-release servers never send one.
ACCEPTED_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
    }
)

#: Statuses that carry a Location to follow. Every request here is a GET, so the
#: method-preserving (307/308) and method-changing (301/302/303) kinds behave alike.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

#: Longest we will ever sleep on a server's Retry-After, so one slow site cannot stall a run.
MAX_RETRY_AFTER_S = 30.0

_ALLOWED_SCHEMES = frozenset({"http", "https"})

#: Content-Encodings inflated here with bounded output, and their zlib window bits.
_ZLIB_WBITS = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,
}
#: Content-Encodings refused: httpx would decode a whole network read of them at once,
#: and one read of a brotli or zstd bomb can expand to gigabytes. We never ask for them.
_REFUSED_ENCODINGS = frozenset({"br", "zstd"})
#: What we ask for; a server that sends something else anyway is handled as above.
ACCEPT_ENCODING = "gzip, deflate"
#: Most bytes one decompression step may produce: the unit in which the cap is checked.
DECODE_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    """What one fetch returned: enough to parse the body and to re-fetch conditionally.

    ``content_type`` is the bare media type, lower-cased ("text/html"); the raw header
    stays in ``headers`` (keys lower-cased, repeated headers joined with ", ").
    ``charset`` is the Content-Type charset parameter, or None when the server gave none.
    """

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str | None
    charset: str | None

    @property
    def not_modified(self) -> bool:
        """True for a 304: the copy the caller already has is still current."""
        return self.status == 304

    @property
    def etag(self) -> str | None:
        """The validator to pass back as ``etag=`` on the next fetch."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The validator to pass back as ``last_modified=`` on the next fetch."""
        return self.headers.get("last-modified")


def make_client(settings: Settings) -> httpx.Client:
    """Build a client to reuse across many fetches (keeps connections alive).

    Redirects are left off because ``fetch`` follows them itself, to check each hop's
    scheme and count hops against ``settings.max_redirects``.
    """
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout_s),
        # Not httpx's default, which adds br and zstd when their packages are installed:
        # those cannot be inflated with bounded output, so they are never asked for.
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        follow_redirects=False,
    )


def fetch(
    url: str,
    settings: Settings,
    *,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    guard: Callable[[str], None] | None = None,
    sink: Callable[[bytes, str], bool] | None = None,
    max_bytes: int | None = None,
    cap_name: str = "max_bytes",
) -> Fetched:
    """GET ``url`` and return its body, or raise FetchError saying in one line why not.

    Pass ``client`` (from ``make_client``) when fetching many pages; it is not closed
    here. Pass ``etag`` / ``last_modified`` from an earlier Fetched to make the request
    conditional: an unchanged page then comes back as status 304 with an empty body.
    Pass ``guard`` (see netpolicy.UrlGuard) to vet the URL and every redirect target
    before it is requested; it raises FetchError to refuse one.

    Pass ``sink`` to read a large body as it arrives instead of holding it: each piece
    goes to ``sink(piece, final_url)``, reading stops when it returns True, and the
    returned body is empty. ``max_bytes`` (named ``cap_name`` in the error) then replaces
    ``settings.max_bytes``.
    """
    handle: _Handler = _handle
    if sink is not None:
        handle = _sink_handler(max_bytes or settings.max_bytes, cap_name, sink)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return _request(url, settings, client, guard, headers, handle)


def fetch_any_status(
    url: str,
    settings: Settings,
    *,
    client: httpx.Client | None = None,
    guard: Callable[[str], None] | None = None,
    max_bytes: int,
) -> Fetched:
    """GET ``url`` as ``fetch`` does (every hop vetted by ``guard``, the same caps), but
    return the last hop's answer whatever its status or media type, with at most
    ``max_bytes`` of its body (the rest is left unread, not an error), and no retry.

    For robots.txt, whose status is itself the answer (404: no rules; 5xx: stay away).
    """
    return _request(
        url, replace(settings, retries=0), client, guard, {}, _prefix_handler(max_bytes)
    )


def _request(
    url: str,
    settings: Settings,
    client: httpx.Client | None,
    guard: Callable[[str], None] | None,
    extra_headers: dict[str, str],
    handle: _Handler,
) -> Fetched:
    _check_scheme(url, url)
    headers = {"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
    headers.update(extra_headers)
    with _Budget(settings.max_fetch_s) as budget:
        hop = _Hop(url, headers, settings, guard, budget, handle)
        if client is not None:
            return _follow(client, hop)
        with make_client(settings) as own_client:
            return _follow(own_client, hop)


class _Budget:
    """The wall-clock limit of one fetch (``settings.max_fetch_s``), hops and retries included.

    Checked before each request and after each chunk of body, and each request's timeouts
    are cut to the time left. A watchdog also shuts the sockets this fetch opened when the
    time is up, so a server that drips its headers (which httpx reads before any of our
    code runs) is cut off too; a connection reused from a shared client is bounded by the
    checks and timeouts only.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._done = False
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Budget:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            self._done = True
            self._sockets.clear()
        self._timer.cancel()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def over(self) -> bool:
        return self.expired or self.remaining() <= 0

    def error(self, where: str) -> FetchError:
        return FetchError(
            f"{where}: took longer than {self.seconds:g}s (max_fetch_s), stopped reading"
        )

    def check(self, where: str) -> None:
        if self.over():
            raise self.error(where)

    def timeout(self, settings: Settings) -> float:
        """The per-request timeout: ``timeout_s``, or less when the budget is nearly spent."""
        return max(min(settings.timeout_s, self.remaining()), 0.001)

    def trace(self, name: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: remember each socket this fetch connects."""
        if name not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        get = getattr(stream, "get_extra_info", None)
        sock = get("socket") if get is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                if not self._done:
                    self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Transient(Exception):
    """A failure worth retrying (connection trouble, timeout, 429, 5xx)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, cause: BaseException | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.cause = cause


_Handler = Callable[[httpx.Response, str, str, Settings, "_Budget"], "Fetched | str"]


@dataclass(frozen=True)
class _Hop:
    """What every request of one fetch shares: the URL asked for, headers, limits, the
    address guard and what to make of a response."""

    url: str
    headers: dict[str, str]
    settings: Settings
    guard: Callable[[str], None] | None
    budget: _Budget
    handle: _Handler


def _follow(client: httpx.Client, hop: _Hop) -> Fetched:
    """Follow redirects by hand so every hop is scheme-checked, vetted and counted."""
    current = hop.url
    for _hop in range(hop.settings.max_redirects + 1):
        outcome = _get_with_retries(client, hop, current)
        if isinstance(outcome, Fetched):
            return outcome
        _check_scheme(hop.url, outcome)
        current = outcome
    raise FetchError(f"{hop.url}: too many redirects (>{hop.settings.max_redirects})")


def _get_with_retries(client: httpx.Client, hop: _Hop, current: str) -> Fetched | str:
    """One hop, retried on transient failures with exponential backoff."""
    url, settings, budget = hop.url, hop.settings, hop.budget
    attempt = 0
    while True:
        budget.check(_where(url, current))
        try:
            return _get_once(client, hop, current)
        except _Transient as exc:
            delay = exc.retry_after
            if delay is None:
                delay = min(settings.backoff_s * (2**attempt), MAX_RETRY_AFTER_S)
            if attempt >= settings.retries or delay >= budget.remaining():
                tries = f" (gave up after {attempt + 1} attempts)" if attempt else ""
                if attempt < settings.retries:
                    tries = f" (no time left to retry within {budget.seconds:g}s, max_fetch_s)"
                raise FetchError(f"{_where(url, current)}: {exc.message}{tries}") from exc.cause
            time.sleep(delay)
            attempt += 1


def _get_once(client: httpx.Client, hop: _Hop, current: str) -> Fetched | str:
    """Send one GET; return a Fetched, or the next URL when the answer is a redirect.

    The guard is asked first, every time: for the first URL, each redirect target and
    each retry (a host name may resolve elsewhere by the next try)."""
    url, settings, budget = hop.url, hop.settings, hop.budget
    if hop.guard is not None:
        hop.guard(current)
    try:
        with client.stream(
            "GET",
            current,
            headers=hop.headers,
            timeout=budget.timeout(settings),
            follow_redirects=False,
            extensions={"trace": budget.trace},
        ) as response:
            return hop.handle(response, url, current, settings, budget)
    except httpx.TimeoutException as exc:
        if budget.over():
            raise budget.error(_where(url, current)) from exc
        raise _Transient(f"timed out after {settings.timeout_s}s", cause=exc) from exc
    except httpx.ConnectError as exc:
        if budget.over():
            raise budget.error(_where(url, current)) from exc
        raise _Transient(f"cannot connect ({_describe(exc)})", cause=exc) from exc
    except httpx.TransportError as exc:
        if budget.over():  # the watchdog shut the socket
            raise budget.error(_where(url, current)) from exc
        # The server hung up or spoke broken HTTP mid-response: often transient.
        raise _Transient(f"connection failed ({_describe(exc)})", cause=exc) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # e.g. a URL httpx cannot parse.
        raise FetchError(f"{_where(url, current)}: {_describe(exc)}") from exc


def _redirect_target(response: httpx.Response, where: str) -> str | None:
    """The next URL when the response is a redirect, else None."""
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        raise FetchError(f"{where}: HTTP {response.status_code} redirect without a Location header")
    return str(response.url.join(location))


def _prefix_handler(max_bytes: int) -> _Handler:
    def handle(
        response: httpx.Response, url: str, current: str, settings: Settings, budget: _Budget
    ) -> Fetched | str:
        where = _where(url, current)
        target = _redirect_target(response, where)
        if target is not None:
            return target
        body = b""
        if 200 <= response.status_code <= 299:
            body = _read_capped(response, where, max_bytes, budget, truncate=True)
        return _fetched(url, response, body)

    return handle


def _handle(
    response: httpx.Response,
    url: str,
    current: str,
    settings: Settings,
    budget: _Budget,
    stream: tuple[int, str, Callable[[bytes], bool]] | None = None,
) -> Fetched | str:
    """Decide what a response means before reading any of its body; read it (or hand it
    to `stream`'s sink, under `stream`'s cap)."""
    status = response.status_code
    where = _where(url, current)
    target = _redirect_target(response, where)
    if target is not None:
        return target
    if status == 304:
        return _fetched(url, response, b"")
    if status == 429 or 500 <= status <= 599:
        retry_after = _retry_after_s(response.headers.get("retry-after"))
        raise _Transient(_status_text(response), retry_after=retry_after)
    if not 200 <= status <= 299:
        raise FetchError(f"{where}: {_status_text(response)}")
    media_type, _charset = parse_content_type(response.headers.get("content-type"))
    if media_type is not None and media_type not in ACCEPTED_CONTENT_TYPES:
        raise FetchError(f"{where}: not an HTML or text page ({media_type})")
    if stream is None:
        body = _read_capped(response, where, settings.max_bytes, budget)
    else:
        cap, name, sink = stream
        body = _read_capped(response, where, cap, budget, cap_name=name, sink=sink)
    return _fetched(url, response, body)


def _sink_handler(max_bytes: int, cap_name: str, sink: Callable[[bytes, str], bool]) -> _Handler:
    """`_handle`, with the body handed to `sink(piece, final_url)` as it arrives."""

    def handle(
        response: httpx.Response, url: str, current: str, settings: Settings, budget: _Budget
    ) -> Fetched | str:
        def to_sink(piece: bytes) -> bool:
            return sink(piece, str(response.url))

        return _handle(response, url, current, settings, budget, (max_bytes, cap_name, to_sink))

    return handle


def _read_capped(
    response: httpx.Response,
    where: str,
    max_bytes: int,
    budget: _Budget | None = None,
    *,
    truncate: bool = False,
    cap_name: str = "max_bytes",
    sink: Callable[[bytes], bool] | None = None,
) -> bytes:
    """Read the body chunk by chunk and stop as soon as it passes ``max_bytes``.

    The cap applies to the body as sent and once decompressed. gzip and deflate are
    inflated here from the raw bytes, at most DECODE_CHUNK_BYTES per step, so a small
    compression bomb is stopped after max_bytes of output, never held whole in memory.
    With a ``budget``, the fetch's wall-clock limit is checked after every chunk. With
    ``truncate``, the first ``max_bytes`` are returned instead of an error. With a
    ``sink``, each piece goes to it as it comes (nothing is kept: b"" is returned), and
    reading stops as soon as it returns True. ``cap_name`` names the setting in the error.
    """
    too_big = f"{where}: body larger than {max_bytes} bytes"
    setting = f" ({cap_name})"
    declared = response.headers.get("content-length")
    if (
        not truncate
        and declared is not None
        and declared.strip().isdigit()
        and int(declared) > max_bytes
    ):
        raise FetchError(too_big + setting)
    encodings = _content_encodings(response.headers.get("content-encoding"))
    refused = [e for e in encodings if e in _REFUSED_ENCODINGS]
    if refused:
        raise FetchError(
            f"{where}: unsupported Content-Encoding {refused[0]!r} (asked for {ACCEPT_ENCODING})"
        )
    # Anything else httpx does not know it passes through undecoded; so do we.
    inflate = [e for e in encodings if e in _ZLIB_WBITS]
    if inflate:
        too_big += " once decompressed"

    def raw() -> Iterator[bytes]:
        received = 0
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > max_bytes and not truncate:
                raise FetchError(f"{where}: body larger than {max_bytes} bytes{setting}")
            if budget is not None:
                budget.check(where)
            yield chunk

    pieces: Iterable[bytes] = raw()
    for encoding in reversed(inflate):  # the last encoding applied is undone first
        pieces = _inflate(pieces, encoding, where)
    chunks: list[bytes] = []
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > max_bytes:
            if truncate:
                chunks.append(piece[: max_bytes - total + len(piece)])
                return b"".join(chunks)
            raise FetchError(too_big + setting)
        if budget is not None:
            budget.check(where)
        if sink is None:
            chunks.append(piece)
        elif sink(piece):
            return b""  # the reader has what it wanted: the rest is never read
    if budget is not None:
        # Also after the last byte: a watchdog that shut the socket ends a body that has
        # no Content-Length early, and that must not pass for the whole page.
        budget.check(where)
    return b"".join(chunks)


def _content_encodings(value: str | None) -> list[str]:
    """The codings of a Content-Encoding header, in the order they were applied."""
    if not value:
        return []
    codings = (part.strip().lower() for part in value.split(","))
    return [c for c in codings if c and c != "identity"]


def _inflate(chunks: Iterable[bytes], encoding: str, where: str) -> Iterator[bytes]:
    """Undo one gzip or deflate coding, yielding at most DECODE_CHUNK_BYTES at a time.

    As httpx does: "deflate" is zlib-wrapped by the standard but raw deflate from many
    servers, so the first two bytes decide; data after the end of the stream is ignored.
    """
    decoder: Any = None
    head = b""
    try:
        for chunk in chunks:
            if decoder is None:
                head += chunk
                if encoding == "deflate" and len(head) < 2:
                    continue
                wbits = _ZLIB_WBITS[encoding]
                if encoding == "deflate" and not _zlib_header(head):
                    wbits = -zlib.MAX_WBITS
                decoder = zlib.decompressobj(wbits)
                chunk, head = head, b""
            yield from _drain(decoder, chunk)
            if decoder.eof:
                return
        if decoder is None and head:
            decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            yield from _drain(decoder, head)
    except zlib.error as exc:
        raise FetchError(f"{where}: cannot decompress the body ({encoding}: {exc})") from exc


def _drain(decoder: Any, data: bytes) -> Iterator[bytes]:
    """Feed ``data`` to a zlib decompressor, taking its output one bounded piece at a time."""
    out: bytes = decoder.decompress(data, DECODE_CHUNK_BYTES)
    while True:
        if out:
            yield out
        # More to come while input is left over or the last piece filled the bound.
        if decoder.eof or (not decoder.unconsumed_tail and len(out) < DECODE_CHUNK_BYTES):
            return
        out = decoder.decompress(decoder.unconsumed_tail, DECODE_CHUNK_BYTES)


def _zlib_header(data: bytes) -> bool:
    """True when ``data`` starts like a zlib stream (RFC 1950), not raw deflate."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0


def _fetched(url: str, response: httpx.Response, body: bytes) -> Fetched:
    media_type, charset = parse_content_type(response.headers.get("content-type"))
    return Fetched(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        headers=dict(response.headers.items()),
        body=body,
        content_type=media_type,
        charset=charset,
    )


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type header into (media type, charset), both lower-cased or None."""
    if not value or not value.strip():
        return None, None
    media_type, _sep, params = value.partition(";")
    media = media_type.strip().lower() or None
    charset: str | None = None
    for param in params.split(";"):
        key, eq, raw = param.partition("=")
        if eq and key.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").strip().lower() or None
            break
    return media, charset


def _retry_after_s(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    seconds: float
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _check_scheme(url: str, target: str) -> None:
    """Only http(s): never let a URL or a redirect reach file:, ftp:, data: and friends."""
    try:
        parts = urlsplit(target)
    except ValueError as exc:
        raise FetchError(f"{url}: not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        if target == url:
            raise FetchError(f"{url}: only http and https URLs can be fetched (got {shown})")
        raise FetchError(f"{url}: redirected to a non-http URL ({target})")
    if not parts.netloc:
        raise FetchError(f"{url}: URL has no host")


def _status_text(response: httpx.Response) -> str:
    reason = response.reason_phrase
    return f"HTTP {response.status_code} {reason}" if reason else f"HTTP {response.status_code}"


def _where(url: str, current: str) -> str:
    """Name the requested URL, and the redirect target too when the failure happened there."""
    return url if current == url else f"{url} (at {current})"


def _describe(exc: Exception) -> str:
    """httpx messages are sometimes empty; fall back to the exception's class name."""
    text = str(exc).strip()
    return text or type(exc).__name__
