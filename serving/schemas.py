"""Request models of the scoring API, mirroring the data contracts (``features.contracts``).

Vocabularies are the ``Literal`` types of ``features.vocab`` / ``features.dash`` (so the OpenAPI
schema lists them). Response models live in :mod:`serving.schemas_out`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from features.dash import DASH, Answer
from features.vocab import PERIOD_KINDS, Grade, HistoryKind, MaracConsent, OffenceCategory

MAX_ROWS: Final[int] = 1000  # per history list in one case
FUTURE_SKEW: Final[timedelta] = timedelta(minutes=5)
EARLIEST: Final[datetime] = datetime(1900, 1, 1)
LATEST_PLANNED_END: Final[datetime] = datetime(2200, 1, 1)


def _to_naive_utc(value: datetime) -> datetime:
    """Return ``value`` in naive UTC; a shift past year 1 or 9999 is a field error, not a crash."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise ValueError("date is out of range once converted to UTC") from None


def _naive_utc(value: datetime) -> datetime:
    """Normalise to naive UTC; reject dates before 1900 or in the future."""
    value = _to_naive_utc(value)
    if value < EARLIEST:
        raise ValueError("date must not be before 1900-01-01")
    if value > datetime.now(UTC).replace(tzinfo=None) + FUTURE_SKEW:
        raise ValueError("date must not be in the future")
    return value


def _planned_end(value: datetime) -> datetime:
    """Normalise to naive UTC; allow future dates up to 2200 (planned ends of orders)."""
    value = _to_naive_utc(value)
    if not EARLIEST <= value < LATEST_PLANNED_END:
        raise ValueError("planned end date must lie between 1900-01-01 and 2200-01-01")
    return value


def _text(value: Any) -> Any:
    """Refuse a number as a date (pydantic would read it as Unix time; the schema says text)."""
    if isinstance(value, int | float):
        raise ValueError("a date must be an ISO 8601 date-time string")
    return value


Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-:.]{1,64}$")]
Timestamp = Annotated[datetime, BeforeValidator(_text), AfterValidator(_naive_utc)]
# An order's or licence's planned end is known when it starts and may lie in the future.
PlannedEnd = Annotated[datetime, BeforeValidator(_text), AfterValidator(_planned_end)]
Area = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _q(qid: str) -> Any:
    return Field(description=f"{qid}: {DASH.question(qid).text}")


class DashAnswers(_Strict):
    """The 27 DASH answers; 'dont_know' and 'not_answered' are never read as 'no'."""

    q1: Answer = _q("q1")
    q2: Answer = _q("q2")
    q3: Answer = _q("q3")
    q4: Answer = _q("q4")
    q5: Answer = _q("q5")
    q6: Answer = _q("q6")
    q7: Answer = _q("q7")
    q8: Answer = _q("q8")
    q9: Answer = _q("q9")
    q10: Answer = _q("q10")
    q11: Answer = _q("q11")
    q12: Answer = _q("q12")
    q13: Answer = _q("q13")
    q14: Answer = _q("q14")
    q15: Answer = _q("q15")
    q16: Answer = _q("q16")
    q17: Answer = _q("q17")
    q18: Answer = _q("q18")
    q19: Answer = _q("q19")
    q20: Answer = _q("q20")
    q21: Answer = _q("q21")
    q22: Answer = _q("q22")
    q23: Answer = _q("q23")
    q24: Answer = _q("q24")
    q25: Answer = _q("q25")
    q26: Answer = _q("q26")
    q27: Answer = _q("q27")


class IncidentIn(_Strict):
    """A police-recorded domestic abuse incident (the current one or an earlier one)."""

    incident_id: Id
    occurred_at: Timestamp
    victim_id: Id
    perpetrator_id: Id
    officer_id: Id
    area: Area
    crime_recorded: StrictBool
    offence_category: OffenceCategory
    severity: StrictInt = Field(ge=1, le=5, description="1 (lowest) to 5 (life-threatening)")
    injury: StrictBool
    weapon: StrictBool
    strangulation: StrictBool
    alcohol_or_drugs: StrictBool
    children_present: StrictBool
    child_involved: StrictBool
    child_called_police: StrictBool
    victim_pregnant: StrictBool
    child_abuse_marker_at_address: StrictBool
    children_resident: StrictBool = Field(
        description="a child under 18 lives at the address (not only present at the incident)"
    )
    honour_based_abuse: StrictBool = Field(
        description="so-called honour-based abuse, forced marriage or FGM is recorded"
    )
    adult_at_risk: StrictBool = Field(
        description="an adult with care and support needs is at risk (Care Act 2014 s.42)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> IncidentIn:
        if self.victim_id == self.perpetrator_id:
            raise ValueError("victim_id must differ from perpetrator_id")
        if (self.offence_category == "non_crime") != (not self.crime_recorded):
            raise ValueError("offence_category is 'non_crime' exactly when crime_recorded is false")
        if self.offence_category == "violence_with_injury" and not self.injury:
            raise ValueError("offence_category 'violence_with_injury' requires injury = true")
        return self


class AssessmentIn(_Strict):
    """The DASH assessment of the current incident."""

    assessment_id: Id
    completed_at: Timestamp
    officer_id: Id
    answers: DashAnswers
    officer_grade: Grade
    referred_to_marac: StrictBool = False
    dvds_concern: StrictBool = Field(
        default=False, description="the officer recorded a disclosure (DVDS) concern"
    )
    marac_consent: MaracConsent = Field(
        default="not_recorded",
        description="the victim's consent to share with MARAC; a high case is referred anyway",
    )


class PriorAssessmentIn(AssessmentIn):
    """A DASH assessment of an earlier incident (linked by ``incident_id``)."""

    incident_id: Id


class HistoryEventIn(_Strict):
    """A dated event in the victim's or perpetrator's history (conviction, order, referral...)."""

    event_id: Id
    person_id: Id
    event_date: Timestamp
    kind: HistoryKind
    end_date: PlannedEnd | None = Field(
        default=None,
        description="planned end, for orders and licences only; may lie in the future",
    )
    counterpart_id: Id | None = Field(
        default=None,
        description=(
            "the other person: the perpetrator on a marac_referral (without it a repeat MARAC "
            "matches on the victim only, and says so), the victim on a conviction"
        ),
    )

    @model_validator(mode="after")
    def _period(self) -> HistoryEventIn:
        if self.end_date is not None:
            if self.kind not in PERIOD_KINDS:
                raise ValueError(f"end_date is only allowed for kinds {sorted(PERIOD_KINDS)}")
            if self.end_date < self.event_date:
                raise ValueError("end_date must not be before event_date")
        return self


class ScoreRequest(_Strict):
    """One case: the current incident, its DASH assessment and the history known before it."""

    incident: IncidentIn
    assessment: AssessmentIn
    prior_incidents: list[IncidentIn] = Field(default_factory=list, max_length=MAX_ROWS)
    history_events: list[HistoryEventIn] = Field(default_factory=list, max_length=MAX_ROWS)
    prior_assessments: list[PriorAssessmentIn] = Field(default_factory=list, max_length=MAX_ROWS)


class BatchScoreRequest(_Strict):
    """Up to 1,000 cases; each is validated on its own, so one bad case fails alone."""

    cases: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=1000,
        description="each item is a ScoreRequest, validated on its own: an object that is not "
        "one is reported by its index in the results while the others are scored",
        json_schema_extra={
            "items": {"anyOf": [{"$ref": "#/components/schemas/ScoreRequest"}, {"type": "object"}]}
        },
    )
