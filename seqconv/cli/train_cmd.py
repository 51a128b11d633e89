"""`seqconv train`: train a model from FASTA files and write a run directory."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, explicit_options, friendly_errors
from seqconv.train.recipes.dna import DEFAULT_MODEL


@app.command(no_args_is_help=True)
@friendly_errors
def train(
    ctx: typer.Context,
    fasta: list[Path] = typer.Option(
        None, "--fasta", "-f", help="FASTA/FASTQ file (repeat: one file per class)."
    ),
    labels: Path | None = typer.Option(
        None, help="TSV/CSV table: column 'id' plus one column per target."
    ),
    negatives: str = typer.Option(
        "shuffle",
        help="With one unlabelled file: 'shuffle' (dinucleotide-shuffled copies), a FASTA of "
        "negatives, or 'none'.",
    ),
    model: str = typer.Option(
        DEFAULT_MODEL, "--model", "-m", help="Zoo model (see seqconv models)."
    ),
    model_option: list[str] = typer.Option(
        None, "--model-option", "-O", help="Model keyword argument KEY=VALUE (repeatable)."
    ),
    length: int | None = typer.Option(
        None, help="Pad/trim sequences to this length (default: their length, or the median)."
    ),
    align: str = typer.Option(
        "center", help="Keep the center, left or right when padding/trimming."
    ),
    task: str | None = typer.Option(
        None, help="binary, multiclass, multilabel or regression (default: from the labels)."
    ),
    drop_missing_labels: bool = typer.Option(
        False,
        "--drop-missing-labels",
        help="Drop records whose label or target is empty, NaN or infinite (default: refuse "
        "them, naming the ids).",
    ),
    epochs: int = typer.Option(30, help="Maximum epochs (early stopping usually ends sooner)."),
    batch_size: int = typer.Option(128, help="Sequences per step."),
    lr: float = typer.Option(3e-3, help="AdamW learning rate (halved when validation stalls)."),
    weight_decay: float = typer.Option(1e-2, help="AdamW weight decay."),
    patience: int = typer.Option(
        5,
        help="Epochs without a better validation score (auROC; regression: loss) before stopping.",
    ),
    reverse_complement: bool = typer.Option(
        True, help="Reverse-complement augmentation and strand-averaged evaluation."
    ),
    max_shift: int = typer.Option(3, help="Random shift augmentation, in bases."),
    valid_chroms: str | None = typer.Option(
        None, help="Comma-separated validation chromosomes (default: chr7)."
    ),
    test_chroms: str | None = typer.Option(
        None, help="Comma-separated test chromosomes (default: chr8,chr9)."
    ),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
    precision: str = typer.Option("auto", help="auto (bf16 on GPUs), fp32 or bf16."),
    seed: int = typer.Option(0, help="Seed for negatives, split, weights and shuffling."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Run directory (default: runs/<file>-<model>)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace the run directory --out if it holds a run already."
    ),
    config: Path | None = typer.Option(
        None, help="JSON/YAML file of these options (a run's config.json repeats that run)."
    ),
    resume: Path | None = typer.Option(None, help="Continue an interrupted run directory."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
    series: Path | None = typer.Option(
        None,
        "--series",
        help="Time series (.ts, CSV/TSV, Parquet) instead of FASTA: classify, regress or "
        "forecast. Series runs have their own defaults (resnet, up to 1500 epochs, ...).",
        rich_help_panel="Time series",
    ),
    target: str | None = typer.Option(
        None,
        help="Label/target column(s) of a series table, comma-separated; with --task forecast, "
        "the channel(s) to forecast. Task: --task classify, regress or forecast.",
        rich_help_panel="Time series",
    ),
    window: int | None = typer.Option(
        None, help="Forecast: input steps per window (default 64).", rich_help_panel="Time series"
    ),
    horizon: int | None = typer.Option(
        None, help="Forecast: steps to forecast (default 1).", rich_help_panel="Time series"
    ),
    stride: int | None = typer.Option(
        None,
        help="Forecast: steps between training windows (default 1).",
        rich_help_panel="Time series",
    ),
    levels: int | None = typer.Option(
        None,
        help="Forecast with a softmax over this many mu-law levels (default 256 for "
        "--model wavenet, else 0: point forecasts).",
        rich_help_panel="Time series",
    ),
    decode: str | None = typer.Option(
        None,
        help="Level forecasts: 'mean' (expected value, default) or 'argmax'.",
        rich_help_panel="Time series",
    ),
    normalize: str | None = typer.Option(
        None,
        help="z-normalise per 'series' (default for labels), per 'channel' with training "
        "statistics (default for forecasts), or 'none'.",
        rich_help_panel="Time series",
    ),
    missing: str | None = typer.Option(
        None,
        help="Missing values: interpolate (default for labels), ffill (forecasts), zero, error.",
        rich_help_panel="Time series",
    ),
    valid_fraction: float | None = typer.Option(
        None,
        help="Held out for validation (default: 0.2 from 1,000 series; below, 0: every series "
        "trains and the training loss is monitored; forecasts 0.1, by time).",
        rich_help_panel="Time series",
    ),
    test_fraction: float | None = typer.Option(
        None,
        help="Held out for testing (default 0; forecasts 0.1, by time).",
        rich_help_panel="Time series",
    ),
    layout: str | None = typer.Option(
        None,
        help="Table layout: wide (a row per series), long (id,time,value) or steps (a row per "
        "time step, a column per channel) (default: detected).",
        rich_help_panel="Time series",
    ),
) -> None:
    """Train a model on labelled DNA sequences or time series and write a run directory.

    DNA labels come from one FASTA per class, 'label=' in the headers, a --labels table, or (one
    file alone) dinucleotide-shuffled negatives. Time series (--series) carry their labels (.ts)
    or name them with --target; --task forecast trains on windows split by time.
    """
    from seqconv.train.entry import train as run_training

    run_training(explicit_options(ctx), config, resume, quiet)
