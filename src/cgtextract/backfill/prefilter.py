"""The keyword test a WARC record must pass before trafilatura and spaCy see it.

Built from the vocabularies in `patterns/`, so a pattern added there widens the test without a
code change. Each pattern's label puts it into one or more groups, and a page passes when it
holds a keyword of every group:

    agency   REGULATOR, DESIGNATION (a designation names its agency: RMAT is the FDA's)
    action   ACTION, DOCTYPE, DESIGNATION
    product  MODALITY, and any label with STEM or INN in its name (INN stems such as
             "-leucel", matched as word endings)

A cell or gene therapy event needs an agency (named, or implied by a designation), a regulatory
action and a product of that kind, so a page without one of the three cannot report one. (The
reader sometimes reads events of small molecules or antibodies in pharma news; the prefilter
drops those pages on purpose, and scripts/bench_backfill.py counts what that costs.)
String patterns match in any case, token patterns (exact-case acronyms such as "EC")
exactly, both on whole words, with any run of whitespace (or `&nbsp;`) between the words of a
phrase. The groups are tested rarest first, each as one regular expression: RE2 (the
`google-re2` package, a DFA: ~65 us for a 40 KB page) when it is installed, else Python's `re`
(several times slower on pages that fail).

Two stages, cheapest first. The raw bytes of the page reject most records. What passes is
tested again on the page's main text, which resiliparse extracts in ~0.4 ms with
navigation, sidebars and footers dropped: the reader never reads those either (trafilatura
drops them), and they are where most news pages name the FDA or a therapy in passing (a
"most read" link, a related story). Without resiliparse installed, the first stage decides.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cgtextract.errors import PatternError
from cgtextract.read.vocab import read_rows

try:  # pragma: no cover - which one is installed is the environment's choice
    import re2 as _engine

    ENGINE = "re2"
except ImportError:  # pragma: no cover
    _engine = re
    ENGINE = "re"

_HAS_RESILIPARSE = importlib.util.find_spec("resiliparse") is not None
GROUPS = ("agency", "product", "action")  # the order they are tested in: rarest first
_LABEL_GROUPS: Mapping[str, tuple[str, ...]] = {
    "REGULATOR": ("agency",),
    "DESIGNATION": ("agency", "action"),
    "ACTION": ("action",),
    "DOCTYPE": ("action",),
    "MODALITY": ("product",),
}
# the no-break space as literal UTF-8 bytes: RE2 reads a pattern as UTF-8, Python's re as bytes
_SPACE = rb"(?:\s|&nbsp;|&#160;|" + "\u00a0".encode() + b")+"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class _Regex(Protocol):
    def search(self, data: bytes) -> Any: ...


def groups_of(label: str) -> tuple[str, ...]:
    """The groups a pattern label feeds (none for targets, diseases, companies, ...)."""
    if label in _LABEL_GROUPS:
        return _LABEL_GROUPS[label]
    if "STEM" in label or "INN" in label:
        return ("product",)
    return ()


@dataclass(frozen=True)
class Keyword:
    """One keyword: its text, whether its case matters, whether it may end a longer word."""

    text: str
    exact: bool = False
    suffix: bool = False

    def regex(self) -> bytes:
        """The keyword as a regular expression over raw page bytes."""
        words = [re.escape(w.encode("utf-8")) for w in self.text.split()]
        body = _SPACE.join(w.replace(b"&", rb"(?:&|&amp;)") for w in words)
        if not self.exact:
            body = b"(?i:" + body + b")"
        head = rb"\b" if _wordy(self.text[0]) and not self.suffix else b""
        tail = rb"\b" if _wordy(self.text[-1]) else b""
        return head + body + tail


def _wordy(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def keywords_of(row: Mapping[str, Any], where: str) -> Keyword:
    """The keyword of one vocabulary line; a pattern it cannot express is a PatternError,
    never silently dropped (a dropped keyword would be a page lost)."""
    pattern, suffix = row["pattern"], "STEM" in str(row["label"])
    if isinstance(pattern, str) and pattern.strip():
        return Keyword(" ".join(pattern.split()), suffix=suffix)
    if isinstance(pattern, list) and pattern:
        texts, exact = [], []
        for token in pattern:
            key = next(iter(token), None) if isinstance(token, dict) and len(token) == 1 else None
            value = token.get(key) if key else None
            if key not in ("TEXT", "ORTH", "LOWER") or not isinstance(value, str):
                raise PatternError(f"{where}: the prefilter cannot express token {token!r}")
            texts.append(value)
            exact.append(key != "LOWER")
        if all(exact) or not any(exact):
            return Keyword(" ".join(texts), exact=all(exact), suffix=suffix)
    raise PatternError(f"{where}: the prefilter cannot express pattern {pattern!r}")


class Prefilter:
    """Decides from a page's raw bytes whether it may hold a regulatory event."""

    def __init__(
        self, keywords: Mapping[str, Iterable[Keyword]], engine: Any = None, main_text: bool = True
    ) -> None:
        """`engine`: the regex module (`re2` or `re`; default the faster one installed).
        `main_text`: test the main text too (second stage), when resiliparse is installed."""
        engine = engine or _engine
        self.main_text = main_text and _HAS_RESILIPARSE
        self.keywords = {g: sorted(set(keywords.get(g, ())), key=str) for g in GROUPS}
        empty = [g for g, words in self.keywords.items() if not words]
        if empty:
            raise PatternError(f"the prefilter has no keywords for: {', '.join(empty)}")
        self._regexes: list[tuple[str, _Regex]] = [
            (g, engine.compile(b"|".join(k.regex() for k in words)))
            for g, words in self.keywords.items()
        ]

    @classmethod
    def from_patterns(
        cls, directory: Path | None = None, engine: Any = None, main_text: bool = True
    ) -> Prefilter:
        """The prefilter of every `*.jsonl` vocabulary in `directory` (default: patterns/)."""
        if directory is None:
            from cgtextract.read.vocab import patterns_dir

            directory = patterns_dir()
        keywords: dict[str, set[Keyword]] = {g: set() for g in GROUPS}
        for path in sorted(directory.glob("*.jsonl")):
            for n, row in enumerate(read_rows(path), 1):
                for group in groups_of(str(row["label"])):
                    keywords[group].add(keywords_of(row, f"{path}:{n}"))
        return cls(keywords, engine, main_text)

    def missing(self, body: bytes) -> list[str]:
        """The groups with no keyword in the raw bytes (empty: the first stage passes)."""
        data = _as_utf8(body)
        return [group for group, rx in self._regexes if rx.search(data) is None]

    def passes_bytes(self, body: bytes) -> bool:
        """The first stage: a keyword of every group in the raw bytes (stops at the first
        group missing)."""
        data = _as_utf8(body)
        return all(rx.search(data) is not None for _, rx in self._regexes)

    def passes_text(self, body: bytes) -> bool:
        """The second stage: a keyword of every group in the page's main text."""
        if not self.main_text:
            return True
        text = main_text_of(body)
        return all(rx.search(text) is not None for _, rx in self._regexes)

    def passes(self, body: bytes) -> bool:
        """Both stages, cheapest first."""
        return self.passes_bytes(body) and self.passes_text(body)


def main_text_of(body: bytes) -> bytes:
    """The main content of an HTML page as UTF-8 text (resiliparse's boilerplate removal);
    an unparsable page gives its bytes back, so it is tested as the first stage tested it."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    try:
        html = bytes_to_str(body, detect_encoding(body) or "utf-8")
        return str(extract_plain_text(html, main_content=True)).encode("utf-8")
    except Exception:  # resiliparse's parser errors: keep the page rather than lose it
        return body


def _as_utf8(body: bytes) -> bytes:
    """UTF-16 pages (a BOM says so) are re-encoded, so their keywords are bytes like others."""
    if body.startswith(_UTF16_BOMS):
        return body.decode("utf-16", "replace").encode("utf-8")
    return body
