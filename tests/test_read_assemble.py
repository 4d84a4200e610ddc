"""Assembly (read/assemble.py), through extract(): restatements of one act merge into one event,
the same act on two dates stays two events, distinct acts of one sentence stay apart."""

from __future__ import annotations

import pytest

from cgtextract.clean import clean_text
from cgtextract.read import extract

DATELINE = "BOSTON, May 6, 2024 /PRNewswire/ -- "
FIELDS = ("product", "regulator", "event_type", "designation", "date", "indications")


def _rows(text: str) -> list[tuple[object, ...]]:
    return [tuple(e.schema_dict()[f] for f in FIELDS) for e in extract(clean_text(text, "t.txt"))]


TABLE = (
    "Corvane marks five years of KB-101\n"
    "SEOUL, South Korea, March 3, 2025 /PRNewswire/ -- Corvane Therapeutics today reviewed the"
    " milestones of KB-101, its allogeneic mesenchymal stem cell product for knee"
    " osteoarthritis. {prose}\n"
    """Regulatory history of KB-101 in Korea
| Date | Milestone |
|---|---|
| 2021/10/01 | Orphan drug designation granted by the MFDS |
"""
)

FAST_TRACK_2024 = (
    "KB-101",
    "FDA",
    "designation",
    "fast_track",
    "2024-04-30",
    ["systemic sclerosis"],
)
ODD_2021 = ("KB-101", "MFDS", "designation", "orphan_drug", "2021-10-01", ["knee osteoarthritis"])


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        pytest.param(
            DATELINE + "Corvane Therapeutics today announced that the FDA has granted RMAT"
            " designation to KB-101 for lupus nephritis.\nKB-101 received RMAT designation from"
            " the FDA based on early clinical data.\nAbout KB-101\nKB-101 is an autologous CAR-T"
            " cell therapy targeting CD19. KB-101 has been granted RMAT designation by the FDA.",
            [("KB-101", "FDA", "designation", "rmat", "2024-05-06", ["lupus nephritis"])],
            id="news-restated-undated",
        ),
        pytest.param(
            TABLE.format(prose="KB-101 was granted orphan drug designation by the MFDS."),
            [ODD_2021],
            id="prose-restates-a-table-row",
        ),
        pytest.param(
            DATELINE + "Corvane Therapeutics today announced that the FDA granted Fast Track"
            " designation to KB-101 for lupus nephritis on March 4, 2024. On March 4, 2024, the"
            " FDA also granted Fast Track designation to KB-101 for systemic sclerosis. The FDA"
            " granted Fast Track designation to KB-101 for idiopathic myositis on March 4, 2024.",
            [
                (
                    "KB-101",
                    "FDA",
                    "designation",
                    "fast_track",
                    "2024-03-04",
                    ["lupus nephritis", "systemic sclerosis", "idiopathic myositis"],
                )
            ],
            id="same-day-grants-unite-indications",
        ),
        pytest.param(
            TABLE.format(
                prose="The MFDS granted orphan drug designation to KB-101 in October 2021."
            ),
            [ODD_2021],
            id="restated-at-a-coarser-precision",
        ),
        pytest.param(
            DATELINE + "Corvane Therapeutics today announced that the FDA granted RMAT designation"
            " to KB-101 on April 22, 2024. The FDA granted RMAT designation to KB-101 in April"
            " 2024.",
            [("KB-101", "FDA", "designation", "rmat", "2024-04-22", [])],
            id="day-and-month-of-one-grant",
        ),
    ],
)
def test_restatements_merge(text: str, rows: list[tuple[object, ...]]) -> None:
    assert _rows(text) == rows


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        pytest.param(
            DATELINE + "Corvane Therapeutics today announced that the FDA granted Fast Track"
            " designation to KB-101 for systemic sclerosis on April 30, 2024. The FDA had granted"
            " Fast Track designation to KB-101 for lupus nephritis in June 2023.",
            [
                FAST_TRACK_2024,
                ("KB-101", "FDA", "designation", "fast_track", "2023-06", ["lupus nephritis"]),
            ],
            id="two-dates-two-events",
        ),
        pytest.param(
            DATELINE + "Corvane Therapeutics today announced that the FDA granted Fast Track"
            " designation to KB-101 for systemic sclerosis on April 30, 2024. The designation adds"
            " to the Fast Track designation the FDA previously granted KB-101 for lupus nephritis.",
            [
                FAST_TRACK_2024,
                ("KB-101", "FDA", "designation", "fast_track", None, ["lupus nephritis"]),
            ],
            id="earlier-undated-grant-beside-the-news",
        ),
        pytest.param(
            DATELINE + "Corvane Therapeutics said the FDA approved KB-101 in September 2021 for"
            " lupus nephritis, and in October 2022 for systemic sclerosis.",
            [
                ("KB-101", "FDA", "approval", None, "2021-09", ["lupus nephritis"]),
                ("KB-101", "FDA", "approval", None, "2022-10", ["systemic sclerosis"]),
            ],
            id="gapped-approvals",
        ),
    ],
)
def test_same_act_on_two_dates_is_two_events(text: str, rows: list[tuple[object, ...]]) -> None:
    assert _rows(text) == rows


@pytest.mark.parametrize(
    ("lead", "rows"),
    [
        pytest.param(
            "the FDA has lifted the clinical hold on KB-101 and cleared the IND for KB-101 in"
            " lupus nephritis.",
            [
                ("KB-101", "clinical_hold_lift", None),
                ("KB-101", "ind_clearance", None),
            ],
            id="lift-and-clear",
        ),
        pytest.param(
            "the FDA has accepted its BLA for KB-101 and granted Priority Review.",
            [
                ("KB-101", "marketing_acceptance", None),
                ("KB-101", "designation", "priority_review"),
            ],
            id="accept-and-priority-review",
        ),
        pytest.param(
            "KB-101 and KB-202 have been placed on clinical hold by the FDA.",
            [("KB-101", "clinical_hold", None), ("KB-202", "clinical_hold", None)],
            id="one-hold-two-products-passive",
        ),
        pytest.param(
            "the FDA has placed a clinical hold on KB-101 and KB-202 after a patient death.",
            [("KB-101", "clinical_hold", None), ("KB-202", "clinical_hold", None)],
            id="one-hold-two-products-object",
        ),
    ],
)
def test_distinct_acts_stay_apart(lead: str, rows: list[tuple[object, ...]]) -> None:
    events = extract(
        clean_text(DATELINE + "Corvane Therapeutics today announced that " + lead, "t.txt")
    )
    got = sorted((e.product, e.event_type, e.designation) for e in events)
    assert got == sorted(rows)
    assert {e.date for e in events} == {"2024-05-06"}


def test_events_are_in_text_order_with_evidence_offsets() -> None:
    text = (
        DATELINE + "Corvane Therapeutics today announced that the FDA granted Fast Track"
        " designation to KB-101 for systemic sclerosis on April 30, 2024. The FDA had granted"
        " Fast Track designation to KB-101 for lupus nephritis in June 2023."
    )
    article = clean_text(text, "t.txt")
    events = extract(article)
    starts = [e.evidence_start for e in events]
    assert starts == sorted(starts) and len(set(starts)) == 2
    for e in events:
        assert e.evidence_start is not None and e.evidence_end is not None
        assert article.text[e.evidence_start : e.evidence_end] == e.evidence
