"""Product names (read/products.py): codes, INNs and brands found by shape, look-alikes
refused by context, the names a sentence gives as one product, INN stems and `norm`."""

from __future__ import annotations

import pytest

from cgtextract.read.mentions import reject_words
from cgtextract.read.products import alias_links, find_products, inn_cues, norm


def _found(text: str, studies: set[str] | None = None) -> list[tuple[str, str]]:
    return [(m.name, m.kind) for m in find_products(text, 0, reject_words(), studies)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "The FDA cleared the IND for CT0596 in myeloma.", [("CT0596", "code")], id="code-plain"
        ),
        pytest.param(
            "The FDA granted RMAT designation to Velmorance-08 for myasthenia gravis.",
            [("Velmorance-08", "code")],
            id="long-word-code",
        ),
        pytest.param(
            "The FDA had given its lead drug candidate, Norvexa, Fast Track designation.",
            [("Norvexa", "brand")],
            id="brand-apposed-to-a-product-noun",
        ),
        pytest.param(
            "The FDA approved the gene therapy, Corvane said.", [], id="company-after-a-comma"
        ),
        pytest.param(
            "The FDA placed a hold on vexiguran zoclumeran in amyloidosis.",
            [("vexiguran zoclumeran", "inn")],
            id="inn-guide-rna-and-mrna-stems",
        ),
        pytest.param(
            "Belief filed for BBM-D101 last week.", [("BBM-D101", "code")], id="code-hyphen"
        ),
        pytest.param(
            "LCAR-B38M is a BCMA-directed CAR-T.", [("LCAR-B38M", "code")], id="code-two-hyphens"
        ),
        pytest.param(
            "P-BCMA-ALLO1 is an allogeneic CAR-T.",
            [("P-BCMA-ALLO1", "code")],
            id="code-with-antigen-inside",
        ),
        pytest.param("OH2 is a virus.", [("OH2", "code")], id="code-three-characters"),
        pytest.param("The B019 injection was accepted.", [("B019", "code")], id="code-one-letter"),
        pytest.param(
            "The FDA approved zevacabtagene autoleucel for myeloma.",
            [("zevacabtagene autoleucel", "inn")],
            id="inn-two-words-car-t",
        ),
        pytest.param(
            "The EC approved fidanacogene elaparvovec for hemophilia B.",
            [("fidanacogene elaparvovec", "inn")],
            id="inn-two-words-parvovec",
        ),
        pytest.param(
            "The FDA approved Corvalgene zinoparvovec-xkrt for Duchenne.",
            [("Corvalgene zinoparvovec-xkrt", "inn")],
            id="inn-with-fda-suffix",
        ),
        pytest.param(
            "Keltra's lead product, oravoleucel, is a TIL therapy.",
            [("oravoleucel", "inn")],
            id="inn-one-word-leucel",
        ),
        pytest.param(
            "Tovirepvec is an oncolytic HSV.", [("Tovirepvec", "inn")], id="inn-one-word-repvec"
        ),
        pytest.param(
            "The product, known as zeva-cel, was approved.",
            [("zeva-cel", "short_inn")],
            id="short-inn",
        ),
        pytest.param(
            "Corvane's Velmora® is approved in Japan.",
            [("Velmora", "brand")],
            id="brand-registered",
        ),
        pytest.param(
            "Velmora™ (vorsacabtagene autoleucel) was approved.",
            [("Velmora", "brand"), ("vorsacabtagene autoleucel", "inn")],
            id="brand-tm-and-inn",
        ),
        pytest.param(
            "Halvexa (arvoparvovec) was approved.",
            [("Halvexa", "brand"), ("arvoparvovec", "inn")],
            id="brand-before-inn-in-parentheses",
        ),
        pytest.param(
            "The brand name Velmora was approved in Japan.",
            [("Velmora", "brand")],
            id="brand-named",
        ),
        pytest.param(
            "HGF plasmid was approved.", [("HGF plasmid", "descriptive")], id="gene-plasmid"
        ),
    ],
)
def test_find_products(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert _found(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("The trial NCT05123456 enrolled 40 patients.", id="nct-number"),
        pytest.param("NCT04960579 and CTR20231234 are trials.", id="registry-numbers"),
        pytest.param("The serotype AAVrh74 and AAV2 capsids are used.", id="serotypes"),
        pytest.param("The vector used an AAV9 capsid.", id="aav9"),
        pytest.param("The vector used the rh74 capsid.", id="rh74"),
        pytest.param("The data cut-off was Jan-2023.", id="month-year"),
        pytest.param("The study ran from Mar-2022 to Sept2024.", id="month-year-glued"),
        pytest.param("In 2024, 2025 and Q3 2023 it launched.", id="years"),
        pytest.param("Corvane (Nasdaq: CRV2) announced results.", id="ticker-nasdaq"),
        pytest.param("Corvane (KOSDAQ: A12345) announced results.", id="ticker-kosdaq"),
        pytest.param("The Phase 3 KEL-301 study met its endpoint.", id="study-code"),
        pytest.param("The CD19-CAR construct and BCMA-CAR were compared.", id="antigen-car"),
        pytest.param("Cells were anti-CD19 and CD19-positive.", id="antigen-hyphenated"),
        pytest.param("IL-2 and IL-15 support the cells.", id="cytokines"),
        pytest.param("COVID-19 slowed enrolment.", id="covid-19"),
        pytest.param("The drug delivers 10mg doses; the 2nd cohort enrolled.", id="units-ordinals"),
        pytest.param("Adults with B-ALL1 relapsed within year1.", id="footnote-digits"),
        pytest.param("Corvane raised USD500,000 and EUR250 in grants.", id="money"),
        pytest.param("Figure-2 shows Grade-3 events in Type-1 diabetes.", id="labels-with-numbers"),
        pytest.param("The filing covers DLBCL and FL3B.", id="disease-subtype"),
        pytest.param("Patients with LCA4 were enrolled.", id="disease-with-number"),
        pytest.param("The vector carries the gene GUCY2D.", id="gene-named-as-gene"),
        pytest.param("Patients with KRT14 mutations enrolled.", id="gene-mutations"),
        pytest.param("The approval rests on the VELMORA-1 results.", id="trial-name-shape"),
    ],
)
def test_look_alikes_are_no_products(sentence: str) -> None:
    assert _found(sentence) == []


def test_a_trial_of_its_own_product_names_the_product() -> None:
    assert _found("The TGA confirmed that its KB-101 trial can proceed.") == [("KB-101", "code")]


def test_study_codes_are_reported_as_studies() -> None:
    studies: set[str] = set()
    assert _found("The Phase 3 KEL-301 study met its endpoint; KB-101 is next.", studies) == [
        ("KB-101", "code")
    ]
    assert studies == {"KEL-301"}


def test_offsets_are_absolute() -> None:
    [m] = find_products("Then KB-101 was cleared.", 1000, reject_words())
    assert (m.start, m.end) == (1005, 1011)


@pytest.mark.parametrize(
    ("sentence", "links"),
    [
        pytest.param(
            "The FDA approved Velmora (vorsacabtagene autoleucel; KB-101) for myeloma.",
            [
                ("Velmora", "vorsacabtagene autoleucel"),
                ("Velmora", "KB-101"),
                ("vorsacabtagene autoleucel", "KB-101"),
            ],
            id="brand-inn-code",
        ),
        pytest.param(
            "Velmora®, formerly known as KB-101, was approved.",
            [("Velmora", "KB-101")],
            id="formerly-known-as",
        ),
        pytest.param(
            "KB-101 (zevacabtagene autoleucel) was approved.",
            [("KB-101", "zevacabtagene autoleucel")],
            id="code-then-inn",
        ),
        pytest.param(
            "LentiRex for SCD (KB-404) was approved.",
            [("LentiRex", "KB-404")],
            id="name-for-disease-code",
        ),
        pytest.param(
            "Halvexa® (arvoparvovec, KB-202) was approved, and KB-303 was cleared.",
            [("Halvexa", "arvoparvovec"), ("Halvexa", "KB-202"), ("arvoparvovec", "KB-202")],
            id="third-product-not-linked",
        ),
        pytest.param("KB-101 and KB-202 were cleared.", [], id="coordination-is-no-alias"),
        pytest.param(
            "The FDA approved vorsacabtagene autoleucel/ KB-101 for myeloma.",
            [("vorsacabtagene autoleucel", "KB-101")],
            id="inn-slash-code",
        ),
        pytest.param(
            "The MHLW approved VELMORA (INN: vorsatemcel) for stroke.",
            [("VELMORA", "vorsatemcel")],
            id="inn-label-in-parenthesis",
        ),
    ],
)
def test_alias_links(sentence: str, links: list[tuple[str, str]]) -> None:
    mentions = find_products(sentence, 0, reject_words())
    assert alias_links(sentence, mentions, 0) == links


@pytest.mark.parametrize(
    ("name", "cues"),
    [
        ("zevacabtagene autoleucel", ["car"]),
        ("afamitresgene autoleucel", ["tcr"]),
        ("fidanacogene elaparvovec", ["genemod", "aav"]),
        ("nadofaragene firadenovec", ["genemod", "adeno"]),
        ("talimogene laherparepvec", ["genemod", "oncolytic"]),
        ("tovirepvec", ["oncolytic"]),
        ("atidarsagene autotemcel", ["genemod", "hsc", "genemod"]),
        ("remestemcel-L", ["msc"]),
        ("donislecel", ["othercell"]),
        ("oravoleucel", []),  # '-leucel' alone says a cell product, not which
        ("Velmora", []),
        ("KB-101", []),
    ],
)
def test_inn_cues(name: str, cues: list[str]) -> None:
    assert inn_cues(name) == cues


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("KB-101", "kb 101"),
        ("KB-101", "KB101"),
        ("Velmora®", "VELMORA"),
        ("vorsa-cel", "Vorsa cel"),
        ("C.T.0596", "CT0596"),
    ],
)
def test_norm_equates(a: str, b: str) -> None:
    assert norm(a) == norm(b)


@pytest.mark.parametrize(("a", "b"), [("KB-101", "KB-102"), ("Velmora", "Velmoran")])
def test_norm_keeps_apart(a: str, b: str) -> None:
    assert norm(a) != norm(b)
