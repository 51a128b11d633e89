"""`seqconv models`: the zoo, with each model's defaults and size."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from seqconv.cli.app import app, friendly_errors


@app.command("models", epilog="Example: seqconv models --in-channels 1")
@friendly_errors
def list_models(
    in_channels: int = typer.Option(4, metavar="N", help="Input channels to count parameters for."),
) -> None:
    """List the zoo models: name, source, parameter count and default options."""
    from seqconv.models import build, defaults, get, names

    table = Table(title="seqconv model zoo")
    for column in ("model", "source", "parameters", "defaults"):
        table.add_column(column, justify="right" if column == "parameters" else "left")
    for name in names():
        model = build(name, in_channels=in_channels)
        params = sum(p.numel() for p in model.parameters())
        module = sys.modules[get(name).__module__]
        doc = (module.__doc__ or "").strip().splitlines()[0].rstrip(".")
        options = {k: v for k, v in defaults(name).items() if k not in ("in_channels", "n_outputs")}
        table.add_row(name, doc, f"{params:,}", ", ".join(f"{k}={v}" for k, v in options.items()))
    Console().print(table)
