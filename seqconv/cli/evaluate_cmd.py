"""`seqconv evaluate`: held-out metrics of a trained run, printed and written to JSON."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from seqconv.cli.app import app, err_console
from seqconv.cli.common import (
    BED,
    FASTA,
    GENOME,
    PATH,
    RUN,
    RUNS_ON,
    SEED,
    shuffled_negatives_run,
    start_threads,
    with_help,
)
from seqconv.cli.generate import command
from seqconv.errors import InputError
from seqconv.option_table import Spec
from seqconv.validation import Rule

PEAKS = "Peaks on a genome"
OPTIONS = {
    "run": RUN,
    "fasta": with_help(FASTA, "Labelled FASTA (repeat: one file per class).", cli=list[Path],
                       rule=Rule(list), default=[]),
    "labels": Spec("TSV/CSV table: id plus target columns.", PATH, metavar="FILE", cli=Path),
    "negatives": Spec(
        "One file of positives: add 'shuffle'd or FILE negatives (default: as in training: "
        "'shuffle' for a run trained on one file, else none); with --bed: genome (GC-matched "
        "genomic windows), shuffle or none (default: as in training).",
        Rule(str, optional=True), metavar="NEG",
    ),
    "out": Spec("Metrics JSON (default: <run>/evaluation.json).", PATH, flags=("--out", "-o"),
                metavar="FILE", cli=Path),
    "bootstrap": Spec("Bootstrap resamples for 95% intervals.", Rule(int, 0, 1_000_000),
                      default=1000, metavar="N", cli=int),
    "seed": with_help(SEED, "Seed for the bootstrap and shuffled negatives."),
    **RUNS_ON,
    "series": Spec("Labelled time series (.ts labels, or the training label column).", PATH,
                   flags=("--series",), metavar="FILE", cli=Path),
    "bed": with_help(BED, "Instead of --fasta: BED/narrowPeak peaks on --genome, labelled as in "
                     "training (repeat: one file per class, named as the run's classes).",
                     cli=list[Path], rule=Rule(list), default=[], panel=PEAKS),
    "genome": with_help(GENOME, "Reference genome of --bed (plain or bgzip FASTA).",
                        panel=PEAKS),
    "label_column": Spec("Labels from a BED column: name, score or its number (default: as in "
                         "training).", Rule(str, optional=True), metavar="COL", panel=PEAKS),
    "bigwig": Spec("Signal per window for a regression run (repeat: one per target; default: "
                   "the training files).", Rule(list), default=[], metavar="FILE", panel=PEAKS,
                   cli=list[Path]),
    "bigwig_stat": Spec("mean or sum of the signal per window (default: as in training).",
                        Rule(str, choices=("mean", "sum"), optional=True), metavar="STAT",
                        panel=PEAKS),
    "log1p": Spec("Regress on log(1 + signal) (default: as in training).",
                  Rule(bool, optional=True), flags=("--log1p/--no-log1p",), panel=PEAKS,
                  cli=bool),
    "negatives_ratio": Spec("Genomic negatives per peak (default: as in training).",
                            Rule(float, 0, 1000, low_open=True, optional=True), metavar="X",
                            panel=PEAKS, cli=float),
    "flank": Spec("Genomic negatives keep this far from every peak (default: as in training).",
                  Rule(int, 0, 100_000_000, optional=True), metavar="BP", panel=PEAKS, cli=int),
    "exclude": Spec("Regions no negative may touch (default: as in training).", PATH,
                    metavar="BED", panel=PEAKS, cli=Path),
}  # fmt: skip


def evaluate(
    run: Path,
    fasta: list[Path],
    labels: Path | None,
    negatives: str | None,
    out: Path | None,
    bootstrap: int,
    seed: int,
    device: str,
    threads: int | None,
    series: Path | None,
    bed: list[Path],
    genome: Path | None,
    label_column: str | None,
    bigwig: list[Path],
    bigwig_stat: str | None,
    log1p: bool | None,
    negatives_ratio: float | None,
    flank: int | None,
    exclude: Path | None,
) -> None:
    """Evaluate a trained model: auROC, auPR and accuracy per class (or MSE, Pearson, Spearman).

    With --bed and --genome, peaks are labelled as in training from peaks: one file per class,
    a --label-column, --bigwig signal, or one file of peaks against GC-matched genomic
    negatives (or shuffled copies); options left out take the run's training values.
    """
    from seqconv.runs.commands import evaluate_bed_files, evaluate_files

    start_threads(threads)
    if bed:
        if fasta or series is not None or labels is not None:
            raise InputError("give --bed (with --genome) or --fasta/--series, not both")
        peaks = {"label_column": label_column, "bigwig": [str(p) for p in bigwig],
                 "bigwig_stat": bigwig_stat, "log1p": log1p, "negatives": negatives,
                 "negatives_ratio": negatives_ratio, "flank": flank,
                 "exclude": None if exclude is None else str(exclude)}  # fmt: skip
        notes: list[str] = []
        metrics, path = evaluate_bed_files(
            run, bed, genome, peaks, out, bootstrap, seed, device, notes
        )
        for note in notes:
            err_console.print(note, highlight=False)
    else:
        stray = [name for name, value in (("--genome", genome), ("--label-column", label_column),
                 ("--bigwig", bigwig), ("--bigwig-stat", bigwig_stat), ("--log1p", log1p),
                 ("--negatives-ratio", negatives_ratio), ("--flank", flank),
                 ("--exclude", exclude)) if value]  # fmt: skip
        if stray:
            raise InputError(f"{', '.join(stray)}: only with --bed peaks on a --genome")
        if negatives is None and fasta and len(fasta) == 1 and labels is None:
            negatives = training_negatives(run)
        metrics, path = evaluate_files(
            run, fasta, labels, negatives, series, out, bootstrap, seed, device
        )
    Console().print(metrics_table(metrics))
    err_console.print(f"metrics written to {path}", highlight=False)


command(
    app,
    OPTIONS,
    evaluate,
    epilog="Example: seqconv evaluate --run runs/peaks-motifnet --fasta held_out.fa\n\nExample: "
    "seqconv evaluate --run runs/ctcf --bed new_peaks.narrowPeak --genome hg38.fa",
)


def training_negatives(run_dir: Path) -> str | None:
    """'shuffle' for a run trained on one file against its shuffled copies (announced), so that
    one file of new sequences is evaluated the same way; else None."""
    if shuffled_negatives_run(run_dir) is None:
        return None
    err_console.print(
        "negatives: dinucleotide-shuffled copies, as in training (--negatives none: without)",
        highlight=False,
    )
    return "shuffle"


def metrics_table(metrics: dict) -> Table:
    """Per-class metrics with 95 % intervals, and the summary row."""
    per_target = metrics["per_target"]
    names = [k for k, v in next(iter(per_target.values())).items() if isinstance(v, dict)]
    table = Table(title=f"{metrics['task']}, {metrics['n']:,} sequences")
    table.add_column("target")
    for name in names:
        table.add_column(name, justify="right")
    for target, values in per_target.items():
        cells = [
            f"{values[n]['value']:.3f} [{values[n]['low']:.3f}, {values[n]['high']:.3f}]"
            for n in names
        ]
        table.add_row(target, *cells)
    summary = metrics["summary"]
    table.add_row("[bold]summary[/]", *[f"{summary[n]:.3f}" if n in summary else "" for n in names])
    extra = {k: v for k, v in summary.items() if k not in names}
    if extra:
        table.caption = ", ".join(f"{k} {v:.3f}" for k, v in extra.items())
    return table
