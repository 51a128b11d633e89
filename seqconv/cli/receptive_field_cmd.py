"""``seqconv receptive-field``: print a model's per-layer receptive-field table."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seqconv.cli.app import app, err_console
from seqconv.cli.common import RUN, THREADS, start_threads, with_help
from seqconv.cli.generate import command
from seqconv.errors import SeqconvError
from seqconv.option_table import Spec
from seqconv.options import parse_options
from seqconv.validation import Rule

OPTIONS = {
    "arch": Spec("Zoo model name (see seqconv models).", Rule(str, optional=True),
                 flags=("--arch", "-a"), metavar="NAME"),
    "run": with_help(RUN, "Run directory: the architecture is read from its config.json.",
                     required=None),
    "length": Spec("Input length: report output lengths, warn if too short.",
                   Rule(int, 1, 100_000_000, optional=True), metavar="N", cli=int),
    "threads": THREADS,
}  # fmt: skip


def _model_spec(arch: str | None, run_dir: Path | None) -> tuple[str, dict[str, Any]]:
    if (arch is None) == (run_dir is None):
        raise SeqconvError("give either --arch NAME or --run DIR")
    if arch is not None:
        return arch, {}
    from seqconv.rundir import model_spec

    return model_spec(run_dir)


def receptive_field_command(
    arch: str | None,
    run: Path | None,
    length: int | None,
    threads: int | None,
    extra_args: list[str],
) -> None:
    """Print the receptive field of a model, layer by layer.

    Extra options are build arguments of the model: --channels 32, --dilations 1,2,4,
    --causal true. With --run they override the run's stored arguments.
    """
    from seqconv.models import build
    from seqconv.rf.receptive_field import receptive_field

    name, kwargs = _model_spec(arch, run)
    start_threads(threads)
    kwargs = {**kwargs, **parse_options(extra_args)}
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


command(
    app,
    OPTIONS,
    receptive_field_command,
    name="receptive-field",
    no_args_is_help=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Example: seqconv receptive-field --arch dilated --length 1000 --dilations 1,2,4,8",
)
