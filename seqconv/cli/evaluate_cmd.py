"""`seqconv evaluate`: held-out metrics of a trained run, printed and written to JSON."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.cli.common import (
    device_option,
    require_run,
    run_alias,
    run_option,
    shuffled_negatives_run,
    start_threads,
    threads_option,
)


@app.command(
    no_args_is_help=True,
    epilog="Example: seqconv evaluate --run runs/peaks-motifnet --fasta held_out.fa",
)
@friendly_errors
def evaluate(
    run: Path | None = run_option(),
    model: Path | None = run_alias(),
    fasta: list[Path] = typer.Option(
        None, "--fasta", "-f", metavar="FILE", help="Labelled FASTA (repeat: one file per class)."
    ),
    labels: Path | None = typer.Option(
        None, metavar="FILE", help="TSV/CSV table: id plus target columns."
    ),
    negatives: str | None = typer.Option(
        None,
        metavar="NEG",
        help="One file of positives: add 'shuffle'd or FILE negatives (default: as in training: "
        "'shuffle' for a run trained on one file, else none).",
        show_default=False,
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE", help="Metrics JSON (default: <run>/evaluation.json)."
    ),
    bootstrap: int = typer.Option(1000, metavar="N", help="Bootstrap resamples for 95% intervals."),
    seed: int = typer.Option(0, metavar="N", help="Seed for the bootstrap and shuffled negatives."),
    device: str = device_option(),
    threads: int | None = threads_option(),
    series: Path | None = typer.Option(
        None,
        "--series",
        metavar="FILE",
        help="Labelled time series (.ts labels, or the training label column).",
    ),
) -> None:
    """Evaluate a trained model: auROC, auPR and accuracy per class (or MSE, Pearson, Spearman)."""
    from seqconv.runs.commands import evaluate_files

    run_dir = require_run(run, model)
    if negatives is None and fasta and len(fasta) == 1 and labels is None:
        negatives = training_negatives(run_dir)
    start_threads(threads)
    metrics, path = evaluate_files(
        run_dir, fasta, labels, negatives, series, out, bootstrap, seed, device
    )
    Console().print(metrics_table(metrics))
    err_console.print(f"metrics written to {path}", highlight=False)


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
