"""Every value of Modality can be read: for each, a short release-like sentence (company,
product code, an FDA act, a description of the product) whose event carries that modality."""

from __future__ import annotations

import pytest

from cgtextract.clean import clean_text
from cgtextract.models import Modality
from cgtextract.read import extract

# modality -> (sentence, company, product, allogeneic as the sentence states it)
CASES: dict[str, tuple[str, str, str, bool | None]] = {
    "car_t": (
        "Corvane Therapeutics said the FDA cleared the IND for KB-101, an autologous"
        " CD19-directed CAR-T cell therapy for lupus nephritis.",
        "Corvane Therapeutics",
        "KB-101",
        False,
    ),
    "car_nk": (
        "Marlin Cell said the FDA cleared the IND for MC-7, an allogeneic CAR-NK cell therapy"
        " targeting CD19 for lymphoma.",
        "Marlin Cell",
        "MC-7",
        True,
    ),
    "tcr_t": (
        "Orvane Bio said the FDA granted Fast Track designation to OV-33, an autologous TCR-T"
        " cell therapy targeting MAGE-A4 for synovial sarcoma.",
        "Orvane Bio",
        "OV-33",
        False,
    ),
    "til": (
        "Grenfell Bio said the FDA cleared the IND for GB-210, a tumor-infiltrating lymphocyte"
        " (TIL) therapy for cervical cancer.",
        "Grenfell Bio",
        "GB-210",
        None,
    ),
    "nk_cell": (
        "Marlin Cell said the FDA cleared the IND for MC-9, an allogeneic natural killer (NK)"
        " cell therapy for acute myeloid leukemia.",
        "Marlin Cell",
        "MC-9",
        True,
    ),
    "t_cell_other": (
        "Halvard Bio said the FDA granted RMAT designation to HB-40, an allogeneic EBV-specific"
        " T cell therapy for post-transplant lymphoproliferative disease.",
        "Halvard Bio",
        "HB-40",
        True,
    ),
    "treg": (
        "Trenholm Biologics said the FDA cleared the IND for TB-12, an autologous regulatory T"
        " cell (Treg) therapy for type 1 diabetes.",
        "Trenholm Biologics",
        "TB-12",
        False,
    ),
    "macrophage": (
        "Vantor Cell said the FDA cleared the IND for VC-5, an autologous macrophage cell"
        " therapy for liver cirrhosis.",
        "Vantor Cell",
        "VC-5",
        False,
    ),
    "msc": (
        "Solvane Bio said the FDA granted Orphan Drug designation to SB-8, an allogeneic"
        " mesenchymal stem cell therapy for graft-versus-host disease.",
        "Solvane Bio",
        "SB-8",
        True,
    ),
    "ipsc_derived": (
        "Hoshino Pharma said the FDA cleared the IND for HP-22, an iPSC-derived dopaminergic"
        " neuron cell therapy for Parkinson's disease.",
        "Hoshino Pharma",
        "HP-22",
        None,
    ),
    "stem_cell_other": (
        "Daeyang Cell said the FDA cleared the IND for DC-3, an autologous CD34+ stem cell"
        " therapy for critical limb ischemia.",
        "Daeyang Cell",
        "DC-3",
        False,
    ),
    "hsc_gene_therapy": (
        "Corvane Therapeutics said the FDA cleared the IND for KB-404, an autologous"
        " hematopoietic stem cell gene therapy that adds a functional HBB gene, for"
        " beta-thalassemia.",
        "Corvane Therapeutics",
        "KB-404",
        False,
    ),
    "aav": (
        "Corvane Therapeutics said the FDA granted Orphan Drug designation to KB-303, an AAV9"
        " gene therapy delivering the SMN1 gene, for spinal muscular atrophy.",
        "Corvane Therapeutics",
        "KB-303",
        None,
    ),
    "lentiviral": (
        "Corvane Therapeutics said the FDA cleared the IND for KB-606, an in vivo lentiviral"
        " gene therapy delivering the FVIII gene, for hemophilia A.",
        "Corvane Therapeutics",
        "KB-606",
        None,
    ),
    "adenoviral": (
        "Corvane Therapeutics said the FDA granted Fast Track designation to KB-707, an"
        " adenoviral vector-based gene therapy delivering the IFNA2 gene, for bladder cancer.",
        "Corvane Therapeutics",
        "KB-707",
        None,
    ),
    "gene_editing": (
        "Corvane Therapeutics said the FDA cleared the IND for KB-401, an in vivo CRISPR gene"
        " editing therapy that inactivates the PCSK9 gene, for familial hypercholesterolemia.",
        "Corvane Therapeutics",
        "KB-401",
        None,
    ),
    "in_vivo_car": (
        "Corvane Therapeutics said the FDA cleared the IND for KB-808, an in vivo CAR-T therapy"
        " that generates CD19 CAR-T cells inside the body, for lupus.",
        "Corvane Therapeutics",
        "KB-808",
        None,
    ),
    "mrna": (
        "Corvane Therapeutics said the FDA cleared the IND for KB-909, an mRNA therapy encoding"
        " the OTC enzyme, for ornithine transcarbamylase deficiency.",
        "Corvane Therapeutics",
        "KB-909",
        None,
    ),
    "oncolytic_virus": (
        "Corvane Therapeutics said the FDA granted Orphan Drug designation to KB-110, an"
        " oncolytic herpes simplex virus, for melanoma.",
        "Corvane Therapeutics",
        "KB-110",
        None,
    ),
    "rna_therapy": (
        "Corvane Therapeutics said the FDA granted Orphan Drug designation to KB-220, an siRNA"
        " therapy silencing the TTR gene, for transthyretin amyloidosis.",
        "Corvane Therapeutics",
        "KB-220",
        None,
    ),
    "other_cell_therapy": (
        "Corvane Therapeutics said the FDA cleared the IND for KB-330, an autologous chondrocyte"
        " cell therapy for knee cartilage defects.",
        "Corvane Therapeutics",
        "KB-330",
        False,
    ),
    "other_gene_therapy": (
        "Halvard Bio said the FDA approved HB-77, a gene therapy for hemophilia B.",
        "Halvard Bio",
        "HB-77",
        None,
    ),
}

# a limit of the reader, not of the wording: nothing maps to this value
UNREACHABLE: dict[str, str] = {}


def test_a_case_for_every_modality() -> None:
    assert set(CASES) == {m.value for m in Modality}


@pytest.mark.parametrize(
    "modality",
    [
        pytest.param(
            m.value,
            id=m.value,
            marks=[pytest.mark.xfail(strict=True, reason=UNREACHABLE[m.value])]
            if m.value in UNREACHABLE
            else [],
        )
        for m in Modality
    ],
)
def test_modality_is_read(modality: str) -> None:
    sentence, company, product, allogeneic = CASES[modality]
    events = extract(clean_text(sentence, "modality.txt"))
    assert [(e.company, e.product, e.regulator) for e in events] == [(company, product, "FDA")]
    [event] = events
    assert event.modality == modality
    assert event.allogeneic is allogeneic
