"""Fetch one web page politely: identify ourselves, cap time and size, retry gently.

Every failure comes out as a single FetchError with a one-line human message;
no httpx exception escapes, so callers (and the CLI) handle one error type.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
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
        headers={"User-Agent": settings.user_agent},
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
) -> Fetched:
    """GET ``url`` and return its body, or raise FetchError saying in one line why not.

    Pass ``client`` (from ``make_client``) when fetching many pages; it is not closed
    here. Pass ``etag`` / ``last_modified`` from an earlier Fetched to make the request
    conditional: an unchanged page then comes back as status 304 with an empty body.
    Pass ``guard`` (see netpolicy.UrlGuard) to vet the URL and every redirect target
    before it is requested; it raises FetchError to refuse one.
    """
    _check_scheme(url, url)
    if guard is not None:
        guard(url)
    headers = {"User-Agent": settings.user_agent}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if client is not None:
        return _follow(client, url, headers, settings, guard)
    with make_client(settings) as own_client:
        return _follow(own_client, url, headers, settings, guard)


class _Transient(Exception):
    """A failure worth retrying (connection trouble, timeout, 429, 5xx)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, cause: BaseException | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.cause = cause


def _follow(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    settings: Settings,
    guard: Callable[[str], None] | None = None,
) -> Fetched:
    """Follow redirects by hand so every hop is scheme-checked, vetted and counted."""
    current = url
    for _hop in range(settings.max_redirects + 1):
        outcome = _get_with_retries(client, url, current, headers, settings)
        if isinstance(outcome, Fetched):
            return outcome
        _check_scheme(url, outcome)
        if guard is not None:
            guard(outcome)
        current = outcome
    raise FetchError(f"{url}: too many redirects (>{settings.max_redirects})")


def _get_with_retries(
    client: httpx.Client, url: str, current: str, headers: dict[str, str], settings: Settings
) -> Fetched | str:
    """One hop, retried on transient failures with exponential backoff."""
    attempt = 0
    while True:
        try:
            return _get_once(client, url, current, headers, settings)
        except _Transient as exc:
            if attempt >= settings.retries:
                tries = f" (gave up after {attempt + 1} attempts)" if attempt else ""
                raise FetchError(f"{_where(url, current)}: {exc.message}{tries}") from exc.cause
            delay = exc.retry_after
            if delay is None:
                delay = min(settings.backoff_s * (2**attempt), MAX_RETRY_AFTER_S)
            time.sleep(delay)
            attempt += 1


def _get_once(
    client: httpx.Client, url: str, current: str, headers: dict[str, str], settings: Settings
) -> Fetched | str:
    """Send one GET; return a Fetched, or the next URL when the answer is a redirect."""
    try:
        with client.stream(
            "GET", current, headers=headers, timeout=settings.timeout_s, follow_redirects=False
        ) as response:
            return _handle(response, url, current, settings)
    except httpx.TimeoutException as exc:
        raise _Transient(f"timed out after {settings.timeout_s}s", cause=exc) from exc
    except httpx.ConnectError as exc:
        raise _Transient(f"cannot connect ({_describe(exc)})", cause=exc) from exc
    except httpx.TransportError as exc:
        # The server hung up or spoke broken HTTP mid-response: often transient.
        raise _Transient(f"connection failed ({_describe(exc)})", cause=exc) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # e.g. a body that fails to decompress, or a URL httpx cannot parse.
        raise FetchError(f"{_where(url, current)}: {_describe(exc)}") from exc


def _handle(response: httpx.Response, url: str, current: str, settings: Settings) -> Fetched | str:
    """Decide what a response means before reading any of its body."""
    status = response.status_code
    where = _where(url, current)
    if status in REDIRECT_STATUSES:
        location = response.headers.get("location")
        if not location:
            raise FetchError(f"{where}: HTTP {status} redirect without a Location header")
        return str(response.url.join(location))
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
    return _fetched(url, response, _read_capped(response, where, settings.max_bytes))


def _read_capped(response: httpx.Response, where: str, max_bytes: int) -> bytes:
    """Read the body chunk by chunk and stop as soon as it passes ``max_bytes``.

    The cap applies to the decoded body, so a small gzip bomb is caught as well.
    """
    too_big = f"{where}: body larger than {max_bytes} bytes"
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchError(too_big)
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(too_big)
        chunks.append(chunk)
    return b"".join(chunks)


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
