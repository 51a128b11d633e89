"""`seqconv attribute`: in-silico mutagenesis and gradient x input maps of a trained run."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors


@app.command(no_args_is_help=True)
@friendly_errors
def attribute(
    model: Path = typer.Option(..., "--model", "-m", help="Run directory from seqconv train."),
    fasta: Path = typer.Option(..., "--fasta", "-f", help="Sequences to explain."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Output folder (default: <run>/attributions)."
    ),
    target: str | None = typer.Option(
        None, help="Class or target to explain (default: the last (the positive class))."
    ),
    top: int = typer.Option(10, help="Logos for this many top-scoring sequences."),
    ism: bool = typer.Option(True, help="In-silico mutagenesis (3 x length passes per sequence)."),
    device: str = typer.Option("cpu", help="cpu, cuda, cuda:N or auto."),
) -> None:
    """In-silico mutagenesis and gradient x input maps, with logos of the top sequences."""
    from seqconv.motifs import write_attributions
    from seqconv.outputs import check_output_dir
    from seqconv.runs.commands import load_with_sequences
    from seqconv.validation import Rule, check_value

    folder = check_output_dir(out or Path(model) / "attributions", [fasta])
    check_value("top", top, Rule(int, low=0))
    run, data = load_with_sequences(model, fasta, device)
    names = run.target_names
    index = run.target_index(target)
    write_attributions(
        run.model, data.codes, data.ids, folder, target=index, top=top, with_ism=ism,
        device=run.device, show_progress=True,
    )  # fmt: skip
    err_console.print(
        f"attributions for {len(data.ids):,} sequences ({names[index]}) in {folder}",
        highlight=False,
    )
