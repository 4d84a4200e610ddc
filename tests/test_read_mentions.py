"""The mentions stage (read/mentions.py): disease names, abbreviations a document defines, and
product names that only the text's presentation makes products ('TG-C')."""

from __future__ import annotations

import pytest

from cgtextract.models import Article
from cgtextract.read.document import DocState
from cgtextract.read.layout import Sentence
from cgtextract.read.mentions import (
    disease_class,
    disease_heads,
    diseases_in,
    learn_abbreviations,
    read_mentions,
)


def _doc(text: str) -> DocState:
    doc = DocState(Article(source="case.txt", text=text))
    read_mentions(doc)
    return doc


def _diseases(doc: DocState, s: Sentence) -> list[str]:
    return diseases_in(doc, s, s.start, s.end)


@pytest.mark.parametrize(
    ("text", "heads"),
    [
        ("relapsed multiple myeloma", ["myeloma"]),
        ("severe hemophilia A in boys", ["hemophilia A"]),
        ("knee osteoarthritis and papillomatosis", ["osteoarthritis", "papillomatosis"]),
        ("acute myeloid leukemia", ["leukemia"]),
        ("chronic heart failure", ["failure"]),
        ("leukocyte adhesion deficiency-I (LAD-I)", ["deficiency-I"]),
        ("X-linked retinitis pigmentosa", ["retinitis pigmentosa"]),
        ("the study met its primary endpoint", []),
    ],
)
def test_disease_heads(text: str, heads: list[str]) -> None:
    assert [text[a:b] for a, b in disease_heads(text)] == heads


TEXT = (
    "Corvane Therapeutics said the FDA cleared KB-101 for relapsed/refractory multiple myeloma"
    " and X-linked retinitis pigmentosa.\n"
    "KB-101 is being studied in severe hemophilia A.\n"
    "The FDA granted Orphan Drug designation to KB-707 for progressive Kellner syndrome (PKS),"
    " reducing the risk of cytokine release syndrome.\n"
    "KB-707 is also studied in PKS and in Marden-Walker neuropathy (MWN).\n"
    "Patients with relapsed or refractory diffuse large B-cell lymphoma received KB-303.\n"
    "KB-202 treats extensive-stage small cell lung cancer.\n"
    "The Data Monitoring Committee (DMC) met and the study met its endpoint.\n"
    "KB-202 is studied in extensive-stage small cell lung cancer.\n"
)


@pytest.fixture(scope="module")
def doc() -> DocState:
    return _doc(TEXT)


@pytest.mark.parametrize(
    ("index", "diseases"),
    [
        pytest.param(
            0,
            ["relapsed/refractory multiple myeloma", "X-linked retinitis pigmentosa"],
            id="vocabulary-with-modifiers",
        ),
        pytest.param(1, ["severe hemophilia A"], id="head-of-two-words"),
        pytest.param(2, ["progressive Kellner syndrome"], id="side-effect-left-out"),
        pytest.param(
            3,
            ["progressive Kellner syndrome", "Marden-Walker neuropathy"],
            id="abbreviation-expanded",
        ),
        pytest.param(
            4, ["relapsed or refractory diffuse large B-cell lymphoma"], id="relapsed-or-refractory"
        ),
        pytest.param(
            5,
            ["extensive-stage small cell lung cancer"],
            id="verb-before-four-modifiers",
        ),
        pytest.param(6, [], id="no-disease"),
        pytest.param(7, ["extensive-stage small cell lung cancer"], id="stage-before-vocabulary"),
    ],
)
def test_diseases_in_sentence(doc: DocState, index: int, diseases: list[str]) -> None:
    assert _diseases(doc, doc.frame.sentences[index]) == diseases


def test_a_relative_clause_names_no_disease() -> None:
    doc = _doc("KB-1 is tested in patients whose tumors express CLDN18.2.")
    assert _diseases(doc, doc.frame.sentences[0]) == []


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("KB-1 may help patients with any disease of the retina.", id="quantifier"),
        pytest.param("KB-1 may slow disease progression in adults.", id="verb-before-disease"),
    ],
)
def test_a_bare_disease_word_after_a_quantifier_or_a_verb_names_none(sentence: str) -> None:
    doc = _doc(sentence)
    assert _diseases(doc, doc.frame.sentences[0]) == []


def test_diseases_in_part_of_a_sentence(doc: DocState) -> None:
    s = doc.frame.sentences[0]
    cut = doc.article.text.index(" and X-linked")
    assert diseases_in(doc, s, s.start, cut) == ["relapsed/refractory multiple myeloma"]
    assert diseases_in(doc, s, cut, s.end) == ["X-linked retinitis pigmentosa"]


def test_abbreviations_learned_from_parentheses(doc: DocState) -> None:
    assert doc.abbrev["PKS"] == "progressive Kellner syndrome"
    assert doc.abbrev["MWN"] == "Marden-Walker neuropathy"
    assert doc.abbrev["DMC"] == "Data Monitoring Committee"


@pytest.mark.parametrize(
    ("text", "learned"),
    [
        pytest.param(
            "a chimeric antigen receptor (CAR) product",
            {"CAR": "chimeric antigen receptor"},
            id="plain",
        ),
        pytest.param(
            "relapsed/refractory Kellner lymphoma (R/R KL)",
            {"R/R KL": "relapsed/refractory Kellner lymphoma"},
            id="with-slash",
            marks=pytest.mark.xfail(
                strict=True, reason="learn_abbreviations only takes parentheses without spaces"
            ),
        ),
        pytest.param("the dose (mg)", {}, id="lower-case-is-no-abbreviation"),
        pytest.param("the product (KB-101)", {}, id="initials-do-not-fit"),
    ],
)
def test_learn_abbreviations(text: str, learned: dict[str, str]) -> None:
    found: dict[str, str] = {}
    learn_abbreviations(text, found)
    assert found == learned


def _products(text: str) -> list[list[str]]:
    doc = _doc(text)
    return [[m.name for m in doc.products[s.idx]] for s in doc.frame.sentences]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param(
            "TG-C, a cell and gene therapy for knee osteoarthritis, was cleared by the FDA.",
            [["TG-C"]],
            id="apposition-a",
        ),
        pytest.param(
            "Corvane's TG-C was cleared by the FDA.\nThe TG-C data were positive.",
            [["TG-C"], ["TG-C"]],
            id="possessive-then-everywhere",
        ),
        pytest.param("The FDA cleared the IND for TG-C.", [["TG-C"]], id="preposition"),
        pytest.param(
            "TG-C is an allogeneic cell therapy. The FDA cleared TG-C.",
            [["TG-C"], ["TG-C"]],
            id="copula",
        ),
        pytest.param("The FDA placed the TG-C trial on hold.", [[]], id="not-presented-trial-name"),
        pytest.param("The FDA cleared a CAR-T study in lupus.", [[]], id="car-t-is-no-code"),
        pytest.param(
            "TG-C, the cell and gene therapy for knee osteoarthritis, was cleared by the FDA.",
            [["TG-C"]],
            id="apposition-the",
        ),
    ],
)
def test_letter_codes_only_when_presented_as_products(text: str, names: list[list[str]]) -> None:
    assert _products(text) == names


def test_vocabulary_spans_are_read_only_where_worth_it() -> None:
    doc = _doc(
        "Corvane Therapeutics said the FDA cleared KB-101.\n"
        '"We thank the FDA," said the chief executive.\n'
    )
    first, quote = doc.frame.sentences
    assert {(sp.label, sp.text) for sp in doc.spans[first.idx]} >= {
        ("REGULATOR", "FDA"),
        ("ACTION", "cleared"),
    }
    assert doc.spans[quote.idx] == []  # quotes state no events: not read


@pytest.mark.parametrize(
    ("title", "body_has_it", "indication"),
    [
        pytest.param(
            "FDA Approves Velora Graft for Extremity Vascular Trauma",
            False,
            "Extremity Vascular Trauma",
            id="title-case-only-in-headline",
        ),
        pytest.param(
            "FDA Approves Velora Graft for Extremity Vascular Trauma",
            True,
            "extremity vascular trauma",
            id="as-the-body-writes-it",
        ),
    ],
)
def test_title_case_headline_names_its_disease(
    title: str, body_has_it: bool, indication: str
) -> None:
    """Capitals in a Title Case headline say nothing about names: its disease is read too,
    in the body's spelling when the body repeats it."""
    from cgtextract.read import extract

    tail = " Untreated extremity vascular trauma can cost a limb." if body_has_it else ""
    text = (
        f"{title}\nBOSTON, May 2, 2024 -- Corvane Therapeutics today announced that the U.S. "
        f"Food and Drug Administration approved Velora Graft (VG-101).{tail}"
    )
    events = extract(Article(source="case.txt", text=text))
    assert [e.indications for e in events] == [[indication]]


@pytest.mark.parametrize(
    ("sentence", "brand"),
    [
        pytest.param("The FDA approved Norvexa for hemophilia B.", "Norvexa", id="approved"),
        pytest.param(
            "The FDA granted RMAT designation to MultiCell for stroke.", "MultiCell", id="to"
        ),
        pytest.param(
            "The FDA lifted the clinical hold on Norvexa-K in May.", "Norvexa-K", id="hold-on"
        ),
        pytest.param(
            "The FDA granted Orphan Drug designation to Halvard, Inc. for its KB-1.",
            None,
            id="a-company-is-no-brand",
        ),
        pytest.param(
            "The drug, Norvexa, was approved by U.S. regulators in 2017.", "Norvexa", id="passive"
        ),
        pytest.param("Norvexa was approved by the FDA in 2017.", "Norvexa", id="passive-opening"),
        pytest.param("Treatment was approved by the FDA in 2017.", None, id="common-noun"),
        pytest.param(
            "The FDA cleared Halvard to launch a clinical trial of KB-1.", None, id="cleared-to"
        ),
        pytest.param(
            "The FDA accepted the BLA for Velmo-T and granted it Priority Review.",
            "Velmo-T",
            id="bla-for",
        ),
        pytest.param(
            "The FDA granted Fast Track designation for Velora in stroke.", "Velora", id="for"
        ),
        pytest.param(
            "The FDA granted Orphan Drug designation for Kabuki syndrome to KB-1.",
            None,
            id="a-disease-eponym",
        ),
    ],
)
def test_a_name_an_act_takes_as_object_is_a_brand(sentence: str, brand: str | None) -> None:
    doc = _doc(sentence)
    brands = [m.name for ms in doc.products.values() for m in ms if m.kind == "brand"]
    assert brands == ([brand] if brand else [])


@pytest.mark.parametrize(
    ("name", "is_class"),
    [
        ("rare genetic disorder", True),
        ("blood cancers", True),
        ("inherited retinal diseases", True),
        ("hemophilia B", False),
        ("severe leukocyte adhesion deficiency", False),
    ],
)
def test_disease_class(name: str, is_class: bool) -> None:
    assert disease_class(name) is is_class


def test_forward_looking_statements_are_not_read_for_product_names() -> None:
    """Legal boilerplate states no act: its product names are not looked for (an About
    section's are: they describe the product)."""
    doc = _doc(
        "Corvane clears IND\nBOSTON, May 6, 2024 /PRNewswire/ -- Corvane said the FDA cleared"
        " the IND for KB-101.\nAbout KB-101\nKB-101 is a CAR-T."
        "\nForward-Looking Statements\nStatements about KB-202 and KB-101 are forward-looking."
    )
    named = {s.section: [m.name for m in doc.products[s.idx]] for s in doc.frame.sentences}
    assert named["About KB-101"] == ["KB-101"]
    assert named["Forward-Looking Statements"] == []
