"""A trained time-series run: encode series as in training, predict, forecast, evaluate, stream.

``seqconv.load(run_dir)`` returns a :class:`SeriesRun` for runs of ``seqconv train --series``::

    run = seqconv.load("runs/GunPoint-resnet")
    run.predict("data/ucr/GunPoint_TEST.ts")          # (N, n_classes) probabilities
    run.predict(values)                               # (N, C, L) array or list of (C, L_i)
    run.predict_file("new.csv", "preds.tsv")          # the table of `seqconv predict`
    run.evaluate("data/ucr/GunPoint_TEST.ts")["summary"]["accuracy"]

    stream = seqconv.load("runs/sensor-tcn").streamer()   # causal models only
    stream.step(chunk)                                # (N, C, T) raw values -> (N, outputs, T)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqconv.core.calibration import calibrated
from seqconv.core.forecast import (
    denormalize,
    forecast_scores,
    forecast_windows,
    level_forecast,
    naive_forecasts,
    point_forecast,
    prepare_values,
    target_channels,
)
from seqconv.core.metrics import compute_metrics
from seqconv.core.predict import predict
from seqconv.core.segments import interval_scores, interval_table, per_position
from seqconv.core.series_stores import SeriesTensor
from seqconv.core.tasks import is_classification
from seqconv.errors import InputError
from seqconv.models import build
from seqconv.models.masking import enable_masks
from seqconv.rf.streaming import Streamer
from seqconv.runs.run import BATCH_SIZE, Run
from seqconv.series.data import SeriesData, is_ts_file, read_series
from seqconv.series.normalize import Normalizer, encode_values
from seqconv.series.quantize import MuLaw
from seqconv.series.step_labels import read_step_labels
from seqconv.series.tables import read_table
from seqconv.series.windows import gather_windows, make_forecast_windows

SeriesInput = str | Path | SeriesData | np.ndarray | Sequence[np.ndarray]


class SeriesRun(Run):
    """A run trained on time series (``config["input"]["kind"] == "series"``).

    Attributes
    ----------
    normalizer
        The normaliser of training (per series, or per channel with training statistics).
    missing
        The missing-value policy of training.
    forecast
        Forecasting settings (``window``, ``horizon``, ``levels``, ...) or ``None``.
    """

    def __init__(self, path: Path, config: dict, model: torch.nn.Module, device: torch.device):
        super().__init__(path, config, model, device)
        spec = config["input"]
        self.normalizer = Normalizer.from_dict(spec["normalize"])
        self.missing = spec.get("missing", "zero")
        self.channels = list(spec["channels"])
        self.pad_side = spec.get("pad_side", "right")
        self.forecast = config.get("forecast")
        q = (self.forecast or {}).get("quantizer")
        self.quantizer = MuLaw.from_dict(q) if q else None

    @property
    def is_forecaster(self) -> bool:
        return self.task == "forecast"

    def read(self, series: SeriesInput, labels: bool = False) -> SeriesData:
        """Series from a file (``.ts``, table) or arrays, checked against the run's channels.

        With ``labels``, a table's label column(s) of training are read as labels; otherwise they
        are only kept out of the values when present.
        """
        if isinstance(series, SeriesData):
            data = series
        elif isinstance(series, (str, Path)):
            data = self._read_file(Path(series), labels)
        else:
            data = SeriesData.from_arrays(series)
        if data.n_channels != len(self.channels):
            raise InputError(
                f"{data.source or 'the series'}: {data.n_channels} channel(s), but the model was "
                f"trained on {len(self.channels)} ({', '.join(self.channels)})"
            )
        return data

    def _read_file(self, path: Path, labels: bool) -> SeriesData:
        if self.task == "segment":  # a steps table; its label columns, if there, are no channels
            return read_step_labels(path, self.target_names, required=labels)[0]
        if is_ts_file(path):
            return read_series(path)
        columns = self.config.get("data", {}).get("label_columns") or None
        layout = self.config.get("data", {}).get("layout")
        if columns and not self.is_forecaster:
            present = {str(c).lower() for c in read_table(path).columns}
            if all(c.lower() in present for c in columns):
                return read_series(path, target=columns, layout=layout)
            if labels:
                raise InputError(
                    f"{path}: no label column {', '.join(columns)} (the one the model was "
                    "trained on)"
                )
        return read_series(path, layout=layout)

    # -- classification and regression ---------------------------------------------------------

    def encode_series(self, data: SeriesData) -> SeriesTensor:
        """Normalise, fill and pad as in training; the mask rides along as the last channel."""
        encoded = encode_values(
            data.values,
            data.lengths,
            self.normalizer,
            self.missing,
            None,
            self.pad_side,
            data.ids,
            data.source,
        )
        return SeriesTensor(encoded.x, encoded.mask, self.device)

    def predict(
        self, inputs: SeriesInput, batch_size: int = BATCH_SIZE, precision: str | None = None
    ) -> np.ndarray:
        """Predictions for series of any length.

        Parameters
        ----------
        inputs
            A file (``.ts``, table), :class:`~seqconv.series.data.SeriesData`, an ``(N, C, L)``
            array or a list of ``(C, L_i)`` arrays.
        batch_size
            Series (forecasters: windows) per forward pass.
        precision
            ``"fp32"``, ``"bf16"`` or ``"auto"``; default: the run's own (:attr:`precision`).

        Returns
        -------
        np.ndarray
            Classification: ``(N, n_classes)`` probabilities; regression: ``(N, n_targets)``
            values; segmentation: ``(N, K, L)`` per-step probabilities (0 after a series'
            end); forecasting: ``(N, C_target * horizon)`` forecasts of the steps after the end
            of each series (columns :attr:`target_names`).
        """
        batch_size, precision = self.checked(batch_size, precision)
        data = self.read(inputs)
        if len(data) == 0:
            return np.zeros((0, len(self.target_names)), dtype=np.float32)
        if self.is_forecaster:
            return self.forecast_series(data, batch_size, precision)
        inputs = self.encode_series(data)
        values = self.values(
            predict(self.model, inputs, batch_size=batch_size, precision=precision)
        )
        if self.task == "segment":
            values = values * data.mask()[:, None, :]
        return values

    def prediction_table(self, ids: list[str], predictions: np.ndarray) -> pd.DataFrame:
        if self.is_forecaster:
            frame = pd.DataFrame(predictions, columns=self.target_names)
            frame.insert(0, "id", ids)
            return frame
        return super().prediction_table(ids, predictions)

    def prediction_blocks(
        self, path: str | Path, batch_size: int, precision: str
    ) -> Iterator[tuple[list[str], np.ndarray, pd.DataFrame]]:
        """One block, the whole file: predictions and their table rows (called intervals
        ``id, start, end, label, score`` in steps, 0-based, half-open, for segment runs, as for
        DNA: :func:`seqconv.core.segments.interval_table`)."""
        data = self.read(path)
        predictions = self.predict(data, batch_size, precision)
        ids = list(data.ids)
        if self.task == "segment":
            table = interval_table(
                ids, predictions, self.target_names, np.zeros(len(data), np.int64),
                data.lengths, min_length=self.config.get("segment", {}).get("min_length"),
            )  # fmt: skip
        else:
            table = self.prediction_table(ids, predictions)
        yield ids, predictions, table

    # -- forecasting -----------------------------------------------------------------------------

    def _forecast_setup(self) -> tuple[dict, list[int]]:
        f = self.forecast
        return f, target_channels(f["target_channels"], self.channels, "the run")

    def forecast_series(
        self, data: SeriesData, batch_size: int = BATCH_SIZE, precision: str | None = None
    ) -> np.ndarray:
        """Forecasts of the ``horizon`` steps after the end of each series, original units
        (``precision``: default the run's; mu-law level models stream in fp32)."""
        batch_size, precision = self.checked(batch_size, precision)
        f, chosen = self._forecast_setup()
        window = int(f["window"])
        values = prepare_values(data, self.normalizer, self.missing)
        x = np.zeros((len(data), values.shape[1], window), dtype=np.float32)
        for i, n in enumerate(data.lengths.tolist()):
            k = min(n, window)  # a shorter series is padded on the left with 0 (the mean)
            x[i, :, window - k :] = values[i, :, n - k : n]
        if self.quantizer is not None:
            codes = torch.as_tensor(self.quantizer.encode(x)[:, 0].astype(np.int64))
            z = level_forecast(
                self.model, codes, self.quantizer, f["horizon"], f["decode"], batch_size
            )
        else:
            z = point_forecast(
                self.model, torch.as_tensor(x), len(chosen), f["horizon"], batch_size, precision
            )
        return denormalize(z, self.normalizer, values.shape[1], chosen).reshape(len(data), -1)

    def _evaluate_forecast(self, data: SeriesData, n_bootstrap: int, seed: int) -> dict:
        f, chosen = self._forecast_setup()
        windows = make_forecast_windows(
            data.lengths, f["window"], f["horizon"], f["horizon"], 0.0, 0.0
        )
        values = prepare_values(data, self.normalizer, self.missing)
        index = np.arange(len(windows))
        _, truth = gather_windows(data.values, windows, index, chosen)
        keep = ~np.isnan(truth).any(axis=(1, 2))
        index, truth = index[keep], truth[keep].reshape(int(keep.sum()), -1)
        predictions = forecast_windows(
            self.model, values, windows, index, self.normalizer, chosen, self.quantizer,
            f["horizon"], f["decode"], self.precision,
        )  # fmt: skip
        naive = naive_forecasts(values, windows, index, self.normalizer, chosen, f["horizon"])
        metrics = compute_metrics(
            "regression", truth, predictions, self.target_names, n_bootstrap, seed
        )
        metrics["summary"].update(forecast_scores(truth, predictions, naive))
        metrics["windows"] = int(len(index))
        return metrics

    # -- evaluation and streaming ----------------------------------------------------------------

    def evaluate(self, series: SeriesInput, n_bootstrap: int = 1000, seed: int = 0) -> dict:
        """Metrics on labelled series (``.ts`` labels, or the training label column of a table).

        Class labels are mapped onto the run's classes (a file may hold only some of them).
        Forecasters are scored on every window of ``window + horizon`` steps (stride
        ``horizon``) of each series, in original units, next to the last-value forecast.
        """
        if self.task == "segment":
            return self._evaluate_segment(Path(series), n_bootstrap, seed)
        data = self.read(series, labels=not self.is_forecaster)
        if self.is_forecaster:
            metrics = self._evaluate_forecast(data, n_bootstrap, seed)
        else:
            if is_classification(self.task):
                targets, _, _ = data.targets(self.task, classes=self.target_names)
            else:
                targets, _, _ = data.targets("regression")
                if targets.shape[1] != len(self.target_names):
                    raise InputError(
                        f"{data.source}: {targets.shape[1]} targets, but the model predicts "
                        f"{len(self.target_names)} ({', '.join(self.target_names)})"
                    )
            predictions = self.predict(data)
            metrics = compute_metrics(
                self.task, targets, predictions, self.target_names, n_bootstrap, seed
            )
        metrics["files"] = [str(data.source)]
        return metrics

    def _evaluate_segment(self, path: Path, n_bootstrap: int, seed: int) -> dict:
        """Per-step and per-interval scores on a steps table with the training label columns."""
        data, truth, _ = read_step_labels(path, self.target_names)
        probs = self.predict(self.read(data))
        metrics = compute_metrics(
            "multilabel", *per_position(truth, probs, data.mask()), self.target_names,
            n_bootstrap, seed,
        )  # fmt: skip
        shortest = self.config.get("segment", {}).get("min_length")
        metrics["summary"].update(interval_scores(truth, probs, min_length=shortest))
        metrics["files"] = [str(path)]
        return metrics

    def streamer(self):
        """A :class:`~seqconv.rf.streaming.Streamer` over this run's model.

        Chunks are raw values ``(N, C, T)``: a ``channel``/``none`` normaliser is applied to them
        (per-series normalisation needs the whole series and cannot stream). Outputs are the
        model's per-step outputs ``(N, n_outputs, T)`` linked as predictions are (probabilities,
        values in the units of training, or for a point forecaster the forecast made at each
        step, columns :attr:`target_names`). Mu-law level models stream one-hot levels in and
        logits out (see :func:`seqconv.core.forecast.level_forecast`).
        """
        transform = None
        if self.quantizer is None:
            if self.normalizer.mode == "series":
                raise InputError(
                    "this run normalises each series by its own statistics, which needs the whole "
                    "series; stream with a run trained with --normalize channel or none"
                )
            loc, scale = self.normalizer.statistics(
                np.zeros((1, len(self.channels), 1), dtype=np.float32)
            )
            loc_t = torch.as_tensor(loc, device=self.device)
            scale_t = torch.as_tensor(scale, device=self.device)

            def transform(x: torch.Tensor) -> torch.Tensor:
                return (x.float() - loc_t) / scale_t

        model = self.model
        if self.config["input"].get("mask"):
            model = _unmasked_copy(self)
        output = None
        if self.quantizer is None and not self.is_forecaster:
            task, scaler, fit = self.task, self.scaler, self.calibration

            def output(y: torch.Tensor) -> torch.Tensor:
                if task != "regression":
                    y = calibrated(task, y.transpose(1, 2), fit).transpose(1, 2)
                if scaler is not None:
                    mean = torch.as_tensor(scaler.mean, device=y.device)[None, :, None]
                    std = torch.as_tensor(scaler.std, device=y.device)[None, :, None]
                    y = y * std + mean
                return y

        elif self.quantizer is None:  # point forecaster: forecasts from each step, original units
            _, chosen = self._forecast_setup()
            horizon = int(self.forecast["horizon"])
            index = np.repeat(chosen, horizon)
            loc_f = torch.as_tensor(loc[0, index, 0], device=self.device)[None, :, None]
            scale_f = torch.as_tensor(scale[0, index, 0], device=self.device)[None, :, None]

            def output(y: torch.Tensor) -> torch.Tensor:
                return y * scale_f + loc_f

        return Streamer(model, transform, output)


def _unmasked_copy(run: SeriesRun) -> torch.nn.Module:
    """The run's model without mask hooks (a stream has no padding)."""
    spec = run.config["model"]
    model = build(spec["name"], **spec["kwargs"])
    model.load_state_dict(run.model.state_dict())
    return model.to(run.device).eval()


def load_series_run(path: Path, config: dict, model: torch.nn.Module, device: torch.device):
    """A :class:`SeriesRun` from a loaded model (mask hooks added when training used them)."""
    if config["input"].get("mask"):
        enable_masks(model)
    return SeriesRun(path, config, model, device)
