"""From a time-series file to a complete run directory: the job behind ``seqconv train --series``.

Classification and regression (labels from a ``.ts`` file or a table's ``--target`` column) train
on whole series; forecasting (:mod:`seqconv.train.recipes.forecast`) trains on windows split by
time; segmentation (``--task segment``, :mod:`seqconv.train.recipes.series_segment`) on a 0/1
label per step. The run directory is the same as for DNA: ``config.json`` (with ``"input": {"kind":
"series", ...}`` holding the normaliser and missing-value policy applied again at prediction time),
``model.safetensors``, ``checkpoint.safetensors``, ``history.csv``, ``split.tsv``,
``metrics.json`` and plots.

Defaults (no tuning needed):

* classification and regression: ``minirocket_hydra`` (MiniRocket, Dempster et al. 2021,
  beside Hydra, Dempster et al. 2023), fitted in closed form (:mod:`seqconv.train.closed_form`):
  more accurate than aeon's MiniRocket and MultiRocket-Hydra on 13 UCR/UEA sets for a few
  seconds of CPU (``scripts/bench_tsc.py``, ``docs/benchmarks.md``). Series used as they are
  (the kernels sum to zero), missing values interpolated.
* deep models (``--arch inception``, ``resnet``, ...): Fawaz et al. 2019's protocol, Adam (no
  weight decay) at ``lr = 1e-3``, batch ``clip(n_train / 10, 4, 64)``, up to 1,500 epochs,
  learning rate halved after 50 epochs without a better monitored loss, early stopping after
  200; ``--time-limit`` caps the training time; bf16 autocast on GPUs.
* what is monitored: with fewer than 1,000 series (most UCR/UEA training files), every series
  trains and the training loss is monitored, as in Fawaz et al.'s protocol; a held-out part of a
  few dozen series makes early stopping follow noise (measured on ItalyPowerDemand, seeds 0-2:
  holding out a stratified 20 % gave 96.3 / 91.6 / 96.3 % test accuracy, the seed-1 run keeping
  its epoch-4 weights because one confidently misclassified validation series raised the
  validation loss ever after; monitoring the training loss gave 96.4 / 96.1 / 96.2 %). From
  1,000 series on, a stratified 20 % is held out and its loss monitored. ``--valid-fraction``
  overrides either way; the ``_TEST`` file is for ``seqconv evaluate``.
* forecasting: see :mod:`seqconv.train.recipes.forecast`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqconv import rundir
from seqconv.core.predict import predict
from seqconv.core.series_stores import SeriesTensor
from seqconv.core.tasks import TargetScaler, is_classification, link, target_tensor
from seqconv.dna.splits import random_split
from seqconv.errors import InputError
from seqconv.models.masking import enable_masks, padding_side
from seqconv.models.probe import check_input_length
from seqconv.option_table import fill
from seqconv.progress import Reporter
from seqconv.series.data import SeriesData
from seqconv.series.normalize import Normalizer, encode_values
from seqconv.train.closed_form import is_closed_form
from seqconv.train.loop import FitResult
from seqconv.train.recipes import forecast, series_segment
from seqconv.train.recipes.common import HeldOut, Job, RunContext, fit_settings, train_run
from seqconv.train.recipes.series_options import (
    build_series_model,
    check_series_options,
    data_summary,
    input_config,
    read_training_series,
    task_kind,
)
from seqconv.train.train_options import ROCKETS, TrainOptions

DEFAULT_NOTE = (
    " (the default: fixed convolutions and a ridge head fitted in seconds; --arch inception "
    "or resnet trains a deep network)"
)


def train_series(
    options: TrainOptions, reporter: Reporter | None = None, resume: bool = False
) -> Path:
    """Train on a time-series file and write a run directory.

    Parameters
    ----------
    options
        See :class:`~seqconv.train.train_options.TrainOptions`; ``None`` values take the
        task's defaults.
    reporter
        Where progress goes.
    resume
        Continue the interrupted run in ``options.out``.

    Returns
    -------
    Path
        The run directory.
    """

    def prepare(ctx: RunContext) -> Job:
        device, reporter = ctx.device, ctx.reporter
        kind = task_kind(options)
        if kind == "segment":
            return series_segment.prepare(options, device, reporter)
        data = read_training_series(options, kind)
        for note in data.notes:
            reporter.info(note)
        if kind is None and data.labels is None and len(data) == 1:
            kind = "forecast"  # one unlabelled series cannot be classified: forecasting is meant
            reporter.info("one series without labels: forecasting it (--task forecast)")
        if kind == "forecast":
            return forecast.prepare(options, data, device, reporter)
        return prepare_labelled(options, data, kind, device, reporter)

    return train_run(options, prepare, reporter, resume)


def prepare_labelled(
    options: TrainOptions,
    data: SeriesData,
    kind: str | None,
    device: torch.device,
    reporter: Reporter,
) -> Job:
    """Classification or regression of whole series: normalise, mask, split, build the model."""
    forced = {"classify": "multiclass", "regress": "regression"}.get(kind or "")
    targets, names, task = data.targets(forced)
    if task == "multilabel":
        raise InputError(
            f"{data.source}: multi-label series are not supported; use one label per series"
        )
    kind = "regress" if task == "regression" else "classify"
    strata = targets if is_classification(task) else None
    o = fill(options, "series", n_series=len(data), longest=int(data.max_length))
    check_series_options(o)
    groups = [str(i) for i in range(len(data))]
    assignment = random_split(groups, strata, o.valid_fraction, o.test_fraction, o.seed).assignment
    train_idx, valid_idx = (np.flatnonzero(assignment == s) for s in ("train", "valid"))
    monitor_training = o.valid_fraction == 0
    if monitor_training:  # Fawaz et al.: train on everything, monitor the training loss
        valid_idx = train_idx
    elif len(valid_idx) == 0:
        raise InputError(
            f"{data.source}: {len(data)} series leave none for validation; add series or raise "
            "--valid-fraction"
        )
    if is_classification(task) and np.unique(targets[train_idx]).size < 2:
        raise InputError(f"{data.source}: the training split holds a single class")
    o = fill(o, "series", n_train=len(train_idx))

    model = build_series_model(
        o.model, o.model_options, data.n_channels, len(names), task, int(data.max_length)
    )
    side = padding_side(model)
    enable_masks(model)
    model = model.to(device)
    if o.normalize == "channel":  # NaN padding and missing values are skipped
        normalizer = Normalizer.fit(data.values[train_idx], "channel", channels=data.channels)
    else:
        normalizer = Normalizer(o.normalize, channels=list(data.channels))
    encoded = encode_values(
        data.values, data.lengths, normalizer, o.missing, None, side, data.ids, data.source
    )
    if encoded.missing.total:
        reporter.info(encoded.missing.describe(data.channels))
    scaler = None
    fit_targets = targets
    if task == "regression":
        scaler = TargetScaler.fit(targets[train_idx])
        fit_targets = scaler.scale(targets)

    counts = {s: int((assignment == s).sum()) for s in ("train", "valid", "test")}
    lengths = (
        f"{int(data.lengths.min())}-{int(data.lengths.max())}"
        if not data.equal_length
        else str(data.max_length)
    )
    reporter.info(
        f"{len(data):,} series of {data.n_channels} channel(s), {lengths} steps, task {task} "
        f"({', '.join(names[:8])}{'…' if len(names) > 8 else ''}); model {o.model}"
        f"{DEFAULT_NOTE if options.model is None and o.model in ROCKETS else ''}; split "
        f"train {counts['train']}, validation {counts['valid']}, test {counts['test']}"
    )
    inputs = SeriesTensor(encoded.x, encoded.mask, device)
    check_input_length(
        model, inputs.data.shape[1], data.max_length, "series", "steps",
        fix="choose a model for short series (e.g. --arch resnet)",
    )  # fmt: skip
    settings = fit_settings(o)
    config = {
        "model": model.build_config,
        "input": input_config(data, normalizer, o.missing, side, True, int(data.max_length)),
        "task": task,
        "target_names": names,
        "target_scaler": scaler.to_dict() if scaler else None,
        "data": data_summary(o, data) | {"label_columns": list(data.label_names)},
        "split": {
            "method": "stratified" if strata is not None else "random",
            **counts,
            "monitor": "training loss" if monitor_training else "validation loss",
            "file": rundir.SPLIT,
        },
        "train": dataclasses.asdict(settings),
    }

    def held_out(result: FitResult) -> HeldOut:
        held = "test" if counts["test"] else "train" if monitor_training else "valid"
        index = np.flatnonzero(assignment == held)
        scored = result.leave_one_out
        if held == "train" and scored is not None and np.array_equal(scored[0], index):
            held, outputs = "train-loo", scored[1]
        else:
            outputs = outputs_of(index)
        predictions = link(task, outputs).numpy()
        if scaler is not None:
            predictions = scaler.unscale(predictions)
        return HeldOut(task, targets[index], predictions, names, held, unit="series",
                       outputs=outputs)  # fmt: skip

    def outputs_of(rows: np.ndarray) -> torch.Tensor:
        return predict(model, inputs, rows, 512, False, o.precision)

    return Job(
        options=o,
        model=model,
        inputs=inputs,
        targets=target_tensor(task, fit_targets),
        task=task,
        train_index=train_idx,
        valid_index=valid_idx,
        settings=settings,
        target_names=names,
        config=config,
        split=pd.DataFrame({"id": data.ids, "split": assignment}),
        held_out=held_out,
        # a closed-form fit calibrates itself on leave-one-out scores (a temperature)
        outputs=None if is_closed_form(model) else outputs_of,
    )


__all__ = ["train_series"]
