"""A two-worker Dask cluster (threads, one per worker) and a small cohort for the module."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from features.synthetic import generate_cohort


@pytest.fixture(scope="package")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture(scope="package")
def cohort() -> dict[str, pd.DataFrame]:
    return generate_cohort(1200, seed=11).tables
