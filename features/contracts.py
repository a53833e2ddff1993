"""Pandera data contracts: the single source of truth for the input tables' columns and rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

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


@dataclass(frozen=True)
class ContractFailure:
    """One broken rule: which table, row, column and rule, and the offending value."""

    table: str
    row: str
    column: str
    rule: str
    value: str

    def __str__(self) -> str:
        return f"{self.table}[row {self.row}].{self.column}: {self.rule} (value: {self.value})"


class ContractError(ValueError):
    """Raised when one or more tables break their contract; carries every failure."""

    def __init__(self, failures: list[ContractFailure]) -> None:
        self.failures = failures
        shown = "\n".join(f"  - {f}" for f in failures[:20])
        more = f"\n  ... and {len(failures) - 20} more" if len(failures) > 20 else ""
        super().__init__(f"{len(failures)} contract failure(s):\n{shown}{more}")


def _row_label(index: Any) -> str:
    return "-" if index is None or pd.isna(index) else str(index)


def _failures_from_pandera(
    table: str, frame: pd.DataFrame, cases: pd.DataFrame
) -> list[ContractFailure]:
    out: list[ContractFailure] = []
    seen_frame_checks: set[tuple[str, str]] = set()
    for rec in cases.to_dict("records"):
        rule, row = str(rec.get("check")), _row_label(rec.get("index"))
        columns = _FRAME_CHECK_COLUMNS.get(rule)
        if columns is not None:
            if (row, rule) in seen_frame_checks:
                continue  # pandera reports a frame-wide check once per column; keep one
            seen_frame_checks.add((row, rule))
            values = frame.loc[rec["index"], list(columns)].to_dict()
            out.append(ContractFailure(table, row, ", ".join(columns), rule, str(values)))
            continue
        column = rec.get("column")
        name = "(table)" if column is None or column == table else str(column)
        out.append(ContractFailure(table, row, name, rule, str(rec.get("failure_case"))))
    return out


def check_table(table: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ContractFailure]]:
    """Validate one table lazily; return the coerced frame and every failure found."""
    schema = SCHEMAS[table]
    try:
        return schema.validate(frame, lazy=True), []
    except SchemaErrors as exc:
        return frame, _failures_from_pandera(table, frame, exc.failure_cases)
    except SchemaError as exc:  # pragma: no cover - lazy mode reports through SchemaErrors
        return frame, [ContractFailure(table, "-", "(table)", str(exc), "")]


def validate_table(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate and coerce one table, raising :class:`ContractError` with every failure."""
    checked, failures = check_table(table, frame)
    if failures:
        raise ContractError(failures)
    return checked


def _missing_refs(
    table: str, frame: pd.DataFrame, column: str, allowed: pd.Series, target: str
) -> list[ContractFailure]:
    if column not in frame.columns:
        return []  # the missing column is already reported by the table's own contract
    bad = frame.index[~frame[column].isin(allowed)]
    return [
        ContractFailure(
            table, str(i), column, f"references a missing {target}", str(frame.at[i, column])
        )
        for i in bad
    ]


def check_references(tables: Mapping[str, pd.DataFrame]) -> list[ContractFailure]:
    """Check the links between tables: assessment -> incident -> people, events -> people."""
    failures: list[ContractFailure] = []
    people, incidents = tables["people"], tables["incidents"]
    assessments, events = tables["dash_assessments"], tables["history_events"]
    if "person_id" not in people.columns or "incident_id" not in incidents.columns:
        return failures  # without the key columns there is nothing to link to
    ids = people["person_id"]
    failures += _missing_refs("incidents", incidents, "victim_id", ids, "people.person_id")
    failures += _missing_refs("incidents", incidents, "perpetrator_id", ids, "people.person_id")
    failures += _missing_refs("history_events", events, "person_id", ids, "people.person_id")
    if "counterpart_id" in events.columns:
        linked = events[events["counterpart_id"].notna()]
        failures += _missing_refs(
            "history_events", linked, "counterpart_id", ids, "people.person_id"
        )
    failures += _missing_refs(
        "dash_assessments",
        assessments,
        "incident_id",
        incidents["incident_id"],
        "incidents.incident_id",
    )
    failures += _assessment_after_incident(incidents, assessments)
    if "oracle" in tables:
        failures += _missing_refs(
            "oracle",
            tables["oracle"],
            "assessment_id",
            assessments["assessment_id"],
            "dash_assessments.assessment_id",
        )
    return failures


def _assessment_after_incident(
    incidents: pd.DataFrame, assessments: pd.DataFrame
) -> list[ContractFailure]:
    needed = {"incident_id", "occurred_at"} <= set(incidents.columns) and {
        "incident_id",
        "completed_at",
    } <= set(assessments.columns)
    if not needed:
        return []
    try:
        lookup = incidents.drop_duplicates("incident_id").set_index("incident_id")["occurred_at"]
        occurred = pd.to_datetime(assessments["incident_id"].map(lookup), errors="coerce")
        completed = pd.to_datetime(assessments["completed_at"], errors="coerce")
    except (TypeError, ValueError):
        return []  # unparseable dates are already reported by the table contracts
    bad = assessments.index[occurred.notna() & completed.notna() & (completed < occurred)]
    return [
        ContractFailure(
            "dash_assessments",
            str(i),
            "completed_at",
            "must not be before its incident's occurred_at",
            str(assessments.at[i, "completed_at"]),
        )
        for i in bad
    ]


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
