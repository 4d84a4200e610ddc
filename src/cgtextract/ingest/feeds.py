"""RSS, Atom and sitemap XML read as it arrives: memory stays flat, a feed stops at max_items.

A sitemap may legally hold 50,000 URLs in 50 MB (sitemaps.org), far more than a page, so
feeds and sitemaps have their own bound (`Settings.max_feed_bytes`) and are parsed piece
by piece with lxml's pull parser, each item dropped from the tree once read. A feed lists
its newest items first, so reading stops once `max_items` links are kept; a sitemap is
read to its end, keeping the newest `max_items` by `lastmod`.

Safety: a document that declares entities (billion laughs, XXE) is refused before any
parser sees it; entities are never expanded, DTDs never loaded, the network never used.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import urljoin

from lxml import etree

from cgtextract.errors import FeedError

__all__ = ["MAX_ITEMS", "FeedReader", "Newest", "read_all"]

MAX_ITEMS = 50_000
"""Most links one feed or sitemap gives (the sitemap protocol's own limit per file)."""

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_HEAD_BYTES = 1_000_000  # where a DOCTYPE, and so any entity declaration, must be
_FEED_ROOTS = {"rss": "rss", "feed": "atom", "RDF": "rss"}
_SITEMAP_ROOTS = {"urlset": "urlset", "sitemapindex": "index"}
_ITEM = {"item", "entry", "url", "sitemap"}
# An item's date as the feed writes it: its last change if given, else its publication.
_CHANGED = ("updated", "modified", "date", "lastmod")
_PUBLISHED = ("published", "pubDate", "issued")


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class FeedReader:
    """Feed it the body piece by piece; it yields (link, date) of each item as it ends.

    `what` is "feed" (RSS 2.0, RSS 1.0 or Atom) or "sitemap" (a urlset or a sitemap
    index; `kind` says which once the root element is read). Links are absolute, resolved
    against `xml:base` and the document's URL. FeedError when the body is not one.
    """

    def __init__(self, what: Literal["feed", "sitemap"], base_url: str) -> None:
        self.what = what
        self.base_url = base_url
        self.kind: str | None = None
        self._head = b""
        self._parser = etree.XMLPullParser(
            events=("start", "end"),
            base_url=base_url,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            recover=True,
            remove_comments=True,
            remove_pis=True,
        )

    def feed(self, piece: bytes) -> Iterator[tuple[str, str | None]]:
        """The items this piece of the body completes."""
        if len(self._head) < _HEAD_BYTES:
            self._head += piece[: _HEAD_BYTES - len(self._head)]
            self._refuse_entities()
        try:
            self._parser.feed(piece)
        except etree.XMLSyntaxError as exc:
            raise self._not_one(str(exc)) from exc
        yield from self._items()

    def close(self) -> Iterator[tuple[str, str | None]]:
        """The items left once the whole body was fed; FeedError when there was no feed."""
        try:
            self._parser.close()
        except etree.XMLSyntaxError as exc:
            if self.kind is None:
                raise self._not_one(str(exc)) from exc
        yield from self._items()
        if self.kind is None:
            raise self._not_one("no root element")

    def _refuse_entities(self) -> None:
        head = self._head
        if _ENTITY_DECL.search(head) or _ENTITY_DECL.search(
            head.decode("utf-16", "ignore").encode()
        ):
            raise FeedError(f"{self.what} refused: it declares XML entities")

    def _not_one(self, detail: str) -> FeedError:
        what = "an RSS or Atom feed" if self.what == "feed" else "an XML sitemap"
        return FeedError(f"not {what} ({detail.strip() or 'unreadable'})")

    def _items(self) -> Iterator[tuple[str, str | None]]:
        for event, element in self._parser.read_events():
            name = _local(element.tag)
            if event == "start":
                if self.kind is None:
                    self._root(name)
                continue
            if name in _ITEM and self.kind is not None:
                item = self._item(element)
                # done with it: drop it and what came before, so the tree stays small
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
                if item is not None:
                    yield item

    def _root(self, name: str) -> None:
        roots = _FEED_ROOTS if self.what == "feed" else _SITEMAP_ROOTS
        if name not in roots:
            raise self._not_one(f"root element <{name}>")
        self.kind = roots[name]

    def _item(self, element: Any) -> tuple[str, str | None] | None:
        name = _local(element.tag)
        if self.kind in ("urlset", "index"):
            if name != ("url" if self.kind == "urlset" else "sitemap"):
                return None
            loc = _text(element, "loc")
            return (loc, _text(element, "lastmod")) if loc else None
        if name not in ("item", "entry"):
            return None
        link = _text(element, "origLink") or _link(element)
        if not link:
            return None
        date = next(filter(None, (_text(element, n) for n in (*_CHANGED, *_PUBLISHED))), None)
        base = element.base or self.base_url
        return urljoin(base, link), date


def _children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if _local(child.tag) == name)


def _text(element: Any, name: str) -> str | None:
    for child in _children(element, name):
        value = (child.text or "").strip()
        if value:
            return value
    return None


def _link(element: Any) -> str | None:
    """RSS `<link>text</link>`, or Atom's alternate `<link href>` (no rel means alternate)."""
    for child in _children(element, "link"):
        href = child.get("href")
        if href is None:
            if (child.text or "").strip():
                return str(child.text).strip()
        elif child.get("rel", "alternate") == "alternate" and href.strip():
            return str(href).strip()
    return None


class Newest:
    """The newest `limit` of what it is given, by date (undated ones oldest), kept in a heap
    of that size: a sitemap of any length is read in bounded memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._heap: list[tuple[str, int, Any]] = []
        self._seen = 0

    def add(self, date: str | None, item: Any) -> None:
        """Offer one item; it stays if it is among the newest `limit` so far."""
        self._seen += 1
        entry = (date or "", -self._seen, item)  # ties: the earlier in the file wins
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, entry)
        elif entry > self._heap[0]:
            heapq.heapreplace(self._heap, entry)

    def newest_first(self) -> list[Any]:
        """What was kept, newest first."""
        return [item for _, _, item in sorted(self._heap, reverse=True)]


def read_all(reader: FeedReader, body: bytes) -> list[tuple[str, str | None]]:
    """Every item of a body already in memory."""
    return [*reader.feed(body), *reader.close()]
