"""Property tests: any bytes, any HTML, any Unicode give valid events or a typed error.

The default profile tries a few hundred inputs per property so the suite stays fast;
`make fuzz` runs the same properties with many more examples (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgtextract.clean import clean_html, clean_text, decode_html
from cgtextract.errors import CgtextractError
from cgtextract.models import Event
from cgtextract.read import extract

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures" / "dev").glob("*.html"))]
# the characters that break naive text code: RTL marks, zero-width joiners, combining marks,
# astral-plane symbols, replacement characters, NULs and line separators
TRICKY = "\u200f\u200e\u200d\u200b\u0301\u0308\U0001f9ec\U0001d4d0\ufffd\x00\u2028\u2029\r\t"
WORDS = [
    "FDA",
    "EMA",
    "NMPA",
    "granted",
    "approved",
    "Orphan Drug Designation",
    "RMAT",
    "IND",
    "CT0596",
    "cilta-cel",
    "(",
    ")",
    ";",
    ",",
    ".",
    "On December 22,",
    "2025",
    "Q3",
    "BCMA",
    "CAR-T",
    "today announced",
    "Inc.",
    "clinical hold",
    "lifted",
    "About",
    "\n",
    "“",
    "”",
]


def _check(run: object) -> None:
    """The one outcome allowed besides events: a CgtextractError subclass."""
    try:
        events = run()  # type: ignore[operator]
    except CgtextractError:
        return
    assert all(isinstance(e, Event) for e in events)


@given(st.binary(max_size=4000))
def test_random_bytes(data: bytes) -> None:
    _check(lambda: extract(clean_html(data, "fuzz.html")))


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(TRICKY),
        max_size=3000,
    )
)
def test_random_unicode_text(text: str) -> None:
    _check(lambda: extract(clean_text(text, "fuzz.txt")))


@given(
    st.lists(st.sampled_from(WORDS) | st.sampled_from(TRICKY) | st.text(max_size=8), max_size=300)
)
def test_release_like_word_salad(words: list[str]) -> None:
    text = "Release\nSHANGHAI, Aug. 20, 2020 /PRNewswire/ -- " + " ".join(words)
    _check(lambda: extract(clean_text(text, "salad.txt")))


@given(st.sampled_from(CORPUS), st.data())
def test_mutated_corpus_pages(page: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(page)))
    insert = data.draw(st.text(alphabet=st.sampled_from(TRICKY + "<>/&;\"'abcFDA"), max_size=50))
    mutated = page[:cut] + insert + page[cut + data.draw(st.integers(0, 200)) :]
    _check(lambda: extract(clean_html(mutated, "mutated.html")))


@given(
    st.binary(max_size=2000), st.sampled_from([None, "utf-8", "gbk", "shift_jis", "bogus-charset"])
)
def test_decoding_never_raises(data: bytes, charset: str | None) -> None:
    assert isinstance(decode_html(data, charset), str)
