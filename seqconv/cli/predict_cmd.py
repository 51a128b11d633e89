"""`seqconv predict`: predictions of a trained run for new sequences, streamed to a TSV."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.errors import InputError


@app.command(no_args_is_help=True)
@friendly_errors
def predict(
    model: Path = typer.Option(..., "--model", "-m", help="Run directory from seqconv train."),
    fasta: Path | None = typer.Option(
        None, "--fasta", "-f", help="FASTA/FASTQ of sequences to score."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Output TSV (default: standard output)."
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
    import seqconv

    if (fasta is None) == (series is None):
        raise InputError("give either --fasta (DNA) or --series (time series)")
    if series is not None:
        from seqconv.cli import series_cli

        series_cli.predict(model, series, out, device)
        return
    run = seqconv.load(model, device=device)
    if out is None:
        first = True
        for ids, predictions in run.iter_predict_fasta(fasta, batch_size):
            table = run.prediction_table(ids, predictions)
            table.to_csv(sys.stdout, sep="\t", index=False, header=first, float_format="%.6g")
            first = False
        return
    n = run.predict_fasta(fasta, out, batch_size)
    err_console.print(f"{n:,} predictions written to {out}")
