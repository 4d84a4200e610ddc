"""Shared fixtures: a real local HTTP server, and settings that keep network tests fast."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from server import LocalServer

from cgtextract.settings import Settings


@pytest.fixture
def http_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A fresh LocalServer per test (empty routes, zero hits), closed afterwards.

    NO_PROXY is extended with 127.0.0.1 so a proxy set in the environment never
    intercepts the test traffic. Errors raised inside route handlers fail the test.
    """
    for var in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(var, "")
        monkeypatch.setenv(var, ",".join(p for p in (current, "127.0.0.1", "localhost") if p))
    with LocalServer() as server:
        yield server
    if server.errors:
        pytest.fail(f"errors inside test HTTP handlers: {server.errors!r}")


@pytest.fixture
def fast_settings() -> Settings:
    """Defaults with short timeouts and tiny backoff, so retry tests take milliseconds."""
    return Settings(timeout_s=2.0, retries=2, backoff_s=0.01, max_redirects=5)


def pytest_addoption(parser: pytest.Parser) -> None:
    """`pytest --update-golden` rewrites the expected files of golden tests (review the diff)."""
    parser.addoption("--update-golden", action="store_true", help="rewrite golden expected files")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files instead of comparing."""
    return bool(request.config.getoption("--update-golden"))
