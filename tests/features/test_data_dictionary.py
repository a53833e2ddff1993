"""docs/data.md and the CSV templates are generated from the contracts and must not drift."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from features.contracts import SCHEMAS, check_table, check_tables
from features.data_dictionary import COLUMN_DOCS, csv_template, render_markdown
from features.io import read_cohort
from features.vocab import TABLES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_contract_column_has_a_meaning_and_nothing_else_does() -> None:
    for table, schema in SCHEMAS.items():
        assert set(COLUMN_DOCS[table]) == set(schema.columns), table


def test_data_md_is_what_the_contracts_generate() -> None:
    expected = render_markdown(DOCS / "example_extract")
    assert (DOCS / "data.md").read_text() == expected, (
        "docs/data.md is stale: run `python -m features.data_dictionary docs`"
    )


@pytest.mark.parametrize("table", TABLES)
def test_templates_are_generated_and_their_example_row_meets_the_contract(table: str) -> None:
    text = (DOCS / "templates" / f"{table}.csv").read_text()
    assert text == csv_template(table)
    dates = [n for n, c in SCHEMAS[table].columns.items() if str(c.dtype).startswith("datetime")]
    frame = pd.read_csv(io.StringIO(text), parse_dates=dates)
    assert check_table(table, frame)[1] == []


def test_worked_example_fails_exactly_where_the_page_says() -> None:
    _, failures = check_tables(read_cohort(DOCS / "example_extract"))
    assert [(f.table, f.row, f.column) for f in failures] == [
        ("incidents", "1", "victim_id, perpetrator_id"),
        ("dash_assessments", "1", "q2"),
    ]
