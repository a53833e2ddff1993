"""The ``secondlook`` command line: the only place that wires features, training and serving."""

from __future__ import annotations

import typer

from secondlook_cli import data_cmds

app = typer.Typer(
    name="secondlook",
    help="Second Look: an evidence-based second view beside the statutory DASH grade.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(data_cmds.generate)
app.command()(data_cmds.validate)


if __name__ == "__main__":  # pragma: no cover
    app()
