"""Run partition jobs on a Dask cluster (``local:N`` or a scheduler address), or in process.

Jobs are mapped over the parts with :mod:`distributed` futures: each worker reads its part,
writes its output part and returns only a small summary, so no process ever holds the whole
cohort. Results come back in part order whatever order the parts finish in.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from distributed import Client, LocalCluster, as_completed

Done = Callable[[], None]


def parse_scheduler(spec: str) -> tuple[str, int]:
    """Return ("local", N) for ``local:N`` or ("address", 0) for a scheduler address."""
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ValueError("--dask local:N needs a whole number of workers N >= 1")
        return "local", int(count)
    if not spec:
        raise ValueError("--dask needs a scheduler address or local:N")
    return "address", 0


@contextmanager
def dask_client(spec: str, *, processes: bool = True) -> Iterator[Client]:
    """Yield a client of a new LocalCluster (``local:N``) or of the scheduler at an address."""
    kind, workers = parse_scheduler(spec)
    if kind == "address":
        with Client(spec) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_parts(
    client: Client | None,
    job: Callable[[Any, int], dict[str, Any]],
    sources: Sequence[Any],
    done: Done | None = None,
) -> list[dict[str, Any]]:
    """Run ``job(source, k)`` for every part ``k``; return the summaries in part order."""
    tick = done or (lambda: None)
    if client is None:
        results = []
        for k, source in enumerate(sources):
            results.append(job(source, k))
            tick()
        return results
    futures = client.map(job, list(sources), range(len(sources)), pure=False)
    for _ in as_completed(futures):
        tick()
    return list(client.gather(futures))


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker_peak_rss(client: Client) -> dict[str, int]:
    """Return each worker process's peak resident set size in bytes (since it started)."""
    return {str(k): int(v) for k, v in client.run(_peak_rss).items()}
