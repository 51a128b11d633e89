"""Forecasting runs: windows split by time, point forecasts or WaveNet over mu-law levels.

Each series' time axis is split in train / validation / test (by default the last 10 % is test and
the 10 % before it validation; :mod:`seqconv.series.windows`): no training target lies in the
validation or test part, and the normaliser (per channel) and the mu-law scale are fitted on the
training part only. Missing values are forward filled by default (causal) and never bridged across
a boundary.

* **point forecasts** (default; ``tcn`` of 6 levels of 32 channels, kernel 3, receptive field 253
  steps): the model reads a window of ``window`` steps and outputs ``horizon`` values per
  forecast channel (mean squared error on normalised values).
* **levels** (``--arch wavenet``, or ``--levels Q``): WaveNet with a softmax over ``Q = 256``
  mu-law levels per step, trained with teacher forcing (every step of a window predicts the level
  of the next step; cross-entropy), forecasts generated step by step and decoded as the expected
  value (``--decode mean``, default) or the most likely level (``--decode argmax``). Univariate.

Defaults: window 64 (capped at a quarter of the shortest series), horizon 1, stride 1, Adam at
``lr = 1e-3``, batch 64, up to 100 epochs, learning rate halved after 3 epochs without a better
validation loss, early stopping after 10.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import torch

from seqconv import models, rundir
from seqconv.core.forecast import (
    forecast_names,
    forecast_scores,
    forecast_windows,
    naive_forecasts,
    prepare_values,
    target_channels,
)
from seqconv.core.series_stores import WindowTensor
from seqconv.core.tasks import target_tensor
from seqconv.errors import InputError
from seqconv.models.probe import check_input_length
from seqconv.option_table import fill
from seqconv.progress import Reporter
from seqconv.series.data import SeriesData
from seqconv.series.normalize import Normalizer
from seqconv.series.quantize import MuLaw
from seqconv.series.windows import ForecastWindows, gather_windows, make_forecast_windows
from seqconv.train.loop import FitResult
from seqconv.train.recipes.common import HeldOut, Job, fit_settings
from seqconv.train.recipes.series_options import (
    build_series_model,
    check_series_options,
    data_summary,
    input_config,
)
from seqconv.train.train_options import TrainOptions

MODEL_DEFAULTS = {
    "tcn": {"channels": [32] * 6, "kernel_size": 3},
    "wavenet": {"layers_per_stack": 6, "stacks": 2},
}


def forecast_options(options: TrainOptions, shortest: int) -> TrainOptions:
    """``options`` with the forecasting defaults filled in; ``tcn`` and ``wavenet`` get their
    forecasting sizes (:data:`MODEL_DEFAULTS`) under the keyword arguments given."""
    o = fill(options, "forecast", shortest=shortest)
    o.model_options = MODEL_DEFAULTS.get(o.model, {}) | o.model_options
    return o


def prepare(
    options: TrainOptions, data: SeriesData, device: torch.device, reporter: Reporter
) -> Job:
    """Windows split by time, normaliser and quantiser fitted on the training part, the model."""
    shortest = int(data.lengths.min())
    o = forecast_options(options, shortest)
    check_series_options(o)
    if o.levels and "per_step" not in models.defaults(o.model):
        per_step = [name for name in models.names() if "per_step" in models.defaults(name)]
        raise InputError(
            f"--levels forecasts the next level at every step of a window, which --arch {o.model} "
            f"cannot output: use --arch {', '.join(per_step[:-1])} or {per_step[-1]} (or "
            "--levels 0 for point forecasts)"
        )
    if o.normalize == "series":
        raise InputError(
            "forecasting cannot normalise each series by its own statistics (they include the "
            "future): use --normalize channel (fitted on the training part) or none"
        )
    chosen = target_channels(o.target, list(data.channels), data.source)
    if o.levels:
        if len(chosen) != 1:
            raise InputError(
                f"{data.source}: forecasting over mu-law levels is univariate, the data have "
                f"{data.n_channels} channels: pick one with --target, or use --levels 0"
            )
        data = dataclasses.replace(
            data,
            values=data.values[:, chosen],
            channels=[data.channels[chosen[0]]],
            labels=None,
        )
        chosen = [0]
    window, horizon = int(o.window), int(o.horizon)
    windows = make_forecast_windows(
        data.lengths, window, horizon, o.stride, o.valid_fraction, o.test_fraction
    )
    counts = windows.counts()
    if counts["valid"] == 0:
        raise InputError(
            f"{data.source}: no validation windows (series of {shortest}–{data.max_length} "
            f"steps, window {window} + horizon {horizon}); raise --valid-fraction or shorten "
            "the window"
        )
    train_mask = windows.train_mask(data.max_length)
    if o.normalize == "channel":
        normalizer = Normalizer.fit(data.values, "channel", train_mask, data.channels)
    else:
        normalizer = Normalizer(o.normalize, channels=list(data.channels))
    values = prepare_values(data, normalizer, o.missing, windows.cuts())
    names = forecast_names([data.channels[c] for c in chosen], horizon)
    quantizer = None
    if o.levels:
        inside = train_mask & (np.arange(data.max_length)[None, :] < data.lengths[:, None])
        quantizer = MuLaw.fit(values, levels=int(o.levels), mask=inside)
        codes = quantizer.encode(values)[:, 0].astype(np.int64)  # (N, L)
        inputs = WindowTensor(codes, windows.series, windows.start, window, o.levels, device)
        steps = windows.start[:, None] + 1 + np.arange(window)[None, :]
        targets = torch.as_tensor(codes[windows.series[:, None], steps])  # next-step levels
        fit_task = "multiclass"
        kwargs = {**o.model_options, "per_step": True}
        model = build_series_model(o.model, kwargs, o.levels, o.levels, fit_task)
        fit_names = [str(q) for q in range(o.levels)]
    else:
        inputs = WindowTensor(values, windows.series, windows.start, window, None, device)
        _, y = gather_windows(values, windows, None, chosen)
        targets = target_tensor("regression", y.reshape(len(windows), -1))
        fit_task = "regression"
        model = build_series_model(o.model, o.model_options, data.n_channels, len(names), fit_task)
        fit_names = names
    model = model.to(device)
    check_input_length(model, o.levels or data.n_channels, window, "windows", "steps",
                       fix="use --window {n} or more")  # fmt: skip
    reporter.info(
        f"{len(data):,} series of {data.n_channels} channel(s), {shortest}–{data.max_length} "
        f"steps; forecasting {horizon} step(s) from {window} with {o.model}"
        f"{f' over {o.levels} mu-law levels' if o.levels else ''}; windows train "
        f"{counts['train']:,}, validation {counts['valid']:,}, test {counts['test']:,}"
    )
    settings = fit_settings(o)
    config = {
        "model": model.build_config,
        "input": input_config(data, normalizer, o.missing, "left", False, window),
        "task": "forecast",
        "target_names": names,
        "target_scaler": None,
        "forecast": {
            "window": window,
            "horizon": horizon,
            "stride": int(o.stride),
            "target_channels": [data.channels[c] for c in chosen],
            "levels": int(o.levels),
            "decode": o.decode,
            "quantizer": quantizer.to_dict() if quantizer else None,
        },
        "data": data_summary(o, data),
        "split": {**windows.describe(), "file": rundir.SPLIT},
        "train": dataclasses.asdict(settings),
    }
    split = pd.DataFrame(
        {
            "id": data.ids,
            "length": data.lengths,
            "valid_start": windows.valid_start,
            "test_start": windows.test_start,
        }
    )

    def held_out(_: FitResult) -> HeldOut:
        held = "test" if counts["test"] else "valid"
        truth, predictions, naive = held_out_forecasts(
            model, data, values, windows, held, normalizer, chosen, quantizer, o
        )
        extra = forecast_scores(truth, predictions, naive)
        return HeldOut("regression", truth, predictions, names, held, extra, unit="windows")

    return Job(
        options=o,
        model=model,
        inputs=inputs,
        targets=targets,
        task=fit_task,
        train_index=windows.indices("train"),
        valid_index=windows.indices("valid"),
        settings=settings,
        target_names=fit_names,
        config=config,
        split=split,
        held_out=held_out,
    )


def held_out_forecasts(
    model: torch.nn.Module,
    data: SeriesData,
    values: np.ndarray,
    windows: ForecastWindows,
    held: str,
    normalizer: Normalizer,
    chosen: list[int],
    quantizer: MuLaw | None,
    o: TrainOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth, forecasts and the last-value forecast of the held-out windows (original units);
    windows whose targets hold missing values are left out."""
    index = windows.indices(held)
    _, truth = gather_windows(data.values, windows, index, chosen)
    keep = ~np.isnan(truth).any(axis=(1, 2))
    index, truth = index[keep], truth[keep]
    predictions = forecast_windows(
        model, values, windows, index, normalizer, chosen, quantizer, int(o.horizon), o.decode,
        o.precision,
    )  # fmt: skip
    naive = naive_forecasts(values, windows, index, normalizer, chosen, int(o.horizon))
    return truth.reshape(len(index), -1), predictions, naive
