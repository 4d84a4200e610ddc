#!/usr/bin/env python3
"""Throughput and memory of cgtextract on generated press-release pages.

    python scripts/bench.py                 # 1000 pages, table
    python scripts/bench.py --n 200 --json  # fewer pages, machine-readable
    python scripts/bench.py --out bench-out # keep the generated pages

Generates N realistic press-release HTML pages (20-30 KB each: wire datelines, navigation,
sidebars with regulatory-sounding links, quotes, About sections, forward-looking boilerplate)
from a seed, writing them to disk one at a time. Then each phase runs in its own fresh
subprocess (`--phase NAME`), so that its peak RSS is its own:

  trafilatura  trafilatura.bare_extraction(html, with_metadata=True) per page (the floor)
  extract      clean_html + extract per page: HTML -> events
  run          cgtextract.pipeline.run over the files into a fresh SQLite database

Every phase reads pages from disk one at a time and never holds them all. Set-up (imports,
building the spaCy pipeline on a first page, creating the database) is timed apart from the
measured loop, which covers every page including the first.

Standard library only, plus the project's own dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any

DEFAULT_N = 1000
DEFAULT_SEED = 20260104
MANIFEST = "manifest.json"
PHASES = ("trafilatura", "extract", "run", "run2", "paired")

# ---------------------------------------------------------------------------------------------
# Vocabulary for the generator
# ---------------------------------------------------------------------------------------------
# fmt: off

_NAME_HEADS = [
    "Aster", "Bright", "Cellora", "Genexa", "Helixon", "Immunova", "Kairos", "Lumeris", "Novagen",
    "Orion", "Regenix", "Sinocell", "Tessera", "Vireo", "Zetagen", "Quantum", "Meridian", "Solace",
    "Arbor", "Cedar", "Everest", "Jade", "Lotus", "Nordic", "Pacific", "Harbor", "Summit",
    "Gracen", "Yuanxin", "Hengrui Cell", "Bellwether", "Calyx",
]
_NAME_TAILS = ["", "Bio", "gen", " Cell", " Gene", "Cure", " Immune", "Thera", " Medicine"]
_LEGAL = [
    "Therapeutics, Inc.", "Biotherapeutics Co., Ltd.", "Bio, Inc.", "Biosciences, Inc.",
    "Pharmaceuticals Ltd.", "Medicines plc", "Biotech AG", "Therapeutics Corporation",
    "Biopharma Co., Ltd.", "Therapeutics K.K.", "Biologics Inc.", "Therapeutics SA",
]
_PLACES = [
    ("SHANGHAI", "Shanghai, China", "CN"),
    ("NANJING, China", "Nanjing, China", "CN"),
    ("SUZHOU, China", "Suzhou, China", "CN"),
    ("BEIJING", "Beijing, China", "CN"),
    ("HONG KONG", "Hong Kong", "CN"),
    ("CAMBRIDGE, Mass.", "Cambridge, Massachusetts", "US"),
    ("SAN DIEGO", "San Diego, California", "US"),
    ("SOUTH SAN FRANCISCO, Calif.", "South San Francisco, California", "US"),
    ("PHILADELPHIA", "Philadelphia, Pennsylvania", "US"),
    ("NEW YORK", "New York", "US"),
    ("SEATTLE", "Seattle, Washington", "US"),
    ("BOSTON", "Boston, Massachusetts", "US"),
    ("LONDON", "London, United Kingdom", "UK"),
    ("OXFORD, England", "Oxford, UK", "UK"),
    ("BASEL, Switzerland", "Basel, Switzerland", "EU"),
    ("PARIS", "Paris, France", "EU"),
    ("LEIDEN, the Netherlands", "Leiden, the Netherlands", "EU"),
    ("TOKYO", "Tokyo, Japan", "JP"),
    ("OSAKA, Japan", "Osaka, Japan", "JP"),
    ("SEOUL, South Korea", "Seoul, Korea", "KR"),
    ("TORONTO", "Toronto, Canada", "CA"),
    ("MELBOURNE, Australia", "Melbourne, Australia", "AU"),
]
_FIRST = [
    "Wei", "Li", "Sarah", "James", "Maria", "Hiroshi", "Anna", "David", "Jun", "Emily", "Thomas",
    "Yuki", "Laura", "Michael", "Xin", "Priya", "Lukas", "Olivia", "Min-jun",
]
_LAST = [
    "Zhang", "Chen", "Miller", "Johnson", "Tanaka", "Schmidt", "Wang", "Garcia", "Kim", "Liu",
    "Brown", "Sato", "Dubois", "Patel", "Novak", "Rossi", "Huang", "Andersen",
]
_TITLES = [
    "Chief Executive Officer", "Chief Medical Officer", "President and Chief Executive Officer",
    "Chief Scientific Officer", "Founder and Chairman", "Head of Research and Development",
    "Senior Vice President, Clinical Development",
]

# (modality phrase, cell therapy?, kind of targets, disease family)
_MODALITIES = [
    ("autologous CAR-T cell therapy", True, "antigen", "heme"),
    ("allogeneic, off-the-shelf CAR-T cell therapy", True, "antigen", "heme"),
    ("CAR-T cell therapy", True, "solid", "solid"),
    ("allogeneic CAR-NK cell therapy", True, "antigen", "heme"),
    ("TCR-T cell therapy", True, "tcr", "solid"),
    ("tumor-infiltrating lymphocyte (TIL) therapy", True, None, "solid"),
    ("adeno-associated virus (AAV) gene therapy", False, "gene", "genetic"),
    ("lentiviral gene therapy", False, "gene", "genetic"),
    ("CRISPR/Cas9 gene-edited autologous hematopoietic stem cell therapy", True, "edit", "blood"),
    ("iPSC-derived cell therapy", True, None, "neuro"),
    ("mesenchymal stem cell therapy", True, None, "inflam"),
    ("oncolytic virus", False, None, "solid"),
]
_TARGETS = {
    "antigen": ["BCMA", "CD19", "CD22", "CD19/CD22", "CD7", "CD70", "GPRC5D", "CD19/BCMA"],
    "solid": ["CLDN18.2", "GPC3", "HER2", "mesothelin", "B7-H3", "GD2", "EGFR"],
    "tcr": ["MAGE-A4", "NY-ESO-1", "AFP", "HPV16 E7"],
    "gene": ["SMN1", "RPE65", "F9", "GAA", "micro-dystrophin", "GBA1", "ARSA", "CLN2"],
    "edit": ["BCL11A", "HBB"],
}
_DISEASES = {
    "heme": [
        "relapsed or refractory multiple myeloma",
        "relapsed/refractory B-cell acute lymphoblastic leukemia",
        "large B-cell lymphoma",
        "mantle cell lymphoma",
        "T-cell acute lymphoblastic leukemia",
        "chronic lymphocytic leukemia",
    ],
    "solid": [
        "advanced gastric cancer",
        "hepatocellular carcinoma",
        "synovial sarcoma",
        "pancreatic cancer",
        "mesothelioma",
        "glioblastoma",
        "non-small cell lung cancer",
        "metastatic melanoma",
        "neuroblastoma",
    ],
    "genetic": [
        "spinal muscular atrophy",
        "Duchenne muscular dystrophy",
        "hemophilia B",
        "Pompe disease",
        "Leber congenital amaurosis",
        "metachromatic leukodystrophy",
        "X-linked severe combined immunodeficiency",
        "Sanfilippo syndrome type A",
        "Fabry disease",
        "Gaucher disease",
    ],
    "blood": ["sickle cell disease", "transfusion-dependent beta thalassemia"],
    "neuro": ["Parkinson's disease", "amyotrophic lateral sclerosis", "retinitis pigmentosa"],
    "inflam": [
        "acute respiratory distress syndrome",
        "steroid-refractory acute graft-versus-host disease",
        "knee osteoarthritis",
        "Crohn's perianal fistula",
    ],
}
_INN_STEMS = ["zevor", "equecab", "relma", "inati", "tabele", "obecab", "varno", "lisoca"]

# regulator code -> (first mention, later mention, which kinds it takes)
_REGULATORS: dict[str, tuple[str, str, list[str]]] = {
    "FDA": (
        "the U.S. Food and Drug Administration (FDA)",
        "the FDA",
        [
            "ind_clearance",
            "rmat",
            "fast_track",
            "orphan_drug",
            "rare_pediatric_disease",
            "breakthrough_therapy",
            "approval",
            "clinical_hold_lift",
            "marketing_acceptance",
        ],
    ),
    "NMPA": (
        "China's National Medical Products Administration (NMPA)",
        "the NMPA",
        ["ind_submission", "ind_clearance", "breakthrough_therapy", "approval"],
    ),
    "EMA": (
        "the European Medicines Agency (EMA)",
        "the EMA",
        ["prime", "marketing_acceptance"],
    ),
    "EC": ("the European Commission (EC)", "the EC", ["approval", "orphan_drug"]),
    "MHLW": (
        "Japan's Ministry of Health, Labour and Welfare (MHLW)",
        "the MHLW",
        ["approval", "sakigake", "orphan_drug"],
    ),
    "HC": ("Health Canada", "Health Canada", ["ind_clearance", "approval"]),
    "MHRA": (
        "the UK Medicines and Healthcare products Regulatory Agency (MHRA)",
        "the MHRA",
        ["ind_clearance", "innovation_passport"],
    ),
    "MFDS": (
        "Korea's Ministry of Food and Drug Safety (MFDS)",
        "the MFDS",
        ["ind_clearance", "orphan_drug"],
    ),
    "TGA": ("Australia's Therapeutic Goods Administration (TGA)", "the TGA", ["approval"]),
}
_HOME_REGULATOR = {
    "CN": "NMPA",
    "US": "FDA",
    "UK": "MHRA",
    "EU": "EMA",
    "JP": "MHLW",
    "KR": "MFDS",
    "CA": "HC",
    "AU": "TGA",
}
_DESIGNATION_NAMES = {
    "rmat": ["Regenerative Medicine Advanced Therapy (RMAT) designation", "RMAT designation"],
    "fast_track": ["Fast Track designation", "Fast Track Designation (FTD)"],
    "orphan_drug": [
        "Orphan Drug Designation (ODD)",
        "orphan drug designation",
        "Orphan Drug designation",
    ],
    "rare_pediatric_disease": [
        "Rare Pediatric Disease Designation (RPDD)",
        "Rare Pediatric Disease designation",
    ],
    "breakthrough_therapy": [
        "Breakthrough Therapy Designation (BTD)",
        "Breakthrough Therapy designation",
    ],
    "prime": ["PRIority MEdicines (PRIME) designation", "PRIME eligibility"],
    "sakigake": ["SAKIGAKE designation"],
    "innovation_passport": [
        "an Innovation Passport under the Innovative Licensing and Access Pathway (ILAP)"
    ],
}

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
_AP_MONTHS = [
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
    "Dec.",
]
_SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_REGISTRY_LIKE = (
    "NCT",
    "CTR",
    "HGB",
    "MMY",
    "LTF",
    "CRB",
    "FY",
    "ISO",
    "IL",
    "TYP",
    "PHA",
    "Q",
    "H",
    "G",
    "COV",
    "SAR",
)

_FILLER = [
    "{product} is designed to address the limitations of currently available treatments, "
    "including limited durability of response and the need for repeated dosing.",
    "Preclinical studies of {product} demonstrated robust expansion and persistence in vivo, "
    "with a favorable safety profile across multiple dose levels.",
    "The Phase 1/2 study is a multicenter, open-label, dose-escalation and dose-expansion trial "
    "evaluating the safety, tolerability and preliminary efficacy of {product}.",
    "Patients with {disease} continue to face a high unmet medical need, and outcomes for those "
    "who relapse after standard therapy remain poor.",
    "The primary endpoints of the study include the incidence of dose-limiting toxicities and "
    "the recommended Phase 2 dose; secondary endpoints include overall response rate, duration "
    "of response and progression-free survival.",
    "{company_short} has built an integrated platform spanning discovery, process development, "
    "GMP manufacturing and clinical development.",
    "The company's manufacturing facility in {city} has a designed annual capacity sufficient "
    "to support late-stage clinical trials and initial commercial supply.",
    "Data from the investigator-initiated trial were presented at the annual meeting of the "
    "American Society of Hematology and showed encouraging early activity.",
    "As of the data cut-off date, a total of {k} patients had been dosed, and no dose-limiting "
    "toxicities or treatment-related deaths had been observed.",
    "Cytokine release syndrome was reported in a minority of patients and was mostly grade 1 or "
    "grade 2, manageable with standard supportive care.",
    "The company continues to enroll patients at leading academic medical centers and expects "
    "to share additional clinical data at an upcoming medical conference.",
    "Cell and gene therapies have transformed the treatment landscape for several hematologic "
    "malignancies, yet access remains limited by manufacturing complexity and cost.",
    "The proprietary manufacturing process shortens vein-to-vein time and yields a consistent "
    "product with a high proportion of memory-like T cells.",
    "Under the collaboration agreement, {company_short} retains global development and "
    "commercialization rights outside Greater China.",
    "The study is being conducted at {k} clinical sites and is expected to enroll approximately "
    "{k2} patients.",
    "Researchers observed durable engraftment and sustained expression of the transgene at the "
    "latest follow-up visit.",
    "Early-phase data suggest that a single administration may provide long-lasting benefit, "
    "potentially reducing the burden of chronic treatment for patients and caregivers.",
    "The company's pipeline includes several additional programs in hematologic malignancies, "
    "solid tumors and autoimmune diseases, each at different stages of development.",
]
_QUOTES = [
    "This milestone reflects the dedication of our team and the strength of our science, and "
    "it brings us one step closer to patients who urgently need new options.",
    "We are encouraged by the regulator's recognition of the potential of {product}, and we look "
    "forward to working closely with the agency as we advance the program.",
    "Patients living with {disease} have very limited treatment options, and we believe "
    "{product} has the potential to change the course of their disease.",
    "The data generated to date give us confidence in the differentiated profile of our "
    "platform, and we remain focused on rapid and disciplined execution.",
    "We thank the patients, families and investigators who have participated in our studies; "
    "their commitment makes progress like this possible.",
]
_FLS = (
    "This press release contains forward-looking statements within the meaning of the Private "
    "Securities Litigation Reform Act of 1995, including, without limitation, statements "
    "regarding the clinical development of {product}, the timing of regulatory submissions and "
    "interactions, the potential benefits of regulatory designations, the therapeutic potential "
    "and safety profile of {company_short}'s product candidates, and the company's plans, "
    'strategies and expectations. Words such as "anticipate," "believe," "could," '
    '"estimate," "expect," "intend," "may," "plan," "potential," "predict," '
    '"project," "should," "target," "will," "would" and similar expressions are '
    "intended to identify forward-looking statements, although not all forward-looking "
    "statements contain these identifying words. Forward-looking statements are based on "
    "management's current expectations and are subject to risks and uncertainties that could "
    "cause actual results to differ materially, including risks related to the initiation, "
    "timing, progress and results of clinical trials; the ability to obtain and maintain "
    "regulatory approvals; manufacturing and supply; competition; intellectual property; the "
    "impact of public health emergencies; and the company's ability to raise additional "
    "capital. These and other risks are described in greater detail in the company's filings "
    "with securities regulators. Any forward-looking statement speaks only as of the date on "
    "which it was made, and, except as required by law, {company_short} undertakes no "
    "obligation to update or revise any forward-looking statement, whether as a result of new "
    "information, future events or otherwise."
)
_RELATED = [
    "FDA grants RMAT designation to {code} for heart failure",
    "NMPA clears IND for {code} CAR-T in lupus nephritis",
    "{code} receives FDA Orphan Drug Designation for retinitis pigmentosa",
    "FDA lifts clinical hold on {code} gene therapy trial",
    "EMA grants PRIME to {code} for sickle cell disease",
    "European Commission approves {code} for beta thalassemia",
    "Fast Track Designation granted to {code} in Duchenne muscular dystrophy",
    "BLA for {code} accepted with Priority Review",
    "Health Canada approves {code} for large B-cell lymphoma",
    "{code} IND application accepted by China's CDE",
    "Japan's MHLW approves {code} for spinal muscular atrophy",
    "Q3 earnings: revenue from CAR-T products rises 40%",
    "Cell therapy CDMO raises $120 million Series C",
]
_NAV = [
    "Home", "News", "Press Releases", "Regulatory", "Cell & Gene Therapy", "Oncology",
    "Rare Disease", "Clinical Trials", "Deals", "Manufacturing", "Policy", "Events", "Webinars",
    "Podcasts", "Jobs", "Subscribe", "About Us", "Contact", "Advertise", "Newsletters",
]

# fmt: on

# ---------------------------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------------------------


def _code(rng: random.Random) -> str:
    """A product code shaped like the real ones: AB-123, XY0456, ABC-1011, KX-C201."""
    while True:
        letters = "".join(
            rng.choice("ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(rng.choice([2, 2, 3]))
        )
        if not letters.startswith(_REGISTRY_LIKE):
            break
    form = rng.randrange(4)
    if form == 0:
        return f"{letters}-{rng.randint(100, 999)}"
    if form == 1:
        return f"{letters}{rng.randint(1, 9999):04d}"
    if form == 2:
        return f"{letters}-{rng.randint(1000, 9999)}"
    return f"{letters}-{rng.choice('CDGTX')}{rng.randint(100, 999)}"


def _date_text(rng: random.Random, d: date, precision: str = "day") -> str:
    if precision == "month":
        return rng.choice([f"{_MONTHS[d.month - 1]} {d.year}", f"{_MONTHS[d.month - 1]}, {d.year}"])
    if precision == "quarter":
        q = ["first", "second", "third", "fourth"][(d.month - 1) // 3]
        return rng.choice([f"the {q} quarter of {d.year}", f"Q{(d.month - 1) // 3 + 1} {d.year}"])
    if precision == "year":
        return str(d.year)
    return rng.choice(
        [
            f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
            f"{_AP_MONTHS[d.month - 1]} {d.day}, {d.year}",
            f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
            f"{_SHORT_MONTHS[d.month - 1]} {d.day:02d}, {d.year}",
        ]
    )


def _dateline(rng: random.Random, place: str, d: date) -> str:
    style = rng.randrange(5)
    if style == 0:
        return f"{place}, {_AP_MONTHS[d.month - 1]} {d.day}, {d.year} /PRNewswire/ -- "
    if style == 1:
        return f"{place}, {_MONTHS[d.month - 1]} {d.day:02d}, {d.year} (GLOBE NEWSWIRE) -- "
    if style == 2:
        return f"{place}--(BUSINESS WIRE)--{_MONTHS[d.month - 1]} {d.day}, {d.year}--"
    if style == 3:
        return f"{place.title()}, {d.day} {_MONTHS[d.month - 1]} {d.year} – "
    return f"{place}, {_AP_MONTHS[d.month - 1]} {d.day}, {d.year} /PRNewswire-Asia/ -- "


class _Page:
    """Everything one generated release is about, drawn from one seeded Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        head = rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS)
        self.company_short = head
        self.company = f"{head} {rng.choice(_LEGAL)}"
        self.dateline_place, self.city, self.country = rng.choice(_PLACES)
        self.home = _HOME_REGULATOR[self.country]
        self.ticker = "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVWXYZ") for _ in range(4))
        self.modality, self.is_cell, target_kind, family = rng.choice(_MODALITIES)
        self.target = rng.choice(_TARGETS[target_kind]) if target_kind else None
        self.disease = rng.choice(_DISEASES[family])
        self.product = _code(rng)
        self.inn = (
            (
                rng.choice(_INN_STEMS)
                + rng.choice(["cabtagene autoleucel", "gene parvovec", "temcel", "leucel"])
            )
            if rng.random() < 0.3
            else None
        )
        self.other_products = [_code(rng) for _ in range(3)]
        self.published = date(2016, 1, 1) + timedelta(days=rng.randrange(3650))
        self.planted = 0
        self.first_mention: set[str] = set()

    def reg(self, code: str) -> str:
        first, later, _ = _REGULATORS[code]
        if code in self.first_mention:
            return later
        self.first_mention.add(code)
        return first

    def product_desc(self) -> str:
        target = f"{self.target}-targeted " if self.target else ""
        return f"its {target}{self.modality}"

    def event_clause(self, code: str, kind: str, product: str, when: str | None) -> str:
        """A 'today announced that ...' clause for one (or two) regulatory actions."""
        rng, reg = self.rng, self.reg(code)
        on = f" on {when}" if when else ""
        self.planted += 1
        if kind in _DESIGNATION_NAMES:
            name = rng.choice(_DESIGNATION_NAMES[kind])
            return rng.choice(
                [
                    f"{reg} has granted {name} to {product}, {self.product_desc()}, for the "
                    f"treatment of {self.disease}{on}",
                    f"{product}, {self.product_desc()}, has been granted {name} by {reg}{on} for "
                    f"the treatment of patients with {self.disease}",
                    f"it received {name} from {reg}{on} for {product} in {self.disease}",
                ]
            )
        if kind == "ind_clearance":
            if code == "NMPA":
                return rng.choice(
                    [
                        f"the Investigational New Drug (IND) application for {product}, "
                        f"{self.product_desc()}, has received implied approval from {reg}{on}",
                        f"{reg} has approved the clinical trial application for {product} for the "
                        f"treatment of {self.disease}",
                    ]
                )
            if code in ("HC", "MHRA", "MFDS"):
                return (
                    f"{reg} has approved its Clinical Trial Application (CTA) for "
                    f"{product}{on}, allowing a Phase 1/2 study in {self.disease}"
                )
            return rng.choice(
                [
                    f"{reg} has cleared its Investigational New Drug (IND) application for "
                    f"{product}, {self.product_desc()}, for the treatment of {self.disease}",
                    f"the Investigational New Drug (IND) application for {product} was cleared by "
                    f"{reg}{on}",
                ]
            )
        if kind == "ind_submission":
            return (
                f"the Center for Drug Evaluation (CDE) of {reg} has accepted the "
                f"Investigational New Drug (IND) application for {product}{on}, "
                f"{self.product_desc()} for {self.disease}"
            )
        if kind == "approval":
            brand = product if not self.inn else f"{product} ({self.inn})"
            if code == "EC":
                return (
                    f"{reg} has granted conditional marketing authorization for {brand} "
                    f"for the treatment of adult patients with {self.disease}"
                )
            return rng.choice(
                [
                    f"{reg} has approved {brand}, {self.product_desc()}, for the treatment of "
                    f"adult patients with {self.disease}",
                    f"{brand} has been approved by {reg}{on} for patients with {self.disease}",
                ]
            )
        if kind == "clinical_hold_lift":
            self.planted += 1
            return (
                f"{reg} has lifted the clinical hold on the Phase 1/2 trial of {product} in "
                f"{self.disease} and cleared the company's amended IND application"
            )
        if kind == "marketing_acceptance":
            if code == "EMA":
                return (
                    f"{reg} has validated the Marketing Authorization Application (MAA) for "
                    f"{product} for the treatment of {self.disease}"
                )
            self.planted += 1
            return (
                f"{reg} has accepted for review the Biologics License Application (BLA) "
                f"for {product} and granted Priority Review"
            )
        raise ValueError(kind)

    def background(self, code: str, kind: str, product: str) -> str:
        """A past action told later in the release, dated at some precision or undated."""
        rng = self.rng
        when = self.published - timedelta(days=rng.randrange(60, 900))
        precision = rng.choice(["day", "month", "month", "quarter", "year", "none"])
        self.planted += 1
        reg = self.reg(code)
        prep = "On" if precision == "day" else "In"
        if kind in _DESIGNATION_NAMES:
            name = rng.choice(_DESIGNATION_NAMES[kind])
            if precision == "none":
                return f"{product} has also received {name} from {reg} for {self.disease}."
            return (
                f"{prep} {_date_text(rng, when, precision)}, {product} was granted {name} by "
                f"{reg} for the treatment of {self.disease}."
            )
        if precision == "none":
            return (
                f"{reg[0].upper()}{reg[1:]} previously cleared the IND application for {product}."
            )
        return (
            f"{prep} {_date_text(rng, when, precision)}, {reg} cleared the Investigational "
            f"New Drug (IND) application for {product}."
        )

    def negative(self) -> str:
        rng = self.rng
        other = self.other_products[0]
        year = self.published.year + 1
        return rng.choice(
            [
                f"{self.company_short} plans to submit a Biologics License Application (BLA) to "
                f"the FDA for {self.product} in the second half of {year}.",
                f"The company expects to file an IND application for {other} with the FDA by the "
                f"end of {year}.",
                f"{self.company_short} intends to apply for Breakthrough Therapy designation for "
                f"{self.product} once additional clinical data are available.",
                f"The Phase 1 study of {other} was approved by the hospital's ethics committee in "
                f"{_MONTHS[rng.randrange(12)]} {self.published.year}.",
            ]
        )

    def filler(self, sentences: int) -> str:
        rng = self.rng
        picks = rng.sample(_FILLER, min(sentences, len(_FILLER)))
        return " ".join(
            p.format(
                product=self.product,
                disease=self.disease,
                company_short=self.company_short,
                city=self.city,
                k=rng.randint(6, 40),
                k2=rng.randint(40, 300),
            )
            for p in picks
        )

    def quote(self) -> str:
        rng = self.rng
        q = rng.choice(_QUOTES).format(product=self.product, disease=self.disease)
        who = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        return f"“{q[:-1]},” said {who}, {rng.choice(_TITLES)} of {self.company_short}."


def _main_event(page: _Page) -> tuple[str, str]:
    rng = page.rng
    code = page.home if rng.random() < 0.55 else rng.choice(list(_REGULATORS))
    kind = rng.choice(_REGULATORS[code][2])
    return code, kind


def _headline(page: _Page, code: str, kind: str) -> str:
    what = {
        "ind_clearance": "IND Clearance",
        "ind_submission": "IND Acceptance",
        "approval": "Approval",
        "clinical_hold_lift": "Lifting of Clinical Hold",
        "marketing_acceptance": "Acceptance of Marketing Application",
    }.get(kind) or _DESIGNATION_NAMES[kind][-1].title()
    return f"{page.company_short} Announces {code} {what} for {page.product} in {page.disease}"


def _chrome_script(rng: random.Random) -> str:
    """Inline tag-manager and ad configuration, as most news pages carry in their head."""
    slots = ",\n".join(
        f'    {{"id": "div-gpt-ad-{rng.randrange(10**12)}-{i}", "path": "/{rng.randrange(10**8)}'
        f'/news/article", "sizes": [[300, 250], [728, 90]], "targeting": {{"pos": "{i}", '
        f'"section": "news"}}}}'
        for i in range(rng.randint(10, 18))
    )
    return (
        "<script>\nwindow.dataLayer = window.dataLayer || [];\n"
        "function gtag(){dataLayer.push(arguments);}\ngtag('js', new Date());\n"
        f"gtag('config', 'G-{rng.randrange(10**9):09d}');\n"
        f"var adSlots = [\n{slots}\n];\n"
        "adSlots.forEach(function (s) { googletag.cmd.push(function () {"
        " googletag.defineSlot(s.path, s.sizes, s.id).addService(googletag.pubads()); }); });\n"
        "</script>"
    )


def _chrome_style(rng: random.Random) -> str:
    """An inline stylesheet of the size news templates inline for first paint."""
    parts = [
        "header",
        "nav",
        "article",
        "aside",
        "footer",
        ".share",
        ".related",
        ".cookie-banner",
        ".mega-menu",
        ".breadcrumb",
        ".byline",
        ".newsletter",
        ".ad-slot",
        ".footer-col",
    ]
    props = [
        "margin",
        "padding",
        "font-size",
        "line-height",
        "color",
        "background-color",
        "border-bottom",
        "max-width",
        "letter-spacing",
        "display",
    ]
    values = [
        "0 auto",
        "12px 16px",
        "1.125rem",
        "1.6",
        "#1a1a2e",
        "#f5f7fa",
        "1px solid #dde3ea",
        "1180px",
        ".02em",
        "flex",
    ]
    rules = []
    for _ in range(rng.randint(25, 45)):
        sel = f"{rng.choice(parts)} {rng.choice(['a', 'p', 'ul li', 'h3', 'span', 'div'])}"
        body = "; ".join(f"{prop}: {rng.choice(values)}" for prop in rng.sample(props, 4))
        media = rng.random() < 0.2
        rule = f"{sel} {{ {body} }}"
        rules.append(f"@media (max-width: 768px) {{ {rule} }}" if media else rule)
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def _footer_columns(rng: random.Random) -> str:
    heads = ["Company", "Newsroom", "Resources", "Legal", "Follow us"]
    return "\n".join(
        f'    <div class="footer-col"><h4>{h}</h4><ul>'
        + "".join(
            f'<li><a href="/{h.lower().replace(" ", "-")}/{rng.randrange(10**5)}">'
            f"{escape(t)}</a></li>"
            for t in rng.sample(_NAV, rng.randint(5, 9))
        )
        + "</ul></div>"
        for h in heads
    )


def make_page(seed: int, index: int) -> tuple[str, int]:
    """One press-release page and the number of regulatory events written into its body."""
    rng = random.Random(f"{seed}-{index}")
    page = _Page(rng)
    published = page.published
    code, kind = _main_event(page)
    headline = _headline(page, code, kind)
    today = rng.random() < 0.6
    when = None if today else _date_text(rng, published - timedelta(days=rng.randint(1, 6)))

    lead = (
        f'{_dateline(rng, page.dateline_place, published)}{page.company} ("{page.company_short}'
        f'" or the "Company") (NASDAQ: {page.ticker}), a clinical-stage biopharmaceutical '
        f"company focused on innovative cell and gene therapies, today announced that "
        f"{page.event_clause(code, kind, page.product, when)}."
    )
    body = [lead]
    body.append(page.filler(rng.randint(3, 5)))
    body.append(page.quote())
    # Earlier actions, each a different (regulator, kind) from the main one and from each other,
    # so that the count of events written into the page stays exact.
    told = {(code, kind)}
    if kind == "clinical_hold_lift":  # the lead also tells of the IND cleared with it
        told.add((code, "ind_clearance"))
    for _ in range(rng.randint(0, 3)):
        bcode = rng.choice([code, page.home, "FDA"])
        bkinds = [
            k
            for k in _REGULATORS[bcode][2]
            if (k in _DESIGNATION_NAMES or k == "ind_clearance") and (bcode, k) not in told
        ]
        if bkinds:
            bkind = rng.choice(bkinds)
            told.add((bcode, bkind))
            body.append(
                f"{page.background(bcode, bkind, page.product)} {page.filler(rng.randint(1, 3))}"
            )
    if rng.random() < 0.6:
        body.append(f"{page.negative()} {page.filler(rng.randint(1, 2))}")
    body.append(page.quote())

    target = f"targeting {page.target} " if page.target else ""
    domain = page.company_short.lower().replace(" ", "") + ".com"
    about = [
        (
            "About " + page.product,
            f"{page.product} is an investigational {page.modality} {target}being developed for the "
            f"treatment of {page.disease}. It is being evaluated in a Phase 1/2 clinical trial "
            f"(NCT0{rng.randrange(10**7):07d}). {page.filler(rng.randint(2, 4))}",
        ),
        (
            "About " + page.disease[0].upper() + page.disease[1:],
            f"{page.disease[0].upper() + page.disease[1:]} affects tens of thousands of patients "
            f"worldwide. {page.filler(rng.randint(2, 3))}",
        ),
        (
            "About " + page.company_short,
            f"{page.company} is a biopharmaceutical company headquartered in {page.city}, "
            f"dedicated to the discovery and development of cell and gene therapies. "
            f"{page.filler(rng.randint(2, 3))} For more information, please visit "
            f"www.{domain}.",
        ),
        (
            "Forward-Looking Statements",
            _FLS.format(product=page.product, company_short=page.company_short),
        ),
    ]
    contacts = (
        f"Media Contact: {rng.choice(_FIRST)} {rng.choice(_LAST)}, media@{domain}, "
        f"+1 617-555-{rng.randint(1000, 9999)}<br>Investor Contact: {rng.choice(_FIRST)} "
        f"{rng.choice(_LAST)}, ir@{domain}"
    )

    site = rng.choice(
        [
            "PR Newswire",
            "GlobeNewswire",
            "Business Wire",
            "BioPharma Daily",
            page.company_short + " Newsroom",
            "CGT Industry News",
        ]
    )
    meta_date = rng.choice([published.isoformat(), f"{published.isoformat()}T08:00:00-04:00", None])
    related = [
        rng.choice(_RELATED).format(code=c)
        for c in page.other_products + [_code(rng) for _ in range(rng.randint(3, 7))]
    ]
    nav_links = "\n".join(
        f'        <li><a href="/{escape(n.lower().replace(" ", "-"))}">{escape(n)}</a></li>'
        for n in rng.sample(_NAV, rng.randint(10, 18))
    )
    sub_menus = "\n".join(
        f'      <div class="mega-menu"><h4>{escape(n)}</h4><ul>'
        + "".join(
            f'<li><a href="/topic/{rng.randrange(10**6)}">{escape(t)}</a></li>'
            for t in rng.sample(_NAV, 6)
        )
        + "</ul></div>"
        for n in rng.sample(_NAV, rng.randint(3, 6))
    )
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": headline,
            "datePublished": published.isoformat(),
            "publisher": {"@type": "Organization", "name": site},
            "author": {"@type": "Organization", "name": page.company},
        }
    )

    def para(text: str) -> str:
        return f"        <p>{escape(text, quote=False)}</p>"

    def assemble(extra: list[str]) -> str:
        paragraphs = "\n".join(para(p) for p in body + extra)
        sections = "\n".join(f"        <h2>{escape(h)}</h2>\n{para(t)}" for h, t in about)
        meta = (
            f'  <meta property="article:published_time" content="{meta_date}">\n'
            if meta_date
            else ""
        )
        links = "\n".join(
            f'          <li><a href="/news/{i}">{escape(t)}</a></li>' for i, t in enumerate(related)
        )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(headline)} | {escape(site)}</title>
  <meta name="description" content="{escape(headline)}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{escape(headline)}">
  <meta property="og:site_name" content="{escape(site)}">
{meta}  <link rel="stylesheet" href="/static/css/main.{css_hash}.css">
  <script type="application/ld+json">{ld}</script>
  {script}
  {style}
</head>
<body class="news-release">
  <div id="cookie-consent" class="cookie-banner" role="dialog">
    <p>We use cookies to improve your experience, analyse traffic and show relevant
    advertising. By continuing to use this site you accept our use of cookies.</p>
    <button type="button">Accept all</button> <button type="button">Manage preferences</button>
  </div>
  <header class="site-header">
    <div class="logo"><a href="/">{escape(site)}</a></div>
    <nav class="main-nav" aria-label="Main">
      <ul>
{nav_links}
      </ul>
{sub_menus}
    </nav>
    <form class="search" action="/search"><input type="text" name="q"
      placeholder="Search"><button>Go</button></form>
  </header>
  <div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/news">News</a> &gt;
    <a href="/news/releases">Press Releases</a></div>
  <main>
    <div class="container">
      <article class="release-body">
        <h1>{escape(headline)}</h1>
        <p class="byline"><time>{byline}</time> | Source: {escape(page.company)}</p>
        <div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Email</a>
          <a href="#">Print</a></div>
{paragraphs}
{sections}
        <p>{contacts}</p>
        <p>SOURCE {escape(page.company)}</p>
      </article>
      <aside class="sidebar">
        <section class="related"><h3>Related News</h3><ul>
{links}
        </ul></section>
        <section class="newsletter"><h3>Get the daily briefing</h3>
          <form><input type="email" placeholder="Email address"><button>Sign up</button></form>
        </section>
      </aside>
    </div>
  </main>
  <footer class="site-footer">
{footer_cols}
    <nav><a href="/about">About</a> | <a href="/contact">Contact</a> | <a href="/terms">Terms of
    Use</a> | <a href="/privacy">Privacy Policy</a> | <a href="/cookies">Cookie Policy</a> |
    <a href="/rss">RSS</a> | <a href="/sitemap.xml">Sitemap</a></nav>
    <p>&copy; {published.year} {escape(site)}. All rights reserved. Reproduction without
    permission is prohibited.</p>
  </footer>
</body>
</html>
"""

    byline = _date_text(rng, published)
    css_hash = f"{rng.randrange(16**8):08x}"
    script = _chrome_script(rng)
    style = _chrome_style(rng)
    footer_cols = _footer_columns(rng)
    size = rng.randint(20_000, 30_000)
    extra: list[str] = []
    # Everything above is drawn once; filler paragraphs (no events in them) then bring the
    # page to a size drawn between 20 and 30 KB, as wire releases run.
    html = assemble(extra)
    while len(html.encode("utf-8")) < size:
        extra.append(page.filler(rng.randint(3, 6)))
        html = assemble(extra)
    return html, page.planted


def generate(directory: Path, n: int, seed: int) -> dict[str, Any]:
    """Write pages 00000.html ... to `directory` one at a time; return the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    planted = 0
    total_bytes = 0
    started = time.perf_counter()
    for i in range(n):
        html, events = make_page(seed, i)
        data = html.encode("utf-8")
        (directory / f"{i:05d}.html").write_bytes(data)
        planted += events
        total_bytes += len(data)
    manifest = {
        "n": n,
        "seed": seed,
        "bytes": total_bytes,
        "mean_kb": round(total_bytes / n / 1024, 1) if n else 0.0,
        "planted_events": planted,
        "generate_s": round(time.perf_counter() - started, 2),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def _pages(directory: Path) -> list[Path]:
    """The page paths in order (paths only: contents are read one at a time)."""
    return sorted(directory.glob("*.html"))


# ---------------------------------------------------------------------------------------------
# Phases (each run in its own subprocess)
# ---------------------------------------------------------------------------------------------


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """This process's peak RSS; with RUSAGE_CHILDREN, the largest among finished children
    (pool workers)."""
    peak = resource.getrusage(who).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def phase_trafilatura(directory: Path) -> dict[str, Any]:
    """The floor: trafilatura's own extraction with metadata, nothing of ours."""
    t0 = time.perf_counter()
    import trafilatura

    paths = _pages(directory)
    trafilatura.bare_extraction(paths[0].read_bytes(), with_metadata=True)
    setup = time.perf_counter() - t0
    rss_setup = _peak_rss_mb()
    empty = chars = 0
    c0, t1 = time.process_time(), time.perf_counter()
    for path in paths:
        doc = trafilatura.bare_extraction(path.read_bytes(), with_metadata=True)
        text = getattr(doc, "text", None) if doc is not None else None
        if text:
            chars += len(text)
        else:
            empty += 1
    return _measured(len(paths), t1, c0, setup, rss_setup, failed=empty, text_chars=chars)


def _measured(
    pages: int, t1: float, c0: float, setup: float, rss_setup: float, **extra: Any
) -> dict[str, Any]:
    """A phase's figures, timed from wall clock t1 and CPU clock c0 to now."""
    return {
        "pages": pages,
        "seconds": time.perf_counter() - t1,
        "cpu_seconds": time.process_time() - c0,
        "setup_seconds": setup,
        "rss_after_setup_mb": rss_setup,
        "peak_rss_mb": _peak_rss_mb(),
        **extra,
    }


def phase_extract(directory: Path) -> dict[str, Any]:
    """HTML -> events: clean_html + extract per page, no database."""
    t0 = time.perf_counter()
    from cgtextract.clean import clean_html
    from cgtextract.errors import CgtextractError
    from cgtextract.read import extract

    paths = _pages(directory)
    # Warm-up on the first page builds the spaCy pipeline; it is timed as set-up.
    extract(clean_html(paths[0].read_bytes(), str(paths[0])))
    setup = time.perf_counter() - t0
    rss_setup = _peak_rss_mb()
    events = failed = 0
    c0, t1 = time.process_time(), time.perf_counter()
    for path in paths:
        try:
            events += len(extract(clean_html(path.read_bytes(), str(path))))
        except CgtextractError:
            failed += 1
    return _measured(len(paths), t1, c0, setup, rss_setup, failed=failed, events=events)


def phase_paired(directory: Path, db_path: Path) -> dict[str, Any]:
    """The three costs of each page measured back to back in one process.

    On a shared machine one process can run 20-30 % slower than the next for its whole
    life, which skews the ratio of two phases run in separate processes. Here every page
    goes through trafilatura alone and through clean_html + extract (in alternating order,
    so neither gets the warmer caches), and its articles are stored in batches of 50 as
    `run` does; each page's store time is its batch's time shared out. The ratios of the
    sums compare the three under the same conditions.
    """
    t0 = time.perf_counter()
    import trafilatura

    from cgtextract.clean import clean_html
    from cgtextract.errors import CgtextractError
    from cgtextract.read import extract
    from cgtextract.store import Store

    paths = _pages(directory)
    for leftover in db_path.parent.glob(db_path.name + "*"):
        leftover.unlink()
    store = Store(f"sqlite:///{db_path}")
    first = paths[0].read_bytes()
    trafilatura.bare_extraction(first, with_metadata=True)
    extract(clean_html(first, str(paths[0])))
    setup = time.perf_counter() - t0
    rss_setup = _peak_rss_mb()
    floor = ours = saving = 0.0
    batch: list[Any] = []
    events = 0
    c0, t1 = time.process_time(), time.perf_counter()
    clock = time.perf_counter
    for i, path in enumerate(paths):
        data = path.read_bytes()
        for step in (0, 1) if i % 2 else (1, 0):
            start = clock()
            if step == 0:
                trafilatura.bare_extraction(data, with_metadata=True)
                floor += clock() - start
                continue
            try:
                article = clean_html(data, str(path))
                found = extract(article)
            except CgtextractError:
                ours += clock() - start
                continue
            ours += clock() - start
            events += len(found)
            batch.append((article, found))
        if len(batch) >= 50 or i == len(paths) - 1:
            start = clock()
            store.save_many(batch)
            saving += clock() - start
            batch = []
    store.close()
    n = len(paths)
    return _measured(
        n,
        t1,
        c0,
        setup,
        rss_setup,
        events=events,
        floor_ms=round(1000 * floor / n, 2),
        extract_ms=round(1000 * ours / n, 2),
        run_ms=round(1000 * (ours + saving) / n, 2),
    )


def phase_run(directory: Path, db_path: Path, workers: int = 1) -> dict[str, Any]:
    """cgtextract.pipeline.run over the files into a fresh SQLite database.

    With workers > 1 the CPU stages run in a process pool whose start-up (imports, the
    spaCy pipeline in each worker) falls inside the measured loop; `steady_pages_per_s`
    leaves out everything before the first stored batch."""
    t0 = time.perf_counter()
    from cgtextract.pipeline import process, run
    from cgtextract.settings import Settings
    from cgtextract.store import Store

    paths = _pages(directory)
    for leftover in db_path.parent.glob(db_path.name + "*"):
        leftover.unlink()
    settings = Settings(db_url=f"sqlite:///{db_path}")
    process(str(paths[0]), settings)  # builds the spaCy pipeline; stores nothing
    store = Store(settings.db_url)
    setup = time.perf_counter() - t0
    rss_setup = _peak_rss_mb()
    flushes: list[tuple[float, int]] = []  # (clock, articles) after each stored batch
    save_many = store.save_many

    def timed_save_many(items: Any, **kwargs: Any) -> Any:
        out = save_many(items, **kwargs)
        flushes.append((time.perf_counter(), len(items)))
        return out

    store.save_many = timed_save_many  # type: ignore[method-assign]
    try:
        c0, t1 = time.process_time(), time.perf_counter()
        # counts only: a run over many pages must not hold every event in memory
        report = run([str(p) for p in paths], settings, store, workers=workers, keep_events=False)
        result = _measured(
            len(paths),
            t1,
            c0,
            setup,
            rss_setup,
            failed=len(report.failed),
            events=report.events_found,
        )
        if len(flushes) > 1:
            after = sum(n for _, n in flushes[1:])
            result["steady_pages_per_s"] = round(after / (flushes[-1][0] - flushes[0][0]), 1)
        result["workers"] = workers
        result["children_peak_rss_mb"] = _peak_rss_mb(resource.RUSAGE_CHILDREN)
        result["stored"] = store.counts()
    finally:
        store.close()
    size = sum(f.stat().st_size for f in db_path.parent.glob(db_path.name + "*"))
    result["db_mb"] = round(size / 2**20, 2)
    return result


def _run_phase(name: str, directory: Path, db_path: Path) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        name,
        "--dir",
        str(directory),
        "--db",
        str(db_path),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"bench: phase {name} exited {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    pages, seconds = result["pages"], result["seconds"]
    result["pages_per_s"] = round(pages / seconds, 1) if seconds else None
    result["ms_per_page"] = round(1000 * seconds / pages, 2) if pages else None
    result["cpu_ms_per_page"] = round(1000 * result["cpu_seconds"] / pages, 2) if pages else None
    for key in ("seconds", "cpu_seconds", "setup_seconds"):
        result[key] = round(result[key], 3)
    return result


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _load() -> float | None:
    """One-minute load average: other work on the machine slows the wall-clock figures."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("cgtextract", "trafilatura", "lxml", "spacy", "sqlalchemy", "pydantic"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out


def _table(report: dict[str, Any]) -> str:
    m, machine, phases = report["pages"], report["machine"], report["phases"]
    lines = [
        f"cgtextract bench: {m['n']} generated pages (seed {m['seed']}), mean {m['mean_kb']} KB, "
        f"{m['planted_events']} events written into them (generated in {m['generate_s']} s)",
        f"machine: {machine['cpus']} CPUs, load average {machine['load_before']} before, "
        f"{machine['load_after']} after; {machine['platform']}",
        "versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        "",
        f"{'phase':<36} {'pages/s':>8} {'ms/page':>8} {'CPU ms':>8} {'x (a)':>6} "
        f"{'set-up s':>9} {'peak RSS MB':>12}",
    ]
    labels = {
        "trafilatura": "(a) trafilatura.bare_extraction",
        "extract": "(b) extract: clean_html + extract",
        "run": "(c) run: + Store.save into SQLite",
        "run2": "(d) run --workers 2",
    }
    results = []
    for name, r in phases.items():
        if name == "paired":
            continue
        ratio = r["ratio_to_trafilatura"]
        lines.append(
            f"{labels[name]:<36} {r['pages_per_s']:>8} {r['ms_per_page']:>8} "
            f"{r['cpu_ms_per_page']:>8} {ratio if ratio is not None else '-':>6} "
            f"{r['setup_seconds']:>9} {r['peak_rss_mb']:>12}"
        )
        if name == "trafilatura":
            good = r["pages"] - r["failed"]
            mean = r["text_chars"] // good if good else 0
            result = f"{good} of {r['pages']} pages gave text, mean {mean} characters"
        elif name == "extract":
            result = f"{r['events']} events found; {r['failed']} pages failed"
        else:
            st = r["stored"]
            result = (
                f"{r['events']} events read; stored {st['articles']} articles, {st['events']} "
                f"events, {st['mentions']} mentions ({r['db_mb']} MB); {r['failed']} failed"
            )
            if name == "run2":
                one = phases["run"]
                result += (
                    f"; {r['pages_per_s'] / one['pages_per_s']:.2f}x the pages/s of (c) "
                    f"({r.get('steady_pages_per_s', '-')} pages/s after the first stored "
                    f"batch, against {one.get('steady_pages_per_s', '-')}); largest worker "
                    f"peak RSS {r['children_peak_rss_mb']} MB"
                )
        results.append(f"{labels[name][:3]} {result}")
    lines += ["", *results]
    if "paired" in phases:
        p = phases["paired"]
        floor = p["floor_ms"]
        lines += [
            "",
            f"(e) paired, page by page in one process: trafilatura alone {floor} ms; "
            f"clean_html + extract {p['extract_ms']} ms ({p['extract_ms'] / floor:.2f}x); "
            f"with storing in batches of 50 {p['run_ms']} ms ({p['run_ms'] / floor:.2f}x, "
            f"{1000 / p['run_ms']:.1f} pages/s); {p['events']} events",
        ]
    lines += [
        "",
        (
            f"Each phase ran {report['repeat']} times, in turn; its fastest run is shown. "
            if report["repeat"] > 1
            else ""
        )
        + "Each phase ran in its own subprocess. Set-up (imports, a first page, creating the "
        "database) is timed apart; pages/s, ms/page (wall) and CPU ms/page cover every page, "
        "read from disk one at a time. 'x (a)' is ms/page over that of (a). Peak RSS is the "
        "subprocess's ru_maxrss. Wall figures suffer when other processes share the CPUs; "
        "CPU ms/page less so. (d) counts the parent's CPU only, and its pool's start-up "
        "(imports, a pipeline per worker) falls inside its measured time. (e) times the "
        "three side by side on each page, so that a slow process or a busy minute weighs "
        "on all of them alike: its ratios are the steadiest.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Generate pages, run each phase in a subprocess, print the figures."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=DEFAULT_N, help="pages to generate (default 1000)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    ap.add_argument("--json", action="store_true", help="print one JSON object, not a table")
    ap.add_argument("--out", type=Path, help="write (and keep) the pages and database here")
    ap.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated phases to run (default {','.join(PHASES)}; (a) always runs)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the phases this many times, in turn, and keep each phase's fastest run "
        "(a shared or throttled machine makes single runs noisy)",
    )
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.phase:  # inside a phase subprocess: print one JSON line
        if args.phase == "trafilatura":
            result = phase_trafilatura(args.dir)
        elif args.phase == "extract":
            result = phase_extract(args.dir)
        elif args.phase == "paired":
            result = phase_paired(args.dir, args.db)
        else:
            result = phase_run(args.dir, args.db, workers=2 if args.phase == "run2" else 1)
        print(json.dumps(result))
        return 0

    if args.n < 1:
        ap.error("--n must be at least 1")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    wanted = {p.strip() for p in args.phases.split(",") if p.strip()}
    if unknown := wanted - set(PHASES):
        ap.error(f"unknown phase(s) {', '.join(sorted(unknown))} (one of {', '.join(PHASES)})")
    workdir = args.out.resolve() if args.out else Path(tempfile.mkdtemp(prefix="cgt-bench-"))
    pages_dir = workdir / "pages"
    if pages_dir.exists():
        shutil.rmtree(pages_dir)
    try:
        load_before = _load()
        manifest = generate(pages_dir, args.n, args.seed)
        if not args.json:
            print(
                f"generated {manifest['n']} pages in {pages_dir} "
                f"({manifest['generate_s']} s); running phases ...",
                file=sys.stderr,
            )
        phases = {}
        for _ in range(args.repeat):
            for name in PHASES:
                if name == "run2" and "run" not in wanted:
                    continue  # its speed-up is told against (c)
                if name == "trafilatura" or name in wanted:
                    result = _run_phase(name, pages_dir, workdir / "bench.db")
                    if name not in phases or result["seconds"] < phases[name]["seconds"]:
                        phases[name] = result
        base = phases["trafilatura"]["ms_per_page"]
        for r in phases.values():
            r["ratio_to_trafilatura"] = round(r["ms_per_page"] / base, 2) if base else None
        report = {
            "pages": manifest,
            "repeat": args.repeat,
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load_before": load_before,
                "load_after": _load(),
            },
            "versions": _versions(),
            "phases": phases,
        }
        print(json.dumps(report, indent=2) if args.json else _table(report))
    finally:
        if not args.out:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
