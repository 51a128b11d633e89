"""``seqconv receptive-field``: print a model's per-layer receptive-field table."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.errors import SeqconvError
from seqconv.options import parse_options


def _model_spec(arch: str | None, run_dir: Path | None) -> tuple[str, dict[str, Any]]:
    if (arch is None) == (run_dir is None):
        raise SeqconvError("give either --arch NAME or --model RUN_DIR")
    if arch is not None:
        return arch, {}
    from seqconv.runs.rundir import model_spec

    return model_spec(run_dir)


@app.command(
    "receptive-field",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
@friendly_errors
def receptive_field_command(
    ctx: typer.Context,
    arch: str | None = typer.Option(None, "--arch", help="Zoo model name (see --help of train)."),
    model: Path | None = typer.Option(
        None, "--model", help="Run directory: the architecture is read from its config.json."
    ),
    length: int | None = typer.Option(
        None, "--length", min=1, help="Input length: report output lengths, warn if too short."
    ),
) -> None:
    """Print the receptive field of a model, layer by layer.

    Extra options are build arguments of the model: --channels 32, --dilations 1,2,4,
    --causal true. With --model they override the run's stored arguments.
    """
    from seqconv.models import build
    from seqconv.rf.receptive_field import receptive_field

    name, kwargs = _model_spec(arch, model)
    kwargs = {**kwargs, **parse_options(list(ctx.args))}
    network = build(name, **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rf = receptive_field(network, input_length=length)
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)  # piped output: do not squeeze the table
    header, rows = rf.table()
    options = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    table = Table(title=escape(f"{name}({options})"), title_justify="left")
    for column in header:
        numeric = column not in ("layer", "op", "padding")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(rf.summary(), markup=False, highlight=False, soft_wrap=True)
    for warning in caught:
        err_console.print(
            f"[bold yellow]warning:[/] {escape(str(warning.message))}", highlight=False
        )
