"""Scale-out: split a cohort so every row's history stays in its partition, then run each part.

:mod:`features.distributed.partition` splits a cohort by connected component of the
victim-perpetrator graph; :mod:`features.distributed.layout` reads and writes partitioned cohorts
and outputs (one Parquet file per partition); :mod:`features.distributed.jobs` holds the work
done on one partition (generate, features, grades, batch scores), the same functions the
single-process path calls on a whole cohort; :mod:`features.distributed.cluster` runs them on a
Dask cluster. Only the last imports Dask.
"""
