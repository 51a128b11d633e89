"""`seqconv train`: train a model from FASTA files and write a run directory."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, explicit_options, friendly_errors
from seqconv.cli.common import arch_alias, device_option, pick, start_threads, threads_option

DEFAULT_ARCH = "motifnet"
"""The DNA default (``seqconv.train.recipes.dna.DEFAULT_MODEL``, not imported here: that module
loads torch; a test keeps the two equal). Series runs choose by task."""
CLI_ONLY = ("model_alias", "threads")
"""Options of the command line itself, not of the training."""


@app.command(
    no_args_is_help=True,
    epilog="Example: seqconv train --fasta peaks.fa --arch motifnet --out runs/peaks-motifnet\n\n"
    "Example: seqconv train --bed peaks.narrowPeak --genome hg38.fa --length 1000 --out runs/peaks",
)
@friendly_errors
def train(
    ctx: typer.Context,
    fasta: list[Path] = typer.Option(
        None,
        "--fasta",
        "-f",
        metavar="FILE",
        help="FASTA/FASTQ file (repeat: one file per class).",
    ),
    labels: Path | None = typer.Option(
        None, metavar="FILE", help="TSV/CSV table: column 'id' plus one column per target."
    ),
    negatives: str | None = typer.Option(
        None,
        metavar="NEG",
        help="With one unlabelled file: 'shuffle' (dinucleotide-shuffled copies; the default for "
        "FASTA), a FASTA of negatives, 'none', or with --bed 'genome' (GC-matched genomic "
        "windows; the default for BED).",
        show_default=False,
    ),
    bed: list[Path] = typer.Option(
        None,
        "--bed",
        metavar="FILE",
        help="BED/narrowPeak peaks on --genome instead of FASTA (repeat: one file per class). "
        "Windows of --length bp centred on each summit (narrowPeak) or centre.",
        rich_help_panel="Peaks on a genome",
    ),
    genome: Path | None = typer.Option(
        None,
        metavar="FASTA",
        help="Reference genome (FASTA, plain or bgzip; its .fai index is built when missing).",
        rich_help_panel="Peaks on a genome",
    ),
    label_column: str | None = typer.Option(
        None,
        metavar="COL",
        help="Labels from a BED column: name, score or its number (classes, a,b multi-label, or "
        "numbers: regression).",
        rich_help_panel="Peaks on a genome",
    ),
    bigwig: list[Path] = typer.Option(
        None,
        "--bigwig",
        metavar="FILE",
        help="Regress on this bigWig's signal per window (repeat: one target per file).",
        rich_help_panel="Peaks on a genome",
    ),
    bigwig_stat: str = typer.Option(
        "mean",
        metavar="STAT",
        help="mean or sum of the signal per window.",
        rich_help_panel="Peaks on a genome",
    ),
    log1p: bool = typer.Option(
        False,
        "--log1p",
        metavar="",
        help="Regress on log(1 + signal).",
        rich_help_panel="Peaks on a genome",
    ),
    negatives_ratio: float = typer.Option(
        1.0,
        metavar="X",
        help="Genomic negatives per peak.",
        rich_help_panel="Peaks on a genome",
    ),
    flank: int | None = typer.Option(
        None,
        metavar="BP",
        help="Genomic negatives keep this far from every peak (default: the window length).",
        rich_help_panel="Peaks on a genome",
    ),
    exclude: Path | None = typer.Option(
        None,
        metavar="BED",
        help="Regions no negative may touch (e.g. the ENCODE blacklist).",
        rich_help_panel="Peaks on a genome",
    ),
    model: str | None = typer.Option(
        None,
        "--arch",
        "-a",
        metavar="NAME",
        help=f"Architecture: a zoo model (see seqconv models) (default: {DEFAULT_ARCH}; for "
        "--series, by task).",
        show_default=False,
    ),
    model_alias: str | None = arch_alias(),
    model_option: list[str] = typer.Option(
        None,
        "--model-option",
        "-O",
        metavar="KEY=VALUE",
        help="Model keyword argument (repeatable).",
    ),
    length: int | None = typer.Option(
        None,
        metavar="N",
        help="Pad/trim sequences to this length (default: their length, or the median).",
    ),
    align: str = typer.Option("center", metavar="SIDE", help="What to keep when padding/trimming."),
    task: str | None = typer.Option(
        None,
        metavar="TASK",
        help="binary, multiclass, multilabel, regression, or segment (a label per position, "
        "from --intervals) (default: from the labels).",
    ),
    intervals: Path | None = typer.Option(
        None,
        metavar="FILE",
        help="--task segment: table of id, start, end[, label] (0-based, half-open) per record "
        "(seqconv simulate writes its sites so).",
    ),
    drop_missing_labels: bool = typer.Option(
        False,
        "--drop-missing-labels",
        metavar="",
        help="Drop records whose label or target is empty, NaN or infinite (default: refuse "
        "them, naming the ids).",
    ),
    epochs: int = typer.Option(
        200,
        metavar="N",
        help="Most epochs: training stops earlier when the monitored metric "
        "stops improving (--patience epochs). Default 200 for DNA, 1,500 for deep series models.",
    ),
    time_limit: str | None = typer.Option(
        None,
        metavar="TIME",
        help="Stop after the epoch that passes this much training time (e.g. 90s, 20m, 2h); "
        "the best weights so far are kept.",
    ),
    batch_size: int = typer.Option(128, metavar="N", help="Sequences per step."),
    lr: float = typer.Option(
        3e-3, metavar="X", help="AdamW learning rate (halved when validation stalls)."
    ),
    weight_decay: float = typer.Option(1e-2, metavar="X", help="AdamW weight decay."),
    patience: int = typer.Option(
        5,
        metavar="N",
        help="Epochs without a better validation score (auROC; regression: loss) before stopping.",
    ),
    reverse_complement: bool = typer.Option(
        True, metavar="", help="Reverse-complement augmentation and strand-averaged evaluation."
    ),
    max_shift: int = typer.Option(3, metavar="N", help="Random shift augmentation, in bases."),
    valid_chroms: str | None = typer.Option(
        None, metavar="CHR,...", help="Validation chromosomes (default: chr7)."
    ),
    test_chroms: str | None = typer.Option(
        None, metavar="CHR,...", help="Test chromosomes (default: chr8,chr9)."
    ),
    device: str = device_option(),
    threads: int | None = threads_option(),
    precision: str = typer.Option(
        "auto", metavar="PREC", help="auto (bf16 on GPUs), fp32 or bf16."
    ),
    seed: int = typer.Option(
        0, metavar="N", help="Seed for negatives, split, weights and shuffling."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Run directory (default: runs/<file>-<arch>)."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        metavar="",
        help="Replace the run directory --out if it holds a run already.",
    ),
    config: Path | None = typer.Option(
        None,
        metavar="FILE",
        help="JSON/YAML file of these options (a run's config.json repeats that run).",
    ),
    resume: Path | None = typer.Option(
        None, metavar="DIR", help="Continue an interrupted run directory."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar="", help="No progress output."),
    series: Path | None = typer.Option(
        None,
        "--series",
        metavar="FILE",
        help="Time series (.ts, CSV/TSV, Parquet) instead of FASTA: classify, regress or "
        "forecast. Series runs have their own defaults: minirocket (fitted in seconds) to classify "
        "or regress, tcn to forecast; --arch inception or resnet trains a deep model.",
        rich_help_panel="Time series",
    ),
    target: str | None = typer.Option(
        None,
        metavar="NAME,...",
        help="Label/target column(s) of a series table, comma-separated; with --task forecast, "
        "the channel(s) to forecast; with --task segment, the per-step 0/1 label column(s). Task: "
        "--task classify, regress, forecast or segment.",
        rich_help_panel="Time series",
    ),
    window: int | None = typer.Option(
        None,
        metavar="N",
        help="Forecast: input steps per window (default 64).",
        rich_help_panel="Time series",
    ),
    horizon: int | None = typer.Option(
        None,
        metavar="N",
        help="Forecast: steps to forecast (default 1).",
        rich_help_panel="Time series",
    ),
    stride: int | None = typer.Option(
        None,
        metavar="N",
        help="Forecast: steps between training windows (default 1).",
        rich_help_panel="Time series",
    ),
    levels: int | None = typer.Option(
        None,
        metavar="N",
        help="Forecast with a softmax over this many mu-law levels (default 256 for "
        "--arch wavenet, else 0: point forecasts).",
        rich_help_panel="Time series",
    ),
    decode: str | None = typer.Option(
        None,
        metavar="HOW",
        help="Level forecasts: 'mean' (expected value, default) or 'argmax'.",
        rich_help_panel="Time series",
    ),
    normalize: str | None = typer.Option(
        None,
        metavar="MODE",
        help="z-normalise per 'series' (default for labels), per 'channel' with training "
        "statistics (default for forecasts), or 'none'.",
        rich_help_panel="Time series",
    ),
    missing: str | None = typer.Option(
        None,
        metavar="MODE",
        help="Missing values: interpolate (default for labels), ffill (forecasts), zero, error.",
        rich_help_panel="Time series",
    ),
    valid_fraction: float | None = typer.Option(
        None,
        metavar="X",
        help="Held out for validation (default: 0.2 from 1,000 series; below, 0: every series "
        "trains and the training loss is monitored; forecasts 0.1, by time).",
        rich_help_panel="Time series",
    ),
    test_fraction: float | None = typer.Option(
        None,
        metavar="X",
        help="Held out for testing (default 0; forecasts 0.1, by time).",
        rich_help_panel="Time series",
    ),
    layout: str | None = typer.Option(
        None,
        metavar="LAYOUT",
        help="Table layout: wide (a row per series), long (id,time,value) or steps (a row per "
        "time step, a column per channel) (default: detected).",
        rich_help_panel="Time series",
    ),
) -> None:
    """Train a model on labelled DNA sequences or time series and write a run directory.

    DNA labels come from one FASTA per class, 'label=' in the headers, a --labels table, or (one
    file alone) dinucleotide-shuffled negatives. Peaks on a genome (--bed, --genome) are labelled
    the same ways, and one BED alone trains against GC-matched genomic windows. Time series
    (--series) carry their labels (.ts) or name them with --target; --task forecast trains on
    windows split by time.
    """
    from seqconv.options import parse_duration
    from seqconv.train.entry import train as run_training

    given = {k: v for k, v in explicit_options(ctx).items() if k not in CLI_ONLY}
    if time_limit is not None:
        given["time_limit"] = parse_duration(time_limit)
    arch = pick(model, model_alias, "--arch")
    if arch is not None:
        given["model"] = arch
    start_threads(threads)
    run_training(given, config, resume, quiet)
