"""`seqconv predict`: predictions of a trained run for new sequences, streamed to a TSV."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors


@app.command(no_args_is_help=True)
@friendly_errors
def predict(
    model: Path = typer.Option(..., "--model", "-m", help="Run directory from seqconv train."),
    fasta: Path | None = typer.Option(
        None, "--fasta", "-f", help="FASTA/FASTQ of sequences to score."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Output TSV (default, or '-': standard output)."
    ),
    batch_size: int = typer.Option(512, help="Sequences per forward pass."),
    device: str = typer.Option("cpu", help="cpu, cuda, cuda:N or auto."),
    series: Path | None = typer.Option(
        None, "--series", help="Time series (.ts, CSV/TSV, Parquet) for a model trained on series."
    ),
) -> None:
    """Score sequences with a trained model: id, one column per class or target, prediction.

    Sequences are padded or trimmed like the training data and, where the model was trained with
    reverse-complement augmentation, averaged over both strands. Memory stays constant.
    """
    from seqconv.runs.commands import predict_file

    n = predict_file(model, fasta, series, out, batch_size, device)
    if out is not None and str(out) != "-":
        err_console.print(f"{n:,} predictions written to {out}")
