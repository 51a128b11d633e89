"""`seqconv evaluate`: held-out metrics of a trained run, printed and written to JSON."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from seqconv.cli.app import app, err_console, friendly_errors


@app.command(no_args_is_help=True)
@friendly_errors
def evaluate(
    model: Path = typer.Option(..., "--model", "-m", help="Run directory from seqconv train."),
    fasta: list[Path] = typer.Option(
        None, "--fasta", "-f", help="Labelled FASTA (repeat: one file per class)."
    ),
    labels: Path | None = typer.Option(None, help="TSV/CSV table: id plus target columns."),
    negatives: str = typer.Option(
        "none", help="One file of positives: add 'shuffle'd or FILE negatives, as in training."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Metrics JSON (default: <run>/evaluation.json)."
    ),
    bootstrap: int = typer.Option(1000, help="Bootstrap resamples for 95% intervals."),
    seed: int = typer.Option(0, help="Seed for the bootstrap and shuffled negatives."),
    device: str = typer.Option("cpu", help="cpu, cuda, cuda:N or auto."),
    series: Path | None = typer.Option(
        None, "--series", help="Labelled time series (.ts labels, or the training label column)."
    ),
) -> None:
    """Evaluate a trained model: auROC, auPR and accuracy per class (or MSE, Pearson, Spearman)."""
    from seqconv.runs.commands import evaluate_files

    metrics, path = evaluate_files(
        model, fasta, labels, negatives, series, out, bootstrap, seed, device
    )
    Console().print(metrics_table(metrics))
    err_console.print(f"metrics written to {path}")


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
