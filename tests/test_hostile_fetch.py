"""fetch() against hostile servers (the real local server): each bound holds, fast, in
little memory.

Bounds: `max_bytes` on the body as sent and once decompressed (a 50 MB page, gzip and
deflate bombs, brotli refused), `max_redirects`, and `max_fetch_s` on the whole fetch (a
server that drips its body, or its headers, one byte at a time forever).
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest
from server import LocalServer, Reply

from cgtextract.errors import FetchError
from cgtextract.fetch import ACCEPT_ENCODING, DECODE_CHUNK_BYTES, fetch, make_client
from cgtextract.settings import DEFAULT_MAX_FETCH_S, Settings

MiB = 1024 * 1024
PAGE = b"<html><head><title>FDA approves</title></head><body>" + b"<p>news</p>" * 500 + b"</body>"


@pytest.fixture
def settings() -> Settings:
    return Settings(timeout_s=5.0, retries=0, backoff_s=0.01)


@dataclass
class Measured:
    seconds: float
    peak_bytes: int


def measure(call: Callable[[], object]) -> tuple[Measured, BaseException | None]:
    """Run `call`; its wall time and the peak of Python allocations meanwhile (tracemalloc
    sees every thread, the server's included, so the figure is an upper bound)."""
    tracemalloc.start()
    start = time.monotonic()
    error: BaseException | None = None
    try:
        call()
    except FetchError as exc:
        error = exc
    finally:
        seconds = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return Measured(seconds, peak), error


# --- size -----------------------------------------------------------------------------------


def test_50_mb_page_is_cut_at_the_cap_without_reading_it(
    http_server: LocalServer, settings: Settings
) -> None:
    chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>"
    total_chunks = 50 * MiB // len(chunk)
    produced: list[int] = []

    def fifty_mb() -> Iterator[bytes]:
        for _ in range(total_chunks):
            produced.append(len(chunk))
            yield chunk

    http_server.route("/huge", stream=fifty_mb)  # no Content-Length: only reading tells
    got, error = measure(lambda: fetch(http_server.url("/huge"), settings))
    assert isinstance(error, FetchError)
    assert str(error) == (
        f"{http_server.url('/huge')}: body larger than {settings.max_bytes} bytes (max_bytes)"
    )
    assert len(produced) < total_chunks  # the server's generator was not read to the end
    assert sum(produced) < 20 * MiB  # the cap (5 MiB) plus what socket buffers held
    assert got.peak_bytes < 100 * MiB
    assert got.peak_bytes < 3 * settings.max_bytes  # the body kept, and one copy of it
    assert got.seconds < 10
    print(f"50 MB page: peak {got.peak_bytes / MiB:.1f} MiB, {sum(produced) / MiB:.1f} MiB sent")


def test_declared_50_mb_is_refused_before_reading(
    http_server: LocalServer, settings: Settings
) -> None:
    http_server.route(
        "/declared",
        body=b"x" * 1024,
        headers={"Content-Length": str(50 * MiB)},
        content_length=False,
    )
    with pytest.raises(FetchError, match="larger than"):
        fetch(http_server.url("/declared"), replace(settings, timeout_s=1.0))


# Compression bombs: 1 GiB of zeros as ~1 MB of deflate data. Compressing 1 GiB takes
# seconds, so the stream is built from one compressed block repeated: after a full flush
# the compressor's state is the same each time, so the same input gives the same bytes.
BOMB_BYTES = 1 << 30


@pytest.fixture(scope="module")
def raw_bomb() -> bytes:
    block = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + again * (BOMB_BYTES // MiB - 1) + compressor.flush()


def gzip_of(raw: bytes, crc: int, size: int) -> bytes:
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + raw + struct.pack("<II", crc, size)


def zlib_of(raw: bytes, size: int) -> bytes:
    adler = ((size % 65521) << 16) | 1  # Adler-32 of `size` zero bytes
    return b"\x78\xda" + raw + struct.pack(">I", adler)


@pytest.fixture(scope="module")
def bombs(raw_bomb: bytes) -> dict[str, bytes]:
    crc = 0
    block = bytes(MiB)
    for _ in range(BOMB_BYTES // MiB):
        crc = zlib.crc32(block, crc)
    gz = gzip_of(raw_bomb, crc, BOMB_BYTES % (1 << 32))
    return {
        "gzip": gz,
        "deflate": zlib_of(raw_bomb, BOMB_BYTES),
        "raw-deflate": raw_bomb,
        # 1 GiB inside 1 MB inside a few KB: each layer inflated with bounded output.
        "gzip, gzip": gzip.compress(gz, compresslevel=9, mtime=0),
    }


def test_the_bombs_are_real(bombs: dict[str, bytes]) -> None:
    """What a decoder that trusted them would do: inflate ~1 MB into 1 GiB."""
    assert all(len(b) < 1.1 * MiB for b in bombs.values())
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = decoder.decompress(bombs["gzip"][: 64 * 1024])  # one network read, unbounded
    assert len(out) > 50 * MiB  # what httpx's own decoder would hold at once


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "gzip, gzip"])
def test_compression_bomb_stops_at_the_cap_in_little_memory(
    http_server: LocalServer, settings: Settings, bombs: dict[str, bytes], encoding: str
) -> None:
    header = "deflate" if encoding == "raw-deflate" else encoding
    http_server.route("/bomb", body=bombs[encoding], headers={"Content-Encoding": header})
    got, error = measure(lambda: fetch(http_server.url("/bomb"), settings))
    assert isinstance(error, FetchError)
    assert str(error) == (
        f"{http_server.url('/bomb')}: body larger than {settings.max_bytes} bytes once decompressed"
        " (max_bytes)"
    )
    assert got.peak_bytes < 500 * MiB
    # Inflated DECODE_CHUNK_BYTES at a time: the body kept (<= cap) and one copy, never a
    # whole network read's worth of output (over 50 MiB, see test_the_bombs_are_real).
    assert got.peak_bytes < 3 * settings.max_bytes + 4 * DECODE_CHUNK_BYTES
    assert got.seconds < 5
    print(f"{encoding} bomb: peak {got.peak_bytes / MiB:.1f} MiB in {got.seconds:.2f}s")


def test_a_small_cap_holds_for_a_bomb_too(
    http_server: LocalServer, settings: Settings, bombs: dict[str, bytes]
) -> None:
    http_server.route("/bomb", body=bombs["gzip"], headers={"Content-Encoding": "gzip"})
    small = replace(settings, max_bytes=100_000)
    got, error = measure(lambda: fetch(http_server.url("/bomb"), small))
    assert isinstance(error, FetchError) and "larger than 100000 bytes" in str(error)
    assert got.peak_bytes < 4 * MiB


def test_brotli_bomb_is_refused(http_server: LocalServer, settings: Settings) -> None:
    brotli = pytest.importorskip(
        "brotli", reason="brotli is not installed, so httpx has no brotli support to attack"
    )
    bomb = brotli.compress(bytes(256 * MiB), quality=5)
    http_server.route("/br", body=bomb, headers={"Content-Encoding": "br"})
    got, error = measure(lambda: fetch(http_server.url("/br"), settings))
    assert isinstance(error, FetchError) and "Content-Encoding 'br'" in str(error)
    assert got.peak_bytes < 100 * MiB


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, br"])
def test_encodings_that_cannot_be_bounded_are_refused(
    http_server: LocalServer, settings: Settings, encoding: str
) -> None:
    """We never ask for them (Accept-Encoding); a server that sends them anyway is refused
    instead of handed to a decoder that inflates a whole read at once."""
    http_server.route("/enc", body=b"\x8b\x00\x80garbage", headers={"Content-Encoding": encoding})
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        fetch(http_server.url("/enc"), settings)
    assert http_server.last_request("/enc").headers["accept-encoding"] == ACCEPT_ENCODING


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda b: gzip.compress(b, mtime=0)),
        ("x-gzip", lambda b: gzip.compress(b, mtime=0)),
        ("deflate", zlib.compress),
        ("deflate", deflate_raw),
        ("gzip, deflate", lambda b: zlib.compress(gzip.compress(b, mtime=0))),
        ("identity", lambda b: b),
        ("GZIP", lambda b: gzip.compress(b, mtime=0)),
    ],
)
def test_compressed_pages_still_read_whole(
    http_server: LocalServer,
    settings: Settings,
    encoding: str,
    encode: Callable[[bytes], bytes],
) -> None:
    page = PAGE * 40  # ~200 KB: several decode steps
    http_server.route("/page", body=encode(page), headers={"Content-Encoding": encoding})
    assert fetch(http_server.url("/page"), settings).body == page


def test_compressed_page_streamed_in_tiny_pieces(
    http_server: LocalServer, settings: Settings
) -> None:
    body = zlib.compress(PAGE)
    http_server.route(
        "/drip",
        stream=lambda: (body[i : i + 1] for i in range(len(body))),
        headers={"Content-Encoding": "deflate"},
    )
    assert fetch(http_server.url("/drip"), settings).body == PAGE


def test_corrupt_compressed_body_is_a_fetch_error(
    http_server: LocalServer, settings: Settings
) -> None:
    http_server.route(
        "/bad", body=b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError, match=r"cannot decompress the body \(gzip: ") as info:
        fetch(http_server.url("/bad"), settings)
    assert "\n" not in str(info.value)


# --- redirects ------------------------------------------------------------------------------


def test_too_many_redirects(http_server: LocalServer, settings: Settings) -> None:
    for i in range(50):
        http_server.redirect(f"/r{i}", f"/r{i + 1}")
    with pytest.raises(FetchError, match=r"too many redirects \(>5\)"):
        fetch(http_server.url("/r0"), settings)
    assert sum(http_server.hits.values()) == settings.max_redirects + 1


def test_redirect_loop_with_a_slow_server_is_bounded_by_time_too(
    http_server: LocalServer, settings: Settings
) -> None:
    http_server.route("/a", status=302, headers={"Location": "/b"}, delay=0.3, content_type=None)
    http_server.route("/b", status=302, headers={"Location": "/a"}, delay=0.3, content_type=None)
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"longer than 0\.8s"):
        fetch(http_server.url("/a"), replace(settings, max_redirects=50, max_fetch_s=0.8))
    assert time.monotonic() - start < 2


# --- time -----------------------------------------------------------------------------------


@pytest.fixture
def drip(http_server: LocalServer) -> Iterator[Callable[[float], str]]:
    """A route that sends its headers, then one byte every `interval` seconds, forever."""
    stop = threading.Event()

    def make(interval: float) -> str:
        def forever() -> Iterator[bytes]:
            yield b"<html><body><p>"
            while not stop.wait(interval):
                yield b"x"

        http_server.route("/drip", stream=forever)
        return http_server.url("/drip")

    yield make
    stop.set()


@pytest.mark.parametrize("shared_client", [False, True])
def test_slow_drip_body_ends_within_max_fetch_s(
    http_server: LocalServer,
    settings: Settings,
    drip: Callable[[float], str],
    shared_client: bool,
) -> None:
    url = drip(1.0)  # one byte a second, each well within the 5 s read timeout
    limited = replace(settings, max_fetch_s=1.0, retries=2)
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        if shared_client:
            with make_client(limited) as client:
                fetch(url, limited, client=client)
        else:
            fetch(url, limited)
    elapsed = time.monotonic() - start
    assert str(info.value) == f"{url}: took longer than 1s (max_fetch_s), stopped reading"
    assert 0.9 <= elapsed < 2.2  # the limit (plus at most the wait for the next byte)
    assert http_server.hits["/drip"] == 1  # running out of time is not retried


class HeaderDripServer:
    """A raw socket server whose response headers arrive one byte at a time, forever:
    httpx reads headers before any of our code runs, so only the watchdog ends this."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/slowloris"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.recv(65_536)
                head = b"HTTP/1.1 200 OK\r\nX-Padding: "
                try:
                    conn.sendall(head)
                    while not self.stop.wait(self.interval):
                        conn.sendall(b"a")
                except OSError:
                    continue

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def header_drip(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeaderDripServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = HeaderDripServer(0.2)
    yield server
    server.close()


def test_slow_drip_headers_end_within_max_fetch_s(
    header_drip: HeaderDripServer, settings: Settings
) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 1s \(max_fetch_s\)"):
        fetch(header_drip.url, replace(settings, max_fetch_s=1.0, retries=2))
    assert time.monotonic() - start < 2


def test_no_retry_is_started_that_cannot_finish_in_time(
    http_server: LocalServer, settings: Settings
) -> None:
    http_server.route_seq("/busy", [Reply(status=503, headers={"Retry-After": "20"}), 200])
    start = time.monotonic()
    with pytest.raises(FetchError, match="no time left to retry within 2s"):
        fetch(http_server.url("/busy"), replace(settings, retries=3, max_fetch_s=2.0))
    assert time.monotonic() - start < 1  # it did not sleep 20 s first
    assert http_server.hits["/busy"] == 1


def test_timeouts_shrink_to_the_time_left(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/hang", body=PAGE, delay=30)
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"longer than 0\.5s"):
        fetch(http_server.url("/hang"), replace(settings, timeout_s=10.0, max_fetch_s=0.5))
    assert time.monotonic() - start < 1.5


def test_fetches_within_the_limit_are_unaffected(
    http_server: LocalServer, settings: Settings
) -> None:
    http_server.route("/ok", body=PAGE)
    assert Settings().max_fetch_s == DEFAULT_MAX_FETCH_S == 60.0
    with make_client(settings) as client:
        for _ in range(3):  # the watchdog of one fetch never touches the next one's socket
            got = fetch(http_server.url("/ok"), replace(settings, max_fetch_s=0.3), client=client)
            assert got.body == PAGE
            time.sleep(0.35)
    assert http_server.hits["/ok"] == 3
