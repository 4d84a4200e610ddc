"""Discovery: article links from feeds, sitemaps and listing pages, under canonical URLs.

A link's identity is its canonical URL (`canonicalize_url`): the key of `url_state` and the
`articles.url` its events are stored under. Feeds and sitemaps are parsed without entity
expansion (a declared entity refuses the whole document) and never fetch a DTD.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml.etree import LxmlError
from url_normalize import url_normalize

from cgtextract.errors import CgtextractError, Failure, FeedError
from cgtextract.fetch import Fetched
from cgtextract.ingest.config import SourceConfig
from cgtextract.ingest.feeds import MAX_ITEMS, FeedReader, Newest, read_all
from cgtextract.ingest.state import DiscoveredURL, FeedState

__all__ = [
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "FeedResult",
    "Getter",
    "canonicalize_url",
    "host_of",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
    "read_source",
    "strip_tracking",
]

# What says only where a click came from, never which page: dropped from article URLs.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "ref",
        "ref_src",
    }
)
"""Query parameters dropped by name (any case)."""
TRACKING_PREFIXES = ("utm_",)
"""Query parameters dropped by prefix (any case)."""


def _is_tracking(param: str) -> bool:
    name = unquote_plus(param.partition("=")[0]).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """`url` without tracking parameters and fragment: the address to request. The other
    parameters are kept as written, in their order."""
    parts = urlsplit(url.strip())
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def canonicalize_url(url: str) -> str:
    """The identity of an article URL: the key of `url_state` and `articles.url`.

    Tracking parameters (utm_*, fbclid, gclid, ref, ...), the fragment and user info are
    dropped, then url-normalize does the rest as RFC 3986 says (scheme and host lower-cased,
    IDNA host, default port dropped, percent-encodings normalized, `.` and `..` resolved),
    keeping the order of the query; trailing slashes go last. Paths keep their case (they
    are case-sensitive on most servers).
    """
    parts = urlsplit(strip_tracking(url))
    netloc = parts.netloc.rpartition("@")[2]
    normalized = url_normalize(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))
    tidy = urlsplit(normalized or "")
    path = tidy.path.rstrip("/") or "/"
    return urlunsplit((tidy.scheme, tidy.netloc, path, tidy.query, ""))


def host_of(url: str) -> str:
    """The host (and port) a URL is requested from, for per-host politeness."""
    return urlsplit(url).netloc.lower()


def parse_feed(
    body: bytes, base_url: str, content_type: str | None = None
) -> list[tuple[str, str | None]]:
    """(link, date) of each item of an RSS or Atom feed, in feed order.

    The date is the entry's `updated` (else `published`, RSS `pubDate`) exactly as the
    feed writes it: it is only compared with the previous run's. Relative links are
    resolved against `xml:base` and `base_url`. FeedError when the body is not a feed.
    (`content_type` is accepted for callers that have one; the XML says its encoding.)
    """
    return read_all(FeedReader("feed", base_url), body)


def parse_sitemap(body: bytes) -> tuple[Literal["urlset", "index"], list[tuple[str, str | None]]]:
    """("urlset" | "index", [(loc, lastmod)]) of an XML sitemap or sitemap index."""
    reader = FeedReader("sitemap", "")
    items = read_all(reader, body)
    return ("index" if reader.kind == "index" else "urlset"), items


def parse_listing(body: bytes, base_url: str, charset: str | None = None) -> list[str]:
    """Absolute http(s) links of an HTML listing page, in page order, fragments dropped."""
    if not body.strip():
        raise FeedError("empty listing page")
    try:
        parser = lxml.html.HTMLParser(encoding=charset) if charset else None
        doc = lxml.html.fromstring(body, parser=parser)
    except (LxmlError, ValueError, LookupError) as exc:
        raise FeedError(f"not an HTML page ({exc})") from exc
    links: list[str] = []
    for anchor in doc.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        absolute = urljoin(base_url, href.strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            links.append(absolute)
    return links


@dataclass(frozen=True)
class FeedResult:
    """What reading one feed or sitemap found: its validators and links, or its Failure."""

    feed_url: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    items: list[DiscoveredURL] = field(default_factory=list)
    failure: Failure | None = None
    children: list[str] = field(default_factory=list)  # of a sitemap index, newest first


class Getter(Protocol):
    """One polite, conditional GET (the run's: guard, robots.txt, per-host turn, fetch),
    whose body goes to `sink` as it arrives when one is given."""

    def __call__(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        sink: Callable[[bytes, str], bool] | None = None,
    ) -> Fetched: ...


def read_source(src: SourceConfig, feeds: Mapping[str, FeedState], get: Getter) -> list[FeedResult]:
    """Fetch and parse one source (and a sitemap's children) with `get`, in a fetch thread."""
    if src.type == "sitemap":
        return _read_sitemap(src, src.url, feeds, get, depth=0)
    if src.type == "rss":
        return [_read_feed(src, src.url, feeds, get, "feed")]
    known = feeds.get(src.url)
    try:
        got = get(
            src.url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )
        if got.not_modified:
            return [FeedResult(src.url, status=304)]
        page = canonicalize_url(got.final_url)
        links = [
            (u, None)
            for u in parse_listing(got.body, got.final_url, got.charset)
            if canonicalize_url(u) != page
        ]
    except CgtextractError as exc:
        return [FeedResult(src.url, failure=Failure.of(src.url, exc))]
    picked = _Picked(src, newest=False)
    for link, hint in links:
        if picked.take(link, hint):
            break
    return [FeedResult(src.url, got.status, got.etag, got.last_modified, picked.items())]


def _read_feed(
    src: SourceConfig,
    url: str,
    feeds: Mapping[str, FeedState],
    get: Getter,
    what: Literal["feed", "sitemap"],
    depth: int = 0,
) -> FeedResult:
    """Read one feed or sitemap as it arrives. A feed is newest first: reading stops once
    `max_items` links are kept. A sitemap is read whole, keeping its newest `max_items`
    (and an index's children, newest first, in `children`)."""
    # The top-level sitemap is always fetched in full: when it is an index, its list of
    # children is what tells which child sitemaps to look at.
    known = feeds.get(url) if what == "feed" or depth > 0 else None
    reader: FeedReader | None = None
    picked = _Picked(src, newest=what == "sitemap")
    children = Newest(src.max_sitemaps)  # of a sitemap index

    def take(items: Iterator[tuple[str, str | None]]) -> bool:
        assert reader is not None
        for link, hint in items:
            if reader.kind == "index":
                children.add(hint, link)
            elif picked.take(link, hint):
                return True
        return False

    def sink(piece: bytes, final_url: str) -> bool:
        nonlocal reader
        if reader is None:
            reader = FeedReader(what, final_url)
        return take(reader.feed(piece))

    try:
        got = get(
            url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
            sink=sink,
        )
        if got.not_modified:
            return FeedResult(url, status=304)
        if reader is None:  # an empty body
            reader = FeedReader(what, got.final_url)
        if not picked.full():
            take(reader.close())
    except CgtextractError as exc:
        return FeedResult(url, failure=Failure.of(url, exc))
    return FeedResult(
        url,
        got.status,
        got.etag,
        got.last_modified,
        items=picked.items(),
        children=children.newest_first() if reader.kind == "index" else [],
    )


def _read_sitemap(
    src: SourceConfig, url: str, feeds: Mapping[str, FeedState], get: Getter, depth: int
) -> list[FeedResult]:
    result = _read_feed(src, url, feeds, get, "sitemap", depth)
    results = [result]
    if depth < 2:
        for child in result.children:
            results.extend(_read_sitemap(src, urljoin(url, child), feeds, get, depth + 1))
    return results


class _Picked:
    """The links of one source that it wants, canonical and de-duplicated: the first
    `max_items` of a feed, or the newest `max_items` of a sitemap (at most MAX_ITEMS)."""

    def __init__(self, src: SourceConfig, *, newest: bool) -> None:
        self.src = src
        self.limit = min(src.max_items or MAX_ITEMS, MAX_ITEMS)
        self.newest = Newest(self.limit) if newest else None
        self.seen: dict[str, DiscoveredURL] = {}

    def take(self, link: str, hint: str | None) -> bool:
        """Offer one link; True once no more are wanted (a feed's limit reached)."""
        if urlsplit(link).scheme.lower() not in ("http", "https"):
            return self.full()
        canonical = canonicalize_url(link)
        if canonical in self.seen or not self.src.wants(canonical):
            return self.full()
        item = DiscoveredURL(canonical, strip_tracking(link), hint)
        self.seen[canonical] = item
        if self.newest is not None:
            self.newest.add(hint, item)
        return self.full()

    def full(self) -> bool:
        """A feed has given all the links it may."""
        return self.newest is None and len(self.seen) >= self.limit

    def items(self) -> list[DiscoveredURL]:
        """The links kept: in feed order, or a sitemap's newest first."""
        if self.newest is not None:
            return list(self.newest.newest_first())
        return list(self.seen.values())
