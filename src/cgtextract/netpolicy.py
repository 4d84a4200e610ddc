"""Which addresses a URL found in someone else's feed may make us request.

A nightly job follows links that third parties put in feeds and sitemaps. Such a link
must not turn the job into a proxy for the machine's own network: loopback, private,
link-local (cloud metadata at 169.254.169.254), multicast and reserved addresses are
refused unless the link stays on the origin (scheme, host, port) the user configured,
or the user allows private addresses explicitly. The check runs on the first URL and
on every redirect hop, after DNS resolution.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cgtextract.errors import FetchError

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in; host lower-cased."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError as exc:
        raise FetchError(f"{url}: invalid port") from exc
    return scheme, host, port


def blocked_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address may not be requested from a discovered link, or None if it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local or metadata", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
    )
    return next((name for name, hit in checks if hit), None)


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address a host name resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"{host}: cannot resolve host name ({exc})") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


@dataclass(frozen=True)
class UrlGuard:
    """Called with each URL (and redirect target) before it is requested."""

    trusted_origins: frozenset[tuple[str, str, int]] = field(default_factory=frozenset)
    allow_private: bool = False

    def __call__(self, url: str) -> None:
        if self.allow_private:
            return
        scheme, host, port = origin(url)
        if (scheme, host, port) in self.trusted_origins:
            return
        for ip in resolve(host, port):
            reason = blocked_reason(ip)
            if reason:
                raise FetchError(f"{url}: refused: {host} is a {reason} address ({ip})")


def guard_for(configured_urls: list[str], allow_private: bool = False) -> UrlGuard:
    """A guard that trusts the origins of the URLs the user configured, and nothing else."""
    return UrlGuard(frozenset(origin(u) for u in configured_urls), allow_private)
