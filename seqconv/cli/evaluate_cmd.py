"""`seqconv evaluate`: held-out metrics of a trained run, printed and written to JSON."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from seqconv.cli.app import app, err_console
from seqconv.cli.common import (
    FASTA,
    PATH,
    RUN,
    RUNS_ON,
    SEED,
    shuffled_negatives_run,
    start_threads,
    with_help,
)
from seqconv.cli.generate import command
from seqconv.option_table import Spec
from seqconv.validation import Rule

OPTIONS = {
    "run": RUN,
    "fasta": with_help(FASTA, "Labelled FASTA (repeat: one file per class).", cli=list[Path],
                       rule=Rule(list), default=[]),
    "labels": Spec("TSV/CSV table: id plus target columns.", PATH, metavar="FILE", cli=Path),
    "negatives": Spec(
        "One file of positives: add 'shuffle'd or FILE negatives (default: as in training: "
        "'shuffle' for a run trained on one file, else none).",
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
) -> None:
    """Evaluate a trained model: auROC, auPR and accuracy per class (or MSE, Pearson, Spearman)."""
    from seqconv.runs.commands import evaluate_files

    if negatives is None and fasta and len(fasta) == 1 and labels is None:
        negatives = training_negatives(run)
    start_threads(threads)
    metrics, path = evaluate_files(
        run, fasta, labels, negatives, series, out, bootstrap, seed, device
    )
    Console().print(metrics_table(metrics))
    err_console.print(f"metrics written to {path}", highlight=False)


command(
    app,
    OPTIONS,
    evaluate,
    epilog="Example: seqconv evaluate --run runs/peaks-motifnet --fasta held_out.fa",
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
