"""CLI commands ``replay`` (simulate a live period with known drift) and ``monitor``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from monitoring.alerts import Thresholds
from monitoring.drifts import DRIFTS
from secondlook_cli.console import console, err_console

if TYPE_CHECKING:
    import pandas as pd

    from monitoring import Reference

DEFAULT = Thresholds()
DRIFT_HELP = [
    f"{d.name} ({d.description}; {d.area} from month {d.start_month})" for d in DRIFTS.values()
]
Out = Annotated[Path, typer.Option(help="Directory for monitor.json and monitor.html.")]


def replay(
    directory: Annotated[Path, typer.Argument(help="Directory to write the scored cases to.")],
    months: Annotated[int, typer.Option(min=1, max=120, help="Months of live scoring.")] = 24,
    drift: Annotated[
        list[str] | None,
        typer.Option(help=f"A change to inject (repeatable): {'; '.join(DRIFT_HELP)}."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the simulated cohort.")] = 0,
    victims: Annotated[
        int | None,
        typer.Option(min=1000, help="Victims in the simulated cohort [default: the replay's]."),
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="A model directory (booster + scoring spec) to score with.")
    ] = None,
) -> None:
    """Simulate and score a live period, optionally with known drift, for the monitor."""
    from monitoring.replay import replay as run_replay

    names = drift or []
    for name in names:
        if name not in DRIFTS:
            raise typer.BadParameter(f"{name!r}; known: {', '.join(DRIFTS)}", param_hint="--drift")
    with console.status(f"Simulating and scoring {months} months (seed {seed})..."):
        sized = {} if victims is None else {"n_victims": victims}
        result = run_replay(months, names, seed, model=model, **sized)
    result.save(directory)
    console.print(f"[green]Wrote {len(result.scored):,} scored cases to {directory}[/green]")
    for d in result.metadata["drifts"]:
        console.print(f"  injected {d['name']} in {d['area']} from {d['start_window']}")


def _read_source(source: Path) -> tuple[pd.DataFrame, Reference, dict[str, object]]:
    import pandas as pd

    from monitoring import Reference
    from monitoring.replay import METADATA_FILE, REFERENCE_FILE, SCORED_FILE

    for name in (SCORED_FILE, REFERENCE_FILE):
        if not (source / name).is_file():
            err_console.print(
                f"[red]{source} has no {name}: write one with secondlook replay[/red]"
            )
            raise typer.Exit(2)
    meta_path = source / METADATA_FILE
    metadata = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    return pd.read_parquet(source / SCORED_FILE), Reference.load(source / REFERENCE_FILE), metadata


def monitor(
    source: Annotated[Path, typer.Argument(help="A folder of scored cases (from replay).")],
    out: Out = Path("out/monitor"),
    window: Annotated[str, typer.Option(help="month or week.")] = "month",
    psi: Annotated[float, typer.Option(min=0.0, help="PSI alert threshold.")] = DEFAULT.psi,
    min_cases: Annotated[
        int, typer.Option(min=1, help="Fewer cases: no alert.")
    ] = DEFAULT.min_cases,
) -> None:
    """Watch input, score and decision drift per window, overall and by area; write alerts."""
    from monitoring import run_monitor
    from monitoring.report import write_report
    from monitoring.windows import WINDOWS

    if window not in WINDOWS:
        raise typer.BadParameter(f"{window!r}; use {' or '.join(WINDOWS)}", param_hint="--window")
    scored, reference, metadata = _read_source(source)
    try:
        result = run_monitor(scored, reference, Thresholds(psi=psi, min_cases=min_cases), window)
    except ValueError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    paths = write_report(result, out, metadata)
    console.print(f"{len(result.alerts)} alert(s) over {len(result.windows)} window-groups")
    for alert in result.alerts[:20]:
        what = alert.feature or alert.question or ""
        console.print(f"  {alert.window} {alert.group} {alert.kind} {alert.metric} {what}")
    console.print(f"[green]Wrote {', '.join(str(p) for p in paths)}[/green]")
