"""HTML or plain text in, one `Article` out: the text that evidence offsets point into.

trafilatura drops navigation, sidebars, cookie banners and footers, so none of that
chrome can produce events; plain-text files are taken as they are.
"""

from __future__ import annotations

import re
from datetime import date

import trafilatura

from cgtextract.dates import first_full_date
from cgtextract.errors import NoContentError
from cgtextract.models import Article

_MIN_TEXT_CHARS = 40
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_html(html: str | bytes, source: str, url: str | None = None) -> Article:
    """Extract main text, title and publication date from an HTML page."""
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        deduplicate=False,
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text) < _MIN_TEXT_CHARS:
        raise NoContentError(f"{source}: no article text found")
    title = getattr(doc, "title", None) or None
    published = _parse_iso(getattr(doc, "date", None)) or _date_near_top(text)
    raw = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    return Article(source=source, url=url, title=title, text=text, published=published, raw=raw)


def clean_text(text: str, source: str) -> Article:
    """A plain-text article: first line is the title, a date near the top is the publication date."""
    text = _BLANK_LINES.sub("\n", text.replace("\r\n", "\n")).strip()
    if len(text) < _MIN_TEXT_CHARS:
        raise NoContentError(f"{source}: no article text found")
    title = text.split("\n", 1)[0].strip() or None
    return Article(source=source, title=title, text=text, published=_date_near_top(text))


def looks_like_html(data: str) -> bool:
    """True for markup: a doctype or an <html>/<body>/<p> tag near the start."""
    head = data[:2000].lower()
    return "<html" in head or "<!doctype" in head or "<body" in head or "<p>" in head


def _parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _date_near_top(text: str) -> date | None:
    """Datelines and date lines sit in the first few lines of a release."""
    lines = [ln for ln in text.split("\n") if ln.strip()][:8]
    return first_full_date("\n".join(lines))



