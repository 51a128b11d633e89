"""`seqconv predict`: predictions of a trained run for new sequences, streamed to a TSV."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.cli.common import (
    SHUFFLED,
    bed_option,
    device_option,
    genome_option,
    require_run,
    run_alias,
    run_option,
    shuffled_negatives_run,
    start_threads,
    threads_option,
)


@app.command(
    no_args_is_help=True,
    epilog="Example: seqconv predict --run runs/peaks-motifnet --fasta new.fa --out preds.tsv"
    "\n\nExample: seqconv predict --run runs/peaks --bed regions.bed --genome hg38.fa "
    "--out preds.tsv",
)
@friendly_errors
def predict(
    run: Path | None = run_option(),
    model: Path | None = run_alias(),
    fasta: Path | None = typer.Option(
        None, "--fasta", "-f", metavar="FILE", help="FASTA/FASTQ of sequences to score."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE", help="Output TSV (default, or '-': standard output)."
    ),
    batch_size: int = typer.Option(512, metavar="N", help="Sequences per forward pass."),
    device: str = device_option(),
    threads: int | None = threads_option(),
    series: Path | None = typer.Option(
        None,
        "--series",
        metavar="FILE",
        help="Time series (.ts, CSV/TSV, Parquet) for a model trained on series.",
    ),
    bed: Path | None = bed_option(
        "BED/narrowPeak regions on --genome to score (ids chrom:start-end; each region centred on "
        "its summit or centre at the model's length)."
    ),
    genome: Path | None = genome_option(),
    per_position: Path | None = typer.Option(
        None,
        metavar="FILE.npz",
        help="Segment runs: also write every per-position probability here (ids, "
        "probabilities (N, K, L), target_names).",
    ),
) -> None:
    """Score sequences with a trained model: id, one column per class or target, prediction.
    A segment run writes its called intervals instead: id, start, end, label, score.

    Sequences are padded or trimmed like the training data and, where the model was trained with
    reverse-complement augmentation, averaged over both strands. Memory stays constant.
    """
    from seqconv.errors import InputError
    from seqconv.runs.commands import predict_bed_file, predict_file

    run_dir = require_run(run, model)
    start_threads(threads)
    if bed is not None:
        if fasta is not None or series is not None:
            raise InputError("give one of --fasta, --bed (with --genome) or --series")
        notes: list[str] = []
        n = predict_bed_file(run_dir, bed, genome, out, batch_size, device, notes)
        for note in notes:
            err_console.print(note, highlight=False)
    elif genome is not None:
        raise InputError("--genome is for --bed regions; give --bed FILE")
    else:
        n = predict_file(run_dir, fasta, series, out, batch_size, device, per_position)
    if out is not None and str(out) != "-":
        err_console.print(f"{n:,} predictions written to {out}", highlight=False)
    note = shuffled_classes_note(run_dir)
    if note:
        err_console.print(note, highlight=False)


def shuffled_classes_note(run_dir: Path) -> str | None:
    """What the classes of a run trained on one file against its shuffled copies mean, or None.

    A real sequence is often predicted ``shuffled`` without being random: only less like the
    training file than like its shuffled copies.
    """
    others = shuffled_negatives_run(run_dir)
    if others is None:
        return None
    like = " / ".join(repr(n) for n in others)
    return (
        f"classes: {like} = like the training file, {SHUFFLED!r} = like its "
        "dinucleotide-shuffled copies"
    )
