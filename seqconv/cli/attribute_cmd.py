"""`seqconv attribute`: in-silico mutagenesis and gradient x input maps of a trained run."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.cli.common import (
    device_option,
    require_run,
    run_alias,
    run_option,
    start_threads,
    threads_option,
)


@app.command(
    no_args_is_help=True,
    epilog="Example: seqconv attribute --run runs/peaks-motifnet --fasta some.fa --top 5",
)
@friendly_errors
def attribute(
    run: Path | None = run_option(),
    model: Path | None = run_alias(),
    fasta: Path = typer.Option(..., "--fasta", "-f", metavar="FILE", help="Sequences to explain."),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Output folder (default: <run>/attributions)."
    ),
    target: str | None = typer.Option(
        None,
        metavar="NAME",
        help="Class or target to explain (default: the last (the positive class)).",
    ),
    top: int = typer.Option(10, metavar="N", help="Logos for this many top-scoring sequences."),
    ism: bool = typer.Option(
        True, metavar="", help="In-silico mutagenesis (3 x length passes per sequence)."
    ),
    device: str = device_option(),
    threads: int | None = threads_option(),
) -> None:
    """In-silico mutagenesis and gradient x input maps, with logos of the top sequences."""
    from seqconv.motifs import write_attributions
    from seqconv.outputs import check_output_dir
    from seqconv.runs.commands import load_with_sequences
    from seqconv.validation import Rule, check_value

    run_dir = require_run(run, model)
    folder = check_output_dir(out or Path(run_dir) / "attributions", [fasta])
    check_value("top", top, Rule(int, low=0))
    start_threads(threads)
    trained, data = load_with_sequences(run_dir, fasta, device)
    names = trained.target_names
    index = trained.target_index(target)
    write_attributions(
        trained.model, data.codes, data.ids, folder, target=index, top=top, with_ism=ism,
        device=trained.device, show_progress=True, target_name=names[index],
    )  # fmt: skip
    err_console.print(
        f"attributions for {len(data.ids):,} sequences ({names[index]}) in {folder}",
        highlight=False,
    )
