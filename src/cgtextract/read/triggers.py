"""Triggers: the regulatory acts a sentence states, their kind, and whether they happened."""

from __future__ import annotations

import re
from functools import cache

from cgtextract.read.document import Cue, DocState, Span
from cgtextract.read.layout import Sentence
from cgtextract.read.vocab import alternation, mapping, word_rx


@cache
def _hedge() -> re.Pattern[str]:
    """Words that make the act after them not (yet) happen (patterns/assertion.jsonl)."""
    return word_rx("assertion.jsonl", "HEDGE")


@cache
def _condition_scope() -> re.Pattern[str]:
    """'may be marketed only after it completes trials and is approved': a condition whose
    scope runs, without a comma, over the coordinated verbs that follow it."""
    words_ = alternation("assertion.jsonl", "HEDGE_SCOPE")
    return re.compile(rf"\b(?:{words_})\b[^,;:()]*$", re.I)


@cache
def _hedge_after() -> re.Pattern[str]:
    """'Approval of allogeneic products remains uncertain': doubt stated after the act."""
    doubt = alternation("assertion.jsonl", "HEDGE_AFTER")
    verbs = alternation("assertion.jsonl", "HEDGE_AFTER_VERB")
    return re.compile(
        rf"\S*\s+(?:[\w-]+\s+){{0,10}}?(?:{verbs})\s+(?:still\s+|to\s+be\s+)?(?:{doubt})\b", re.I
    )


@cache
def _not_regulator() -> re.Pattern[str]:
    return word_rx("assertion.jsonl", "NOT_REGULATOR")


@cache
def _several() -> re.Pattern[str]:
    """'approved in several countries': no agency is named, so no event."""
    several = alternation("assertion.jsonl", "SEVERAL")
    places = alternation("assertion.jsonl", "PLACES_WORD")
    return re.compile(rf"\b(?:{several})\s+(?:{places})\b", re.I)


@cache
def _not_trigger_after() -> re.Pattern[str]:
    """'a priority review voucher', 'Acceptance No.': the trigger word names another thing."""
    return re.compile(rf"\s*(?:{alternation('assertion.jsonl', 'NOT_TRIGGER_AFTER')})\b", re.I)


@cache
def _clause_break() -> re.Pattern[str]:
    """Where clauses meet: punctuation, ', and', ', which' ... (CLAUSE_OPENER), 'now that',
    'because', 'after', 'and' before a new subject or auxiliary, a table's cell border, and a
    closing attribution (', the Rockville-based company said'), whose date is the report's."""
    openers = alternation("grammar.jsonl", "CLAUSE_OPENER")
    subjects = alternation("grammar.jsonl", "CLAUSE_SUBJECT")
    auxiliaries = alternation("grammar.jsonl", "AUXILIARY")
    reporting = alternation("grammar.jsonl", "REPORTING_VERB")
    return re.compile(
        rf";|:\s|,\s+(?:{openers})\s+|,?\s+after\s+|\s+now that\s+|\s+because\s+|"
        r"\s+—\s+|\s+--\s+|\s\|\s|"
        rf"\s+and\s+(?=(?:{subjects}|{auxiliaries})\s)|"
        rf",\s+(?=(?:the\s+|a\s+)?[\w.,’'-]+(?:\s+[\w.’'-]+){{0,6}}\s+(?:{reporting})\b[^,;]{{0,30}}$)",
        re.I,
    )


_TRIAL_APPROVAL = re.compile(
    r"\s+(?:[\w'’-]+\s+){0,4}?(?:for|of|to)\s+(?:the\s+|a\s+|its\s+)?"
    # 'approval for a pivotal Phase II clinical trial'
    r"(?:(?:pivotal|registrational|first-in-human|Phase\s+[\w/]+)\s+){0,3}(?:clinical\s+"
    r"(?:trials?|studies|study)|(?:begin|start|initiate|conduct|commence)\s+(?:a\s+|the\s+|its\s+)?"
    r"(?:Phase|clinical|first-in-human)"
    # 'Approval to move forward with its clinical trials', 'approved its plan to test X in a
    # phase 1 study'
    r"|(?:move\s+forward|proceed|go\s+ahead)\s+with\s+(?:a\s+|the\s+|its\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:Phase|clinical|trials?|stud(?:y|ies))"
    r"|(?:further\s+)?(?:study|testing|evaluation)\s+in\s+(?:a\s+|the\s+)?(?:Phase|clinical|human)"
    r"|test\s+[^;.]{1,80}?\s+in\s+(?:a\s+|the\s+)?"
    r"(?:Phase|clinical|first-in-human))",
    re.I,
)


# 'the approval' with nothing of its own after it (no 'of X', 'for Y', 'from Z', 'in 2020')
_BARE_DEFINITE = re.compile(r"\bthe\s+$", re.I)


@cache
def _own_object() -> re.Pattern[str]:
    """'the approval of X', 'the approval was granted', 'the approval in 2020': what an act
    noun carries of its own after it."""
    words_ = alternation("grammar.jsonl", "OWN_OBJECT_WORD")
    return re.compile(rf"\s*(?:®|™)?\s*(?:{words_})\b|\s+[A-Z0-9]")


@cache
def _indefinite_filing() -> re.Pattern[str]:
    """'a BLA submission', 'an sBLA filing', 'accepted the BLA for filing': no filing of its
    own ('an earlier submission' is one)."""
    past = alternation("grammar.jsonl", "PAST_MODIFIER")
    return re.compile(
        rf"(?:\b(?:a|an)\s+(?!(?:{past})\b)(?:[\w-]+\s+){{0,2}}"
        r"|\b(?:accepted|accept|accepts)\b[^.;]{0,120}\bfor\s+)$",
        re.I,
    )


_NAME_APPROVED = re.compile(
    r"\s+(?:of\s+)?(?:the\s+|its\s+)?(?:trade|brand|proprietary|nonproprietary|generic)\s+names?\b"
    r"|[^,.;]{0,40}\bas\s+(?:the|its)\s+(?:[\w-]+\s+)?name\b"
)
_NAMING_BODY = re.compile(r"\b(?:USAN|INN)\b[^,.;]{0,30}$")
_PURPOSE = re.compile(r"\bfor\s+(?:[\w.-]+\s+){0,2}$", re.I)
_RECOMMENDED = re.compile(r"\brecommend\w*\s+(?:[\w-]+\s+){0,4}$", re.I)
_RESTATED_DET = re.compile(r"\b(?:that|this|these|those|such)\s+$", re.I)


_MODAL_DESIG_CONTEXT = re.compile(
    r"\b(?:eligib\w*|apply|applied|request\w*|seek\w*)\s+(?:for\s+)?(?:an?\s+|the\s+)?$", re.I
)


def find_cues(doc: DocState, s: Sentence) -> list[Cue]:
    """Completed regulatory acts in a sentence (assertion filtering included)."""
    spans = doc.spans[s.idx]
    text = s.text
    cues: list[Cue] = []
    actions = [sp for sp in spans if sp.label == "ACTION"]
    docs_ = [sp for sp in spans if sp.label == "DOCTYPE"]
    desigs = [sp for sp in spans if sp.label == "DESIGNATION"]
    for d in desigs:
        lo, hi = clause_bounds(s, d.start)
        holds = bool(
            word_rx("grammar.jsonl", "HOLDS").search(s.text, lo - s.start, d.start - s.start)
        )
        # a list item under 'has previously been granted the following designations:', and a
        # table row, which lists what happened
        holds = (
            holds
            or bool(s.intro and word_rx("grammar.jsonl", "GRANT_INTRO").search(s.intro))
            or bool(s.cells)
        )
        # 'X Fast Tracked for Y': the designation as a verb is the act itself
        holds = holds or d.text.lower().endswith("ed")
        if not holds and not any(
            lo - 40 <= a.start < hi + 40
            and (
                a.id in {"grant", "accept"}
                # 'approved the inclusion of X in its breakthrough therapy program'
                or (a.id == "approve" and a.text.lower().endswith(("ed", "es")))
            )
            for a in actions
        ):
            continue
        if _MODAL_DESIG_CONTEXT.search(text[: d.start - s.start]):
            continue
        if _not_trigger_after().match(text, d.end - s.start):
            continue
        if _hedged(s, d.start, actions):
            continue
        if cues and cues[-1].kind == d.id and d.start - cues[-1].end < 25:
            continue  # 'Breakthrough Therapy Designation (BTD)'
        cues.append(Cue(d.id, "designation", d.start, d.end, "designation_granted"))
    desig_ranges = [(d.start, d.end) for d in desigs]
    for a in actions:
        if a.id == "grant":
            kind = None
            if any(dc.id == "crl" for dc in docs_):
                kind = "crl"
            elif any(
                dc.id == "hold"
                and a.end <= dc.start <= a.end + 20
                and re.fullmatch(
                    r"\s+an?\s+(?:[\w-]+\s+)?", text[a.end - s.start : dc.start - s.start]
                )
                for dc in docs_
            ):
                # 'received a clinical hold letter from the FDA' (the hold's letter, 'the
                # formal hold letter', restates a hold told before)
                kind = "clinical_hold"
        else:
            kind = _action_kind(doc, s, a, docs_, desig_ranges)
        if kind is None or _not_trigger_after().match(text, a.end - s.start):
            continue
        filing = kind in {"ind_submission", "marketing_submission", "marketing_acceptance"}
        if _hedged(s, a.start, actions, filing) or _several().search(text):
            continue
        if kind == "approval" and (
            (_nominal(a) and _PURPOSE.search(text, 0, a.start - s.start))
            or _RECOMMENDED.search(text, 0, a.start - s.start)
            # 'approved the trade name Alofisel', 'the USAN Council approved the name ...'
            or _NAME_APPROVED.match(text, a.end - s.start)
            or _NAMING_BODY.search(text, max(0, a.start - s.start - 40), a.start - s.start)
        ):
            # 'submitted a BLA to the FDA for approval of X': what a filing seeks; 'has
            # recommended granting a marketing authorisation': an opinion (a CDE's
            # recommendation of a designation is the designation's notice: SCHEMA.md)
            continue
        lo, hi = clause_bounds(s, a.start)
        if _counted().search(doc.article.text, lo, hi):
            continue  # 'the CDE had accepted 58 clinical trial applications': a tally, no act
        if _other_actor(doc, s, a, lo, hi):
            continue  # an ethics committee or IRB approving a study is not a regulator's act
        if a.text.lower().endswith(("ance", "ion", "ing", "al")) and _RESTATED_DET.search(
            text[: a.start - s.start]
        ):
            continue
        if a.start - s.start < 12 and re.match(
            r"^(?:The|This|That)\s+\w+(?:ing|ance|ion|al)\b", text
        ):
            continue  # 'The lifting of the holds comes as ...' restates an act already told
        if _nominal(a) and _BASED_ON.match(text, a.end - s.start):
            continue  # 'The MAA submission was based on data from ...': what it held
        if _nominal(a) and not _named_in_clause(doc, s, a):
            continue  # 'Approval of allogeneic products remains ...': no agency, no product
        if (
            _nominal(a)
            and _BARE_DEFINITE.search(text, 0, a.start - s.start)
            and not _own_object().match(text, a.end - s.start)
        ):
            continue  # 'the conditions attached to the approval, ...': the act told before
        if (
            kind in {"ind_submission", "marketing_submission"}
            and (_nominal(a) or a.text.lower().endswith("ing"))
            and _indefinite_filing().search(text, 0, a.start - s.start)
        ):
            continue  # 'the timing of a BLA submission': a filing spoken of, none made
        if _nominal(a) and _among_steps(doc, s, a):
            continue  # 'runs approval, reimbursement assessment and price negotiation'
        if any(
            c.kind == kind
            and clause_bounds(s, c.start) == clause_bounds(s, a.start)
            and not _agency_between(spans, c.end, a.start)
            for c in cues
        ):
            continue
        cues.append(Cue(kind, kind, a.start, a.end, f"action_{a.id}"))
    for dc in docs_:
        if (
            dc.text.lower().startswith("clinical trial approval")
            and not any(c.kind == "ind_clearance" for c in cues)
            and not _hedged(s, dc.start, actions)
            and not _several().search(text)
        ):
            cues.append(
                Cue("ind_clearance", "ind_clearance", dc.start, dc.end, "trial_approval_notice")
            )
        # 'remains on clinical hold', "the FDA's partial clinical hold on X": a hold in place
        if (
            dc.id == "hold"
            and not any(c.kind in {"clinical_hold", "clinical_hold_lift"} for c in cues)
            and not any(sp.label == "ACTION" and sp.id == "lift" for sp in spans)
            and (
                _hold_in_place().search(doc.article.text, max(s.start, dc.start - 40), dc.start)
                # 'in response to a clinical hold by the FDA on X': the agency named after it
                or any(
                    sp.label == "REGULATOR"
                    and _HOLD_BY.fullmatch(text, dc.end - s.start, sp.start - s.start)
                    for sp in spans
                    if sp.start >= dc.end
                )
            )
            and not _hedged(s, dc.start, actions)
        ):
            cues.append(Cue("clinical_hold", "clinical_hold", dc.start, dc.end, "hold_in_place"))
        # 'a review that had ended with a Complete Response Letter in 2020': the letter is the
        # act, whatever verb brings it in, when its clause dates it or names its agency
        lo, hi = clause_bounds(s, dc.start)
        if (
            dc.id == "crl"
            and not any(c.kind == "crl" for c in cues)
            and not _hedged(s, dc.start, actions)
            and (
                any(lo <= s.start + d.start < hi for d in s.dates)
                or any(sp.label == "REGULATOR" and lo <= sp.start < hi for sp in spans)
            )
        ):
            cues.append(Cue("crl", "crl", dc.start, dc.end, "complete_response_letter_named"))
    cues += _gapped(s, spans, cues)
    return sorted(_drop_background_filings(s, cues), key=lambda c: c.start)


_GAP_AND = re.compile(r",?\s+and\s+(?:again\s+|later\s+|also\s+|then\s+)?(?:in|on)\s+")


def _gapped(s: Sentence, spans: list[Span], cues: list[Cue]) -> list[Cue]:
    """'approved X in September 2021 for A, and in October 2022 for B': the verb left out
    of the second conjunct repeats the act, with a date of its own."""
    out: list[Cue] = []
    if not cues or not _GAP_AND.search(s.text):
        return out
    starts = {d.start: d for d in s.dates}
    for c in cues:
        rel = c.end - s.start
        # the act is dated in its own words first ('in September 2021'), then gapped
        first = next((d for d in s.dates if d.start >= rel), None)
        if first is None:
            continue
        for m in _GAP_AND.finditer(s.text, first.end):
            d = starts.get(m.end())
            between = (s.start + rel, s.start + m.start())
            if d is None or any(
                sp.label in {"ACTION", "DESIGNATION"} and between[0] <= sp.start < between[1]
                for sp in spans
            ):
                break
            out.append(
                Cue(c.kind, c.event_type, s.start + d.start, s.start + d.end, "gapped_coordination")
            )
            c.until = s.start + m.start()
            break
    return out


_RELATIVE_OR_NOMINAL = re.compile(
    r"\b(?:that|which)\s+(?:[\w-]+\s+){0,4}$|\b(?:its|the|their|an?)\s+(?:[\w'’()-]+\s+){0,4}$",
    re.I,
)


_PASSIVE_SUBJECT = re.compile(
    r"[^,;.]{0,100}?\b(?:has|have|had)\s+been\b|[^,;.]{0,100}?\b(?:was|were)\b", re.I
)


def _drop_background_filings(s: Sentence, cues: list[Cue]) -> list[Cue]:
    """'accepted the BLA that X submitted', 'its NDA filing ... was granted Priority Review':
    a filing named only as the object of another act of the sentence, without a date of its
    own, is background to that act, not an event of its own."""
    others = [c for c in cues if c.event_type != "marketing_submission"]
    if not others:
        return cues
    out = []
    for c in cues:
        if c.event_type == "marketing_submission":
            lo, hi = clause_bounds(s, c.start)
            before = s.text[lo - s.start : c.start - s.start]
            # dated, in a clause of its own (a date beside another act is that act's)
            alone = not any(lo <= o.start < hi for o in others)
            dated = any(
                (alone and lo <= s.start + d.start < hi)
                # 'its BLA submission in December 2023 was granted Priority Review'
                or 0 <= s.start + d.start - c.end <= 6
                for d in s.dates
            )
            if not dated and _RELATIVE_OR_NOMINAL.search(before):
                continue
            after = [o.start for o in others if o.start > c.end]
            if (
                after
                and not any(c.end <= s.start + d.start < after[0] for d in s.dates)
                and _PASSIVE_SUBJECT.match(s.text, c.end - s.start, after[0] - s.start)
            ):
                continue  # 'NDA Filing for X has been granted Priority Review': its subject
        out.append(c)
    return out


def _other_actor(doc: DocState, s: Sentence, a: Span, lo: int, hi: int) -> bool:
    """Is the act's actor a body that is no regulator (an ethics committee, an IRB, the
    board)? Only where no agency stands between that body and the act: 'The Board is pleased
    to announce that the NMPA has accepted ...' is the NMPA's act."""
    agencies = [sp.start for sp in doc.spans[s.idx] if sp.label in {"REGULATOR", "COUNTRY"}]
    text = doc.article.text
    for m in _not_regulator().finditer(text, lo, hi):
        if m.start() >= a.end and not _BY_AGENT.search(text, a.end, m.start()):
            continue  # after the act, a body acts only as its agent ('approved by the IRB')
        x, y = (m.end(), a.start) if m.end() <= a.start else (a.end, m.start())
        if not any(x <= p < y for p in agencies):
            return True
    return False


_BY_AGENT = re.compile(r"\b(?:by|from)\s+(?:the\s+|its\s+|an?\s+)?(?:[\w'’-]+\s+){0,3}$", re.I)


def _nominal(a: Span) -> bool:
    """An act named by a noun ('approval', 'clearance') rather than a verb."""
    return bool(re.search(r"(?:al|ance|ion|ions|als)$", a.text.lower()))


_LIST_AFTER = re.compile(r"\s*,\s+[^,;.()]{2,50}?(?:,\s*[^,;.()]{2,50}?)*,?\s+and\s+[^,;.()]{2,50}")


def _among_steps(doc: DocState, s: Sentence, a: Span) -> bool:
    """A noun act listed first among nouns that are no regulatory acts ('approval,
    reimbursement assessment and price negotiation'): one step of a process, named."""
    m = _LIST_AFTER.match(doc.article.text, a.end, s.end)
    if not m:
        return False
    return not any(
        sp.label in {"ACTION", "DESIGNATION", "DOCTYPE", "REGULATOR"}
        and a.end <= sp.start < m.end()
        for sp in doc.spans[s.idx]
    )


def _named_in_clause(doc: DocState, s: Sentence, a: Span) -> bool:
    """A nominal act counts when its clause names the agency or the product."""
    lo, hi = clause_bounds(s, a.start)
    if any(sp.label in {"REGULATOR", "COUNTRY"} and lo <= sp.start < hi for sp in doc.spans[s.idx]):
        return True
    if any(lo <= m.start < hi for m in doc.products[s.idx]):
        return True
    return bool(
        re.search(
            r"\b(?:the agency|the regulator|its|the drug|the therapy)\b",
            doc.article.text[lo:hi],
            re.I,
        )
    )


def _agency_between(spans: list[Span], lo: int, hi: int) -> bool:
    """'the FDA approval ... and the UK MHRA authorisation': two acts of one kind, two agencies."""
    return any(sp.label in {"REGULATOR", "COUNTRY"} and lo <= sp.start < hi for sp in spans)


def _action_kind(
    doc: DocState, s: Sentence, a: Span, docs_: list[Span], desig_ranges: list[tuple[int, int]]
) -> str | None:
    """Which event an action word denotes, from the document types in its clause."""
    lo, hi = clause_bounds(s, a.start)
    near = [dc for dc in docs_ if lo - 60 <= dc.start <= hi + 10]
    kinds = {dc.id for dc in near}
    if not kinds:
        kinds = _previous_doctypes(doc, s)
    if kinds <= {"application"}:
        # China's acceptance numbers say what was filed ('CXSL2200586' is a clinical trial
        # application, 'CXSS' a marketing one): the number in the act's clause, else sentence
        numbered = _numbered_kind(doc.article.text, lo, hi) or _numbered_kind(
            s.text, 0, len(s.text)
        )
        if numbered:
            kinds = {numbered}
    if kinds <= {"application"}:
        # a bare 'application' is the one the sentence or the text just before names
        named = {dc.id for dc in docs_} & {"ind", "cta", "marketing"}
        kinds = kinds | (named or _previous_doctypes(doc, s))
        if kinds & {"ind", "cta", "marketing"}:
            kinds = kinds - {"application"}
    act = a.id
    regs = [sp.id for sp in doc.spans[s.idx] if sp.label in {"REGULATOR", "COUNTRY"}]
    # China's CDE 'accepts' an IND when it is filed (SCHEMA.md): the act's agency, or the
    # text's own agency when the sentence names none
    china = "NMPA" in regs or (
        not regs and (_previous_agency(doc, s) or doc.home_regulator) == "NMPA"
    )
    if (
        act in {"lift", "place"}
        and "hold" not in kinds
        and re.search(
            r"\b(?:it|the hold|the clinical hold)\s+(?:was|had been|has been)\s+$",
            s.text[: a.start - s.start],
        )
    ):
        # '... lifted the clinical hold in November, two months after it was imposed'
        kinds = kinds | {dc.id for dc in docs_ if dc.id == "hold"}
    if act == "reject":
        # 'the FDA rejected the BLA', 'had previously rejected X': a complete response
        if kinds & {"marketing", "application"}:
            return "crl"
        # no application named: the product must be what was rejected ('rejected X'), not
        # 'rejected the idea that ...'
        text_ = doc.article.text
        rejected = [
            m
            for m in doc.products[s.idx]
            if a.end <= m.start <= a.end + 30 and _REJECTED_OBJECT.fullmatch(text_, a.end, m.start)
        ]
        return "crl" if not kinds and rejected else None
    if act == "lift":
        return "clinical_hold_lift" if "hold" in kinds else None
    if act == "place":
        if "hold" in kinds:
            return "clinical_hold"
        return "crl" if "crl" in kinds else None
    if "hold" in kinds and act in {"approve", "clear", "accept", "submit"}:
        kinds = kinds - {"hold"}
    if act == "submit":
        if kinds & {"ind", "cta"}:
            return "ind_submission"
        if kinds & {"marketing", "application"} or a.text.lower().endswith("approval"):
            return "marketing_submission"  # 'applied for marketing approval'
        return None
    if act == "accept":
        if not near and any(lo <= x <= hi for x, _ in desig_ranges):
            return None  # 'accepted into the PRIME scheme' is the designation itself
        if not kinds and _TRIAL_APPROVED.search(s.text):
            # 'the ... injection accepted on 29 April 2025 meets the requirements, and a
            # clinical trial is approved': the application accepted is the trial's
            kinds = {"ind"}
        if kinds & {"ind", "cta"}:
            return "ind_submission" if china else "ind_clearance"
        if kinds & {"marketing", "application"}:
            return "marketing_acceptance"
        return None
    if act == "clear":
        if _FOR_MARKET.match(doc.article.text, a.end, hi):
            return "approval"  # 'cleared for market in Europe', 'cleared for sale'
        if _TO_RESUME.match(doc.article.text, a.end, hi):
            return "clinical_hold_lift"  # 'cleared the trial to resume': the hold lifted
        return "ind_clearance"
    if act == "effective":  # 'the CTN became effective': a notification scheme lets the trial start
        own = {dc.id for dc in docs_ if lo <= dc.start < hi}  # its own clause's, not 'the Act'
        if own & {"ind", "cta"}:
            return "ind_clearance"
        # 'the FDA has allowed the Phase 1 study of X to proceed': an agency lets a trial start
        allowed = _allowed_trial().search(doc.article.text, lo, a.start)
        return "ind_clearance" if allowed and regs else None
    if act == "approve":
        # 'approved for Breakthrough Therapy designation' is the designation; a designation
        # fronted before a comma ('Following a Priority Review, X has approved') is not
        fronted = [x for x, _ in desig_ranges if lo <= x < a.start]
        if any(a.start <= x <= hi for x, _ in desig_ranges) or any(
            "," not in doc.article.text[x : a.start] for x in fronted
        ):
            return None
        if desig_ranges and not near and not any(lo <= m.start < hi for m in doc.products[s.idx]):
            return None  # 'Approved by the CDE, included in breakthrough therapy varieties'
        if _attributive().search(doc.article.text, max(lo, a.start - 40), a.end + 30) and (
            a.text.lower() == "approved"
        ):
            return None  # 'the approved trial of X', 'the world's first approved CAR-T
        if _APPLICATION_FOR.search(doc.article.text, max(lo, a.start - 60), a.start):
            return None  # 'an application for manufacturing and marketing approval'

        if kinds & {"ind", "cta"}:
            return "ind_clearance"
        if _TRIAL_APPROVAL.match(doc.article.text, a.end, hi) or _TRIAL_SUBJECT.search(
            doc.article.text, lo, a.start
        ):
            # 'approval for clinical trials', 'approved to start a trial', 'a clinical trial in
            # the new indication is approved'
            return "ind_clearance"

        if a.text.lower() == "in place":
            return None
        return "approval"
    return None


# 'approved' as an adjective: 'the approved trial', "the world's first approved CAR-T",
# 'FDA-approved therapies'
@cache
def _attributive() -> re.Pattern[str]:
    """'approved' as an adjective before a noun: 'the approved trial', 'FDA-approved X'; and
    a superlative's 'the first gene therapy product to be approved in Japan'."""
    dets = alternation("grammar.jsonl", "ATTRIBUTIVE_DET")
    return re.compile(
        r"\b(?:first|only|second|third|last)\s+(?:[\w-]+\s+){0,5}to\s+be\s+approved\b|"
        rf"(?:\b(?:{dets}|\d+)\s+(?:[a-z]+ly\s+)?|-)approved\s+"
        r"(?!by\b|for\b|in\b|on\b|to\b|as\b|under\b|with\b|the\b|a\b|an\b|its\b)[a-z][\w-]*",
        re.I,
    )


_APPLICATION_FOR = re.compile(r"\bapplications?\s+for\s+(?:[\w-]+\s+){0,4}$", re.I)


@cache
def _counted() -> re.Pattern[str]:
    """'58 clinical trial applications', 'the number of cell therapy clinical trial
    applications': a tally of acts, not one act."""
    nouns = alternation("grammar.jsonl", "COUNTED_NOUN")
    tally = alternation("grammar.jsonl", "TALLY_WORD")
    # the noun as written: 'Medical Products Administration' counts nothing
    return re.compile(rf"\b(?:\d+|(?i:{tally}))\s+(?:[\w-]+\s+){{0,4}}(?:{nouns})\b")


# 'rejected X', 'rejected the company's X': the product is the object, no clause between
_REJECTED_OBJECT = re.compile(r"\s+(?:(?:the|its|their)\s+)?(?:(?!that\b)[\w'’-]+\s+){0,2}?")


@cache
def _allowed_trial() -> re.Pattern[str]:
    """'the FDA has allowed the Phase 1 study of X to proceed': an agency lets a trial start."""
    verbs = alternation("grammar.jsonl", "ALLOW_VERB")
    return re.compile(
        rf"\b(?:{verbs})\s+(?:the\s+|its\s+|a\s+)?[^.;]{{0,60}}?\b(?:study|trial)\b[^.;]{{0,60}}$",
        re.I,
    )


@cache
def _hold_in_place() -> re.Pattern[str]:
    """'remains on clinical hold', "the FDA's partial clinical hold": a hold in place."""
    verbs = alternation("grammar.jsonl", "STATUS_VERB")
    return re.compile(
        rf"(?:\b(?:{verbs})\s+(?:on|under)\s+(?:an?\s+)?"
        r"|\b(?:FDA|agency|regulator)['’]s\s+)(?:partial\s+|full\s+)?$",
        re.I,
    )


_TRIAL_APPROVED = re.compile(
    r"\bclinical\s+trials?\b[^.;]{0,80}\b(?:approved|cleared|permitted|allowed)\b", re.I
)
_HOLD_BY = re.compile(r"\s+(?:letter\s+)?(?:by|from)\s+(?:the\s+)?(?:U\.?S\.?\s+)?")
_BASED_ON = re.compile(r"[^,;.]{0,60}?\s(?:was|is|were)\s+based\s+on\b")
_TO_RESUME = re.compile(r"\s+(?:[\w'’-]+\s+){0,4}?to\s+resume\b")
_FOR_MARKET = re.compile(
    r"\s+(?:\w+\s+){0,3}?for\s+(?:the\s+)?(?:market|marketing|sale|commercial)\b"
)
_TRIAL_SUBJECT = re.compile(r"\bclinical\s+(?:trials?|stud(?:y|ies))\b[^,;]{0,60}$", re.I)


@cache
def _application_number() -> tuple[re.Pattern[str], dict[str, str]]:
    table = mapping("grammar.jsonl", "APPLICATION_NUMBER")
    return re.compile(rf"\b({'|'.join(table)})\d{{5,}}"), table


def _numbered_kind(text: str, lo: int, hi: int) -> str | None:
    """The document type an application number's prefix states, if the span holds one."""
    rx, table = _application_number()
    m = rx.search(text, lo, hi)
    return table[m.group(1)] if m else None


def _previous_agency(doc: DocState, s: Sentence) -> str | None:
    """'... received a clinical trial approval notice from the NMPA. The application had been
    accepted on ...': the agency the paragraph named last, before this sentence."""
    prev = [x for x in doc.frame.sentences if x.para == s.para and x.idx < s.idx]
    for x in reversed(prev[-2:]):
        regs = [sp.id for sp in doc.spans[x.idx] if sp.label in {"REGULATOR", "COUNTRY"}]
        if regs:
            return regs[-1]
    return None


def _previous_doctypes(doc: DocState, s: Sentence) -> set[str]:
    """'That acceptance followed an earlier submission': the application named just before."""
    prev = [x for x in doc.frame.sentences if x.para in (s.para, s.para - 1) and x.idx < s.idx]
    for x in reversed(prev[-2:]):
        kinds = {
            sp.id
            for sp in doc.spans[x.idx]
            if sp.label == "DOCTYPE" and sp.id in {"ind", "cta", "marketing"}
        }
        if kinds:
            return kinds
    return set()


def clause_breaks(s: Sentence, spans: list[Span]) -> list[tuple[int, int]]:
    """Where a sentence's clauses meet: conjunctions and punctuation, and the comma before each
    verb of a list of acts ('granted X in March 2022, accepted the sBLA, and placed it under
    Priority Review in December 2023': three clauses, three dates)."""
    breaks = [(m.start(), m.end()) for m in _clause_break().finditer(s.text)]
    for sp in spans:
        if sp.label == "ACTION" and _is_verb_form(sp.text):
            rel = sp.start - s.start
            m = _LIST_COMMA.search(s.text, max(0, rel - 8), rel)
            # 'RPD designation, granted in August 2020': a participle after the designation
            # it qualifies begins no clause
            after_noun = m is not None and any(
                x.label in {"DESIGNATION", "DOCTYPE"}
                and x.end <= s.start + m.start()
                and _NOUN_TAIL.fullmatch(s.text, x.end - s.start, m.start())
                for x in spans
            )
            if m and not after_noun:
                breaks.append((m.start(), m.end()))
    return sorted(set(breaks))


def _is_verb_form(word: str) -> bool:
    """'granted', 'accepted', and the irregular 'won', 'wins', 'got': an act as a verb, not a
    noun ('approval', 'clearance')."""
    low = word.lower()
    return low.endswith("ed") or low in _IRREGULAR_ACTS


_IRREGULAR_ACTS = frozenset(("won", "wins", "got", "gets", "gave"))
_NOUN_TAIL = re.compile(r"\s*(?:\([A-Za-z0-9-]{2,10}\))?\s*(?:designations?|status)?\s*", re.I)
_LIST_COMMA = re.compile(r",\s+(?:and\s+)?$")


def clause_bounds(s: Sentence, pos: int) -> tuple[int, int]:
    """Absolute bounds of the clause around `pos`."""
    rel = pos - s.start
    lo, hi = 0, len(s.text)
    if s.clause_breaks is None:
        s.clause_breaks = [(m.start(), m.end()) for m in _clause_break().finditer(s.text)]
    for b_start, b_end in s.clause_breaks:
        if b_end <= rel:
            lo = b_end
        elif b_start >= rel:
            hi = b_start
            break
    return s.start + lo, s.start + hi


def _hedged(s: Sentence, pos: int, actions: list[Span], filing: bool = False) -> bool:
    """A future, modal, conditional, negated or requested act: not an event. ('Under review'
    after a filing is where a filing stands, not a doubt about it.)"""
    lo, hi = clause_bounds(s, pos)
    if not filing and _hedge_after().match(s.text, pos - s.start, hi - s.start):
        return True  # 'Approval of allogeneic products remains uncertain'
    if s.text.lstrip().lower().startswith(("if ", "when ", "once ", "should ", "upon ")):
        return True
    if _condition_scope().search(s.text, 0, pos - s.start):
        return True
    w_lo, w_hi = lo - s.start, pos - s.start
    window = s.text[w_lo:w_hi]
    if not _hedge().search(" ".join(window.split())):
        return False  # no hedge word at all: the dates need not be looked at
    for d in reversed(s.dates):  # 'In May 2020' is a date, not a modal
        if w_lo <= d.start and d.end <= w_hi:
            window = window[: d.start - w_lo] + " DATE " + window[d.end - w_lo :]
    words = window.split()
    return bool(_hedge().search(" ".join(words[-12:])))
