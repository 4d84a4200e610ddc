"""HTML or plain text in, one `Article` out: the text that evidence offsets point into.

trafilatura drops navigation, sidebars, cookie banners and footers, so none of that
chrome can produce events; plain-text files are taken as they are.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date

import trafilatura
from htmldate import find_date
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from cgtextract.errors import NoContentError
from cgtextract.models import Article
from cgtextract.read.dates import first_full_date
from cgtextract.read.layout import looks_like_title, parse_dateline

_MIN_TEXT_CHARS = 40
# a metadata line above a plain text, which states the publication date and is no title
_META = re.compile(r"^\s*(?:Published|Date|Posted):\s*\S")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
# 'Ã©', 'â€™', 'Ã¼': UTF-8 read as Latin-1/Windows-1252
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf€™œ\u201a-\u201e\u2018-\u2019]")
# replacement characters, C1 controls and box drawing: what a wrong decoding leaves
_BAD_CHARS = re.compile("[\ufffd\u0080-\u009f\u2500-\u257f]")
# one well-formed multi-byte UTF-8 character: text in a legacy encoding almost never has one
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Bytes to text: a BOM, then a meta charset, then valid UTF-8, then the HTTP header's
    charset, then charset detection. A header that contradicts the page loses. A leading
    XML declaration is dropped: lxml refuses a str that still declares an encoding."""
    return _XML_DECL.sub("", _decode(body, header_charset), count=1)


def _decode(body: bytes, header_charset: str | None) -> str:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(codec, "replace")
    candidates: list[str] = []
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    if header_charset:
        candidates.append(header_charset)
    for codec in candidates:
        try:
            return body.decode(_codec(codec))
        except (LookupError, UnicodeDecodeError):
            continue
    if _mostly_utf8(body):
        # UTF-8 with some bytes damaged: a legacy encoding would turn every character into
        # a plausible-looking wrong one; as UTF-8 the damage shows, as U+FFFD
        return body.decode("utf-8", "replace")
    # mostly ASCII with a few high bytes: the web's usual legacy encoding (WHATWG default);
    # detection on a few accented bytes guesses Cyrillic as often as not
    high = sum(b > 0x7F for b in body[:200_000])
    if high <= 0.15 * min(len(body), 200_000):
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes  # trafilatura's own dependency

    best = from_bytes(body[:200_000]).best()
    return str(best) if best is not None else body.decode("utf-8", "replace")


def _mostly_utf8(body: bytes) -> bool:
    """Most bytes above 0x7F form well-formed UTF-8 characters: UTF-8 with a few damaged
    bytes. (A legacy double-byte encoding such as GBK matches the pattern by chance only
    now and then.)"""
    sample = body[:200_000]
    high = sum(b > 0x7F for b in sample)
    valid = sum(len(m) for m in _UTF8_SEQUENCE.findall(sample))
    return high > 0 and valid >= 0.6 * high


def _codec(name: str) -> str:
    """Browsers read gb2312 as GBK (a superset), and iso-8859-1 as windows-1252."""
    low = name.lower()
    return {
        "gb2312": "gb18030",
        "gbk": "gb18030",
        "iso-8859-1": "cp1252",
        "latin-1": "cp1252",
        "latin1": "cp1252",
        "x-sjis": "shift_jis",
    }.get(low, low)


def clean_html(
    html: str | bytes,
    source: str,
    url: str | None = None,
    max_chars: int = 5_000_000,
    max_text_chars: int = 500_000,
) -> Article:
    """Extract main text, title and publication date from an HTML page.

    Pages over `max_chars`, texts over `max_text_chars` and text that decodes to garbage
    are skipped with a reason (NoContentError), never stored half-read.
    """
    page = decode_html(html) if isinstance(html, bytes) else html
    if len(page) > max_chars:
        raise NoContentError(f"{source}: page larger than {max_chars} characters, skipped")
    try:
        body, title, found = _read_html(page, url)
    except (RecursionError, ValueError, TypeError, MemoryError, LookupError) as exc:
        raise NoContentError(f"{source}: cannot parse the page ({type(exc).__name__})") from exc
    text = (body or "").strip()
    text = same_length_typography(text)
    if len(text) < _MIN_TEXT_CHARS:
        raise NoContentError(f"{source}: no article text found")
    if len(text) > max_text_chars:
        raise NoContentError(
            f"{source}: article text longer than {max_text_chars} characters, skipped"
        )
    if _garbled(text):
        raise NoContentError(f"{source}: text looks garbled (wrong character encoding), skipped")
    published = _parse_iso(found) or _date_near_top(text)
    return Article(source=source, url=url, title=title, text=text, published=published, raw=page)


def _read_html(page: str, url: str | None) -> tuple[str | None, str | None, str | None]:
    """trafilatura's main text, and the title and date its metadata step would give.

    `with_metadata=True` also reads authors, categories, tags, licence and site name, which
    nothing here uses and which cost as much as a third of the extraction; so the page is
    parsed once, its title and date are taken with trafilatura's and htmldate's own
    functions (in trafilatura's order: meta tags, JSON-LD, then the page), and the parsed
    tree goes to `bare_extraction` without metadata. A test checks both agree.
    """
    tree = load_html(page)
    if tree is None:
        return None, None, None
    meta = examine_meta(tree)
    with suppress(Exception):  # trafilatura guards its JSON-LD reader the same way
        meta = extract_meta_json(tree, meta)
    meta.title = meta.title or extract_title(tree)
    meta.date = find_date(tree, **set_date_params(True), url=meta.url or extract_url(tree, url))
    meta.clean_and_trim()
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    text = doc.text if isinstance(doc, Document) else None
    return text, meta.title or None, meta.date


def garbled_characters(text: str) -> int:
    """How many characters of `text` show a wrong or damaged decoding: replacement
    characters, C1 controls, box drawing, UTF-8 read as Latin-1."""
    return len(_BAD_CHARS.findall(text)) + len(_MOJIBAKE.findall(text))


def _garbled(text: str) -> bool:
    """Wrongly decoded characters in more than a trace (3, or one in a thousand)."""
    return garbled_characters(text) > max(3, len(text) // 1000)


# characters that look like a hyphen or a space to a reader but not to a pattern
# ('ST‑segment', 'cell‑based' with U+2011): replaced one for one, so offsets still hold
_TYPOGRAPHY = (("\u2010", "-"), ("\u2011", "-"), ("\u00a0", " "), ("\u202f", " "))


def same_length_typography(text: str) -> str:
    """Non-breaking hyphens and spaces as their plain forms (one character each; replace()
    per character, which is many times faster than translate() on a long text)."""
    for char, plain in _TYPOGRAPHY:
        if char in text:
            text = text.replace(char, plain)
    return text


def clean_text(text: str, source: str) -> Article:
    """A plain-text article: a date near the top is the publication date ('Published:
    2025-01-29' or a dateline), and the first line is the title only when it looks like one
    (a one-paragraph text or a text that starts with its lead is all body)."""
    text = same_length_typography(_BLANK_LINES.sub("\n", text.replace("\r\n", "\n")).strip())
    if len(text) < _MIN_TEXT_CHARS:
        raise NoContentError(f"{source}: no article text found")
    first = next((ln.strip() for ln in text.split("\n") if not _META.match(ln)), "")
    title = first if "\n" in text and looks_like_title(first) else None
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
    # 'Tuesday, 19 March 2024' (a site's today) above '10 March 2021 | News': of several
    # date lines, the one nearest the article
    alone = [d for ln in lines if len(ln) <= 40 and (d := first_full_date(ln))]
    if len(alone) >= 2:
        return alone[-1]
    for ln in lines:
        # a date line, a byline or a dateline; not a sentence of the story ('On January 7,
        # 2022, X submitted ...' dates an act, not the page)
        dateline = parse_dateline(ln)
        if dateline and dateline.announced:
            return dateline.announced
        if (len(ln) <= 80 and not ln.rstrip().endswith(".")) or _META.match(ln):
            found = first_full_date(ln)
            if found:
                return found
    return None
