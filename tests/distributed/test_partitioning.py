"""Partitioning keeps every history whole; partitioned generation is independent of workers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from features.contracts import check_tables
from features.distributed.cluster import dask_client, parse_scheduler, run_parts
from features.distributed.generation import part_seed, part_sizes
from features.distributed.jobs import FeaturesJob, GenerateJob
from features.distributed.layout import PartRef, partition_count, read_output
from features.distributed.partition import component_partitions, split_tables
from features.engine import FeatureConfig, build_features
from features.io import read_cohort


def test_split_keeps_every_row_once_and_every_person_in_one_part(
    cohort: dict[str, pd.DataFrame],
) -> None:
    parts = split_tables(cohort, 4)
    for name, frame in cohort.items():
        joined = pd.concat([p[name] for p in parts])
        assert len(joined) == len(frame)
        key = frame.columns[0]
        assert sorted(joined[key]) == sorted(frame[key])
    owners: dict[str, int] = {}
    for k, part in enumerate(parts):
        inc = part["incidents"]
        for person in pd.concat([inc["victim_id"], inc["perpetrator_id"]]).unique():
            assert owners.setdefault(person, k) == k
        assert not check_tables(part)[1]  # each part is a closed, valid cohort
    assert min(len(p["dash_assessments"]) for p in parts) > 0


def test_a_serial_perpetrators_victims_share_a_part(cohort: dict[str, pd.DataFrame]) -> None:
    inc = cohort["incidents"]
    victims = inc.groupby("perpetrator_id")["victim_id"].nunique()
    serial = victims[victims > 1].index
    assert len(serial) > 0
    parts = split_tables(cohort, 5)
    for perp in serial:
        holding = [
            k for k, p in enumerate(parts) if (p["incidents"]["perpetrator_id"] == perp).any()
        ]
        assert len(holding) == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=200),
    st.lists(st.integers(1, 9), min_size=31, max_size=31),
    st.integers(1, 8),
)
def test_component_partitions_are_whole_ordered_and_balanced(
    labels: list[int], weights: list[int], n: int
) -> None:
    lab = np.array(labels, dtype=np.int64)
    w = np.array(weights, dtype=np.int64)[lab]
    part = component_partitions(lab, w, n)
    assert part.min() >= 0 and part.max() < n
    assert (np.diff(part) >= 0).all()  # components in label order, cut into runs
    load = np.bincount(part[lab], weights=w, minlength=n)
    biggest = np.bincount(lab, weights=w).max()
    assert load.max() <= w.sum() / n + biggest


def test_part_seeds_do_not_depend_on_the_part_count() -> None:
    assert part_sizes(250, 100) == [100, 100, 50]
    assert [part_seed(7, k) for k in range(3)] == [part_seed(7, k) for k in range(5)][:3]
    assert len({part_seed(7, k) for k in range(50)}) == 50


def _generate(client: Client | None, out: Path) -> dict[str, pd.DataFrame]:
    sizes = part_sizes(700, 300)
    run_parts(client, GenerateJob(str(out), seed=5), sizes)
    return read_cohort(out)


def test_partitioned_generation_is_the_same_with_any_workers(
    client: Client, tmp_path: Path
) -> None:
    local = _generate(None, tmp_path / "local")
    dask = _generate(client, tmp_path / "dask")
    assert partition_count(tmp_path / "dask") == 3
    for name, frame in local.items():
        pd.testing.assert_frame_equal(dask[name], frame, check_exact=True)
    assert local["people"]["person_id"].is_unique
    assert not check_tables(local)[1]
    for k in range(3):
        part = PartRef(str(tmp_path / "dask"), k).read()
        assert part["people"]["person_id"].str.startswith(f"k{k:05d}-").all()


def test_partitioned_cohort_features_equal_the_whole(client: Client, tmp_path: Path) -> None:
    tables = _generate(client, tmp_path / "cohort")
    refs = [PartRef(str(tmp_path / "cohort"), k) for k in range(3)]
    run_parts(client, FeaturesJob(str(tmp_path / "features")), refs)
    single = build_features(tables, FeatureConfig())
    pd.testing.assert_frame_equal(read_output(tmp_path / "features"), single, check_exact=True)


def test_a_part_failing_its_contract_is_refused(client: Client, tmp_path: Path) -> None:
    _generate(None, tmp_path / "bad")
    path = tmp_path / "bad" / "incidents.parquet" / "part-00001.parquet"
    frame = pd.read_parquet(path)
    frame.loc[0, "severity"] = 99
    frame.to_parquet(path, index=False)
    refs = [PartRef(str(tmp_path / "bad"), k) for k in range(3)]
    with pytest.raises(Exception, match="severity"):
        run_parts(client, FeaturesJob(str(tmp_path / "features")), refs)


def test_local_n_starts_n_workers() -> None:
    with dask_client("local:2", processes=False) as local:
        assert len(local.scheduler_info()["workers"]) == 2
    with pytest.raises(ValueError, match="local:N"):
        parse_scheduler("local:0")
