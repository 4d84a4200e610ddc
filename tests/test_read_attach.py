"""Attachment (read/attach.py), through extract(): each act's agency (coordinated agencies, the
country of the act), its date (its own, 'today', a gapped second conjunct) and its product
(named, or 'it' in the next sentence)."""

from __future__ import annotations

from datetime import date

import pytest

from cgtextract.clean import clean_text
from cgtextract.models import Article, Event
from cgtextract.read import extract

DATELINE = "BOSTON, May 6, 2024 /PRNewswire/ -- "


def _events(text: str) -> list[Event]:
    return extract(clean_text(text, "case.txt"))


def _rows(text: str, *fields: str) -> list[tuple[object, ...]]:
    return [tuple(e.schema_dict()[f] for f in fields) for e in _events(text)]


# ----------------------------------------------------------------------------- agencies


@pytest.mark.parametrize(
    ("lead", "agencies"),
    [
        pytest.param(
            "Corvane Therapeutics today announced that the FDA and the EMA granted Orphan Drug"
            " designation to KB-101 for progressive Kellner syndrome.",
            [("EMA", "orphan_drug"), ("FDA", "orphan_drug")],
            id="the-fda-and-the-ema",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 received orphan designation from"
            " the FDA and the European Medicines Agency.",
            [("FDA", "orphan_drug"), ("EMA", "orphan_drug")],
            id="from-agency-and-agency",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 was granted Orphan Drug designation"
            " from both the FDA and the EMA.",
            [("FDA", "orphan_drug"), ("EMA", "orphan_drug")],
            id="from-both",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 has been approved by the FDA,"
            " Health Canada and the MHRA for lupus nephritis.",
            [("FDA", "approval"), ("HC", "approval"), ("MHRA", "approval")],
            id="list-of-three",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 received provisional approval in"
            " Australia for lupus nephritis.",
            [("TGA", "approval")],
            id="approval-in-australia",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 was approved in Canada for lupus"
            " nephritis.",
            [("HC", "approval")],
            id="approved-in-canada",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 was approved in the European Union"
            " for lupus nephritis.",
            [("EC", "approval")],
            id="approved-in-the-eu-is-ec",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 has been approved in Japan for"
            " lupus nephritis.",
            [("MHLW", "approval")],
            id="approved-in-japan-is-mhlw",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 has been approved for marketing in"
            " the United States and Japan.",
            [("FDA", "approval"), ("MHLW", "approval")],
            id="approved-in-two-countries",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that the U.S. health regulator has lifted the"
            " clinical hold on KB-101.",
            [("FDA", "clinical_hold_lift")],
            id="agency-by-description",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that Hong Kong's Department of Health has"
            " approved KB-101.",
            [("other", "approval")],
            id="an-agency-without-a-code",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 has received PRIME designation.",
            [("EMA", "prime")],
            id="prime-home-agency",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that KB-101 has received RMAT designation.",
            [("FDA", "rmat")],
            id="rmat-home-agency",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that the FDA cleared its IND for KB-101. The"
            " agency also granted Fast Track designation to KB-101.",
            [("FDA", "ind_clearance"), ("FDA", "fast_track")],
            id="the-agency-named-before",
        ),
    ],
)
def test_regulators(lead: str, agencies: list[tuple[str, str]]) -> None:
    assert [(e.regulator, e.kind) for e in _events(DATELINE + lead)] == agencies


# -------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("lead", "dates"),
    [
        pytest.param(
            "Corvane Therapeutics announced that the FDA granted Fast Track designation to"
            " KB-101 on April 22.",
            [("2024-04-22", "day")],
            id="own-date-year-from-dateline",
        ),
        pytest.param(
            "Corvane Therapeutics announced that the FDA granted Fast Track designation to"
            " KB-101 in the second quarter of 2023.",
            [("2023-Q2", "quarter")],
            id="own-quarter",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that the FDA has granted RMAT designation to"
            " KB-101.",
            [("2024-05-06", "day")],
            id="today-is-the-dateline",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that the FDA recently granted Fast Track"
            " designation to KB-101.",
            [("2024-05-06", "day")],
            id="recently-is-the-announcement",
        ),
        pytest.param(
            "Corvane Therapeutics today announced results for KB-101 in lupus. The FDA placed a"
            " clinical hold on the therapy last month.",
            [("2024-04", "month")],
            id="last-month",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that the FDA has granted RMAT designation to"
            " KB-101. KB-101 previously received Fast Track designation from the FDA in"
            " January 2023.",
            [("2024-05-06", "day"), ("2023-01", "month")],
            id="news-and-an-earlier-act",
        ),
        pytest.param(
            "Corvane Therapeutics today announced that the European Commission approved KB-101."
            " The FDA approved KB-101 in 2022.",
            [("2024-05-06", "day"), ("2022", "year")],
            id="two-agencies-two-dates",
        ),
        pytest.param(
            "Corvane Therapeutics announced that the FDA granted Breakthrough Therapy designation"
            " to KB-101 on March 4, 2024, the same day it cleared the KB-202 IND.",
            [("2024-03-04", "day"), ("2024-03-04", "day")],
            id="the-same-day",
        ),
        pytest.param(
            "Corvane Therapeutics said the FDA has accepted the BLA for KB-101 and granted it"
            " Priority Review.",
            [("2024-05-06", "day"), ("2024-05-06", "day")],
            id="one-auxiliary-two-verbs",
        ),
        pytest.param(
            "Corvane Therapeutics said it has received FDA clearance of its IND for KB-101 and"
            " plans to begin a Phase 1 study in 2025.",
            [("2024-05-06", "day")],
            id="a-planned-step's-year-is-not-the-act's",
        ),
    ],
)
def test_dates(lead: str, dates: list[tuple[str, str]]) -> None:
    assert _rows(DATELINE + lead, "date", "date_precision") == dates


def test_the_decision_date_in_the_next_sentence_corrects_the_report_day() -> None:
    text = (
        "Published: 2024-05-08\nCorvane Therapeutics said on Monday the FDA granted Orphan Drug"
        " designation to KB-101. The designation was granted on April 30."
    )
    assert _rows(text, "date", "date_precision") == [("2024-04-30", "day")]


def test_an_already_granted_designation_named_in_passing_is_undated() -> None:
    text = (
        "Regulatory news\n25 October 2016 - Fast Track designation for KB-101 added to the"
        " already granted Orphan Drug designation by the FDA."
    )
    assert _rows(text, "designation", "date") == [
        ("fast_track", "2016-10-25"),
        ("orphan_drug", None),
    ]


def test_an_items_own_day_over_the_year_it_agrees_with() -> None:
    text = (
        "FDA decisions this year\nApril 2, 2024 - The FDA approved KB-101 for lupus, the first"
        " approval for the disease in 2024."
    )
    assert _rows(text, "date", "date_precision") == [("2024-04-02", "day")]


def test_today_is_the_dateline_date_not_the_publication_date() -> None:
    article = Article(
        source="case.txt",
        text=DATELINE + "Corvane Therapeutics today announced that the FDA has cleared the IND"
        " for KB-101.",
        published=date(2024, 5, 9),
    )
    [event] = extract(article)
    assert (event.date, event.date_precision, event.published) == (
        "2024-05-06",
        "day",
        date(2024, 5, 9),
    )


def test_undated_background_without_any_anchor() -> None:
    [event] = _events(
        "Corvane Therapeutics said on Monday that KB-101 has received Orphan Drug designation"
        " from the FDA."
    )
    assert (event.regulator, event.kind, event.date, event.published) == (
        "FDA",
        "orphan_drug",
        None,
        None,
    )


GAPPED = (
    DATELINE + "Corvane Therapeutics said the FDA approved KB-101 in September 2021 for lupus"
    " nephritis, and in October 2022 for systemic sclerosis."
)


def test_gapped_second_conjunct_is_a_second_event() -> None:
    assert _rows(GAPPED, "product", "regulator", "event_type", "date", "date_precision") == [
        ("KB-101", "FDA", "approval", "2021-09", "month"),
        ("KB-101", "FDA", "approval", "2022-10", "month"),
    ]


def test_gapped_conjuncts_keep_their_own_indications() -> None:
    assert _rows(GAPPED, "indications") == [(["lupus nephritis"],), (["systemic sclerosis"],)]


# ----------------------------------------------------------------------------- products


def test_it_in_the_next_sentence_is_the_product_in_focus() -> None:
    [event] = _events(
        DATELINE + "Corvane Therapeutics today announced results for KB-101, an autologous"
        " CAR-T cell therapy targeting CD19. It was granted RMAT designation by the FDA in"
        " March 2024."
    )
    assert (event.product, event.kind, event.date, event.modality, event.target) == (
        "KB-101",
        "rmat",
        "2024-03",
        "car_t",
        "CD19",
    )
    assert event.evidence == "It was granted RMAT designation by the FDA in March 2024."


def test_the_therapy_in_the_next_sentence_is_the_product_in_focus() -> None:
    assert _rows(
        DATELINE + "Corvane Therapeutics today announced results for KB-101 in lupus. The FDA"
        " placed a clinical hold on the therapy last month.",
        "product",
        "event_type",
    ) == [("KB-101", "clinical_hold")]


def test_a_product_described_first_and_named_in_the_next_sentence() -> None:
    assert _rows(
        DATELINE + "Corvane Therapeutics said the FDA has lifted the clinical hold on its gene"
        " therapy for Danon disease. Dosing of KB-101 will resume in the phase 2 study.",
        "product",
        "event_type",
    ) == [("KB-101", "clinical_hold_lift")]


def test_a_company_s_product_described_first_and_named_next() -> None:
    text = (
        "Published: 2024-05-08\nMarket news\nThe FDA approved KB-77 for lupus last year. On"
        " Monday the FDA approved Halvard Cell's cell therapy for blood cancers. The therapy"
        " will be sold under the brand name Norvexa."
    )
    assert _rows(text, "product", "company", "date") == [
        ("KB-77", None, "2023"),
        ("Norvexa", "Halvard Cell", "2024-05-06"),
    ]


def test_a_product_described_first_is_not_a_product_of_a_later_paragraph() -> None:
    text = (
        DATELINE + "Corvane Therapeutics said the FDA has lifted the clinical hold on its gene"
        " therapy.\nAnalysts weighed in.\nSeparately, KB-101 began a phase 2 study."
    )
    assert _rows(text, "product") == []


def test_each_product_of_the_sentence_gets_its_own_act() -> None:
    assert _rows(
        DATELINE + "Corvane Therapeutics announced that the FDA granted Breakthrough Therapy"
        " designation to KB-101 for lupus nephritis on March 4, 2024, the same day it cleared"
        " the KB-202 IND.",
        "product",
        "designation",
        "event_type",
        "indications",
    ) == [
        ("KB-101", "breakthrough_therapy", "designation", ["lupus nephritis"]),
        ("KB-202", None, "ind_clearance", []),
    ]


def test_indications_from_the_event_sentence() -> None:
    [event] = _events(
        DATELINE + "Corvane Therapeutics today announced that the FDA has approved KB-101 for"
        " adults with progressive Kellner syndrome (PKS)."
    )
    assert event.indications == ["progressive Kellner syndrome"]


def test_a_named_disease_over_a_class_of_diseases() -> None:
    text = (
        DATELINE + "Corvane Therapeutics said the FDA accepted its BLA for KB-101, a gene therapy"
        " for severe leukocyte adhesion deficiency-I (LAD-I). The FDA also granted Priority"
        " Review to KB-101 for a rare genetic disorder."
    )
    assert _rows(text, "indications") == [
        (["severe leukocyte adhesion deficiency-I"],),
        (["severe leukocyte adhesion deficiency-I"],),
    ]


def test_indications_from_another_sentence_about_the_product() -> None:
    [event] = _events(
        DATELINE + "Corvane Therapeutics today announced that the FDA has granted RMAT"
        " designation to KB-101.\nKB-101 is being developed for progressive Kellner syndrome."
    )
    assert event.indications == ["progressive Kellner syndrome"]


LISTED = (
    DATELINE + "Corvane Therapeutics today announced that the FDA granted RMAT designation to"
    " KB-101, an autologous CAR-T cell therapy for lupus nephritis.\n"
    "KB-101 has previously been granted the following designations:\n"
)


@pytest.mark.parametrize(
    ("items", "dates"),
    [
        pytest.param(
            "- Orphan Drug designation from the FDA in June 2022;\n"
            "- Fast Track designation from the FDA in 2023.",
            ["2022-06", "2023"],
            id="items-with-stops",
        ),
        pytest.param(
            "- Orphan Drug designation from the FDA\n- Fast Track designation from the FDA",
            [None, None],
            id="items-without-stops",
        ),
    ],
)
def test_items_under_a_grant_intro_are_events(items: str, dates: list[str | None]) -> None:
    assert _rows(LISTED + items, "regulator", "designation", "date") == [
        ("FDA", "rmat", "2024-05-06"),
        ("FDA", "orphan_drug", dates[0]),
        ("FDA", "fast_track", dates[1]),
    ]
