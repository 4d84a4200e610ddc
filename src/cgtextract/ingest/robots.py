"""robots.txt, fetched once per host per run and asked before every other request.

The policy when robots.txt cannot be read follows RFC 9309 (section 2.3.1):

* 2xx: parse it (protego) and obey the rules for our product token;
* 4xx (including 404): no rules, everything is allowed;
* 5xx, or 429 after the one try: the site is in trouble, so nothing on it is fetched
  for the rest of this run;
* the request itself fails (timeout, refused, broken, or a redirect to an address the
  guard refuses): treated as allowed, so a flaky robots.txt cannot silence a source for
  good; the article fetches then fail or not on their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from protego import Protego

from cgtextract.errors import FetchError
from cgtextract.fetch import fetch_any_status
from cgtextract.settings import Settings

__all__ = ["ROBOTS_MAX_BYTES", "RobotsCache", "RobotsRules", "product_token"]

#: Google reads the first 500 KiB of a robots.txt; so do we.
ROBOTS_MAX_BYTES = 500 * 1024
#: Longest Crawl-delay we honour, so one site cannot make a nightly run last a day.
MAX_CRAWL_DELAY_S = 10.0


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: "cgtextract" of "cgtextract/0.1 (...)"."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


@dataclass(frozen=True)
class RobotsRules:
    """The answer for one host: allow everything, nothing, or what the parsed file says."""

    parser: Protego | None = None
    allow_all: bool = True
    reason: str = ""

    def allowed(self, url: str, token: str) -> bool:
        """May `token` fetch `url`?"""
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, token))

    def crawl_delay(self, token: str) -> float | None:
        """The Crawl-delay for `token`, capped, or None when the file sets none."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(token)
        return min(float(delay), MAX_CRAWL_DELAY_S) if delay is not None else None


class RobotsCache:
    """robots.txt per scheme+host, fetched at most once per run even from many threads."""

    def __init__(
        self,
        client: httpx.Client,
        settings: Settings,
        guard: Callable[[str], None] | None = None,
    ) -> None:
        """Use `client` (from `fetch.make_client`), the limits of `settings`, and `guard`
        (see netpolicy) to vet robots.txt and each of its redirects before requesting."""
        self._client = client
        self._settings = settings
        self._guard_url = guard
        self.token = product_token(settings.user_agent)
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules_for(self, url: str) -> RobotsRules:
        """The rules of `url`'s host, fetching its robots.txt the first time it is asked."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            found = self._rules.get(origin)
            if found is None:
                found = self._load(origin)
                self._rules[origin] = found
            return found

    def allowed(self, url: str) -> bool:
        """May we fetch `url`?"""
        return self.rules_for(url).allowed(url, self.token)

    def crawl_delay(self, url: str) -> float | None:
        """The host's Crawl-delay for us, if any (capped)."""
        return self.rules_for(url).crawl_delay(self.token)

    def _load(self, origin: str) -> RobotsRules:
        # Through fetch, like any other request: every hop asked of the address guard
        # first (robots.txt commonly redirects http -> https or to www.; RFC 9309 says
        # follow at least five hops), the same time and size limits.
        try:
            got = fetch_any_status(
                f"{origin}/robots.txt",
                self._settings,
                client=self._client,
                guard=self._guard_url,
                max_bytes=ROBOTS_MAX_BYTES,
            )
        except FetchError as exc:
            return RobotsRules(allow_all=True, reason=f"unreadable ({exc})")
        status = got.status
        if 400 <= status <= 499 and status != 429:
            return RobotsRules(allow_all=True, reason=f"HTTP {status}: no rules")
        if status == 429 or status >= 500:
            return RobotsRules(allow_all=False, reason=f"HTTP {status}: host skipped this run")
        if not 200 <= status <= 299:
            return RobotsRules(allow_all=True, reason=f"HTTP {status}")
        text = got.body.decode("utf-8", "replace")
        return RobotsRules(parser=Protego.parse(text), reason="parsed")
