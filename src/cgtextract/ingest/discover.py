"""Discovery: article links from feeds, sitemaps and listing pages, under canonical URLs.

A link's identity is its canonical URL (`canonicalize_url`): the key of `url_state` and the
`articles.url` its events are stored under. Feeds and sitemaps are parsed without entity
expansion (a declared entity refuses the whole document) and never fetch a DTD.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import feedparser
import lxml.html
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as xml_fromstring
from lxml.etree import LxmlError
from url_normalize import url_normalize

from cgtextract.errors import CgtextractError, Failure, FeedError
from cgtextract.fetch import Fetched
from cgtextract.ingest.config import SourceConfig
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
    "select_links",
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


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


def _refuse_entities(body: bytes, what: str) -> None:
    """Feeds never need entity declarations; they are how 'billion laughs' and XXE attacks
    start. Refused before any parser (feedparser's strict or loose one) sees the bytes."""
    head = body[:1_000_000]
    if _ENTITY_DECL.search(head) or _ENTITY_DECL.search(head.decode("utf-16", "ignore").encode()):
        raise FeedError(f"{what} refused: it declares XML entities")


def parse_feed(
    body: bytes, base_url: str, content_type: str | None = None
) -> list[tuple[str, str | None]]:
    """(link, date) of each item of an RSS or Atom feed, in feed order.

    The date is the entry's `updated` (else `published`) exactly as the feed writes it:
    it is only compared with the previous run's. Relative links are resolved against
    `base_url`. Raises `FeedError` when the body is not a feed at all.
    """
    _refuse_entities(body, "feed")
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({str(problem).strip() or type(problem).__name__})" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{detail}")
    items: list[tuple[str, str | None]] = []
    for entry in entries:
        # dict.get: FeedParserDict.get warns on its updated->published fallback.
        link = dict.get(entry, "feedburner_origlink") or dict.get(entry, "link")
        if not link:
            for alt in dict.get(entry, "links") or []:
                if alt.get("rel", "alternate") == "alternate" and alt.get("href"):
                    link = alt["href"]
                    break
        if not link or not isinstance(link, str):
            continue
        hint = dict.get(entry, "updated") or dict.get(entry, "published")
        items.append((urljoin(base_url, link.strip()), str(hint) if hint else None))
    return items


def parse_sitemap(body: bytes) -> tuple[Literal["urlset", "index"], list[tuple[str, str | None]]]:
    """("urlset" | "index", [(loc, lastmod)]) of an XML sitemap or sitemap index.

    Parsed with defusedxml: no DTDs, entities or network access. Raises `FeedError`.
    """
    _refuse_entities(body, "sitemap")
    try:
        root = xml_fromstring(body)
    except DefusedXmlException as exc:
        raise FeedError(f"sitemap refused ({type(exc).__name__})") from exc
    except Exception as exc:  # ParseError and friends: not XML at all
        raise FeedError(f"not an XML sitemap ({str(exc).strip() or type(exc).__name__})") from exc
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise FeedError(f"not an XML sitemap (root element <{kind}>)")
    child = "url" if kind == "urlset" else "sitemap"
    items: list[tuple[str, str | None]] = []
    for node in root:
        if _local(node.tag) != child:
            continue
        loc = lastmod = None
        for part in node:
            name = _local(part.tag)
            if name == "loc" and part.text:
                loc = part.text.strip()
            elif name == "lastmod" and part.text:
                lastmod = part.text.strip()
        if loc:
            items.append((loc, lastmod))
    return ("urlset" if kind == "urlset" else "index"), items


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


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


class Getter(Protocol):
    """One polite, conditional GET (the run's: guard, robots.txt, per-host turn, fetch)."""

    def __call__(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched: ...


def read_source(src: SourceConfig, feeds: Mapping[str, FeedState], get: Getter) -> list[FeedResult]:
    """Fetch and parse one source (and a sitemap's children) with `get`, in a fetch thread."""
    if src.type == "sitemap":
        return _read_sitemap(src, src.url, feeds, get, depth=0)
    known = feeds.get(src.url)
    try:
        got = get(
            src.url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )
    except CgtextractError as exc:
        return [FeedResult(src.url, failure=Failure.of(src.url, exc))]
    if got.not_modified:
        return [FeedResult(src.url, status=304)]
    try:
        if src.type == "rss":
            links = parse_feed(got.body, got.final_url, got.headers.get("content-type"))
        else:
            page = canonicalize_url(got.final_url)
            links = [
                (u, None)
                for u in parse_listing(got.body, got.final_url, got.charset)
                if canonicalize_url(u) != page
            ]
    except FeedError as exc:
        return [FeedResult(src.url, status=got.status, failure=Failure.of(src.url, exc))]
    return [
        FeedResult(
            src.url,
            status=got.status,
            etag=got.etag,
            last_modified=got.last_modified,
            items=select_links(src, links),
        )
    ]


def _read_sitemap(
    src: SourceConfig, url: str, feeds: Mapping[str, FeedState], get: Getter, depth: int
) -> list[FeedResult]:
    # The top-level sitemap is always fetched in full: when it is an index, its list of
    # children is what tells which child sitemaps to look at.
    known = feeds.get(url) if depth > 0 else None
    try:
        got = get(
            url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )
    except CgtextractError as exc:
        return [FeedResult(url, failure=Failure.of(url, exc))]
    if got.not_modified:
        return [FeedResult(url, status=304)]
    try:
        kind, entries = parse_sitemap(got.body)
    except FeedError as exc:
        return [FeedResult(url, status=got.status, failure=Failure.of(url, exc))]
    if kind == "urlset":
        # Newest first, so max_items keeps the latest articles.
        entries.sort(key=lambda e: e[1] or "", reverse=True)
        items = select_links(src, entries)
        return [FeedResult(url, got.status, got.etag, got.last_modified, items)]
    results = [FeedResult(url, got.status, got.etag, got.last_modified)]
    if depth >= 2:
        return results
    entries.sort(key=lambda e: e[1] or "", reverse=True)
    for child, _lastmod in entries[: src.max_sitemaps]:
        results.extend(_read_sitemap(src, urljoin(url, child), feeds, get, depth + 1))
    return results


def select_links(src: SourceConfig, links: Sequence[tuple[str, str | None]]) -> list[DiscoveredURL]:
    """The links `src` wants, canonical and de-duplicated, at most `max_items` of them."""
    items: dict[str, DiscoveredURL] = {}
    for link, hint in links:
        if urlsplit(link).scheme.lower() not in ("http", "https"):
            continue
        canonical = canonicalize_url(link)
        if canonical in items or not src.wants(canonical):
            continue
        items[canonical] = DiscoveredURL(canonical, strip_tracking(link), hint)
        if src.max_items is not None and len(items) >= src.max_items:
            break
    return list(items.values())
