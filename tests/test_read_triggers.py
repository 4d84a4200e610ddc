"""Triggers (read/triggers.py): which regulatory acts a sentence states, of which kind, and
which wordings state no act at all (planned, conditional, denied, counted, someone else's)."""

from __future__ import annotations

import pytest

from cgtextract.models import Article
from cgtextract.read.document import DocState
from cgtextract.read.mentions import read_mentions
from cgtextract.read.triggers import find_cues


def _read(text: str) -> DocState:
    doc = DocState(Article(source="case.txt", text=text))
    read_mentions(doc)
    return doc


def _cues(text: str) -> list[tuple[str, str, str]]:
    """(kind, event type, trigger words) of every act the text's sentences state."""
    doc = _read(text)
    return [
        (c.kind, c.event_type, doc.article.text[c.start : c.end])
        for s in doc.frame.sentences
        for c in find_cues(doc, s)
    ]


EVENTS = [
    # approvals
    pytest.param(
        "The FDA approved KB-101 for lupus nephritis.",
        [("approval", "approval", "approved")],
        id="approve-verb",
    ),
    pytest.param(
        "KB-101 was approved by the FDA in March 2024.",
        [("approval", "approval", "approved")],
        id="approve-passive",
    ),
    pytest.param(
        "The FDA's approval of KB-101 came in March 2024.",
        [("approval", "approval", "approval")],
        id="approval-noun",
    ),
    pytest.param(
        "The FDA granted accelerated approval to KB-101.",
        [("approval", "approval", "accelerated approval")],
        id="accelerated-approval",
    ),
    pytest.param(
        "Corvane received conditional marketing authorization from the European Commission"
        " for KB-101.",
        [("approval", "approval", "marketing authorization")],
        id="marketing-authorization",
    ),
    pytest.param(
        "The TGA granted provisional approval in Australia to KB-101.",
        [("approval", "approval", "approval")],
        id="provisional-approval",
    ),
    pytest.param(
        "Corvane's KB-101 got RMAT designation from the FDA.",
        [("rmat", "designation", "RMAT designation")],
        id="trade-press-got",
    ),
    pytest.param(
        "Corvane nets Orphan Drug designation from the FDA for KB-101.",
        [("orphan_drug", "designation", "Orphan Drug designation")],
        id="trade-press-nets",
    ),
    pytest.param(
        "KB-101 was cleared for market in Europe in 2023.",
        [("approval", "approval", "cleared")],
        id="cleared-for-market",
    ),
    pytest.param(
        "Corvane received FDA approval to move forward with its clinical trials of KB-101.",
        [("ind_clearance", "ind_clearance", "approval")],
        id="approval-to-move-forward-with-trials",
    ),
    pytest.param(
        "Corvane received approval from the MHRA to proceed with its Phase 2 trial of KB-101.",
        [("ind_clearance", "ind_clearance", "approval")],
        id="approval-from-agency-to-proceed-with-trial",
    ),
    pytest.param(
        "The MFDS approved Corvane's plan to test KB-101, a CAR-T, in a phase 1 study.",
        [("ind_clearance", "ind_clearance", "approved")],
        id="plan-to-test-with-an-apposition",
    ),
    pytest.param(
        "The MFDS approved the Phase 1/2 clinical study application for KB-101.",
        [("ind_clearance", "ind_clearance", "approved")],
        id="clinical-study-application",
    ),
    pytest.param(
        "The NMPA granted approval for a pivotal Phase II clinical trial of KB-101.",
        [("ind_clearance", "ind_clearance", "approval")],
        id="approval-for-a-pivotal-trial",
    ),
    pytest.param(
        "The FDA cleared the KB-101 trial to resume.",
        [("clinical_hold_lift", "clinical_hold_lift", "cleared")],
        id="cleared-to-resume-is-a-lift",
    ),
    pytest.param(
        "Corvane received Orphan Medical Product Designation by the EMA for KB-101.",
        [("orphan_drug", "designation", "Orphan Medical Product Designation")],
        id="orphan-medical-product",
    ),
    pytest.param(
        "Corvane said it received a clinical hold letter from the FDA for KB-101.",
        [("clinical_hold", "clinical_hold", "received")],
        id="received-a-hold-letter",
    ),
    pytest.param(
        "The FDA approved KB-101 for further study in clinical trials.",
        [("ind_clearance", "ind_clearance", "approved")],
        id="approved-for-further-study",
    ),
    pytest.param(
        "The delay came in response to a clinical hold by the FDA on KB-101 in hemophilia B.",
        [("clinical_hold", "clinical_hold", "clinical hold")],
        id="hold-by-the-agency-as-a-noun",
    ),
    pytest.param(
        "Corvane applied for marketing approval of KB-101 to the MHLW in January 2018.",
        [("marketing_submission", "marketing_submission", "applied for marketing approval")],
        id="applied-for-marketing-approval",
    ),
    pytest.param(
        "KB-101 received Orphan Regenerative Medicine designation from the MHLW.",
        [("orphan_drug", "designation", "Orphan Regenerative Medicine designation")],
        id="japan-orphan-regenerative-medicine",
    ),
    pytest.param(
        "The MFDS approved Corvane's plan to test KB-101 in a phase 1 study.",
        [("ind_clearance", "ind_clearance", "approved")],
        id="approved-plan-to-test",
    ),
    pytest.param(
        "The TGA confirmed that the KB-101 trial can proceed under the CTN scheme.",
        [("ind_clearance", "ind_clearance", "can proceed")],
        id="can-proceed",
    ),
    # IND clearance
    pytest.param(
        "The FDA cleared the IND for KB-101.",
        [("ind_clearance", "ind_clearance", "cleared")],
        id="clear-verb",
    ),
    pytest.param(
        "Corvane announced FDA clearance of its IND for KB-101.",
        [("ind_clearance", "ind_clearance", "clearance")],
        id="clearance-noun",
    ),
    pytest.param(
        "The FDA notified Corvane that its KB-101 study may proceed.",
        [("ind_clearance", "ind_clearance", "may proceed")],
        id="may-proceed",
    ),
    pytest.param(
        "The FDA has allowed Corvane's IND for KB-101 to proceed.",
        [("ind_clearance", "ind_clearance", "to proceed")],
        id="ind-allowed-to-proceed",
    ),
    pytest.param(
        "The FDA has allowed the Phase 1 study of KB-101 to proceed.",
        [("ind_clearance", "ind_clearance", "to proceed")],
        id="study-allowed-to-proceed",
    ),
    pytest.param(
        "The NMPA approved the clinical trial application for KB-101.",
        [("ind_clearance", "ind_clearance", "approved")],
        id="cta-approved",
    ),
    pytest.param(
        "The NMPA granted implied license for clinical trials of KB-101.",
        [("ind_clearance", "ind_clearance", "implied license")],
        id="china-implied-license",
    ),
    pytest.param(
        "Corvane received a clinical trial approval notice from the NMPA for KB-101.",
        [("ind_clearance", "ind_clearance", "clinical trial approval")],
        id="china-trial-approval-notice",
    ),
    # submissions and acceptances
    pytest.param(
        "Corvane submitted an IND to the FDA for KB-101.",
        [("ind_submission", "ind_submission", "submitted")],
        id="ind-submitted",
    ),
    pytest.param(
        "The NMPA's CDE accepted the IND application for KB-101.",
        [("ind_submission", "ind_submission", "accepted")],
        id="china-ind-accepted-is-submission",
    ),
    pytest.param(
        "Corvane has submitted a BLA to the FDA for KB-101.",
        [("marketing_submission", "marketing_submission", "submitted")],
        id="bla-submitted",
    ),
    pytest.param(
        "Corvane announced the completion of its rolling BLA submission to the FDA for KB-101.",
        [("marketing_submission", "marketing_submission", "submission")],
        id="rolling-submission-completed",
    ),
    pytest.param(
        "Corvane filed an MAA with the EMA for KB-101.",
        [("marketing_submission", "marketing_submission", "filed")],
        id="maa-filed",
    ),
    pytest.param(
        "Corvane announced FDA acceptance of its BLA for KB-101.",
        [("marketing_acceptance", "marketing_acceptance", "acceptance")],
        id="acceptance-noun",
    ),
    pytest.param(
        "The EMA validated the MAA for KB-101.",
        [("marketing_acceptance", "marketing_acceptance", "validated")],
        id="maa-validated",
    ),
    pytest.param(
        "The FDA has accepted Corvane's BLA for KB-101 and granted Priority Review.",
        [
            ("marketing_acceptance", "marketing_acceptance", "accepted"),
            ("priority_review", "designation", "Priority Review"),
        ],
        id="acceptance-and-priority-review",
    ),
    # designations
    pytest.param(
        "The FDA granted RMAT designation to KB-101.",
        [("rmat", "designation", "RMAT designation")],
        id="rmat",
    ),
    pytest.param(
        "KB-101 received Regenerative Medicine Advanced Therapy designation from the FDA.",
        [("rmat", "designation", "Regenerative Medicine Advanced Therapy designation")],
        id="rmat-spelled-out",
    ),
    pytest.param(
        "The FDA granted orphan-drug designation to KB-101.",
        [("orphan_drug", "designation", "orphan-drug designation")],
        id="orphan-drug-hyphenated",
    ),
    pytest.param(
        "KB-101 was granted Orphan Drug Designation by the FDA.",
        [("orphan_drug", "designation", "Orphan Drug Designation")],
        id="orphan-drug-passive",
    ),
    pytest.param(
        "KB-101 received Fast Track designation from the FDA.",
        [("fast_track", "designation", "Fast Track designation")],
        id="fast-track",
    ),
    pytest.param(
        "The FDA has Fast Tracked KB-101.",
        [("fast_track", "designation", "Fast Tracked")],
        id="fast-tracked-verb",
    ),
    pytest.param(
        "The FDA granted Orphan Drug and Rare Pediatric Disease designations to KB-101.",
        [
            ("orphan_drug", "designation", "Orphan Drug"),
            ("rare_pediatric_disease", "designation", "Rare Pediatric Disease designations"),
        ],
        id="two-designations",
    ),
    pytest.param(
        "Corvane received Breakthrough Therapy designation from the FDA for KB-101.",
        [("breakthrough_therapy", "designation", "Breakthrough Therapy designation")],
        id="breakthrough",
    ),
    pytest.param(
        "Corvane received PRIME designation from the EMA for KB-101.",
        [("prime", "designation", "PRIME")],
        id="prime",
    ),
    pytest.param(
        "The MHRA granted an Innovation Passport to KB-101.",
        [("innovation_passport", "designation", "Innovation Passport")],
        id="innovation-passport",
    ),
    pytest.param(
        "The Japanese MHLW granted SAKIGAKE designation to KB-101.",
        [("sakigake", "designation", "SAKIGAKE designation")],
        id="sakigake",
    ),
    pytest.param(
        "The NMPA included KB-101 in the breakthrough therapy program.",
        [("breakthrough_therapy", "designation", "breakthrough therapy program")],
        id="china-breakthrough-inclusion",
    ),
    # complete response letters and holds
    pytest.param(
        "The FDA issued a complete response letter for KB-101.",
        [("crl", "crl", "issued")],
        id="crl-issued",
    ),
    pytest.param(
        "Corvane received a Complete Response Letter (CRL) from the FDA regarding its BLA"
        " for KB-101.",
        [("crl", "crl", "received")],
        id="crl-received",
    ),
    pytest.param(
        "The FDA placed a clinical hold on the KB-101 IND.",
        [("clinical_hold", "clinical_hold", "placed")],
        id="hold-placed",
    ),
    pytest.param(
        "KB-101 was placed on clinical hold by the FDA.",
        [("clinical_hold", "clinical_hold", "placed")],
        id="hold-passive",
    ),
    pytest.param(
        "The FDA imposed a clinical hold on KB-101.",
        [("clinical_hold", "clinical_hold", "imposed")],
        id="hold-imposed",
    ),
    pytest.param(
        "The FDA lifted the clinical hold on KB-101.",
        [("clinical_hold_lift", "clinical_hold_lift", "lifted")],
        id="hold-lifted",
    ),
    pytest.param(
        "The FDA has removed the clinical hold on the KB-101 program.",
        [("clinical_hold_lift", "clinical_hold_lift", "removed")],
        id="hold-removed",
    ),
    pytest.param(
        "Corvane announced the lifting of the FDA clinical hold on KB-101 in May 2024.",
        [("clinical_hold_lift", "clinical_hold_lift", "lifting")],
        id="hold-lifting-noun",
    ),
    pytest.param(
        "Corvane announced the FDA's removal of the clinical hold on KB-101.",
        [("clinical_hold_lift", "clinical_hold_lift", "removal")],
        id="hold-removal-noun",
    ),
    pytest.param(
        "Corvane announced that its Biologics License Application (BLA) filing for KB-101 has"
        " been granted Priority Review by the NMPA.",
        [("priority_review", "designation", "Priority Review")],
        id="filing-named-with-its-acronym-is-background",
    ),
    pytest.param(
        "BLA Filing for KB-101 Has Been Granted Priority Review by the FDA",
        [("priority_review", "designation", "Priority Review")],
        id="a-filing-as-the-subject-of-a-grant-is-background",
    ),
    pytest.param(
        "KB-101 received RMAT designation, and its BLA submission in December 2023 was"
        " granted Priority Review in February 2024.",
        [
            ("rmat", "designation", "RMAT designation"),
            ("marketing_submission", "marketing_submission", "submission"),
            ("priority_review", "designation", "Priority Review"),
        ],
        id="a-dated-filing-as-the-subject-is-its-own-act",
    ),
]


@pytest.mark.parametrize(("text", "cues"), EVENTS)
def test_acts_and_their_kind(text: str, cues: list[tuple[str, str, str]]) -> None:
    assert _cues(text) == cues


NOT_EVENTS = [
    # planned, expected, conditional
    pytest.param("Corvane plans to submit a BLA to the FDA for KB-101 in 2026.", id="plans-to"),
    pytest.param(
        "Corvane expects to submit an IND for KB-101 to the FDA next year.", id="expects-to"
    ),
    pytest.param(
        "Corvane is preparing to file a BLA for KB-101 with the FDA.", id="preparing-to-file"
    ),
    pytest.param("Corvane intends to seek approval for KB-101 from the FDA.", id="seek-approval"),
    pytest.param("The FDA is expected to approve KB-101 by June.", id="expected"),
    pytest.param("The FDA could grant accelerated approval to KB-101.", id="modal-could"),
    pytest.param(
        "If approved by the FDA, KB-101 would be the first such therapy.", id="if-approved"
    ),
    pytest.param(
        "KB-101 may be marketed only after it completes clinical trials and is approved by"
        " the FDA.",
        id="only-after-approved",
    ),
    pytest.param("The FDA approval of KB-101 remains uncertain.", id="doubt-after"),
    pytest.param(
        "Corvane ran two pivotal trials of KB-101 for FDA approval in lupus.",
        id="for-approval",
    ),
    pytest.param(
        "The CHMP has recommended granting a marketing authorisation for KB-101 in the EU.",
        id="recommended-granting",
    ),
    pytest.param(
        "Formal approval of KB-101 by the European Commission should follow in two months.",
        id="should-follow",
    ),
    pytest.param("KB-101 is set to gain approval in Europe this summer.", id="set-to-gain"),
    pytest.param(
        "Corvane won an NIH Fast-Track grant to fund the KB-101 program.", id="fast-track-grant"
    ),
    pytest.param(
        "The FDA agreed that Corvane can submit its BLA for KB-101 on a rolling basis.",
        id="can-submit",
    ),
    pytest.param("The FDA decided against approval of KB-101 for now.", id="decided-against"),
    pytest.param("The CHMP approved the trade name Norvexa for KB-101.", id="a-name-approved"),
    pytest.param(
        "KB-101 joins four currently approved CAR-T therapies in the US.",
        id="approved-after-a-number-and-an-adverb",
    ),
    pytest.param(
        "The USAN Council approved vorsaleucel as the nonproprietary name for KB-101.",
        id="a-nonproprietary-name-approved",
    ),
    pytest.param(
        "The KB-101 trial was designed to avoid a clinical hold by the FDA.", id="avoid-a-hold"
    ),
    pytest.param(
        "Corvane received the formal hold letter for KB-101 on August 25.", id="the-hold-letter"
    ),
    pytest.param(
        "The MAA submission for KB-101 was based on data from the KEL-2 study.", id="based-on"
    ),
    pytest.param(
        "RMAT designation expedites approval by the FDA of products like KB-101.",
        id="what-a-designation-offers",
    ),
    # requests and eligibility
    pytest.param(
        "Corvane will request Breakthrough Therapy designation for KB-101 from the FDA.",
        id="will-request",
    ),
    pytest.param(
        "Corvane applied for Orphan Drug designation for KB-101 with the FDA.",
        id="applied-for-designation",
    ),
    pytest.param("KB-101 is eligible for Priority Review by the FDA.", id="eligible"),
    # negated or denied
    pytest.param("The FDA has not approved KB-101.", id="not-approved"),
    pytest.param("A clinical hold has not been issued for KB-101 by the FDA.", id="hold-denied"),
    pytest.param("The FDA was unable to approve KB-101 at this time.", id="unable-to-approve"),
    # not events in this version
    pytest.param(
        "The CHMP adopted a positive opinion recommending approval of KB-101.", id="chmp-opinion"
    ),
    pytest.param("The CHMP issued a positive opinion for KB-101.", id="chmp-issued-opinion"),
    pytest.param(
        "Corvane received a Priority Review voucher from the FDA upon approval of KB-101.",
        id="priority-review-voucher",
    ),
    pytest.param(
        "Corvane sold its rare pediatric disease priority review voucher for KB-101.",
        id="voucher-sold",
    ),
    pytest.param("The institutional review board approved the KB-101 study.", id="irb-approved"),
    pytest.param(
        "The ethics committee of Riverside Hospital approved the KB-101 trial.",
        id="ethics-committee",
    ),
    pytest.param("The KB-101 protocol was approved by the IRB.", id="approved-by-irb"),
    pytest.param("KB-101 has been approved in several countries.", id="several-countries"),
    # tallies and filings merely spoken of
    pytest.param(
        "The CDE had accepted 58 clinical trial applications for cell therapies, including KB-101.",
        id="tally-number",
    ),
    pytest.param(
        "The number of cell therapy clinical trial applications accepted by the NMPA rose,"
        " KB-101 among them.",
        id="tally-the-number-of",
    ),
    pytest.param(
        "Corvane discussed the timing of a BLA submission for KB-101 with the FDA.",
        id="indefinite-submission",
    ),
    pytest.param(
        "The FDA rejected the idea that KB-101 needs a new trial.",
        id="rejected-an-idea",
    ),
]


@pytest.mark.parametrize("text", NOT_EVENTS)
def test_not_events(text: str) -> None:
    doc = _read(text)
    [s] = doc.frame.sentences
    # the vocabulary saw the act's words: it is the assertion rules that refuse the act
    assert s.idx in doc.read
    assert {sp.label for sp in doc.spans[s.idx]} & {"ACTION", "DESIGNATION", "DOCTYPE"}
    assert find_cues(doc, s) == []


def test_cue_offsets_point_at_the_trigger() -> None:
    text = "Earlier, Corvane said that the FDA has granted Fast Track designation to KB-101."
    doc = _read(text)
    [cue] = find_cues(doc, doc.frame.sentences[0])
    assert text[cue.start : cue.end] == "Fast Track designation"
    assert cue.rule == "designation_granted"
