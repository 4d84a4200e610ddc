"""Company names (read/companies.py): the subject a sentence opens with, descriptors and legal
suffixes taken off, and the test that refuses what names no organization."""

from __future__ import annotations

import pytest

from cgtextract.read.companies import (
    clean_company,
    is_company,
    legal_names,
    strip_legal,
    subject_company,
)

_NO_CITY_VOCABULARY = pytest.mark.xfail(
    strict=True,
    reason="no vocabulary of cities: a one-word capitalized city passes is_company",
)


@pytest.mark.parametrize(
    ("sentence", "company"),
    [
        pytest.param(
            "Philadelphia-based Corvane Therapeutics today announced that the FDA cleared it.",
            "Corvane Therapeutics",
            id="city-based",
        ),
        pytest.param(
            "Cambridge, Mass.-based Keltra Bio today announced a financing.",
            "Keltra Bio",
            id="city-state-based",
        ),
        pytest.param(
            "Japanese drug major Hoshino Pharma said on Monday that the MHLW approved it.",
            "Hoshino Pharma",
            id="descriptor-drug-major",
        ),
        pytest.param(
            "Corvane Therapeutics, Inc. (NASDAQ: CRVN), a clinical-stage company, today announced"
            " a milestone.",
            "Corvane Therapeutics",
            id="legal-suffix-and-ticker",
        ),
        pytest.param(
            "Hoshino Pharmaceutical Co., Ltd. announced the approval.",
            "Hoshino Pharmaceutical",
            id="co-ltd",
        ),
        pytest.param(
            "Singapore's Marlin Cell announced a licence.", "Marlin Cell", id="possessive"
        ),
        pytest.param(
            "On December 24, 2025, Vantor Cell announced that the FDA granted RMAT.",
            "Vantor Cell",
            id="dated-opening",
        ),
        pytest.param(
            "Earlier this month, Vantor Cell announced a partnership.",
            "Vantor Cell",
            id="relative-opening",
        ),
        pytest.param(
            "Separately, Trenholm Biologics said the FDA placed a hold on TB-450.",
            "Trenholm Biologics",
            id="lead-adverb",
        ),
        pytest.param(
            "(RTTNews) - Trenholm Biologics said that the FDA lifted the hold.",
            "Trenholm Biologics",
            id="wire-tag",
        ),
        pytest.param(
            "Keltra Bio and Orvane AG today announced a collaboration.",
            "Keltra Bio",
            id="first-of-two",
        ),
        pytest.param("bluebird bio announced a rebate.", "bluebird bio", id="lower-case-name"),
        pytest.param(
            "Corvane Therapeutics based in Shanghai announced an IND.",
            "Corvane Therapeutics",
            id="based-in-after",
        ),
        pytest.param(
            "Korean biotech Daeyang Cell Co., Ltd. said the MFDS approved its product.",
            "Daeyang Cell",
            id="nationality-biotech",
        ),
        pytest.param(
            "Quellon bio announced that it submitted a BLA.", "Quellon bio", id="capital-lower-head"
        ),
        pytest.param(
            "Corvane Therapeutics recently announced that the FDA cleared its IND.",
            "Corvane Therapeutics",
            id="adverb-before-the-verb",
        ),
        pytest.param(
            "Shares of Corvane Therapeutics (CRVN) rose after the FDA accepted its BLA.",
            "Corvane Therapeutics",
            id="shares-of",
        ),
        pytest.param(
            "Corvane Therapeutics' (NASDAQ: CRVN) CAR-T candidate CV-12 got RMAT designation.",
            "Corvane Therapeutics",
            id="possessive-cut-by-ticker",
        ),
    ],
)
def test_subject_company(sentence: str, company: str) -> None:
    assert subject_company(sentence) == company


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("The FDA today announced a new guidance.", id="agency"),
        pytest.param("Analysts said that the approval was expected.", id="analysts"),
        pytest.param("It was granted in March.", id="pronoun"),
        pytest.param("Health Canada announced that it approved the therapy.", id="health-canada"),
        pytest.param(
            "US Food and Drug Administration has accepted the BLA for CV-12.", id="agency-and"
        ),
        pytest.param(
            "The FDA approved Norvexa (Halvard Bio) for hemophilia B.", id="clause-not-a-name"
        ),
        pytest.param("Norvexa was approved by the FDA in 2017.", id="what-was-approved"),
        pytest.param(
            "Medicines and Healthcare products Regulatory Agency (MHRA) has approved CV-12.",
            id="mhra-first-word",
        ),
    ],
)
def test_subject_that_is_no_company(sentence: str) -> None:
    assert subject_company(sentence) is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("Boston-based Corvane Therapeutics", "Corvane Therapeutics", id="based"),
        pytest.param("U.S.-based Corvane Bio", "Corvane Bio", id="us-based"),
        pytest.param("Swiss drugmaker Orvane AG", "Orvane", id="drugmaker-and-ag"),
        pytest.param(
            "Philadelphia-based Corvane Therapeutics, Inc.", "Corvane Therapeutics", id="based-inc"
        ),
        pytest.param(
            "gene therapy specialist Trenholm Biologics", "Trenholm Biologics", id="specialist"
        ),
        pytest.param("Xenlo Biotech headquartered in Shanghai", "Xenlo Biotech", id="hq-after"),
        pytest.param("Corvane Therapeutics CRVN", "Corvane Therapeutics", id="ticker-after-name"),
        pytest.param("CRVN)", "CRVN", id="bracket-left-behind"),
        pytest.param("Tokyo, Japan", None, id="place"),
        pytest.param("Chief Executive Officer", None, id="role"),
        pytest.param("Food and Drug Administration", None, id="agency"),
        pytest.param(
            "Chinese biotech Xenlo Therapeutics",
            "Xenlo Therapeutics",
            id="nationality-biotech",
        ),
        pytest.param(
            "Shanghai-headquartered Xenlo Biotech",
            "Xenlo Biotech",
            id="city-headquartered",
        ),
    ],
)
def test_clean_company(raw: str, clean: str | None) -> None:
    assert clean_company(raw) == clean


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Corvane Therapeutics", id="therapeutics"),
        pytest.param("Keltra Bio", id="bio"),
        pytest.param("bluebird bio", id="lower-case"),
        pytest.param("Incyra", id="one-word"),
    ],
)
def test_is_company_accepts(name: str) -> None:
    assert is_company(name)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("SANTA MONICA", id="city-in-capitals"),
        pytest.param("Tokyo, Japan", id="city-and-country"),
        pytest.param("China", id="country"),
        pytest.param("February", id="month"),
        pytest.param("Monday", id="weekday"),
        pytest.param("March 2024", id="month-year"),
        pytest.param("Q3 2024", id="quarter"),
        pytest.param("Multiple Myeloma", id="disease"),
        pytest.param("Sickle Cell Disease", id="disease-with-cell"),
        pytest.param("Lupus Nephritis", id="disease-two-words"),
        pytest.param("Food and Drug Administration", id="agency-long"),
        pytest.param("Health Canada", id="agency-with-country"),
        pytest.param("European Medicines Agency", id="agency-ema"),
        pytest.param("NMPA", id="agency-acronym"),
        pytest.param("CBER", id="agency-center"),
        pytest.param("Orphan Drug Designation", id="designation"),
        pytest.param("Breakthrough Therapy", id="designation-btd"),
        pytest.param("Regenerative Medicine Advanced Therapy", id="designation-rmat"),
        pytest.param("Fast Track", id="designation-fast-track"),
        pytest.param("Investigational New Drug", id="document-type"),
        pytest.param("BLA", id="document-acronym"),
        pytest.param("Chief Executive Officer", id="person-role"),
        pytest.param("CEO John Smith", id="person-with-role"),
        pytest.param("Beyond oncology", id="lower-case-tail"),
        pytest.param("Aug.", id="month-abbreviation"),
        pytest.param("Vorsacabtagene Autoleucel", id="an-inn-opening-a-sentence"),
        pytest.param("the company", id="generic"),
        pytest.param("Analysts", id="not-subject"),
        pytest.param("Boston", id="city-one-word", marks=_NO_CITY_VOCABULARY),
        pytest.param("Shanghai", id="city-one-word-cn", marks=_NO_CITY_VOCABULARY),
    ],
)
def test_is_company_rejects(name: str) -> None:
    assert not is_company(name)


def test_legal_names_finds_each_suffixed_name() -> None:
    text = (
        "The deal between Corvane Therapeutics, Inc. and Hoshino Pharmaceutical Co., Ltd. "
        "closed. Orvane AG and Keltra Bio Ltd. agreed to terms."
    )
    assert legal_names(text) == [
        "Corvane Therapeutics",
        "Hoshino Pharmaceutical",
        "Orvane",
        "Keltra Bio",
    ]


def test_legal_names_ignores_suffix_words_without_a_name() -> None:
    assert legal_names("the company, its AG subsidiary and an LLC structure") == []


def test_legal_names_singapore_suffix() -> None:
    assert legal_names("Marlin Cell Pte. Ltd. signed the agreement.") == ["Marlin Cell"]


@pytest.mark.parametrize(
    ("name", "stripped"),
    [
        ("Mustang Bio, Inc.", "Mustang Bio"),
        ("Hoshino Pharmaceutical Co., Ltd.", "Hoshino Pharmaceutical"),
        ("Daeyang Cell Co., Ltd", "Daeyang Cell"),
        ("Orvane AG", "Orvane"),
        ("Keltra Bio LLC", "Keltra Bio"),
        ("Vantor Cell N.V.", "Vantor Cell"),
        ("Corvane Therapeutics Corp.", "Corvane Therapeutics"),
        ("Acme Zelltherapie GmbH", "Acme Zelltherapie"),
        ("Incyra", "Incyra"),
        ("  Keltra Bio, ", "Keltra Bio"),
        ("Agrona Bio", "Agrona Bio"),  # 'AG' only as a word of its own
    ],
)
def test_strip_legal(name: str, stripped: str) -> None:
    assert strip_legal(name) == stripped
