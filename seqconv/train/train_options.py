"""Every option of ``seqconv train``, declared once (:mod:`seqconv.option_table`): the command line,
``--config`` files, ``--resume``, the rule checks, which options apply to DNA or to series, and
the defaults of each task all come from the fields below.

Adding an option is one field here; the recipe that uses it reads ``options.<name>``.

This module loads no torch: the command line imports it to build ``seqconv train --help``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqconv.files import absolute
from seqconv.option_table import Computed, check, option, specs
from seqconv.options import comma_list, duration, interval, key_values
from seqconv.series.normalize import MISSING_POLICIES, NORM_MODES
from seqconv.validation import Rule

MAX_LENGTH = 1_000_000
"""Longest DNA input: seqconv trains on windows; longer sequences belong cut into windows."""
DNA_TASKS = ("binary", "multiclass", "multilabel", "regression", "segment", "profile")
SERIES_TASKS = ("classify", "regress", "forecast", "classification", "regression", "binary",
                "multiclass", "segment")  # fmt: skip
PRECISIONS = ("auto", "fp32", "bf16")
SMALL_DATA = 1000
"""Below this many series every series trains and the training loss is monitored (Fawaz et al.;
see :mod:`seqconv.train.recipes.series`)."""

GENOME = "Peaks on a genome"
SERIES = "Time series"
RUN = "Run control (may change on --resume)"


def _model_names() -> tuple[str, ...]:
    from seqconv import models  # the zoo registers itself on import (torch)

    return tuple(models.names())


def _tenth_of_training(options: Any, context: dict) -> int:
    return int(min(max(context["n_train"] // 10, 4), 64))


def _profile_jitter(options: Any, context: dict) -> int:
    return int(min(128, context["length"] // 4))


def _series_model(options: Any, context: dict) -> str:
    # the most accurate closed-form model for its time on 13 UCR/UEA sets (docs/benchmarks.md);
    # Hydra needs two steps (it reads the first difference too), MiniRocket one
    return "minirocket" if context.get("longest", 2) < 2 else "minirocket_hydra"


def _forecast_model(options: Any, context: dict) -> str:
    return "wavenet" if options.levels else "tcn"


ROCKETS = ("minirocket", "multirocket", "hydra", "minirocket_hydra", "multirocket_hydra")
"""The closed-form series models: fixed kernels that sum to zero, features scaled by the head."""


def _series_normalize(options: Any, context: dict) -> str:
    # The rockets' kernels sum to zero and their biases scale with the data: they need no
    # normalising, and z-normalising each series alone discards the channels' relative scale
    # (JapaneseVowels: 0.797 test accuracy z-normalised, 0.976 as is).
    return "none" if options.model in ROCKETS else "series"


def _series_valid_fraction(options: Any, context: dict) -> float:
    return 0.0 if context["n_series"] < SMALL_DATA else 0.2


def _forecast_window(options: Any, context: dict) -> int:
    return min(64, max(context["shortest"] // 4, 2))


def _forecast_levels(options: Any, context: dict) -> int:
    return 256 if options.model == "wavenet" else 0


TENTH = Computed("a tenth of the training series, 4 to 64", _tenth_of_training, ("n_train",))


@dataclass
class TrainOptions:
    """Every option of ``seqconv train`` (DNA and series); a JSON/YAML file of these names, or a
    run's ``config.json``, repeats a run.

    ``None`` means "the default for the task"; :func:`seqconv.option_table.fill` puts it in once
    the recipe knows the task, and the run's ``config.json`` stores the values used. Each field's
    help says what it does.
    """

    # -- DNA inputs and labels ---------------------------------------------------------------
    fasta: list[str] = option(
        "FASTA/FASTQ file (repeat: one file per class).",
        Rule(list), default_factory=list, flags=("--fasta", "-f"), metavar="FILE",
        data=("dna",), cli=list[Path],
    )  # fmt: skip
    labels: str | None = option(
        "TSV/CSV table: column 'id' plus one column per target.",
        Rule(str, optional=True), metavar="FILE", data=("dna",), cli=Path,
    )  # fmt: skip
    negatives: str | None = option(
        "With one unlabelled file: 'shuffle' (dinucleotide-shuffled copies; the default for "
        "FASTA), a FASTA of negatives, 'none', or with --bed 'genome' (GC-matched genomic "
        "windows; the default for BED).",
        Rule(str, optional=True), metavar="NEG", data=("dna",),
    )  # fmt: skip
    bed: list[str] = option(
        "BED/narrowPeak peaks on --genome instead of FASTA (repeat: one file per class). "
        "Windows of --length bp centred on each summit (narrowPeak) or centre.",
        Rule(list), default_factory=list, metavar="FILE", panel=GENOME, data=("dna",),
        cli=list[Path],
    )  # fmt: skip
    genome: str | None = option(
        "Reference genome (FASTA, plain or bgzip; its .fai index is built when missing).",
        Rule(str, optional=True), metavar="FASTA", panel=GENOME, data=("dna",), cli=Path,
    )  # fmt: skip
    label_column: str | None = option(
        "Labels from a BED column: name, score or its number (classes, a,b multi-label, or "
        "numbers: regression).",
        Rule(str, optional=True), metavar="COL", panel=GENOME, data=("dna",),
    )  # fmt: skip
    bigwig: list[str] = option(
        "Regress on this bigWig's signal per window (repeat: one target per file); with --task "
        "profile, the base-resolution tracks to predict.",
        Rule(list), default_factory=list, metavar="FILE", panel=GENOME, data=("dna",),
        cli=list[Path],
    )  # fmt: skip
    bigwig_stat: str = option(
        "mean or sum of the signal per window.",
        Rule(str, choices=("mean", "sum")), default="mean", metavar="STAT", panel=GENOME,
        data=("dna",),
    )  # fmt: skip
    log1p: bool = option(
        "Regress on log(1 + signal).",
        Rule(bool), default=False, flags=("--log1p",), panel=GENOME, data=("dna",), cli=bool,
    )  # fmt: skip
    negatives_ratio: float | None = option(
        "Genomic negatives per peak (--task profile: GC-matched background windows per peak, "
        "whose counts train as chromBPNet's).",
        Rule(float, 0, 1000, low_open=True, optional=True), metavar="X", panel=GENOME,
        data=("dna",), cli=float, by_task={"dna": 1.0, "dna-profile": 0.1},
    )  # fmt: skip
    flank: int | None = option(
        "Genomic negatives keep this far from every peak (default: the window length).",
        Rule(int, 0, 100_000_000, optional=True), metavar="BP", panel=GENOME, data=("dna",),
        cli=int,
    )  # fmt: skip
    exclude: str | None = option(
        "Regions no negative may touch (e.g. the ENCODE blacklist).",
        Rule(str, optional=True), metavar="BED", panel=GENOME, data=("dna",), cli=Path,
    )  # fmt: skip
    control: list[str] = option(
        "--task profile: control track (bigWig, e.g. input or IgG; repeat for a stranded pair) "
        "fed to the model's heads, as BPNet does.",
        Rule(list), default_factory=list, metavar="FILE", panel=GENOME, data=("dna",),
        cli=list[Path],
    )  # fmt: skip
    stranded: bool | None = option(
        "--task profile: the --bigwig (and --control) files are stranded pairs (default: files "
        "whose names differ only by plus/minus, pos/neg, fwd/rev or +/- are a pair).",
        Rule(bool, optional=True), flags=("--stranded/--unstranded",), panel=GENOME,
        data=("dna",), cli=bool,
    )  # fmt: skip
    count_weight: float | None = option(
        "--task profile: weight of the counts term of the loss (default: bpnet-lite's, the mean "
        "total count per track of the training peaks).",
        Rule(float, 0, 1e12, optional=True), metavar="X", panel=GENOME, data=("dna",),
        cli=float,
    )  # fmt: skip
    intervals: str | None = option(
        "--task segment: table of id, start, end[, label] (0-based, half-open) per record "
        "(seqconv simulate writes its sites so).",
        Rule(str, optional=True), metavar="FILE", data=("dna",), cli=Path,
    )  # fmt: skip
    length: int | None = option(
        "Pad/trim sequences to this length (default: their length, or the median); --task "
        "profile: the output window, centred on each summit (default: the peaks' median width).",
        Rule(int, 1, MAX_LENGTH, optional=True), metavar="N", data=("dna",), cli=int,
    )  # fmt: skip
    align: str = option(
        "What to keep when padding/trimming.",
        Rule(str, choices=("center", "left", "right")), default="center", metavar="SIDE",
        data=("dna",),
    )  # fmt: skip

    # -- time series ---------------------------------------------------------------------------
    series: str = option(
        "Time series (.ts, CSV/TSV, Parquet) instead of FASTA: classify, regress, forecast or "
        "segment. Series runs have their own defaults: minirocket_hydra (fitted in seconds) to "
        "classify or regress, tcn to forecast; --arch inception or resnet trains a deep model.",
        Rule(str), default="", metavar="FILE", panel=SERIES, data=("series",), cli=Path,
    )  # fmt: skip
    target: list[str] | None = option(
        "Label/target column(s) of a series table, comma-separated; with --task forecast, the "
        "channel(s) to forecast; with --task segment, the per-step 0/1 label column(s).",
        Rule(list, optional=True), metavar="NAME,...", panel=SERIES, data=("series",),
        parse=comma_list,
    )  # fmt: skip
    layout: str | None = option(
        "Table layout: wide (a row per series), long (id,time,value) or steps (a row per time "
        "step, a column per channel) (default: detected).",
        Rule(str, choices=("wide", "long", "steps"), optional=True), metavar="LAYOUT",
        panel=SERIES, data=("series",),
    )  # fmt: skip
    window: int | None = option(
        "Forecast: input steps per window.",
        Rule(int, 1, MAX_LENGTH, optional=True), metavar="N", panel=SERIES, data=("series",),
        cli=int, by_task={"forecast": Computed("64, at most a quarter of the shortest series",
                                               _forecast_window, ("shortest",))},
    )  # fmt: skip
    horizon: int = option(
        "Forecast: steps to forecast.",
        Rule(int, 1, MAX_LENGTH), default=1, metavar="N", panel=SERIES, data=("series",),
        cli=int,
    )  # fmt: skip
    stride: int = option(
        "Forecast: steps between training windows.",
        Rule(int, 1, MAX_LENGTH), default=1, metavar="N", panel=SERIES, data=("series",),
        cli=int,
    )  # fmt: skip
    levels: int | None = option(
        "Forecast with a softmax over this many mu-law levels (0: point forecasts).",
        Rule(int, 0, 65_536, optional=True), metavar="N", panel=SERIES, data=("series",),
        cli=int, by_task={"forecast": Computed("256 for --arch wavenet, else 0",
                                               _forecast_levels)},
    )  # fmt: skip
    decode: str = option(
        "Level forecasts: 'mean' (expected value) or 'argmax'.",
        Rule(str, choices=("mean", "argmax")), default="mean", metavar="HOW", panel=SERIES,
        data=("series",),
    )  # fmt: skip

    # -- model and task ------------------------------------------------------------------------
    model: str | None = option(
        "Architecture: a zoo model (see seqconv models).",
        Rule(str, choices=_model_names, optional=True, flag="--arch"),
        flags=("--arch", "-a"), old_flags=("--model", "-m"), metavar="NAME",
        by_task={"dna": "motifnet", "dna-segment": "unet", "dna-profile": "bpnet",
                 "series": Computed("minirocket_hydra, or minirocket for one-step series",
                                    _series_model),
                 "forecast": Computed("tcn; wavenet with --levels", _forecast_model),
                 "series-segment": "dilated_seg"},
    )  # fmt: skip
    model_options: dict[str, Any] = option(
        "Model keyword argument (repeatable).",
        Rule(dict), default_factory=dict, flags=("--model-option", "-O"), metavar="KEY=VALUE",
        cli=list[str], parse=key_values,
    )  # fmt: skip
    task: str | None = option(
        "DNA: binary, multiclass, multilabel, regression, segment (a label per position, "
        "from --intervals) or profile (counts per base from --bigwig tracks); series: classify, "
        "regress, forecast or segment (default: from the labels).",
        {"dna": Rule(str, choices=DNA_TASKS, optional=True),
         "series": Rule(str, choices=SERIES_TASKS, optional=True)},
        metavar="TASK",
    )  # fmt: skip
    drop_missing_labels: bool = option(
        "Drop records whose label or target is empty, NaN or infinite (default: refuse them, "
        "naming the ids).",
        Rule(bool), default=False, flags=("--drop-missing-labels",), cli=bool,
    )  # fmt: skip
    normalize: str | None = option(
        "z-normalise per 'series', per 'channel' with training statistics, or 'none'.",
        Rule(str, choices=NORM_MODES, optional=True), metavar="MODE",
        panel=SERIES, data=("series",),
        by_task={"series": Computed("series; none for the rocket models",
                                     _series_normalize),
                 "forecast": "channel"},
    )  # fmt: skip
    missing: str | None = option(
        "Missing values: interpolate, ffill, zero or error.",
        Rule(str, choices=MISSING_POLICIES, optional=True),
        metavar="MODE", panel=SERIES, data=("series",),
        by_task={"series": "interpolate", "forecast": "ffill"},
    )  # fmt: skip
    valid_fraction: float | None = option(
        "Held out for validation (forecasts: the end of each series).",
        Rule(float, 0, 0.99, optional=True), metavar="X", panel=SERIES, data=("series",),
        cli=float,
        by_task={"series": Computed("0.2 from 1,000 series; below, 0: every series trains and "
                                    "the training loss is monitored",
                                    _series_valid_fraction, ("n_series",)),
                 "forecast": 0.1, "series-segment": 0.2},
    )  # fmt: skip
    test_fraction: float | None = option(
        "Held out for testing (forecasts: the end of each series).",
        Rule(float, 0, 0.99, optional=True), metavar="X", panel=SERIES, data=("series",),
        cli=float, by_task={"series": 0.0, "forecast": 0.1},
    )  # fmt: skip

    # -- training --------------------------------------------------------------------------
    batch_size: int | None = option(
        "Sequences per step.",
        Rule(int, 1, 65_536, optional=True), metavar="N", cli=int,
        by_task={"dna": 128, "dna-profile": 64, "series": TENTH, "forecast": 64},
    )  # fmt: skip
    lr: float | None = option(
        "Learning rate of AdamW (Adam without weight decay), halved when validation stalls.",
        Rule(float, 0, 10, low_open=True, optional=True), metavar="X", cli=float,
        by_task={"dna": 3e-3, "dna-profile": 1e-3, "series": 1e-3},
    )  # fmt: skip
    weight_decay: float | None = option(
        "AdamW weight decay.",
        Rule(float, 0, 10, optional=True), metavar="X", cli=float,
        by_task={"dna": 1e-2, "dna-profile": 0.0, "series": 0.0},
    )  # fmt: skip
    lr_patience: int | None = option(
        "Validations without a better score before the learning rate is halved.",
        Rule(int, 0, 1_000_000, optional=True), metavar="N", cli=int,
        by_task={"dna": 2, "dna-profile": 3, "series": 50, "forecast": 3,
                 "series-segment": 5},
    )  # fmt: skip
    reverse_complement: bool = option(
        "Reverse-complement augmentation and strand-averaged evaluation.",
        Rule(bool), default=True, flags=("--reverse-complement/--no-reverse-complement",),
        data=("dna",), cli=bool,
    )  # fmt: skip
    max_shift: int | None = option(
        "Random shift augmentation, in bases (--task profile: the jitter of each window around "
        "its summit, read from the genome).",
        Rule(int, 0, 10_000, optional=True), metavar="N", data=("dna",), cli=int,
        by_task={"dna": 3, "dna-profile": Computed("128, at most a quarter of --length",
                                                   _profile_jitter, ("length",))},
    )  # fmt: skip
    valid_chroms: list[str] | None = option(
        "Validation chromosomes (default: chr7).",
        Rule(list, optional=True), metavar="CHR,...", data=("dna",), parse=comma_list,
    )  # fmt: skip
    test_chroms: list[str] | None = option(
        "Test chromosomes (default: chr8,chr9).",
        Rule(list, optional=True), metavar="CHR,...", data=("dna",), parse=comma_list,
    )  # fmt: skip
    store: str | None = option(
        "Folder for the encoded sequences: one store per set of input files and options, reused "
        "by later runs on the same ones (default: the run directory's store/).",
        Rule(str, optional=True), metavar="DIR", data=("dna",), cli=Path,
    )  # fmt: skip
    seed: int = option(
        "Seed for negatives, split, weights and shuffling.",
        Rule(int, 0, 2**32 - 1), default=0, metavar="N", cli=int,
    )  # fmt: skip

    # -- run control: may change on --resume -------------------------------------------------
    epochs: int | None = option(
        "Most epochs: training stops earlier when the monitored metric stops improving "
        "(--patience).",
        Rule(int, 1, 1_000_000, optional=True), metavar="N", panel=RUN, resume=True, cli=int,
        by_task={"dna": 200, "dna-profile": 50, "series": 1500, "forecast": 100,
                 "series-segment": 200},
    )  # fmt: skip
    patience: int | None = option(
        "Validations (epochs unless --val-every says otherwise) without a better validation "
        "score (auROC; regression, profiles and series: loss) before stopping.",
        Rule(int, 1, 1_000_000, optional=True), metavar="N", panel=RUN, resume=True, cli=int,
        by_task={"dna": 5, "series": 200, "forecast": 10, "series-segment": 10},
    )  # fmt: skip
    val_every: str = option(
        "Validate, checkpoint and count --patience every N batches or every TIME (e.g. 5000, "
        "10m); 'epoch': after each epoch, and at least every 10 minutes.",
        Rule(str), default="epoch", metavar="N|TIME", panel=RUN, resume=True, parse=interval,
    )  # fmt: skip
    time_limit: float | None = option(
        "Stop when this much training time has passed (e.g. 90s, 20m, 2h): validate, checkpoint "
        "and keep the best weights so far.",
        Rule(float, 0, 1e9, low_open=True, optional=True), metavar="TIME", panel=RUN,
        resume=True, parse=duration,
    )  # fmt: skip
    device: str = option(
        "auto (a GPU if there is one), cpu, cuda or cuda:N.",
        Rule(str), default="auto", metavar="DEVICE", panel=RUN, resume=True,
    )  # fmt: skip
    threads: int | None = option(
        "CPU threads (default: the free cores, at most 8).",
        Rule(int, 1, 4096, optional=True), metavar="N", panel=RUN, resume=True, cli=int,
    )  # fmt: skip
    precision: str = option(
        "auto (bf16 on GPUs), fp32 or bf16.",
        Rule(str, choices=PRECISIONS), default="auto", metavar="PREC", panel=RUN, resume=True,
    )  # fmt: skip
    quiet: bool = option(
        "No progress output.",
        Rule(bool), default=False, flags=("--quiet", "-q"), panel=RUN, resume=True, cli=bool,
    )  # fmt: skip
    out: str | None = option(
        "Run directory (default: runs/<file>-<arch>).",
        Rule(str, optional=True), flags=("--out", "-o"), metavar="DIR", panel=RUN, cli=Path,
    )  # fmt: skip
    force: bool = option(
        "Replace the run directory --out if it holds a run already; with --resume, continue on "
        "data files that changed since training.",
        Rule(bool), default=False, flags=("--force",), panel=RUN, resume=True, cli=bool,
    )  # fmt: skip
    config: str | None = option(
        "JSON/YAML file of these options (a run's config.json repeats that run).",
        Rule(str, optional=True), metavar="FILE", panel=RUN, cli=Path, cli_only=True,
    )  # fmt: skip
    resume: str | None = option(
        "Continue an interrupted run directory (with the run-control options above, if given).",
        Rule(str, optional=True), metavar="DIR", panel=RUN, cli=Path, cli_only=True,
    )  # fmt: skip

    @property
    def data(self) -> str:
        """``series`` or ``dna``: what the run trains on."""
        return "series" if self.series else "dna"

    @property
    def stem(self) -> str:
        """The first input file's name up to its first dot: names the default run directory
        ``runs/<stem>-<model>``."""
        first = (self.fasta or self.bed or [self.series])[0]
        return Path(first).name.split(".")[0] or ("series" if self.series else "run")

    @property
    def negatives_used(self) -> str:
        """The negatives in effect: the default depends on the input."""
        return self.negatives or ("genome" if self.bed else "shuffle")

    def repeatable(self) -> dict[str, Any]:
        """The options of this run's kind of data as JSON-ready values, paths absolute; ``force``
        (a repeated run must not replace anything unasked) and ``quiet`` (a matter of the
        terminal at hand) left out."""
        table = specs(type(self))
        values = {
            name: value
            for name, value in dataclasses.asdict(self).items()
            if self.data in table[name].data
            and not table[name].cli_only
            and name not in ("force", "quiet")
        }
        for name in path_fields():
            value = values.get(name)
            if isinstance(value, list):
                values[name] = [str(absolute(v)) for v in value]
            elif value:
                values[name] = str(absolute(value))
        if values.get("negatives") not in (None, "shuffle", "none", "genome"):
            values["negatives"] = str(absolute(values["negatives"]))
        return values


def path_fields() -> list[str]:
    """Options holding file paths (the command line reads them as paths): stored absolute, so
    a run's config.json repeats it from anywhere."""
    return [
        n for n, s in specs(TrainOptions).items() if s.cli in (Path, list[Path]) and not s.cli_only
    ]


def check_options(values: dict[str, Any], data: str, source: str | None = None) -> dict[str, Any]:
    """Values of :class:`TrainOptions` for ``data`` checked (see
    :func:`seqconv.option_table.check`)."""
    return check(TrainOptions, values, data, source)


def profile_of(options: TrainOptions, series_task: str | None = None) -> str:
    """The defaults profile of a run (:data:`seqconv.option_table.PROFILES`); for series the
    recipe's task kind (``classify``, ``regress``, ``forecast``, ``segment``)."""
    if options.data == "dna":
        if options.task == "profile":
            return "dna-profile"
        return "dna-segment" if options.task == "segment" or options.intervals else "dna"
    return {"forecast": "forecast", "segment": "series-segment"}.get(series_task or "", "series")


__all__ = ["TrainOptions", "check_options", "profile_of"]
