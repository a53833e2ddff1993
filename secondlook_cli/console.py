"""Shared Rich console and progress helpers for the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from features.contracts import ContractFailure

console = Console()
err_console = Console(stderr=True)


@contextmanager
def stage_progress(total: int, description: str) -> Iterator[Progress]:
    """Show a progress bar over ``total`` named stages; advance it once per stage."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    with progress:
        progress.add_task(description, total=total)
        yield progress


@contextmanager
def stage_reporter(stages: Sequence[str], title: str) -> Iterator[Callable[[str], None]]:
    """Show a bar over known ``stages``; yield a hook that marks the named stage as started.

    Pipelines report stages by name (``progress("fit")``); each call completes the stages
    before it, so the bar is right even when a stage is skipped or repeated.
    """
    order = {name: i for i, name in enumerate(stages)}
    with stage_progress(len(stages), title) as progress:
        task = progress.task_ids[0]

        def started(name: str) -> None:
            done = order.get(name, int(progress.tasks[0].completed))
            progress.update(task, completed=done, description=f"{title}: {name}")

        yield started
        progress.update(task, completed=len(stages), description=f"{title}: done")


def failures_table(failures: list[ContractFailure], limit: int = 200) -> Table:
    """Render contract failures as a table: table, row, column, rule, value."""
    table = Table(title=f"{len(failures)} contract failure(s)", show_lines=False)
    for heading in ("table", "row", "column", "rule", "value"):
        table.add_column(heading, overflow="fold")
    for failure in failures[:limit]:
        table.add_row(failure.table, failure.row, failure.column, failure.rule, failure.value)
    if len(failures) > limit:
        table.caption = f"... {len(failures) - limit} more not shown (use --report to write all)"
    return table
