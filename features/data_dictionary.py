"""The data contracts as a dictionary a force analyst can map an extract to.

Types, allowed values, ranges, patterns and cross-column rules are read from the pandera schemas
in :mod:`features.contracts`; only each column's meaning and an example value are written here.
``python -m features.data_dictionary DIR`` writes ``DIR/data.md`` and one CSV template per table
(``DIR/templates/``); a test regenerates both and fails when they drift from the contracts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandera.pandas as pa

from features.contracts import SCHEMAS, check_tables
from features.dash import DASH, QUESTION_IDS
from features.io import read_cohort
from features.vocab import TABLES


@dataclass(frozen=True)
class ColumnDoc:
    """What a column means and a value an extract would hold there."""

    meaning: str
    example: str


def _dash_docs() -> dict[str, ColumnDoc]:
    return {
        q: ColumnDoc(f"DASH question {q[1:]}: {DASH.question(q).text}", "no") for q in QUESTION_IDS
    }


_ID = "A stable pseudonymous reference from the force system (letters, digits, _ - : .)."
COLUMN_DOCS: Final[dict[str, dict[str, ColumnDoc]]] = {
    "people": {
        "person_id": ColumnDoc(_ID, "P000123"),
        "sex": ColumnDoc("Sex as recorded.", "female"),
        "birth_year": ColumnDoc("Year of birth (age bands for the bias audit).", "1988"),
        "ethnicity": ColumnDoc("ONS high-level ethnic group as recorded.", "white"),
        "disability": ColumnDoc("A disability is recorded for the person.", "false"),
    },
    "incidents": {
        "incident_id": ColumnDoc(_ID, "I004567"),
        "occurred_at": ColumnDoc(
            "When the incident happened (local time, no zone).", "2024-03-01T22:15:00"
        ),
        "victim_id": ColumnDoc("The victim's person_id.", "P000123"),
        "perpetrator_id": ColumnDoc("The perpetrator's person_id.", "P000456"),
        "officer_id": ColumnDoc("The attending officer's pseudonymous reference.", "O0042"),
        "area": ColumnDoc("Policing area or district name.", "area_03"),
        "crime_recorded": ColumnDoc("A crime was recorded for the incident.", "true"),
        "offence_category": ColumnDoc(
            "Home Office offence group of the incident.", "violence_with_injury"
        ),
        "severity": ColumnDoc("Harm scale, 1 (no harm) to 5 (life-threatening).", "3"),
        "injury": ColumnDoc("The victim was injured.", "true"),
        "weapon": ColumnDoc("A weapon or object was used.", "false"),
        "strangulation": ColumnDoc("Non-fatal strangulation or suffocation was reported.", "false"),
        "alcohol_or_drugs": ColumnDoc(
            "Alcohol or drugs were a factor for the perpetrator.", "true"
        ),
        "children_present": ColumnDoc("Children were present at the incident.", "true"),
        "child_involved": ColumnDoc(
            "A child was involved (hurt, threatened or intervened).", "false"
        ),
        "child_called_police": ColumnDoc("A child made the call to the police.", "false"),
        "victim_pregnant": ColumnDoc("The victim is pregnant.", "false"),
        "child_abuse_marker_at_address": ColumnDoc(
            "The address carries a child-abuse marker on police systems.", "false"
        ),
        "children_resident": ColumnDoc(
            "A child under 18 lives at the address (not only present); DASH q10 informs it.", "true"
        ),
        "honour_based_abuse": ColumnDoc(
            "So-called honour-based abuse, forced marriage or FGM is recorded.", "false"
        ),
        "adult_at_risk": ColumnDoc(
            "An adult with care and support needs is at risk (Care Act 2014 s.42).", "false"
        ),
    },
    "dash_assessments": {
        "assessment_id": ColumnDoc(_ID, "D007890"),
        "incident_id": ColumnDoc("The incident the assessment was completed for.", "I004567"),
        "completed_at": ColumnDoc(
            "When the DASH was completed (not before the incident).", "2024-03-01T23:40:00"
        ),
        "officer_id": ColumnDoc("The officer who completed the DASH.", "O0042"),
        **_dash_docs(),
        "officer_grade": ColumnDoc("The officer's risk grade.", "medium"),
        "referred_to_marac": ColumnDoc(
            "The case was referred to MARAC after this assessment.", "false"
        ),
        "dvds_concern": ColumnDoc(
            "The officer recorded a concern that a disclosure (DVDS) may be needed.", "false"
        ),
        "marac_consent": ColumnDoc(
            "Whether the victim consented to sharing with MARAC (a high case is referred anyway).",
            "given",
        ),
    },
    "history_events": {
        "event_id": ColumnDoc(_ID, "E000321"),
        "person_id": ColumnDoc(
            "Whose history this is (see kind for whether victim or perpetrator).", "P000456"
        ),
        "event_date": ColumnDoc("When it happened or started.", "2021-06-14T00:00:00"),
        "kind": ColumnDoc(
            "What happened (convictions, orders, referrals, separation).", "da_conviction"
        ),
        "end_date": ColumnDoc("Planned end of an order or licence; empty otherwise.", ""),
        "counterpart_id": ColumnDoc(
            "The other party: the perpetrator on a MARAC referral, the victim on a conviction; "
            "empty if not recorded (a repeat MARAC then matches on the victim only).",
            "P000123",
        ),
    },
    "oracle": {
        "assessment_id": ColumnDoc("Synthetic cohorts only: the assessment.", "D007890"),
        "p_serious_harm_365d": ColumnDoc(
            "Synthetic only: true chance of serious harm in 365 days.", "0.04"
        ),
        "p_repeat_365d": ColumnDoc(
            "Synthetic only: true chance of a repeat incident in 365 days.", "0.31"
        ),
        "p_repeat_violent_365d": ColumnDoc(
            "Synthetic only: true chance of a repeat violent incident by the same perpetrator "
            "in 365 days.",
            "0.11",
        ),
    },
}


def _type(column: pa.Column) -> str:
    text = str(column.dtype)
    if text.startswith("datetime"):
        return "date-time (ISO 8601, e.g. 2024-03-01T22:15:00)"
    return {"bool": "true/false", "int64": "whole number", "float64": "decimal number"}.get(
        text, "text"
    )


def _rule(column: pa.Column) -> str:
    parts = []
    for check in column.checks:
        stats = check.statistics
        if check.name == "isin":
            parts.append("one of " + ", ".join(f"`{v}`" for v in stats["allowed_values"]))
        elif check.name == "in_range":
            parts.append(f"from {stats['min_value']} to {stats['max_value']}")
        elif check.name == "str_matches":
            parts.append(f"matches `{stats['pattern']}`")
        elif check.name == "str_length":
            parts.append(f"{stats['min_value']} to {stats['max_value']} characters")
    parts.append("may be empty" if column.nullable else "required")
    if column.unique:
        parts.append("unique")
    return "; ".join(parts)


def _table_lines(table: str) -> Iterator[str]:
    schema = SCHEMAS[table]
    yield f"## `{table}`\n"
    yield "| column | type | rule | meaning | example |"
    yield "|---|---|---|---|---|"
    for name, column in schema.columns.items():
        doc = COLUMN_DOCS[table][name]
        yield f"| `{name}` | {_type(column)} | {_rule(column)} | {doc.meaning} | `{doc.example}` |"
    if schema.checks:
        yield "\nRules across columns (each failure names the row and the columns):\n"
        yield from (f"- `{check.name}`: {check.error}" for check in schema.checks)
    yield ""


def csv_template(table: str) -> str:
    """Return a CSV template for one table: the header and one example row."""
    docs = COLUMN_DOCS[table]
    names = list(SCHEMAS[table].columns)
    return ",".join(names) + "\n" + ",".join(docs[n].example for n in names) + "\n"


def _example_lines(example: Path) -> Iterator[str]:
    _, failures = check_tables(read_cohort(example))
    yield "## Worked example: validating a hand-made extract\n"
    yield (
        "`docs/example_extract/` holds four small CSV files a force analyst might export. "
        "One incident has a victim and perpetrator recorded as the same person and an assessment "
        "answers a question with `unsure`. Validate it before anything else reads it:\n"
    )
    yield "```bash\nsecondlook validate docs/example_extract --report failures.csv\n```\n"
    yield "It exits 1 and lists every failure (rows are 0-based positions in the file as read):\n"
    yield "| table | row | column | rule | value |"
    yield "|---|---|---|---|---|"
    yield from (f"| {f.table} | {f.row} | {f.column} | {f.rule} | `{f.value}` |" for f in failures)
    yield "\nFix those rows in the source system's export and run it again; nothing is read further"
    yield "until every table meets its contract.\n"


def render_markdown(example: Path) -> str:
    """Return ``docs/data.md``: every table's columns, rules and meanings, and a worked example."""
    listed = ", ".join(f"`{t}`" for t in TABLES)
    head = [
        "# Data contracts: what an extract must look like\n",
        "Generated from the pandera schemas (`python -m features.data_dictionary docs`); a test "
        "fails when this page and the contracts disagree. One file per table, Parquet or CSV, in "
        "one folder. CSV templates with one example row are in `docs/templates/`. Tables:"
        f" {listed} (required) and `oracle` (synthetic cohorts only).\n",
    ]
    body = [line for table in SCHEMAS for line in _table_lines(table)]
    return "\n".join([*head, *body, *_example_lines(example)])


def write_docs(directory: Path) -> list[Path]:
    """Write ``data.md`` and the CSV templates under ``directory``; return the paths written."""
    templates = directory / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    written = [directory / "data.md"]
    written[0].write_text(render_markdown(directory / "example_extract"))
    for table in TABLES:
        path = templates / f"{table}.csv"
        path.write_text(csv_template(table))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
