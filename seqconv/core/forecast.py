"""Forecasts from a trained model: point forecasts, and mu-law levels generated step by step.

Both work in normalised units on windows ``(M, C, window)``; :func:`denormalize` maps the result
back. A point forecaster outputs ``C_target * horizon`` values at once (index ``c * horizon + h``).
A level forecaster (WaveNet with a softmax over ``Q`` mu-law levels, trained with teacher forcing
to predict the level of step ``t + 1`` from steps ``<= t``) is run autoregressively through a
:class:`~seqconv.rf.streaming.Streamer`: the window primes the stream, then each forecast step is
decoded — by default as the **expected value** of the softmax over the levels' values (the forecast
with the least squared error; ``decode="argmax"`` takes the most likely level instead) — quantised
again and fed back as the next input.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqconv.core.predict import predict
from seqconv.errors import InputError
from seqconv.rf.streaming import Streamer
from seqconv.series.data import SeriesData
from seqconv.series.normalize import Normalizer, fill_missing
from seqconv.series.quantize import MuLaw, levels_one_hot
from seqconv.series.windows import ForecastWindows, gather_windows


def point_forecast(
    model: nn.Module,
    x: torch.Tensor,
    n_targets: int,
    horizon: int,
    batch_size: int = 512,
    precision: str = "fp32",
) -> np.ndarray:
    """``(M, C, window)`` normalised inputs -> ``(M, n_targets, horizon)`` normalised forecasts
    (``precision``: see :func:`~seqconv.core.predict.predict`)."""
    if x.shape[0] == 0:
        return np.zeros((0, n_targets, horizon), dtype=np.float32)
    out = predict(model, x, batch_size=batch_size, precision=precision)
    return out.reshape(-1, n_targets, horizon).numpy()


def level_forecast(
    model: nn.Module,
    levels: torch.Tensor,
    quantizer: MuLaw,
    horizon: int,
    decode: str = "mean",
    batch_size: int = 256,
) -> np.ndarray:
    """Autoregressive forecasts of a per-step level model.

    Parameters
    ----------
    model
        Per-step causal model: one-hot ``(N, Q, T)`` levels in, ``(N, Q, T)`` logits of the next
        step's level out.
    levels
        ``(M, window)`` int levels of the input windows (``quantizer.encode`` of normalised values).
    quantizer
        The run's mu-law quantiser (``Q = quantizer.levels``), one channel.
    horizon
        Steps to generate.
    decode
        ``"mean"``: the expected value under the softmax; ``"argmax"``: the most likely level.

    Returns
    -------
    np.ndarray
        ``(M, 1, horizon)`` forecasts in normalised units.
    """
    q = quantizer.levels
    device = next(model.parameters()).device
    values = torch.as_tensor(
        quantizer.decode(np.arange(q).reshape(1, 1, q))[0, 0], dtype=torch.float32, device=device
    )  # the normalised value of each level
    stream = Streamer(model)
    out = np.zeros((levels.shape[0], 1, horizon), dtype=np.float32)
    for start in range(0, levels.shape[0], batch_size):
        part = slice(start, start + batch_size)
        stream.reset()
        logits = stream.step(levels_one_hot(levels[part].to(device), q))[..., -1]
        for h in range(horizon):
            probs = logits.float().softmax(dim=1)
            if decode == "argmax":
                value = values[probs.argmax(dim=1)]
            else:
                value = probs @ values
            out[part, 0, h] = value.cpu().numpy()
            if h + 1 < horizon:
                nxt = quantizer.encode(value.cpu().numpy().reshape(-1, 1, 1))[:, 0, :]
                logits = stream.step(levels_one_hot(torch.as_tensor(nxt, device=device), q))[
                    ..., -1
                ]
    return out


def channel_statistics(
    normalizer: Normalizer, n_channels: int, channels: list[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(1, C', 1)`` location and scale of the given channels (all by default)."""
    loc, scale = normalizer.statistics(np.zeros((1, n_channels, 1), dtype=np.float32))
    if channels is not None:
        loc, scale = loc[:, channels], scale[:, channels]
    return loc, scale


def denormalize(
    values: np.ndarray, normalizer: Normalizer, n_channels: int, channels: list[int]
) -> np.ndarray:
    """``(M, C_target, H)`` normalised forecasts -> original units (``channel``/``none`` modes)."""
    loc, scale = channel_statistics(normalizer, n_channels, channels)
    return Normalizer.inverse(values, loc, scale)


def target_channels(target: list[str] | None, channels: list[str], source: str) -> list[int]:
    """Indices of the channels to forecast (all when ``target`` is ``None``)."""
    if not target:
        return list(range(len(channels)))
    index = []
    for name in target:
        if name not in channels:
            raise InputError(
                f"{source}: no channel {name!r} to forecast; channels: {', '.join(channels)}"
            )
        index.append(channels.index(name))
    return index


def forecast_names(channels: list[str], horizon: int) -> list[str]:
    """Output column names: ``value+1``, ``value+2``, … per forecast channel."""
    return [f"{c}+{h}" for c in channels for h in range(1, horizon + 1)]


def prepare_values(
    data: SeriesData, normalizer: Normalizer, missing: str, cuts: np.ndarray | None = None
) -> np.ndarray:
    """Normalised, filled ``(N, C, L)`` float32; padding after each series is 0."""
    z, _, _ = normalizer.transform(data.values)
    filled, _ = fill_missing(z, data.lengths, missing, data.ids, data.source, cuts)
    return np.nan_to_num(filled, nan=0.0).astype(np.float32)


def forecast_windows(
    model: torch.nn.Module,
    values: np.ndarray,
    windows: ForecastWindows,
    index: np.ndarray,
    normalizer: Normalizer,
    chosen: list[int],
    quantizer: MuLaw | None,
    horizon: int,
    decode: str,
    precision: str = "fp32",
) -> np.ndarray:
    """Forecasts ``(M, C_target * horizon)`` in original units for windows ``index``
    (``precision`` of point forecasts; level models stream in fp32)."""
    x, _ = gather_windows(values, windows, index)
    if quantizer is not None:
        codes = torch.as_tensor(quantizer.encode(x)[:, 0].astype(np.int64))
        z = level_forecast(model, codes, quantizer, horizon, decode)
    else:
        z = point_forecast(model, torch.as_tensor(x), len(chosen), horizon, precision=precision)
    return denormalize(z, normalizer, values.shape[1], chosen).reshape(len(index), -1)


def naive_forecasts(
    values: np.ndarray,
    windows: ForecastWindows,
    index: np.ndarray,
    normalizer: Normalizer,
    chosen: list[int],
    horizon: int,
) -> np.ndarray:
    """The last input value repeated over the horizon (original units), ``(M, C_t * H)``."""
    x, _ = gather_windows(values, windows, index, None)
    last = np.repeat(x[:, chosen, -1:], horizon, axis=2)
    return denormalize(last, normalizer, values.shape[1], chosen).reshape(len(index), -1)


def forecast_scores(truth: np.ndarray, predictions: np.ndarray, naive: np.ndarray) -> dict:
    """Overall MSE and MAE, and the MSE of the last-value forecast for comparison."""
    if len(truth) == 0:
        return {}
    return {
        "mse_all": float(np.mean((truth - predictions) ** 2)),
        "mae": float(np.mean(np.abs(truth - predictions))),
        "naive_mse": float(np.mean((truth - naive) ** 2)),
    }
