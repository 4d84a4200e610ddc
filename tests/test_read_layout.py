"""The layout stage (read/layout.py): datelines, titles, sentences, sections, list items and
table rows, each on small texts written for the case."""

from __future__ import annotations

from datetime import date

import pytest

from cgtextract.clean import clean_text
from cgtextract.read.layout import (
    Frame,
    Sentence,
    build_frame,
    column_role,
    looks_like_title,
    paragraphs,
    parse_dateline,
    split_sentences,
)


def _frame(text: str) -> Frame:
    """The frame the reader builds for a plain text, title and date found as the CLI finds them."""
    article = clean_text(text, "case.txt")
    return build_frame(article.text, article.title, article.published)


# ---------------------------------------------------------------------------- datelines

DATELINES = [
    pytest.param(
        "SAN DIEGO, Calif., April 7, 2024 /PRNewswire/ -- Halvard Therapeutics today announced"
        " that it dosed a patient.",
        date(2024, 4, 7),
        "Halvard Therapeutics today announced that it dosed a patient.",
        id="prnewswire-month-first",
    ),
    pytest.param(
        "SHANGHAI, China, Jan. 9, 2025 /PRNewswire-Asia/ -- Xenlo Biotech announced a filing.",
        date(2025, 1, 9),
        "Xenlo Biotech announced a filing.",
        id="prnewswire-regional-abbreviated-month",
    ),
    pytest.param(
        "CAMBRIDGE, Mass.--(BUSINESS WIRE)--Keltra Bio, Inc. today announced that the FDA"
        " granted RMAT designation to KB-101.",
        None,
        "Keltra Bio, Inc. today announced that the FDA granted RMAT designation to KB-101.",
        id="businesswire-no-date",
    ),
    pytest.param(
        "BASEL, Switzerland, Dec 2, 2024 (GLOBE NEWSWIRE) -- Corvane AG today announced results.",
        date(2024, 12, 2),
        "Corvane AG today announced results.",
        id="globenewswire-in-parentheses",
    ),
    pytest.param(
        "LONDON (Reuters) - Britain's drug regulator approved a gene therapy on Tuesday.",
        None,
        "Britain's drug regulator approved a gene therapy on Tuesday.",
        id="reuters",
    ),
    pytest.param(
        "LEIDEN, the Netherlands, 14 February 2023 -- Vantor Cell announced a licence.",
        date(2023, 2, 14),
        "Vantor Cell announced a licence.",
        id="day-first-with-the",
    ),
    pytest.param(
        "TOKYO, 5 June 2024 - Hoshino Pharma announced approval of its product.",
        date(2024, 6, 5),
        "Hoshino Pharma announced approval of its product.",
        id="day-first-single-dash",
    ),
    pytest.param(
        "MUNICH, Germany, 3rd March 2024 -- Pemberly Bio today announced a partnership.",
        date(2024, 3, 3),
        "Pemberly Bio today announced a partnership.",
        id="day-first-ordinal",
    ),
    pytest.param(
        "SEOUL, South Korea, (March 3, 2025) -- Pemberly Bio announced a partnership.",
        date(2025, 3, 3),
        "Pemberly Bio announced a partnership.",
        id="date-in-parentheses",
    ),
    pytest.param(
        "NEW YORK, NY / ACCESSWIRE / June 3, 2024 / Pemberly Bio today announced a partnership.",
        date(2024, 6, 3),
        "Pemberly Bio today announced a partnership.",
        id="accesswire-slashes",
    ),
    pytest.param(
        "RYE, N.H. -- Pemberly Bio said on Monday that it filed an IND.",
        None,
        "Pemberly Bio said on Monday that it filed an IND.",
        id="capital-place-spaced-dash",
    ),
    pytest.param(
        "SINGAPORE – Marlin Cell Therapeutics announced today a licence.",
        None,
        "Marlin Cell Therapeutics announced today a licence.",
        id="capital-place-en-dash",
    ),
    pytest.param(
        "RYE, N.H.--Pemberly Bio said on Monday that it filed an IND.",
        None,
        "Pemberly Bio said on Monday that it filed an IND.",
        id="capital-place-glued-dash",
    ),
    pytest.param(
        "BOSTON--Pemberly Bio today announced a partnership.",
        None,
        "Pemberly Bio today announced a partnership.",
        id="single-place-glued-dash",
    ),
]


DATELINES += [
    pytest.param(
        "OSAKA, Japan I January 23, 2018 I Keltra Bio, Inc. announced today a filing.",
        date(2018, 1, 23),
        "Keltra Bio, Inc. announced today a filing.",
        id="capital-i-separators",
    ),
    pytest.param(
        "BOSTON | March 3, 2024 | Keltra Bio announced today a filing.",
        date(2024, 3, 3),
        "Keltra Bio announced today a filing.",
        id="bar-separators",
    ),
]


@pytest.mark.parametrize(("paragraph", "announced", "rest"), DATELINES)
def test_parse_dateline(paragraph: str, announced: date | None, rest: str) -> None:
    found = parse_dateline(paragraph)
    assert found is not None
    assert found.announced == announced
    assert found.rest == rest


@pytest.mark.parametrize(
    ("paragraph", "places"),
    [
        pytest.param(
            "SAN DIEGO, Calif., April 7, 2024 /PRNewswire/ -- Halvard Therapeutics announced.",
            "SAN DIEGO, Calif.",
            id="city-and-state",
        ),
        pytest.param(
            "BOSTON & ZUG, Switzerland, May 1, 2024 /PRNewswire/ -- Orvane AG announced.",
            "BOSTON & ZUG, Switzerland",
            id="two-cities",
        ),
        pytest.param(
            "LEIDEN, the Netherlands, 14 February 2023 -- Vantor Cell announced.",
            "LEIDEN, the Netherlands",
            id="country-with-the",
        ),
        pytest.param(
            "CAMBRIDGE, Mass.--(BUSINESS WIRE)--Keltra Bio today announced.",
            "CAMBRIDGE, Mass.",
            id="businesswire-dashes",
        ),
        pytest.param(
            "NANTONG and WUXI, China, and SAN MATEO, Calif., March 2, 2022 /PRNewswire/ -- "
            "Keltra Bio announced.",
            "NANTONG and WUXI, China, and SAN MATEO, Calif.",
            id="three-cities-comma-and",
        ),
        pytest.param(
            "TRENTON, N.J.--()--Keltra Bio today announced a filing.",
            "TRENTON, N.J.",
            id="empty-wire-parentheses",
        ),
    ],
)
def test_dateline_places(paragraph: str, places: str) -> None:
    found = parse_dateline(paragraph)
    assert found is not None
    assert found.places == places


@pytest.mark.parametrize(
    "paragraph",
    [
        pytest.param("The FDA approved the therapy on May 3, 2024.", id="sentence-with-date"),
        pytest.param("Keltra Bio announced that the FDA granted RMAT.", id="plain-lead"),
        pytest.param(
            "Pemberly Bio (NASDAQ: PMB) today announced that the FDA has approved PB-11.",
            id="lead-with-ticker",
        ),
        pytest.param("Boston -- Pemberly Bio today announced a deal.", id="place-not-capitals"),
    ],
)
def test_not_a_dateline(paragraph: str) -> None:
    assert parse_dateline(paragraph) is None


def test_wire_tag_without_place() -> None:
    found = parse_dateline("(RTTNews) - Corvane said Monday that the FDA lifted a hold.")
    assert found is not None
    assert (found.places, found.rest) == ("", "Corvane said Monday that the FDA lifted a hold.")


def test_frame_takes_announcer_and_date_from_the_dateline() -> None:
    frame = _frame(
        "Keltra Bio Receives RMAT Designation for KB-101\n"
        "CAMBRIDGE, Mass., May 6, 2024 /PRNewswire/ -- Keltra Bio, Inc. today announced that"
        " the FDA granted RMAT designation to KB-101."
    )
    assert frame.announced == date(2024, 5, 6)
    assert frame.announcer == "Keltra Bio"
    assert [s.lead for s in frame.sentences] == [False, True]


# ------------------------------------------------------------------------------ titles


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("Keltra Bio Receives RMAT Designation for KB-101", True, id="headline"),
        pytest.param("Keltra Bio: FDA Grants RMAT to KB-101", True, id="headline-with-colon"),
        pytest.param("The FDA approved KB-101 today.", False, id="sentence-with-stop"),
        pytest.param("Published: 2025-01-29", False, id="metadata-line"),
        pytest.param("Shares of Keltra rose, analysts said,", False, id="ends-with-comma"),
        pytest.param(" ".join(["word"] * 41), False, id="too-long"),
        pytest.param("   ", False, id="blank"),
    ],
)
def test_looks_like_title(line: str, expected: bool) -> None:
    assert looks_like_title(line) is expected


@pytest.mark.parametrize(
    ("text", "title"),
    [
        pytest.param(
            "Keltra Bio Receives RMAT Designation for KB-101\n"
            "Keltra Bio said the FDA granted RMAT designation to KB-101.",
            "Keltra Bio Receives RMAT Designation for KB-101",
            id="headline-first-line",
        ),
        pytest.param(
            "Published: 2025-01-29\nKeltra Bio Wins RMAT for KB-101\n"
            "Keltra Bio said the FDA granted RMAT designation to KB-101.",
            "Keltra Bio Wins RMAT for KB-101",
            id="headline-under-metadata",
        ),
        pytest.param(
            "Keltra Bio today announced that the FDA granted RMAT designation to KB-101.\n"
            "The designation covers lupus nephritis.",
            None,
            id="text-starts-with-its-lead",
        ),
        pytest.param(
            "Keltra Bio today announced that the FDA granted RMAT designation to KB-101",
            None,
            id="one-paragraph-text",
        ),
    ],
)
def test_first_line_is_title_only_when_it_looks_like_one(text: str, title: str | None) -> None:
    article = clean_text(text, "case.txt")
    assert article.title == title
    frame = build_frame(article.text, article.title, article.published)
    first = frame.sentences[0]
    assert first.headline is (title is not None)
    # the lead is the first paragraph of prose, whether or not a title stands above it
    assert [s.opening for s in frame.sentences if not s.heading][0] is True


def test_headline_date_on_metadata_line_is_the_publication_date() -> None:
    article = clean_text(
        "Published: 2025-01-29\nKeltra Bio Wins RMAT for KB-101\nKeltra Bio said so.", "x.txt"
    )
    assert article.published == date(2025, 1, 29)


# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        pytest.param(
            "Keltra Bio, Inc. said the U.S. agency agreed. Dr. Lin Chen leads the trial. It works.",
            [
                "Keltra Bio, Inc. said the U.S. agency agreed.",
                "Dr. Lin Chen leads the trial.",
                "It works.",
            ],
            id="inc-us-dr",
        ),
        pytest.param(
            "Pemberly Therapeutics Inc. announced that Dr. Ana Ruiz will speak. The study"
            " enrolled 40 patients.",
            [
                "Pemberly Therapeutics Inc. announced that Dr. Ana Ruiz will speak.",
                "The study enrolled 40 patients.",
            ],
            id="inc-before-verb",
        ),
        pytest.param(
            "The U.S. Food and Drug Administration approved it. Shares rose 5%.",
            ["The U.S. Food and Drug Administration approved it.", "Shares rose 5%."],
            id="us-before-capital",
        ),
        pytest.param(
            "Michael J. Fox spoke. The drug treats hemophilia B. It was approved.",
            ["Michael J. Fox spoke.", "The drug treats hemophilia B.", "It was approved."],
            id="initial-vs-disease-letter",
        ),
        pytest.param(
            "Trials run in St. Louis and Washington, D.C. this year. The end.",
            ["Trials run in St. Louis and Washington, D.C. this year.", "The end."],
            id="st-and-dc",
        ),
        pytest.param(
            'He said, "It is approved." The board agreed.',
            ['He said, "It is approved."', "The board agreed."],
            id="quote-closes-sentence",
        ),
    ],
)
def test_split_sentences(paragraph: str, sentences: list[str]) -> None:
    got = split_sentences(paragraph, 100)
    assert [t for _, _, t in got] == sentences
    for start, end, text in got:  # offsets point into the text, shifted by the offset given
        assert paragraph[start - 100 : end - 100] == text


# ------------------------------------------------------------- sections, items, tables

RELEASE = (
    "Keltra Bio Receives RMAT Designation for KB-101\n"
    "CAMBRIDGE, Mass., May 6, 2024 /PRNewswire/ -- Keltra Bio, Inc. today announced that the"
    " FDA granted RMAT designation to KB-101. The company thanks Dr. Ruiz.\n"
    """KB-101 has previously been granted the following designations:
- Orphan Drug designation from the FDA in 2022.
- Fast Track designation from the FDA in 2023.
Regulatory history
| Date | Product | Agency | Milestone |
|---|---|---|---|
| 2022-03-01 | KB-101 | FDA | IND cleared |
| 2023-07-15 | KB-101 | FDA | Orphan drug designation granted |
About Keltra Bio
Keltra Bio is a clinical-stage company in Cambridge.
Forward-Looking Statements
This press release contains forward-looking statements. The FDA may not approve KB-101.
"""
)


@pytest.fixture(scope="module")
def release() -> Frame:
    return _frame(RELEASE)


def _sentence(frame: Frame, start: str) -> Sentence:
    return next(s for s in frame.sentences if s.text.startswith(start))


@pytest.mark.parametrize(
    ("start", "section", "boilerplate"),
    [
        pytest.param("Keltra Bio is a clinical", "About Keltra Bio", True, id="about-section"),
        pytest.param(
            "This press release", "Forward-Looking Statements", True, id="forward-looking"
        ),
        pytest.param("The FDA may not approve", "Forward-Looking Statements", True, id="fls-2nd"),
        pytest.param("CAMBRIDGE, Mass.", None, False, id="lead-not-boilerplate"),
        pytest.param("KB-101 has previously", None, False, id="body-not-boilerplate"),
    ],
)
def test_sections_and_boilerplate(
    release: Frame, start: str, section: str | None, boilerplate: bool
) -> None:
    s = _sentence(release, start)
    assert s.section == section
    assert s.boilerplate is boilerplate


@pytest.mark.parametrize(
    "start", ["Regulatory history", "About Keltra Bio", "Forward-Looking Statements"]
)
def test_headings_are_flagged(release: Frame, start: str) -> None:
    s = _sentence(release, start)
    assert s.heading and not s.headline


def test_title_is_headline_and_lead_follows(release: Frame) -> None:
    title, lead, second = release.sentences[:3]
    assert title.headline and title.heading
    assert lead.lead and lead.opening and not lead.heading
    assert second.text == "The company thanks Dr. Ruiz." and second.lead


def test_list_items_are_flagged_with_their_intro(release: Frame) -> None:
    items = [s for s in release.sentences if s.item]
    assert [s.text for s in items] == [
        "- Orphan Drug designation from the FDA in 2022.",
        "- Fast Track designation from the FDA in 2023.",
    ]
    assert {s.intro for s in items} == {
        "KB-101 has previously been granted the following designations:"
    }
    assert not any(s.heading for s in items)


def test_short_list_item_is_no_heading() -> None:
    frame = _frame(
        "CAMBRIDGE, Mass., May 6, 2024 /PRNewswire/ -- Keltra Bio today announced news.\n"
        "KB-101 has previously been granted the following designations:\n"
        "- Orphan Drug designation from the FDA\n"
        "- Fast Track designation from the FDA\n"
    )
    items = [s for s in frame.sentences if s.item]
    assert len(items) == 2
    assert all(s.intro and s.intro.endswith("designations:") for s in items)


def test_short_list_item_is_not_a_section_heading() -> None:
    frame = _frame(
        "CAMBRIDGE, Mass., May 6, 2024 /PRNewswire/ -- Keltra Bio today announced news.\n"
        "KB-101 has previously been granted the following designations:\n"
        "- Orphan Drug designation from the FDA\n"
        "- Fast Track designation from the FDA\n"
    )
    items = [s for s in frame.sentences if s.item]
    assert not any(s.heading for s in items)
    assert all(s.section is None for s in items)


def test_table_rows_become_cells_with_roles(release: Frame) -> None:
    rows = [s for s in release.sentences if s.cells]
    assert len(rows) == 2  # the header and the '|---|' rule are no rows
    first = rows[0]
    assert [(c.role, c.text) for c in first.cells] == [
        ("date", "2022-03-01"),
        ("product", "KB-101"),
        ("regulator", "FDA"),
        ("action", "IND cleared"),
    ]
    for c in first.cells:  # each cell's offsets point into the text
        assert RELEASE.strip()[c.start : c.end] == c.text
    intro = release.sentences[first.table_intro or 0]
    assert intro.text == "Regulatory history"
    assert not first.boilerplate and not first.heading


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Product", "product"),
        ("Drug name", "product"),
        ("Sponsor", "company"),
        ("Applicant", "company"),
        ("Date", "date"),
        ("Agency", "regulator"),
        ("Indication", "indication"),
        ("Country", "country"),
        ("Milestone", "action"),
        ("Status", "action"),
        ("Notes", "other"),
        ("Regulatory action", "action"),
    ],
)
def test_column_role(header: str, role: str) -> None:
    assert column_role(header) == role


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        pytest.param(
            "Title line\nCorvane filed the BLA for KB-101 on August\n5, 2025, with the FDA.",
            True,
            id="date-cut-by-the-wrap",
        ),
        pytest.param(
            "Title line\nCorvane filed the BLA for KB-101\nrecently, with the FDA.",
            True,
            id="lower-case-continuation",
        ),
        pytest.param(
            "Title line\nCorvane filed the BLA for KB-101 in August.\n5 things to know",
            False,
            id="a-stop-ends-the-line",
        ),
    ],
)
def test_hard_wrapped_lines_are_joined(text: str, joined: bool) -> None:
    assert (len(paragraphs(text)) == 2) == joined
