from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from features.contracts import validate_tables
from features.io import CohortNotFoundError, read_cohort, read_metadata, write_cohort


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_keeps_every_row_and_value(
    tmp_path: Path, minimal_tables: dict[str, pd.DataFrame], fmt: str
) -> None:
    expected = validate_tables(minimal_tables)
    write_cohort(expected, tmp_path, fmt, metadata={"seed": 3})  # type: ignore[arg-type]
    got = validate_tables(read_cohort(tmp_path))
    assert read_metadata(tmp_path) == {"seed": 3}
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame, check_dtype=False)


def test_missing_table_is_named(tmp_path: Path, minimal_tables: dict[str, pd.DataFrame]) -> None:
    write_cohort({k: v for k, v in minimal_tables.items() if k != "people"}, tmp_path)
    with pytest.raises(CohortNotFoundError, match="people"):
        read_cohort(tmp_path)
