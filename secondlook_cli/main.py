"""The ``secondlook`` command line: the only place that wires features, training and serving."""

from __future__ import annotations

import typer

from secondlook_cli import (
    audit_cmds,
    data_cmds,
    features_cmds,
    grade_cmds,
    monitor_cmds,
    run_cmd,
    scale_cmds,
    serve_cmds,
    train_cmds,
)

app = typer.Typer(
    name="secondlook",
    help="Second Look: an evidence-based second view beside the statutory DASH grade.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(data_cmds.generate)
app.command()(data_cmds.validate)
app.command()(grade_cmds.grade)
app.command("score-batch")(scale_cmds.score_batch)
app.add_typer(features_cmds.app, name="features")
app.command()(train_cmds.train)
app.command()(train_cmds.promote)
app.add_typer(audit_cmds.app, name="audit")
app.command()(serve_cmds.serve)
app.add_typer(serve_cmds.keys_app, name="keys")
app.command()(run_cmd.run)
app.command()(monitor_cmds.replay)
app.command()(monitor_cmds.monitor)


if __name__ == "__main__":  # pragma: no cover
    app()
