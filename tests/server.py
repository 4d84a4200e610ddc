"""A small real HTTP server for tests: register routes, count hits, never touch the network.

Tests talk to it over a real socket on 127.0.0.1, so the client code runs exactly as in
production (no mocked transport). Typical use, through the ``http_server`` fixture::

    http_server.route("/page", body=b"<html>...</html>")
    http_server.route("/pdf", content_type="application/pdf", body=b"%PDF")
    http_server.route("/slow", body=b"late", delay=5)          # teardown still instant
    http_server.route_seq("/flaky", [500, Reply(status=200, body=b"ok")])
    http_server.redirect("/old", "/page")                      # 302 by default
    http_server.route_fn("/cond", lambda req: Reply(status=304) if ... else Reply(...))

    http_server.url("/page")          # "http://127.0.0.1:<port>/page"
    http_server.hits["/flaky"]        # how many requests reached that path (0 if none)
    http_server.last_request("/page").headers["user-agent"]

Routes match on the path only (the query string is ignored but recorded). An unknown
path answers 404. Responses are HTTP/1.0 (the connection closes after each one), so
no idle keep-alive connection can hold a handler thread open after a test.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """One canned response.

    ``delay`` waits (seconds) before anything is sent, to provoke client timeouts; it is
    cut short when the server closes. ``stream`` produces the body in chunks and sends it
    without a Content-Length (the end of the body is the end of the connection), to test
    clients that must stop reading early; ``content_length=False`` does the same for a
    plain ``body``. ``content_type=None`` sends no Content-Type header at all.
    """

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = HTML
    delay: float = 0.0
    stream: Callable[[], Iterable[bytes]] | None = None
    content_length: bool = True


@dataclass(frozen=True)
class Request:
    """What a client sent, as the server saw it (header names lower-cased)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Request], Reply]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with a route table and per-path hit counts."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.errors: list[BaseException] = []
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._started = False
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> LocalServer:
        """Begin serving in a daemon thread; returns self for chaining."""
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, cut open connections, and wait (briefly) for handler threads.

        A handler sleeping in ``delay`` or blocked on a slow client is woken up here, so
        a hanging route never stalls test teardown.
        """
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        if self._started:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        self._httpd.cut_connections()
        self._httpd.join_handlers(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- addresses -------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL for ``path`` on this server."""
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    # -- routes ----------------------------------------------------------------------

    def route(
        self,
        path: str,
        status: int = 200,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        content_type: str | None = HTML,
        *,
        stream: Callable[[], Iterable[bytes]] | None = None,
        content_length: bool = True,
    ) -> None:
        """Answer every request to ``path`` with the same response."""
        reply = Reply(
            status=status,
            body=body,
            headers=dict(headers or {}),
            content_type=content_type,
            delay=delay,
            stream=stream,
            content_length=content_length,
        )
        self.route_fn(path, lambda _request: reply)

    def route_seq(self, path: str, replies: Sequence[Reply | int]) -> None:
        """Answer successive requests with successive replies; the last one then repeats.

        A bare int is shorthand for ``Reply(status=that)``.
        """
        if not replies:
            raise ValueError("route_seq needs at least one reply")
        queue = [Reply(status=r) if isinstance(r, int) else r for r in replies]
        seq_lock = threading.Lock()

        def next_reply(_request: Request) -> Reply:
            with seq_lock:
                return queue.pop(0) if len(queue) > 1 else queue[0]

        self.route_fn(path, next_reply)

    def route_fn(self, path: str, handler: Handler) -> None:
        """Answer requests to ``path`` with whatever ``handler(request)`` returns."""
        with self._lock:
            self._routes[path] = handler

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        """Redirect ``path`` to ``to`` (a path on this server, or any absolute URL)."""
        self.route(path, status=status, headers={"Location": to}, content_type=None)

    # -- inspection ------------------------------------------------------------------

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def last_request(self, path: str) -> Request:
        """The most recent request to ``path``; fails the test if there was none."""
        seen = self.requests_to(path)
        assert seen, f"no request reached {path}"
        return seen[-1]

    # -- used by the handler ---------------------------------------------------------

    def _dispatch(self, request: Request) -> Reply:
        with self._lock:
            self.hits[request.path] += 1
            self.requests.append(request)
            handler = self._routes.get(request.path)
        if handler is None:
            return Reply(status=404, body=b"no route", content_type="text/plain")
        try:
            return handler(request)
        except Exception as exc:  # a broken test handler must show up, not hang the client
            self._record_error(exc)
            return Reply(status=500, body=f"handler error: {exc!r}", content_type="text/plain")

    def _record_error(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(exc)


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its handler threads and sockets so close is prompt."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: LocalServer) -> None:
        self.owner = owner
        self._conns: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        self._conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._handle_tracked, args=(request, client_address), daemon=True
        )
        with self._conn_lock:
            self._conns.add(request)
            self._handler_threads.add(thread)
        thread.start()

    def _handle_tracked(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._conns.discard(request)
                self._handler_threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-response is normal in these tests; anything else is kept."""
        exc = sys.exc_info()[1]
        if exc is None or isinstance(exc, OSError):
            return
        self.owner._record_error(exc)

    def cut_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, timeout: float) -> None:
        with self._conn_lock:
            threads = list(self._handler_threads)
        for thread in threads:
            thread.join(timeout=timeout)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.0"
    timeout = 10  # a client that connects and never sends a request cannot pin a thread

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _serve(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=parts.path or "/",
            query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length > 0 else b"",
        )
        reply = owner._dispatch(request)
        if reply.delay > 0 and owner._closing.wait(reply.delay):
            self.close_connection = True
            return  # the server is shutting down: drop the request, send nothing
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        try:
            self.send_response(reply.status)
            if reply.content_type is not None:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.stream is None and reply.content_length:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            if reply.stream is None:
                self.wfile.write(body)
                return
            for chunk in reply.stream():
                if owner._closing.is_set():
                    return
                self.wfile.write(chunk)
        except OSError:
            return  # the client went away (timeout, size cap): expected in these tests
        finally:
            self.close_connection = True
