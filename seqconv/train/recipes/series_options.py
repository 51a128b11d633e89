"""What the series recipes share: the task, checks across options, reading the training file, the
model and the data summary of ``config.json`` (the options themselves:
:class:`seqconv.train.train_options.TrainOptions`)."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from seqconv import rundir
from seqconv.core.tasks import build_for_task
from seqconv.errors import InputError
from seqconv.models import defaults
from seqconv.series.data import SeriesData, read_series
from seqconv.series.normalize import Normalizer
from seqconv.train.train_options import TrainOptions

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


def task_kind(options: TrainOptions) -> str:
    """``classify``, ``regress``, ``forecast``, ``segment`` or ``None`` (decided by the
    labels)."""
    if options.task is None:
        return "forecast" if options.window is not None else None
    if options.task not in TASK_ALIASES:
        raise InputError(
            f"unknown task {options.task!r} for series; use classify, regress, forecast or segment"
        )
    return TASK_ALIASES[options.task]


def check_series_options(o: TrainOptions) -> None:
    """What no single option's rule can say: options that must agree with each other."""
    if o.valid_fraction + o.test_fraction >= 1:
        raise InputError("--valid-fraction and --test-fraction must sum below 1")
    if o.levels == 1:
        raise InputError("--levels must be 0 (point forecasts) or at least 2, not 1")


def read_training_series(options: TrainOptions, kind: str | None) -> SeriesData:
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


def data_summary(options: TrainOptions, data: SeriesData) -> dict:
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
