"""The ``--dask`` paths of ``generate``, ``features build`` and ``grade``, and ``score-batch``.

Each cohort is processed as partitions (see ``docs/scale.md``): a partitioned cohort directory
is handed to the workers part by part and never read whole here; a flat one is read, checked
against its contracts and split by connected component here, then shipped to the workers.
Outputs are directories of Parquet parts, one per partition.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from features.io import METADATA_FILE, read_metadata
from features.rules import GradeSummary
from secondlook_cli.cohort import load_valid_cohort
from secondlook_cli.console import console, err_console, failures_table

if TYPE_CHECKING:
    from distributed import Client

    from features.rules import RulesConfig
    from features.synthetic import GeneratorParams

DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        help="Run on a Dask cluster: a scheduler address (tcp://host:8786) or local:N "
        "for N local worker processes.",
    ),
]


@contextmanager
def client_for(spec: str | None) -> Iterator[Client | None]:
    """Yield a Dask client for ``--dask`` (None: run the parts one by one in this process)."""
    if spec is None:
        yield None
        return
    try:
        from features.distributed.cluster import dask_client, parse_scheduler
    except ImportError as exc:  # pragma: no cover - the scale extra is part of dev
        err_console.print("[red]--dask needs the scale extra: pip install secondlook[scale][/red]")
        raise typer.Exit(code=2) from exc
    try:
        parse_scheduler(spec)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--dask") from exc
    try:
        cluster = dask_client(spec)
        client = cluster.__enter__()
    except OSError as exc:  # no scheduler at that address (distributed's connect timeout)
        err_console.print(f"[red]--dask: no Dask scheduler reachable at {spec} ({exc})[/red]")
        raise typer.Exit(code=2) from exc
    try:
        yield client
    finally:
        cluster.__exit__(None, None, None)


def parts_of(directory: Path, client: Client | None) -> tuple[list[Any], dict[str, Any]]:
    """Return the work units of a cohort (part references, or tables split here) and metadata."""
    from features.distributed.layout import PartRef, partition_count
    from features.distributed.partition import split_tables

    count = partition_count(directory)
    if count:
        return [PartRef(str(directory), k) for k in range(count)], read_metadata(directory)
    tables, metadata = load_valid_cohort(directory)
    workers = len(client.scheduler_info()["workers"]) if client is not None else 1
    return split_tables(tables, max(1, 2 * workers)), metadata


def run_with_bar(
    client: Client | None, job: Callable[[Any, int], dict[str, Any]], units: Sequence[Any]
) -> list[dict[str, Any]]:
    """Run ``job`` over every unit with a progress bar of finished partitions."""
    from features.contracts import ContractError
    from features.distributed.cluster import run_parts

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*Progress.get_default_columns()[:1], *columns, console=console) as bar:
            task = bar.add_task("partitions", total=len(units))
            return run_parts(client, job, units, lambda: bar.advance(task))
    except ContractError as exc:  # a part read by a worker fails its contracts
        err_console.print(failures_table(exc.failures))
        err_console.print(
            "[red]A partition fails its contracts; its outputs were not written.[/red]"
        )
        raise typer.Exit(code=1) from exc


def output_dir(out: Path) -> Path:
    """Check an output directory of parts (``.parquet`` name, not a file) and clear old parts."""
    from features.distributed.layout import clear_output

    if out.suffix != ".parquet" or out.is_file():
        raise typer.BadParameter(
            "with --dask, give a .parquet directory name (not an existing file)",
            param_hint="--out",
        )
    clear_output(out)
    return out


def generate_partitioned(
    victims: int,
    seed: int,
    out: Path,
    params: GeneratorParams,
    spec: str | None,
    part_victims: int,
) -> None:
    """Generate a partitioned cohort, each part from its own derived seed, on the workers."""
    from features.distributed.generation import part_sizes, partitioned_metadata
    from features.distributed.jobs import GenerateJob
    from features.distributed.layout import clear_output, table_dir
    from features.vocab import OPTIONAL_TABLES, TABLES

    sizes = part_sizes(victims, part_victims)
    for table in (*TABLES, *OPTIONAL_TABLES):  # a rerun must not leave an earlier run's parts
        folder = table_dir(out, table)
        if folder.is_file():
            raise typer.BadParameter(f"{out} holds a flat cohort; choose another directory")
        clear_output(folder)
    with client_for(spec) as client:
        parts = run_with_bar(client, GenerateJob(str(out), seed, params), sizes)
    metadata = partitioned_metadata(seed, sizes, parts)
    (out / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    for name, count in metadata["rows"].items():
        console.print(f"  {name:<18} {count:>10,} rows")
    console.print(f"[green]Wrote {len(sizes)} partitions to {out}[/green]")


def features_partitioned(directory: Path, out: Path, spec: str | None) -> dict[str, Any]:
    """Build features partition by partition; return the merged summary."""
    from features.distributed.jobs import FeaturesJob, merge_feature_summaries

    out = output_dir(out)
    with client_for(spec) as client:
        units, _ = parts_of(directory, client)
        return merge_feature_summaries(run_with_bar(client, FeaturesJob(str(out)), units))


def grades_partitioned(
    directory: Path, out: Path, config: RulesConfig | None, spec: str | None
) -> GradeSummary:
    """Grade partition by partition; return the counts of every partition added up."""
    from features.distributed.jobs import GradesJob, merge_counts

    out = output_dir(out)
    with client_for(spec) as client:
        units, _ = parts_of(directory, client)
        parts = run_with_bar(client, GradesJob(str(out), config), units)
    counts = merge_counts(parts, ("n_assessments", "by_grade", "by_action", "by_rule"))
    first = parts[0]
    return GradeSummary(
        path=out,
        rules_version=first["rules_version"],
        non_default_thresholds=first["non_default_thresholds"],
        **counts,
    )


def load_registered(model_ref: str | None) -> Any:
    """Load the registered model as serving does (settings from the environment), or exit 2."""
    from serving.model_loader import ModelNotAvailableError, load_model
    from serving.settings import ServingSettings

    settings = ServingSettings() if model_ref is None else ServingSettings(model_ref=model_ref)
    try:
        return load_model(settings)
    except ModelNotAvailableError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc


def score_batch(
    directory: Annotated[Path, typer.Argument(help="Cohort directory (flat or partitioned).")],
    out: Annotated[
        Path, typer.Option(help="Output directory of Parquet parts, one per partition.")
    ] = Path("out/scores.parquet"),
    rules_config: Annotated[
        Path | None, typer.Option(help="YAML with the force's threshold overrides.")
    ] = None,
    model_ref: Annotated[
        str | None,
        typer.Option(help="Registered model alias or version (default: the serving setting)."),
    ] = None,
    top_k: Annotated[int, typer.Option(min=1, max=20, help="Reasons per assessment.")] = 3,
    dask: DaskOption = None,
) -> None:
    """Back-score a cohort with the registered model: grade, probability, top reasons."""
    from features.distributed.jobs import ScoresJob, merge_counts
    from secondlook_cli.grade_cmds import read_rules_config

    config = read_rules_config(rules_config)
    model = load_registered(model_ref)
    out = output_dir(out)
    with client_for(dask) as client:
        units, _ = parts_of(directory, client)
        job = ScoresJob(str(out), model.scorer, config, top_k)
        totals = merge_counts(run_with_bar(client, job, units), ("rows", "review_suggested"))
    rows, review = totals["rows"], totals["review_suggested"]
    share = review / rows if rows else 0.0
    console.print(
        f"Model {model.name} version {model.version}: review suggested {review:,} "
        f"of {rows:,} ({share:.1%}); the statutory grade and actions always apply."
    )
    console.print(f"[green]Wrote {len(units)} partitions of scores to {out}[/green]")


def train_partitioned(
    directory: Path, target: str, seed: int | None, spec: str, tune: int | None
) -> None:
    """Train with lightgbm.dask on the cohort's partitions; log and register in MLflow."""
    if tune is not None:
        raise typer.BadParameter(
            "tuning runs locally only; drop --tune or --dask", param_hint="--tune"
        )
    from training.dask_fit import fit_on_dask, register
    from training.registry import AUC_KEY, ECE_KEY
    from training.settings import TrainingSettings

    settings = TrainingSettings() if seed is None else TrainingSettings(seed=seed)
    with client_for(spec) as client:
        assert client is not None  # a spec always gives a client
        units, metadata = parts_of(directory, client)
        workers = len(client.scheduler_info()["workers"])
        with console.status(f"Training on {workers} Dask workers, {len(units)} partitions..."):
            fit, _ = fit_on_dask(client, units, metadata, target, settings)
    logged = register(fit, target, {"workers": workers, "parts": len(units)}, settings)
    m = fit.metrics
    rows = f"{m['n_test']:,.0f} rows"
    console.print(f"Test period: AUC {m[AUC_KEY]:.3f}, ECE {m[ECE_KEY]:.4f} ({rows})")
    console.print(
        f"Registered {logged['model_name']} version {logged['model_version']} as "
        f"[bold]{logged['alias']}[/bold]: {logged['alias_reason']}"
    )
    console.print(f"MLflow run {logged['run_id']} ({m['seconds_total']:.1f} s on the cluster)")
