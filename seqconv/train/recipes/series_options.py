"""Options of ``seqconv train --series`` and what the series recipes share: task, defaults,
checks, reading the training file, the model and the data summary of ``config.json``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from torch import nn

from seqconv.errors import InputError
from seqconv.models import defaults
from seqconv.runs import rundir
from seqconv.runs.tasks import build_for_task
from seqconv.series.data import SeriesData, read_series
from seqconv.series.normalize import MISSING_POLICIES, NORM_MODES, Normalizer
from seqconv.train.loop import FitSettings
from seqconv.train.recipes.common import RecipeOptions

TASK_ALIASES = {
    "classify": "classify",
    "classification": "classify",
    "binary": "classify",
    "multiclass": "classify",
    "regress": "regress",
    "regression": "regress",
    "forecast": "forecast",
    "segment": "segment",
}
DEFAULT_MODEL = {
    "classify": "minirocket",
    "regress": "minirocket",
    "forecast": "tcn",
    "levels": "wavenet",
}
"""Defaults by cost: MiniRocket matches the deep models' accuracy on UCR sets in seconds
(``scripts/bench_tsc.py``); ``--arch inception`` or ``resnet`` asks for a deep model."""
SMALL_DATA = 1000
"""Below this many series every series trains and the training loss is monitored (Fawaz et al.)."""


@dataclass
class SeriesOptions(RecipeOptions):
    """Every option of ``seqconv train --series``; a run's ``config.json`` repeats the run.

    ``None`` means "the default for the task" (see the module docstring); the run's
    ``config.json`` stores the values actually used.

    Attributes
    ----------
    series
        ``.ts``, CSV/TSV or Parquet file (wide or long; see :mod:`seqconv.series.tables`).
    target
        Table label/target column(s); forecasting: the channels to forecast.
    layout
        Table layout: ``wide``, ``long`` or ``steps`` (:mod:`seqconv.series.tables`); ``None``
        detects it.
    task
        ``classify``, ``regress``, ``forecast`` or ``segment`` (a 0/1 label per step from the
        ``target`` columns: :mod:`seqconv.train.recipes.series_segment`; also ``binary``,
        ``multiclass``, ``regression``); default: ``forecast`` when ``window`` is given, else
        from the labels.
    model, model_options
        Zoo model and keyword arguments (``in_channels``/``n_outputs`` are set for you).
    window, horizon, stride
        Forecasting: input steps, steps to forecast, steps between training windows.
    levels, decode
        Forecasting with a softmax over ``levels`` mu-law levels (``wavenet``'s default, 256;
        ``0`` for point forecasts) and how a forecast is read from it: ``mean`` (the expected
        value, least squared error) or ``argmax`` (the most likely level).
    normalize, missing
        z-normalisation (``series``, ``channel`` fitted on the training split, ``none``) and
        missing-value policy (``zero``, ``ffill``, ``interpolate``, ``error``).
    drop_missing_labels
        Drop series whose label or target is empty, NaN or infinite (default: refuse them, naming
        the ids).
    valid_fraction, test_fraction
        Held out (stratified for classes; the end of each series for forecasting).
    epochs, batch_size, lr, weight_decay, patience, lr_patience
        Training (Adam when ``weight_decay`` is 0).
    time_limit
        Stop after the epoch that passes this many seconds of training (best weights kept).
    """

    series: str = ""
    target: list[str] | None = None
    layout: str | None = None
    task: str | None = None
    model: str | None = None
    model_options: dict[str, Any] = field(default_factory=dict)
    window: int | None = None
    horizon: int = 1
    stride: int = 1
    levels: int | None = None
    decode: str = "mean"
    normalize: str | None = None
    missing: str | None = None
    drop_missing_labels: bool = False
    valid_fraction: float | None = None
    test_fraction: float | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float = 1e-3
    weight_decay: float = 0.0
    patience: int | None = None
    lr_patience: int | None = None
    time_limit: float | None = None
    device: str = "auto"
    precision: str = "auto"
    seed: int = 0
    out: str | None = None
    quiet: bool = False

    path_fields: ClassVar[tuple[str, ...]] = ("series", "out")

    def fit_settings(self) -> FitSettings:
        """Training settings (call after the task defaults are filled in)."""
        return FitSettings(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            lr=self.lr,
            weight_decay=self.weight_decay,
            patience=int(self.patience),
            lr_patience=int(self.lr_patience),
            precision=self.precision,
            rc_average=False,
            seed=self.seed,
            monitor="val_loss",
            time_limit=self.time_limit,
        )


def task_kind(options: SeriesOptions) -> str:
    """``classify``, ``regress``, ``forecast``, ``segment`` or ``None`` (decided by the
    labels)."""
    if options.task is None:
        return "forecast" if options.window is not None else None
    if options.task not in TASK_ALIASES:
        raise InputError(
            f"unknown task {options.task!r} for series; use classify, regress, forecast or segment"
        )
    return TASK_ALIASES[options.task]


def copy_options(options: SeriesOptions) -> SeriesOptions:
    """A copy whose model options can be filled in without touching the original."""
    return dataclasses.replace(options, model_options=dict(options.model_options))


def fill_defaults(options: SeriesOptions, kind: str, n_train: int) -> SeriesOptions:
    """A copy of ``options`` with every ``None`` replaced by the default for ``kind``
    (``classify`` or ``regress``; forecasting fills its own)."""
    o = copy_options(options)
    o.model = o.model or DEFAULT_MODEL[kind]
    # MiniRocket's kernels sum to zero and its biases scale with the data: it needs no
    # normalising, and z-normalising each series alone discards the channels' relative scale
    # (JapaneseVowels: 0.797 test accuracy z-normalised, 0.976 as is).
    o.normalize = o.normalize or ("none" if o.model == "minirocket" else "series")
    o.missing = o.missing or "interpolate"
    if o.valid_fraction is None:
        o.valid_fraction = 0.0 if n_train < SMALL_DATA else 0.2
    o.test_fraction = 0.0 if o.test_fraction is None else o.test_fraction
    o.epochs = o.epochs or 1500
    o.batch_size = o.batch_size or int(np.clip(n_train // 10, 4, 64))
    o.patience = o.patience or 200
    o.lr_patience = o.lr_patience or 50
    return o


def check_options(o: SeriesOptions) -> None:
    if o.normalize not in NORM_MODES:
        raise InputError(f"--normalize must be one of {', '.join(NORM_MODES)}, not {o.normalize!r}")
    if o.missing not in MISSING_POLICIES:
        raise InputError(
            f"--missing must be one of {', '.join(MISSING_POLICIES)}, not {o.missing!r}"
        )
    for name in ("valid_fraction", "test_fraction"):
        value = getattr(o, name)
        if not 0 <= value < 1:
            raise InputError(f"--{name.replace('_', '-')} must lie in [0, 1), not {value}")
    if o.valid_fraction + o.test_fraction >= 1:
        raise InputError("--valid-fraction and --test-fraction must sum below 1")
    if o.levels == 1:
        raise InputError("--levels must be 0 (point forecasts) or at least 2, not 1")
    if o.decode not in ("mean", "argmax"):
        raise InputError(f"--decode must be mean or argmax, not {o.decode!r}")


def read_training_series(options: SeriesOptions, kind: str | None) -> SeriesData:
    """The training file; table label columns are read unless forecasting."""
    path = Path(options.series)  # read_series names a missing path, a directory, ...; reads -
    target = None if kind == "forecast" else options.target
    data = read_series(
        path,
        target=target if target else None,
        layout=options.layout,
        drop_missing_labels=options.drop_missing_labels,
    )
    if len(data) == 0:
        raise InputError(f"{path}: no series")
    return data


def build_series_model(
    name: str,
    kwargs: dict,
    in_channels: int,
    n_outputs: int,
    task: str,
    length: int | None = None,
) -> nn.Module:
    """The zoo model ``name`` with the data's input channels and outputs, for ``task``; models
    fitted to a series length (``length`` argument, e.g. MiniRocket's dilations) get the longest
    series' unless the user set one."""
    kwargs = dict(kwargs)
    kwargs.update(in_channels=in_channels, n_outputs=n_outputs)
    if length is not None and "length" not in kwargs and "length" in defaults(name):
        kwargs["length"] = int(length)
    return build_for_task(name, task, **kwargs)


def data_summary(options: SeriesOptions, data: SeriesData) -> dict:
    return {
        "series": rundir.file_record(options.series),
        "records": len(data),
        "channels": list(data.channels),
        "lengths": {"min": int(data.lengths.min()), "max": int(data.lengths.max())},
        "missing": {k: int(v) for k, v in data.missing_counts().items()},
        "layout": options.layout,
    }


def input_config(
    data: SeriesData, normalizer: Normalizer, missing: str, pad_side: str, mask: bool, length: int
) -> dict:
    """The ``input`` block of ``config.json``: how prediction encodes series again."""
    return {
        "kind": "series",
        "channels": list(data.channels),
        "normalize": normalizer.to_dict(),
        "missing": missing,
        "pad_side": pad_side,
        "mask": mask,
        "length": length,
    }
