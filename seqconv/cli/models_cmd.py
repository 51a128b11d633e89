"""`seqconv models`: the zoo, with each model's defaults and size."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from seqconv.cli.app import app
from seqconv.cli.generate import command
from seqconv.option_table import Spec
from seqconv.validation import Rule

if TYPE_CHECKING:  # the CLI starts without importing torch
    from torch import nn


OPTIONS = {
    "in_channels": Spec("Input channels to count parameters for.", Rule(int, 1, 100_000),
                        default=4, metavar="N", cli=int),
    "length": Spec("Input length to count multiply-adds at.", Rule(int, 1, 100_000_000),
                   default=1000, metavar="L", cli=int),
}  # fmt: skip


def list_models(in_channels: int, length: int) -> None:
    """List the zoo models: name, source, output, parameter count and default options; then what
    the separable variants save in parameters and multiply-adds."""
    from seqconv.models import build, defaults, get, is_dense, names
    from seqconv.models.protocol import is_profile

    table = Table(title="seqconv model zoo")
    for column in ("model", "source", "output", "parameters", "defaults"):
        table.add_column(column, justify="right" if column == "parameters" else "left")
    lighter = []
    for name in names():
        model = build(name, in_channels=in_channels)
        params = sum(p.numel() for p in model.parameters())
        module = sys.modules[get(name).__module__]
        doc = (module.__doc__ or "").strip().splitlines()[0].rstrip(".")
        options = {k: v for k, v in defaults(name).items() if k not in ("in_channels", "n_outputs")}
        output = "(N, K, L)" if is_dense(model) else "(N, K)"
        if is_profile(model):
            output = "(N, T, W + 1)"
        table.add_row(
            name, doc, output, f"{params:,}", ", ".join(f"{k}={v}" for k, v in options.items())
        )
        if options.get("separable") is False:
            lighter.append((name, model))
    console = Console()
    console.print(table)
    for name, model in lighter:
        separable = build(name, in_channels=in_channels, separable=True)
        console.print(_separable_line(name, model, separable, in_channels, length))


command(
    app,
    OPTIONS,
    list_models,
    name="models",
    no_args_is_help=False,
    epilog="Example: seqconv models --in-channels 1",
)


def _separable_line(
    name: str, plain: nn.Module, separable: nn.Module, in_channels: int, length: int
) -> str:
    """One line: the separable variant's parameters and multiply-adds against the plain model's."""
    from seqconv.models.cost import parameter_count, runs_at, saving

    p0, p1 = parameter_count(plain), parameter_count(separable)
    text = f"{name} separable=True: {p1:,} parameters vs {p0:,} ({saving(p0, p1)})"
    m0, m1 = runs_at(plain, in_channels, length), runs_at(separable, in_channels, length)
    if m0 is not None and m1 is not None:
        text += (
            f", {m1 / 1e6:,.1f} M vs {m0 / 1e6:,.1f} M multiply-adds per input of length "
            f"{length:,} ({saving(m0, m1)})"
        )
    else:
        text += f"; it does not run on inputs of length {length:,}"
    return text
