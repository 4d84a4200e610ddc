"""The contract between stages: what an article and an event are (see SCHEMA.md).

Everything that crosses a stage boundary, or goes to JSON or the database, is one of
these frozen Pydantic models; the enums are the vocabularies of the schema, so an
invalid value is rejected with a message that names the field.
"""

from __future__ import annotations

import re
from datetime import date as Date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class Regulator(StrEnum):
    """Canonical regulator codes."""

    FDA = "FDA"
    EMA = "EMA"
    EC = "EC"
    NMPA = "NMPA"
    PMDA = "PMDA"
    MHLW = "MHLW"
    MHRA = "MHRA"
    HC = "HC"
    TGA = "TGA"
    MFDS = "MFDS"
    ANVISA = "ANVISA"
    SWISSMEDIC = "Swissmedic"
    CDSCO = "CDSCO"
    OTHER = "other"


class EventType(StrEnum):
    """What the regulator did (or was asked to do)."""

    DESIGNATION = "designation"
    IND_SUBMISSION = "ind_submission"
    IND_CLEARANCE = "ind_clearance"
    MARKETING_SUBMISSION = "marketing_submission"
    MARKETING_ACCEPTANCE = "marketing_acceptance"
    APPROVAL = "approval"
    CRL = "crl"
    CLINICAL_HOLD = "clinical_hold"
    CLINICAL_HOLD_LIFT = "clinical_hold_lift"


class Designation(StrEnum):
    """Kinds of designation; set only on events of type `designation`."""

    ORPHAN_DRUG = "orphan_drug"
    RARE_PEDIATRIC_DISEASE = "rare_pediatric_disease"
    FAST_TRACK = "fast_track"
    BREAKTHROUGH_THERAPY = "breakthrough_therapy"
    RMAT = "rmat"
    PRIME = "prime"
    PRIORITY_REVIEW = "priority_review"
    SAKIGAKE = "sakigake"
    INNOVATION_PASSPORT = "innovation_passport"
    PROMISING_INNOVATIVE_MEDICINE = "promising_innovative_medicine"
    OTHER = "other"


class Modality(StrEnum):
    """Product modality; SCHEMA.md gives the precedence when several apply."""

    CAR_T = "car_t"
    CAR_NK = "car_nk"
    TCR_T = "tcr_t"
    TIL = "til"
    NK_CELL = "nk_cell"
    T_CELL_OTHER = "t_cell_other"
    TREG = "treg"
    MACROPHAGE = "macrophage"
    MSC = "msc"
    IPSC_DERIVED = "ipsc_derived"
    STEM_CELL_OTHER = "stem_cell_other"
    HSC_GENE_THERAPY = "hsc_gene_therapy"
    AAV = "aav"
    LENTIVIRAL = "lentiviral"
    ADENOVIRAL = "adenoviral"
    GENE_EDITING = "gene_editing"
    IN_VIVO_CAR = "in_vivo_car"
    MRNA = "mrna"
    ONCOLYTIC_VIRUS = "oncolytic_virus"
    RNA_THERAPY = "rna_therapy"
    OTHER_CELL_THERAPY = "other_cell_therapy"
    OTHER_GENE_THERAPY = "other_gene_therapy"


class Precision(StrEnum):
    """How much of a date the text supports."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_DATE_SHAPES = {
    Precision.DAY: re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    Precision.MONTH: re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    Precision.QUARTER: re.compile(r"^\d{4}-Q[1-4]$"),
    Precision.YEAR: re.compile(r"^\d{4}$"),
}

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_enum_values=True)


class Article(BaseModel):
    """A cleaned document: the text every offset points into, plus its metadata."""

    model_config = _FROZEN

    source: str
    url: str | None = None
    title: str | None = None
    text: str
    published: Date | None = None
    raw: str | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("article text is empty")
        return v


class Event(BaseModel):
    """One thing a regulator did for one product on one date (SCHEMA.md)."""

    model_config = _FROZEN

    source: str
    company: str | None = None
    product: str
    product_aliases: list[str] = []
    target: str | None = None
    modality: Modality | None = None
    allogeneic: bool | None = None
    regulator: Regulator
    event_type: EventType
    designation: Designation | None = None
    date: str | None = None
    date_precision: Precision | None = None
    indications: list[str] = []
    evidence: str
    published: Date | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if (self.event_type == EventType.DESIGNATION) != (self.designation is not None):
            raise ValueError("designation is set exactly when event_type is 'designation'")
        if (self.date is None) != (self.date_precision is None):
            raise ValueError("date and date_precision are both set or both null")
        if self.date is not None and self.date_precision is not None:
            if not _DATE_SHAPES[Precision(self.date_precision)].match(self.date):
                raise ValueError(
                    f"date {self.date!r} does not have {self.date_precision} precision"
                )
            if self.date_precision == Precision.DAY:
                Date.fromisoformat(self.date)
        return self

    def schema_dict(self) -> dict[str, Any]:
        """The exact JSON form of SCHEMA.md (no offsets)."""
        d = self.model_dump(mode="json", exclude={"evidence_start", "evidence_end"})
        return d

    @property
    def kind(self) -> str:
        """The designation if any, else the event type: the scorer's notion of kind."""
        return str(self.designation or self.event_type)


SCHEMA_FIELDS: tuple[str, ...] = (
    "source",
    "company",
    "product",
    "product_aliases",
    "target",
    "modality",
    "allogeneic",
    "regulator",
    "event_type",
    "designation",
    "date",
    "date_precision",
    "indications",
    "evidence",
    "published",
)
# what an event is, without where it was read (source, evidence, published)
EVENT_FIELDS: tuple[str, ...] = SCHEMA_FIELDS[1:-2]
