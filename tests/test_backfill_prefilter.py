"""The backfill's keyword prefilter: built from patterns/, never drops a page with an event."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from warc_fixtures import DEV_PAGES, SEED_PAGE

from cgtextract.backfill.prefilter import Keyword, Prefilter, groups_of, keywords_of
from cgtextract.errors import PatternError
from cgtextract.pipeline import load
from cgtextract.read.vocab import patterns_dir
from cgtextract.settings import Settings

re2 = pytest.importorskip("re2")
ENGINES = [pytest.param(re, id="re"), pytest.param(re2, id="re2")]

RELEASE = (
    b"<html><body><p>The U.S. Food and Drug Administration granted Regenerative Medicine "
    b"Advanced Therapy designation to XYZ-101, an autologous CAR-T cell therapy.</p></body></html>"
)


@pytest.fixture(scope="module")
def prefilter() -> Prefilter:
    return Prefilter.from_patterns()


@pytest.mark.parametrize("page", [*DEV_PAGES, SEED_PAGE], ids=lambda p: p.stem)
def test_every_fixture_page_with_gold_events_passes(prefilter: Prefilter, page: Path) -> None:
    lines = (page.parent / "gold.jsonl").read_text().splitlines()
    gold = {json.loads(line)["source"] for line in lines if line.strip()} | {"page.html"}
    if page.name in gold:
        assert prefilter.missing(page.read_bytes()) == []


@pytest.mark.parametrize("page", [*DEV_PAGES, SEED_PAGE], ids=lambda p: p.stem)
def test_a_page_the_reader_finds_events_in_passes(prefilter: Prefilter, page: Path) -> None:
    from cgtextract.read import extract

    if extract(load(str(page), Settings())):
        assert prefilter.passes(page.read_bytes())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("body", "missing"),
    [
        (RELEASE, []),
        # a designation names its agency: RMAT is the FDA's
        (b"<p>XYZ-101, a CAR-T cell therapy, received RMAT designation.</p>", []),
        (b"<p>The FDA approved the new tablet for migraine.</p>", ["product"]),
        (b"<p>The gene therapy company received funds for a plant in Ohio.</p>", ["agency"]),
        (
            b"<p>The city council approved the budget for the new stadium.</p>",
            ["agency", "product"],
        ),
        # token patterns keep their case: 'ec' and 'fda' in running text are not agencies
        (b"<p>Sec. fda-like ec gene therapy, approved.</p>", ["agency"]),
        # whole words only: 'schema', 'cinema' hold no EMA, 'cart' no CAR-T
        (b'<p itemtype="schema.org">The cinema cart was approved by the EC.</p>', ["product"]),
        # phrases across line breaks and &nbsp; in the HTML source
        (b"<p>Food and Drug\n  Administration approved the gene&nbsp;therapy</p>", []),
    ],
)
def test_groups(body: bytes, missing: list[str], engine: object) -> None:
    prefilter = Prefilter.from_patterns(engine=engine)
    assert prefilter.missing(body) == missing
    assert prefilter.passes(body) is (missing == [])


def test_a_utf16_page_is_read_as_text(prefilter: Prefilter) -> None:
    assert prefilter.passes(RELEASE.decode().encode("utf-16"))


def test_labels_map_to_groups() -> None:
    assert groups_of("REGULATOR") == ("agency",)
    assert set(groups_of("DESIGNATION")) == {"agency", "action"}
    assert groups_of("MODALITY") == ("product",)
    assert groups_of("INN_STEM") == ("product",)
    assert groups_of("DISEASE") == ()


def test_a_vocabulary_added_later_widens_it(tmp_path: Path) -> None:
    """An INN-stem file dropped into patterns/ needs no code change: its stems match as the
    ends of words."""
    for path in patterns_dir().glob("*.jsonl"):
        shutil.copy(path, tmp_path)
    page = b"<p>The FDA approved nexabgen for lymphoma.</p>"  # a stem no vocabulary has yet
    assert Prefilter.from_patterns(tmp_path).missing(page) == ["product"]
    (tmp_path / "inn_stems.jsonl").write_text(
        json.dumps({"label": "INN_STEM", "pattern": "abgen", "id": "cell"}) + "\n"
    )
    assert Prefilter.from_patterns(tmp_path).passes(page)


@pytest.mark.parametrize(
    "pattern",
    [[{"TEXT": {"REGEX": "^CAR"}}], [{"POS": "NOUN"}], [{"TEXT": "A"}, {"LOWER": "b"}], ""],
)
def test_a_pattern_it_cannot_express_is_an_error(pattern: object) -> None:
    with pytest.raises(PatternError, match="prefilter cannot express"):
        keywords_of({"label": "MODALITY", "pattern": pattern}, "x.jsonl:1")


def test_keyword_regex() -> None:
    assert Keyword("U.S. FDA", exact=True).regex() == (
        rb"\bU\.S\.(?:\s|&nbsp;|&#160;|" + "\u00a0".encode() + rb")+FDA\b"
    )
    assert Keyword("leucel", suffix=True).regex() == rb"(?i:leucel)\b"


def test_a_group_without_keywords_is_an_error() -> None:
    with pytest.raises(PatternError, match="no keywords for: product"):
        Prefilter({"agency": [Keyword("FDA")], "action": [Keyword("granted")]})


SIDEBAR_ONLY = (
    b"<html><body><header><nav><a href='/'>Home</a> <a href='/health'>Health</a></nav></header>"
    b"<main><article><h1>Council approves new library</h1>"
    + b"<p>The council approved the plan after residents said they wanted their own library "
    b"branch in the east of the city, close to the schools and the new park.</p>"
    * 6
    + b"</article><aside class='sidebar'><h3>Most read</h3><ul>"
    b"<li><a href='/a'>FDA approves first over-the-counter hearing aids</a></li>"
    b"<li><a href='/b'>Flu season arrives early, doctors say</a></li></ul></aside></main>"
    b"<footer>&copy; 2026 Daily Ledger</footer></body></html>"
)


def test_the_second_stage_reads_the_main_text_only(prefilter: Prefilter) -> None:
    """A "most read" link names the agency, the story says "their own" (an autologous cue):
    the raw bytes pass, the main text does not, and the reader finds nothing either."""
    from cgtextract.clean import clean_html
    from cgtextract.read import extract

    assert prefilter.passes_bytes(SIDEBAR_ONLY)
    assert not prefilter.passes_text(SIDEBAR_ONLY)
    assert not prefilter.passes(SIDEBAR_ONLY)
    assert extract(clean_html(SIDEBAR_ONLY, "x")) == []
    assert Prefilter.from_patterns(main_text=False).passes(SIDEBAR_ONLY)


@pytest.mark.parametrize("page", [*DEV_PAGES, SEED_PAGE], ids=lambda p: p.stem)
def test_the_main_text_keeps_every_keyword_the_reader_reads(
    prefilter: Prefilter, page: Path
) -> None:
    """Where the cleaned article text (what the reader reads) holds every group, so does the
    main text the second stage tests."""
    article = load(str(page), Settings())
    if prefilter.passes_bytes(article.text.encode("utf-8")):
        assert prefilter.passes_text(page.read_bytes())
