"""What every ``seqconv train`` option accepts, for DNA and for series: one table per recipe,
checked (with :func:`seqconv.validation.check_fields`) before any data is read."""

from __future__ import annotations

from seqconv.models import registry
from seqconv.series.normalize import MISSING_POLICIES, NORM_MODES
from seqconv.validation import Rule

MAX_LENGTH = 1_000_000
"""Longest DNA input: seqconv trains on windows; longer sequences belong cut into windows."""
DNA_TASKS = ("binary", "multiclass", "multilabel", "regression", "segment")
SERIES_TASKS = ("classify", "regress", "forecast", "classification", "regression", "binary",
                "multiclass", "segment")  # fmt: skip
PRECISIONS = ("auto", "fp32", "bf16")


def _common(optional_training: bool) -> dict[str, Rule]:
    """Rules shared by both recipes (``optional_training``: ``None`` means the task default)."""
    opt = optional_training
    return {
        "model": Rule(str, choices=tuple(registry.names()), optional=opt, flag="--arch"),
        "model_options": Rule(dict),
        "epochs": Rule(int, 1, 1_000_000, optional=opt),
        "batch_size": Rule(int, 1, 65_536, optional=opt),
        "lr": Rule(float, 0, 10, low_open=True),
        "weight_decay": Rule(float, 0, 10),
        "patience": Rule(int, 0, 1_000_000, optional=opt),
        "time_limit": Rule(float, 0, 1e9, low_open=True, optional=True),
        "device": Rule(str),
        "precision": Rule(str, choices=PRECISIONS),
        "seed": Rule(int, 0, 2**32 - 1),
        "out": Rule(str, optional=True),
        "quiet": Rule(bool),
        "force": Rule(bool),
        "drop_missing_labels": Rule(bool),
        "task": Rule(str, choices=SERIES_TASKS if opt else DNA_TASKS, optional=True),
    }


def dna_rules() -> dict[str, Rule]:
    """Rules of :class:`~seqconv.train.recipes.dna.TrainOptions`."""
    return _common(False) | {
        "fasta": Rule(list),
        "labels": Rule(str, optional=True),
        "negatives": Rule(str, optional=True),
        "bed": Rule(list),
        "genome": Rule(str, optional=True),
        "label_column": Rule(str, optional=True),
        "bigwig": Rule(list),
        "bigwig_stat": Rule(str, choices=("mean", "sum")),
        "log1p": Rule(bool),
        "negatives_ratio": Rule(float, 0, 1000, low_open=True),
        "flank": Rule(int, 0, 100_000_000, optional=True),
        "exclude": Rule(str, optional=True),
        "intervals": Rule(str, optional=True),
        "length": Rule(int, 1, MAX_LENGTH, optional=True),
        "align": Rule(str, choices=("center", "left", "right")),
        "reverse_complement": Rule(bool),
        "max_shift": Rule(int, 0, 10_000),
        "valid_chroms": Rule(list, optional=True),
        "test_chroms": Rule(list, optional=True),
    }


def series_rules() -> dict[str, Rule]:
    """Rules of :class:`~seqconv.train.recipes.series_options.SeriesOptions`."""
    return _common(True) | {
        "series": Rule(str),
        "target": Rule(list, optional=True),
        "layout": Rule(str, choices=("wide", "long", "steps"), optional=True),
        "window": Rule(int, 1, MAX_LENGTH, optional=True),
        "horizon": Rule(int, 1, MAX_LENGTH),
        "stride": Rule(int, 1, MAX_LENGTH),
        "levels": Rule(int, 0, 65_536, optional=True),
        "decode": Rule(str, choices=("mean", "argmax")),
        "normalize": Rule(str, choices=NORM_MODES, optional=True),
        "missing": Rule(str, choices=MISSING_POLICIES, optional=True),
        "valid_fraction": Rule(float, 0, 0.99, optional=True),
        "test_fraction": Rule(float, 0, 0.99, optional=True),
        "lr_patience": Rule(int, 0, 1_000_000, optional=True),
    }
