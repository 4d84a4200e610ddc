"""Table rows (read/tables.py): a regulatory table gives one event per row act, its product,
company, agency, date and indication read from the columns, or from the line above it."""

from __future__ import annotations

import pytest

from cgtextract.clean import clean_text
from cgtextract.read import explain

FIELDS = ("product", "company", "regulator", "event_type", "designation", "date", "indications")


def _rows(text: str) -> list[tuple[object, ...]]:
    return [
        tuple(e.schema_dict()[f] for f in FIELDS) for e, _ in explain(clean_text(text, "t.txt"))
    ]


ROUND_UP = """Cell therapy regulatory actions in the first half of 2024
Published: 2024-07-02
The table lists regulatory actions on cell therapies in the first half of 2024.
| Product | Company | Agency | Indication | Action | Date |
|---|---|---|---|---|---|
| KB-101 | Corvane Therapeutics | FDA | lupus nephritis | Approved | 2024-03-14 |
| MC-7 | Marlin Cell Therapeutics | NMPA | multiple myeloma | IND cleared | 2024-04-02 |
| XB-12 | Xenlo Biotech | FDA | systemic sclerosis | Fast Track designation granted | 2024-05-20 |
"""

HISTORY = (
    "Corvane marks five years of KB-101\n"
    "SEOUL, South Korea, March 3, 2025 /PRNewswire/ -- Corvane Therapeutics today reviewed the"
    " milestones of KB-101, its allogeneic mesenchymal stem cell product for knee"
    " osteoarthritis.\n"
    """Regulatory history of KB-101 in Korea
| Date | Milestone |
|---|---|
| 2019/04/12 | IND approved by the MFDS |
| 2021/10/01 | Orphan drug designation granted by the MFDS |
| 2023/03/02 | Conditional approval granted by the MFDS |
"""
)

LICENCES = """Implied clinical trial licences granted by the NMPA in May 2024
| Acceptance No. | Product | Applicant | Date |
|---|---|---|---|
| CXSL2400101 | KB-101 injection | Corvane Therapeutics | 2024-05-03 |
| CXSL2400102 | MC-7 | Marlin Cell Therapeutics | 2024-05-09 |
"""


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        pytest.param(
            ROUND_UP,
            [
                (
                    "KB-101",
                    "Corvane Therapeutics",
                    "FDA",
                    "approval",
                    None,
                    "2024-03-14",
                    ["lupus nephritis"],
                ),
                (
                    "MC-7",
                    "Marlin Cell Therapeutics",
                    "NMPA",
                    "ind_clearance",
                    None,
                    "2024-04-02",
                    ["multiple myeloma"],
                ),
                (
                    "XB-12",
                    "Xenlo Biotech",
                    "FDA",
                    "designation",
                    "fast_track",
                    "2024-05-20",
                    ["systemic sclerosis"],
                ),
            ],
            id="one-row-per-product",
        ),
        pytest.param(
            HISTORY,
            [
                (
                    "KB-101",
                    "Corvane Therapeutics",
                    "MFDS",
                    "ind_clearance",
                    None,
                    "2019-04-12",
                    ["knee osteoarthritis"],
                ),
                (
                    "KB-101",
                    "Corvane Therapeutics",
                    "MFDS",
                    "designation",
                    "orphan_drug",
                    "2021-10-01",
                    ["knee osteoarthritis"],
                ),
                (
                    "KB-101",
                    "Corvane Therapeutics",
                    "MFDS",
                    "approval",
                    None,
                    "2023-03-02",
                    ["knee osteoarthritis"],
                ),
            ],
            id="history-of-one-product",
        ),
        pytest.param(
            LICENCES,
            [
                ("KB-101", "Corvane Therapeutics", "NMPA", "ind_clearance", None, "2024-05-03", []),
                (
                    "MC-7",
                    "Marlin Cell Therapeutics",
                    "NMPA",
                    "ind_clearance",
                    None,
                    "2024-05-09",
                    [],
                ),
            ],
            id="act-from-the-introduction",
        ),
    ],
)
def test_one_event_per_row_act(text: str, rows: list[tuple[object, ...]]) -> None:
    assert _rows(text) == rows


def test_row_fields_name_their_columns() -> None:
    event, why = explain(clean_text(ROUND_UP, "t.txt"))[0]
    assert event.product == "KB-101"
    assert why["product"].stage == "tables" and why["product"].rule == "product_column"
    assert why["date"].rule == "date_column"
    assert why["indications"].rule == "indication_column"
    assert why["company"].rule == "company_column"
    assert event.evidence.startswith("| KB-101 |")


def test_act_of_the_introduction_says_so() -> None:
    _, why = explain(clean_text(LICENCES, "t.txt"))[0]
    assert why["event_type"].rule == "table_introduction"


def test_a_year_alone_in_the_date_column() -> None:
    text = HISTORY.replace("| 2019/04/12 |", "| 2019 |")
    dates = [(e.date, e.date_precision) for e, _ in explain(clean_text(text, "t.txt"))]
    assert dates[0] == ("2019", "year")


def test_a_row_without_an_act_gives_nothing() -> None:
    text = HISTORY.replace("IND approved by the MFDS", "First patient dosed")
    kinds = [e.kind for e, _ in explain(clean_text(text, "t.txt"))]
    assert kinds == ["orphan_drug", "approval"]
