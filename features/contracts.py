"""Pandera data contracts: the single source of truth for the input tables' columns and rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from features.contract_failures import ContractError, ContractFailure, failures_from_pandera
from features.contract_links import check_references
from features.dash import ANSWERS, QUESTION_IDS
from features.vocab import (
    ETHNICITIES,
    GRADES,
    HISTORY_KINDS,
    MARAC_CONSENT,
    OFFENCE_CATEGORIES,
    PERIOD_KINDS,
    SEVERITY_MAX,
    SEVERITY_MIN,
    SEXES,
)

__all__ = [
    "INCIDENT_FLAGS",
    "SCHEMAS",
    "ContractError",
    "ContractFailure",
    "check_references",
    "check_table",
    "check_tables",
    "validate_table",
    "validate_tables",
]

_ID_PATTERN: Final[str] = r"^[A-Za-z0-9_\-:.]{1,64}$"
_TS: Final[str] = "datetime64[ns]"


def _id(unique: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(_ID_PATTERN), unique=unique)


def _flag() -> pa.Column:
    return pa.Column(bool)


def _one_of(values: tuple[str, ...]) -> pa.Column:
    return pa.Column(str, pa.Check.isin(list(values)))


# Row-wise checks across several columns, keyed by their error text: failures name the columns.
_FRAME_CHECK_COLUMNS: dict[str, tuple[str, ...]] = {}


def _frame_check(fn: Any, name: str, error: str, columns: tuple[str, ...]) -> pa.Check:
    _FRAME_CHECK_COLUMNS[error] = columns
    return pa.Check(fn, name=name, error=error)


PEOPLE: Final[pa.DataFrameSchema] = pa.DataFrameSchema(
    {
        "person_id": _id(unique=True),
        "sex": _one_of(SEXES),
        "birth_year": pa.Column(int, pa.Check.in_range(1900, 2030)),
        "ethnicity": _one_of(ETHNICITIES),
        "disability": _flag(),
    },
    name="people",
    strict=True,
    coerce=True,
)

INCIDENTS: Final[pa.DataFrameSchema] = pa.DataFrameSchema(
    {
        "incident_id": _id(unique=True),
        "occurred_at": pa.Column(_TS),
        "victim_id": _id(),
        "perpetrator_id": _id(),
        "officer_id": _id(),
        "area": pa.Column(str, pa.Check.str_length(1, 64)),
        "crime_recorded": _flag(),
        "offence_category": _one_of(OFFENCE_CATEGORIES),
        "severity": pa.Column(int, pa.Check.in_range(SEVERITY_MIN, SEVERITY_MAX)),
        "injury": _flag(),
        "weapon": _flag(),
        "strangulation": _flag(),
        "alcohol_or_drugs": _flag(),
        "children_present": _flag(),
        "child_involved": _flag(),
        "child_called_police": _flag(),
        "victim_pregnant": _flag(),
        "child_abuse_marker_at_address": _flag(),
        "children_resident": _flag(),  # a child under 18 lives at the address (not just present)
        "honour_based_abuse": _flag(),  # so-called honour-based abuse, forced marriage or FGM
        "adult_at_risk": _flag(),  # an adult with care and support needs is at risk (Care Act s.42)
    },
    checks=[
        _frame_check(
            lambda df: df["victim_id"] != df["perpetrator_id"],
            "victim_is_not_perpetrator",
            "victim_id must differ from perpetrator_id",
            ("victim_id", "perpetrator_id"),
        ),
        _frame_check(
            lambda df: (df["offence_category"] == "non_crime") == ~df["crime_recorded"],
            "non_crime_iff_no_crime_recorded",
            "offence_category is 'non_crime' exactly when crime_recorded is false",
            ("offence_category", "crime_recorded"),
        ),
        _frame_check(
            lambda df: (df["offence_category"] != "violence_with_injury") | df["injury"],
            "violence_with_injury_has_injury",
            "offence_category 'violence_with_injury' requires injury = true",
            ("offence_category", "injury"),
        ),
    ],
    name="incidents",
    strict=True,
    coerce=True,
)

# The incident's yes/no facts, in contract order (the reviewer's case page lists those set).
INCIDENT_FLAGS: Final[tuple[str, ...]] = tuple(
    name for name, column in INCIDENTS.columns.items() if str(column.dtype) == "bool"
)

DASH_ASSESSMENTS: Final[pa.DataFrameSchema] = pa.DataFrameSchema(
    {
        "assessment_id": _id(unique=True),
        "incident_id": _id(unique=True),
        "completed_at": pa.Column(_TS),
        "officer_id": _id(),
        **{q: _one_of(ANSWERS) for q in QUESTION_IDS},
        "officer_grade": _one_of(GRADES),
        "referred_to_marac": _flag(),
        "dvds_concern": _flag(),
        "marac_consent": _one_of(MARAC_CONSENT),  # the victim's consent to share with MARAC
    },
    name="dash_assessments",
    strict=True,
    coerce=True,
)

HISTORY_EVENTS: Final[pa.DataFrameSchema] = pa.DataFrameSchema(
    {
        "event_id": _id(unique=True),
        "person_id": _id(),
        "event_date": pa.Column(_TS),
        "kind": _one_of(HISTORY_KINDS),
        "end_date": pa.Column(_TS, nullable=True),
        # The other person of a two-person event: the perpetrator on a marac_referral, the
        # victim on a conviction; null where not recorded.
        "counterpart_id": pa.Column(str, pa.Check.str_matches(_ID_PATTERN), nullable=True),
    },
    checks=[
        _frame_check(
            lambda df: df["end_date"].isna() | (df["end_date"] >= df["event_date"]),
            "end_not_before_start",
            "end_date must not be before event_date",
            ("event_date", "end_date"),
        ),
        _frame_check(
            lambda df: df["end_date"].isna() | df["kind"].isin(sorted(PERIOD_KINDS)),
            "end_date_only_for_periods",
            f"end_date is only allowed for kinds {sorted(PERIOD_KINDS)}",
            ("kind", "end_date"),
        ),
    ],
    name="history_events",
    strict=True,
    coerce=True,
)

ORACLE: Final[pa.DataFrameSchema] = pa.DataFrameSchema(
    {
        "assessment_id": _id(unique=True),
        "p_serious_harm_365d": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        "p_repeat_365d": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        # added with generator 1.1.0; cohorts written before it lack the column
        "p_repeat_violent_365d": pa.Column(float, pa.Check.in_range(0.0, 1.0), required=False),
    },
    name="oracle",
    strict=True,
    coerce=True,
)

SCHEMAS: Final[dict[str, pa.DataFrameSchema]] = {
    "people": PEOPLE,
    "incidents": INCIDENTS,
    "dash_assessments": DASH_ASSESSMENTS,
    "history_events": HISTORY_EVENTS,
    "oracle": ORACLE,
}


def check_table(table: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ContractFailure]]:
    """Validate one table lazily; return the coerced frame and every failure found."""
    schema = SCHEMAS[table]
    try:
        return schema.validate(frame, lazy=True), []
    except SchemaErrors as exc:
        return frame, failures_from_pandera(table, frame, exc.failure_cases, _FRAME_CHECK_COLUMNS)
    except SchemaError as exc:  # pragma: no cover - lazy mode reports through SchemaErrors
        return frame, [ContractFailure(table, "-", "(table)", str(exc), "")]


def validate_table(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate and coerce one table, raising :class:`ContractError` with every failure."""
    checked, failures = check_table(table, frame)
    if failures:
        raise ContractError(failures)
    return checked


def check_tables(
    tables: Mapping[str, pd.DataFrame],
) -> tuple[dict[str, pd.DataFrame], list[ContractFailure]]:
    """Validate every table and the references between them; return coerced tables and failures."""
    checked: dict[str, pd.DataFrame] = {}
    failures: list[ContractFailure] = []
    for name, frame in tables.items():
        if name not in SCHEMAS:
            failures.append(ContractFailure(name, "-", "(table)", "unknown table", name))
            continue
        checked[name], table_failures = check_table(name, frame)
        failures += table_failures
    if all(
        name in checked for name in ("people", "incidents", "dash_assessments", "history_events")
    ):
        failures += check_references(checked)
    return checked, failures


def validate_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Validate a whole cohort, raising :class:`ContractError` listing every failure."""
    checked, failures = check_tables(tables)
    if failures:
        raise ContractError(failures)
    return checked
