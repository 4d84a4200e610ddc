"""Resolution (read/resolve.py): one product's names clustered, the company that holds it, its
modality (INN stems, description, SCHEMA.md's precedence) and its target."""

from __future__ import annotations

import pytest

from cgtextract.clean import clean_text
from cgtextract.models import Article, Event
from cgtextract.read import explain, extract
from cgtextract.read.document import DocState
from cgtextract.read.mentions import read_mentions
from cgtextract.read.resolve import cluster_products, modality_of

DATELINE = "BOSTON, May 6, 2024 /PRNewswire/ -- "


def _events(text: str) -> list[Event]:
    return extract(clean_text(text, "case.txt"))


# ------------------------------------------------------------------------------ clusters


def test_names_of_one_product_are_clustered() -> None:
    doc = DocState(
        Article(
            source="case.txt",
            text="Corvane Therapeutics said the FDA approved Velmora (vorsacabtagene autoleucel;"
            " KB-101) for myeloma.\nVorsa-cel was previously granted Breakthrough Therapy"
            " designation. Halvexa®, formerly known as KB-202, is approved in Japan.\n"
            "KB-303 is a separate program, and KB-101 and KB-303 were both studied.",
        )
    )
    read_mentions(doc)
    products, mention_of = cluster_products(doc)
    assert sorted(p.names for p in products.values()) == [
        ["Halvexa", "KB-202"],
        ["KB-303"],
        ["Velmora", "vorsacabtagene autoleucel", "KB-101", "Vorsa-cel"],
    ]
    assert mention_of["kb101"] == mention_of["vorsacel"] == mention_of["velmora"]
    assert mention_of["kb303"] != mention_of["kb101"]


def test_events_of_one_product_carry_its_other_names() -> None:
    events = _events(
        DATELINE + "Corvane Therapeutics today announced that the FDA approved Velmora"
        " (vorsacabtagene autoleucel; KB-101) for relapsed multiple myeloma. Vorsa-cel was"
        " previously granted Breakthrough Therapy designation by the FDA."
    )
    assert [(e.product, e.product_aliases, e.kind) for e in events] == [
        ("Velmora", ["vorsacabtagene autoleucel", "KB-101", "Vorsa-cel"], "approval"),
        ("Vorsa-cel", ["Velmora", "vorsacabtagene autoleucel", "KB-101"], "breakthrough_therapy"),
    ]
    # one product: one profile on every event
    assert {(e.company, e.modality) for e in events} == {("Corvane Therapeutics", "car_t")}


# ------------------------------------------------------------------------------- company


@pytest.mark.parametrize(
    ("text", "product", "company", "rule"),
    [
        pytest.param(
            "Halvard Bio Wins FDA Nod\nThe FDA on Tuesday approved Halvard Bio's gene therapy"
            " Norvexa for hemophilia B, the agency said on May 7, 2024.",
            "Norvexa",
            "Halvard Bio",
            "possessive_at_first_mention",
            id="possessive-gene-therapy",
        ),
        pytest.param(
            DATELINE + "Corvane Therapeutics today announced that the FDA has cleared the IND"
            " for Marlin Cell's MC-7 in lupus.",
            "MC-7",
            "Marlin Cell",
            "possessive_at_first_mention",
            id="possessive-beats-dateline",
        ),
        pytest.param(
            DATELINE + "Corvane Therapeutics, Inc. today announced positive data from its lupus"
            " program. The FDA has granted RMAT designation to KB-101 for lupus nephritis.",
            "KB-101",
            "Corvane Therapeutics",
            "announcer_of_the_text",
            id="dateline-announcer",
        ),
        pytest.param(
            DATELINE + "Corvane Therapeutics today announced that the FDA cleared the IND for"
            " KB-101, an autologous CAR-T cell therapy.",
            "KB-101",
            "Corvane Therapeutics",
            "subject_of_first_mention_sentence",
            id="subject-of-the-lead",
        ),
        pytest.param(
            "Regulators in China cleared two trials this week. The NMPA cleared the IND for"
            " GT101, Grenfell's TIL product, for cervical cancer on May 2, 2024.",
            "GT101",
            "Grenfell",
            "possessive_at_first_mention",
            id="possessive-in-apposition",
        ),
        pytest.param(
            "The FDA has cleared the IND for MC-7, an NK cell therapy developed by Marlin Cell"
            " Therapeutics, for lupus.",
            "MC-7",
            "Marlin Cell Therapeutics",
            "developer_named_in_text",
            id="developed-by",
        ),
        pytest.param(
            "The FDA has placed a clinical hold on TB-450 after a serious adverse event,"
            " Trenholm Biologics said.",
            "TB-450",
            "Trenholm Biologics",
            "source_of_first_mention_sentence",
            id="closing-attribution",
        ),
        pytest.param(
            "The FDA approved Norvexa (Fondazione Halvard ETS) for Wiskott-Aldrich syndrome"
            " on May 7, 2024.",
            "Norvexa",
            "Fondazione Halvard",
            "possessive_at_first_mention",
            id="company-in-parenthesis",
        ),
        pytest.param(
            "The FDA has granted RMAT designation to MC-7 (Velzara; Marlin Cell Therapeutics)"
            " for lupus.",
            "MC-7",
            "Marlin Cell Therapeutics",
            "possessive_at_first_mention",
            id="company-after-brand-in-parenthesis",
        ),
        pytest.param(
            "Marlin Cell Therapeutics' (NASDAQ: MRLN) NK cell candidate MC-7 got RMAT"
            " designation from the FDA.",
            "MC-7",
            "Marlin Cell Therapeutics",
            "subject_of_first_mention_sentence",
            id="possessive-cut-by-ticker",
        ),
        pytest.param(
            "The HSA has approved Norvexa (vorsacabtagene autoleucel), Halvard Bio's CAR-T"
            " cell therapy, for lymphoma on May 7, 2024.",
            "Norvexa",
            "Halvard Bio",
            "possessive_at_first_mention",
            id="apposed-owner-after-parenthesis",
        ),
        pytest.param(
            "The FDA granted Orphan Drug designation to vorsaleucel, Halvard's EBV-specific"
            " T-cell immunotherapy, on May 7, 2024.",
            "vorsaleucel",
            "Halvard",
            "possessive_at_first_mention",
            id="apposed-owner-of-an-immunotherapy",
        ),
        pytest.param(
            "The FDA approved Norvexa (vorsacabtagene autoleucel) from Halvard for lymphoma"
            " on May 7, 2024.",
            "Norvexa",
            "Halvard",
            "possessive_at_first_mention",
            id="product-from-company",
        ),
        pytest.param(
            "Regulator approves first CAR-T\nThe health ministry approved Norvexa on Tuesday,"
            " May 7, 2024, for leukemia. The approval of Swiss drug major Halvard's Norvexa"
            " follows its US approval.",
            "Norvexa",
            "Halvard",
            "possessive_at_a_later_mention",
            id="possessive-further-down",
        ),
        pytest.param(
            "The FDA granted Fast Track designation to MC-7 for achromatopsia on May 7, 2024,"
            " according to a press release from Marlin Cell.",
            "MC-7",
            "Marlin Cell",
            "source_of_first_mention_sentence",
            id="according-to-a-release-from",
        ),
    ],
)
def test_company(text: str, product: str, company: str, rule: str) -> None:
    found = [(e, why) for e, why in explain(clean_text(text, "case.txt")) if e.product == product]
    assert found, f"no event for {product}"
    event, why = found[0]
    assert event.company == company
    assert why["company"].rule == rule


def test_a_column_heading_is_no_company() -> None:
    text = (
        "Around the Helix: cell therapy updates, January 22, 2025\nAround the Helix\nThe FDA"
        " accepted the BLA for KB-101 and set a decision date of Aug. 18, 2025."
    )
    assert [e.company for e in _events(text)] == [None]


def test_a_round_up_item_takes_no_company_from_the_item_before() -> None:
    text = (
        "Cell therapy updates, July 13, 2022\nCorvane news\nCorvane Therapeutics said the NMPA"
        " accepted its application for KB-101 in gastric cancer.\nAnother clearance\nThe FDA"
        " cleared the IND for MC-7 in liver cancer."
    )
    assert [(e.product, e.company) for e in _events(text)] == [
        ("KB-101", "Corvane Therapeutics"),
        ("MC-7", None),
    ]


def test_a_clipped_head_word_is_given_in_full() -> None:
    [event] = _events(
        DATELINE + "Orvane Pharmaceuticals, Inc. today announced data. The FDA lifted the clinical"
        " hold on OT-12, Orvane Pharma said."
    )
    assert event.company == "Orvane Pharmaceuticals"


def test_a_short_name_is_given_in_full() -> None:
    [event] = _events(
        DATELINE + "Orvane Therapeutics today announced data. The FDA granted RMAT designation to"
        " Orvane's OT-12 for lupus nephritis."
    )
    assert event.company == "Orvane Therapeutics"


# ------------------------------------------------------------------------------ modality


@pytest.mark.parametrize(
    ("cues", "modality"),
    [
        ({"car", "tcell"}, "car_t"),
        ({"car", "nk"}, "car_nk"),
        ({"car", "ipsc"}, "car_t"),  # an engineered receptor first, whatever the cell source
        ({"car", "in_vivo_car"}, "in_vivo_car"),
        ({"tcr"}, "tcr_t"),
        ({"edit", "hsc"}, "gene_editing"),
        ({"edit", "hsc", "genemod"}, "gene_editing"),
        ({"hsc", "genemod"}, "hsc_gene_therapy"),
        ({"aav", "genemod"}, "aav"),
        ({"ipsc", "nk"}, "ipsc_derived"),  # iPSC-derived NK cells are ipsc_derived
        ({"nk"}, "nk_cell"),
        ({"vst"}, "t_cell_other"),
        ({"til"}, "til"),
        ({"msc", "allo"}, "msc"),
        ({"genemod"}, "other_gene_therapy"),
        (set(), None),
    ],
)
def test_modality_precedence(cues: set[str], modality: str | None) -> None:
    assert modality_of(cues) == modality


@pytest.mark.parametrize(
    ("lead", "modality", "allogeneic"),
    [
        pytest.param(
            "the FDA has approved zelnoparvovec for hemophilia B.", "aav", None, id="inn-parvovec"
        ),
        pytest.param(
            "the FDA has approved zevacabtagene autoleucel for multiple myeloma.",
            "car_t",
            None,
            id="inn-cabtagene",
        ),
        pytest.param(
            "the FDA has placed a clinical hold on vexiguran zoclumeran in amyloidosis.",
            "gene_editing",
            None,
            id="inn-guran-meran",
        ),
        pytest.param(
            "the FDA has cleared the IND for KB-101, an autologous CAR-T cell therapy.",
            "car_t",
            False,
            id="description-autologous-car-t",
        ),
        pytest.param(
            "the FDA has cleared the IND for KB-501, an allogeneic CAR-T whose TRAC gene is"
            " knocked out, targeting CD7.",
            "car_t",
            True,
            id="description-allogeneic",
        ),
        pytest.param(
            "the FDA has approved Halvard's gene therapy Norvexa for hemophilia B.",
            "other_gene_therapy",
            None,
            id="gene-therapy-without-vector",
        ),
        pytest.param(
            "the FDA has cleared the IND for KB-707, an autologous regulatory T cell therapy.",
            "treg",
            False,
            id="regulatory-t-cell-singular",
        ),
        pytest.param(
            "the FDA has cleared the IND for KB-606, a TCR-Treg cell therapy for lupus.",
            "tcr_t",
            None,
            id="tcr-treg-is-an-engineered-receptor",
        ),
        pytest.param(
            "the FDA has accepted the BLA for KB-303, its allogeneic T-cell immunotherapy.",
            "t_cell_other",
            True,
            id="t-cell-immunotherapy",
        ),
        pytest.param(
            "the FDA has cleared the IND for KB-404, a gene replacement therapy for a retinal"
            " dystrophy.",
            "other_gene_therapy",
            None,
            id="gene-replacement-therapy",
        ),
    ],
)
def test_modality_from_stems_and_description(
    lead: str, modality: str, allogeneic: bool | None
) -> None:
    [event] = _events(DATELINE + "Corvane Therapeutics today announced that " + lead)
    assert (event.modality, event.allogeneic) == (modality, allogeneic)


# -------------------------------------------------------------------------------- target


@pytest.mark.parametrize(
    ("description", "target"),
    [
        pytest.param("an anti-CD19 CAR-T cell therapy", "CD19", id="anti"),
        pytest.param("a CAR-T cell therapy targeting BCMA", "BCMA", id="targeting"),
        pytest.param("a CD19/BCMA dual-targeting CAR-T cell therapy", "CD19/BCMA", id="dual"),
        pytest.param(
            "an allogeneic CAR-T whose TRAC gene is knocked out, targeting CD7",
            "CD7",
            id="knocked-out-gene-is-no-target",
        ),
        pytest.param(
            "an AAV9 gene therapy that delivers the SMN1 gene",
            "SMN1",
            id="gene-delivered",
        ),
        pytest.param(
            "an AAV gene therapy delivering a functional copy of the GAA gene",
            "GAA",
            id="functional-copy",
        ),
        pytest.param(
            "a CRISPR-based therapy that edits the PCSK9 gene in the liver",
            "PCSK9",
            id="gene-edited",
        ),
        pytest.param(
            "an autologous hematopoietic stem cell gene therapy in which a lentiviral vector adds"
            " a functional copy of the HBB gene",
            "HBB",
            id="hsc-gene-added",
        ),
        pytest.param(
            "an ex vivo therapy of autologous hematopoietic stem cells edited with CRISPR to"
            " disrupt the BCL11A enhancer",
            "BCL11A",
            id="hsc-edited",
        ),
        pytest.param("an autologous TIL therapy", None, id="no-target-stated"),
    ],
)
def test_target(description: str, target: str | None) -> None:
    [event] = _events(
        DATELINE + "Corvane Therapeutics today announced that the FDA has cleared the IND for"
        f" KB-900, {description}, for adults with lupus nephritis."
    )
    assert event.target == target


def test_gene_target_with_its_gene_therapy_modality() -> None:
    [event] = _events(
        DATELINE + "Corvane Therapeutics today announced that the FDA has granted Orphan Drug"
        " designation to KB-303, an AAV9 gene therapy that delivers the SMN1 gene, for spinal"
        " muscular atrophy."
    )
    assert (event.modality, event.target, event.allogeneic, event.indications) == (
        "aav",
        "SMN1",
        None,
        ["spinal muscular atrophy"],
    )
