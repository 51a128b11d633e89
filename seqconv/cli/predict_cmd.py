"""`seqconv predict`: predictions of a trained run for new sequences, streamed to a TSV."""

from __future__ import annotations

from pathlib import Path

from seqconv.cli.app import app, err_console
from seqconv.cli.common import (
    BED,
    FASTA,
    GENOME,
    OUT_TABLE,
    RUN,
    RUNS_ON,
    SHUFFLED,
    batch_size,
    shuffled_negatives_run,
    start_threads,
    with_help,
)
from seqconv.cli.generate import command
from seqconv.option_table import Spec

OPTIONS = {
    "run": RUN,
    "fasta": with_help(FASTA, "FASTA/FASTQ of sequences to score."),
    "out": OUT_TABLE,
    "batch_size": batch_size(512, "Sequences per forward pass."),
    **RUNS_ON,
    "series": Spec(
        "Time series (.ts, CSV/TSV, Parquet) for a model trained on series.",
        FASTA.rule, flags=("--series",), metavar="FILE", cli=Path,
    ),
    "bed": with_help(
        BED, "BED/narrowPeak regions on --genome to score (ids chrom:start-end; each region "
        "centred on its summit or centre at the model's length).",
    ),
    "genome": GENOME,
    "per_position": Spec(
        "Segment runs: also write every per-position probability here (ids, probabilities "
        "(N, K, L), target_names); profile runs: every base's expected counts (ids, profiles "
        "(regions, tracks, width), target_names), with --fasta or --bed.",
        FASTA.rule, metavar="FILE.npz", cli=Path,
    ),
}  # fmt: skip


def predict(
    run: Path,
    fasta: Path | None,
    out: Path | None,
    batch_size: int,
    device: str,
    threads: int | None,
    series: Path | None,
    bed: Path | None,
    genome: Path | None,
    per_position: Path | None,
) -> None:
    """Score sequences with a trained model: id, one column per class or target, prediction.
    A segment run writes its called intervals instead: id, start, end, label, score; a profile
    run each track's predicted total count (--per-position: the counts at every base).

    Sequences are padded or trimmed like the training data and, where the model was trained with
    reverse-complement augmentation, averaged over both strands. Memory stays constant.
    """
    from seqconv.errors import InputError
    from seqconv.runs.commands import predict_bed_file, predict_file

    start_threads(threads)
    if bed is not None:
        if fasta is not None or series is not None:
            raise InputError("give one of --fasta, --bed (with --genome) or --series")
        notes: list[str] = []
        n = predict_bed_file(run, bed, genome, out, batch_size, device, notes, per_position)
        for note in notes:
            err_console.print(note, highlight=False)
    elif genome is not None:
        raise InputError("--genome is for --bed regions; give --bed FILE")
    else:
        n = predict_file(run, fasta, series, out, batch_size, device, per_position)
    if out is not None and str(out) != "-":
        also = f", per position to {per_position}" if per_position is not None else ""
        err_console.print(f"{n:,} predictions written to {out}{also}", highlight=False)
    note = shuffled_classes_note(run)
    if note:
        err_console.print(note, highlight=False)


command(
    app,
    OPTIONS,
    predict,
    epilog="Example: seqconv predict --run runs/peaks-motifnet --fasta new.fa --out preds.tsv"
    "\n\nExample: seqconv predict --run runs/peaks --bed regions.bed --genome hg38.fa "
    "--out preds.tsv",
)


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
