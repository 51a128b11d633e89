"""Forecasting windows: split by time, nothing leaks across a boundary."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from seqconv.errors import InputError
from seqconv.series.normalize import Normalizer, fill_missing
from seqconv.series.windows import ForecastWindows, gather_windows, make_forecast_windows


def step_values(lengths: np.ndarray) -> np.ndarray:
    """``(N, 2, L)``: channel 0 holds the step index, channel 1 the series index (NaN padding)."""
    values = np.full((len(lengths), 2, int(lengths.max())), np.nan)
    for i, n in enumerate(lengths):
        values[i, 0, :n] = np.arange(n)
        values[i, 1, :n] = i
    return values


@settings(max_examples=150, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 300), min_size=1, max_size=6),
    window=st.integers(1, 40),
    horizon=st.integers(1, 20),
    stride=st.integers(1, 9),
    valid_fraction=st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.3]),
    test_fraction=st.sampled_from([0.05, 0.1, 0.2, 0.3]),
)
def test_windows_never_leak(lengths, window, horizon, stride, valid_fraction, test_fraction):
    lengths = np.array(lengths)
    try:
        w = make_forecast_windows(lengths, window, horizon, stride, valid_fraction, test_fraction)
    except InputError as exc:  # only when no series leaves room for a training window
        assert "no training windows" in str(exc)
        test_at = lengths - np.ceil(lengths * test_fraction - 1e-9)
        valid_at = test_at - np.ceil(lengths * valid_fraction - 1e-9)
        assert np.all(valid_at < window + horizon)
        return
    valid_at, test_at = w.valid_start[w.series], w.test_start[w.series]
    assert np.all(w.start >= 0) and np.all(w.target_end <= lengths[w.series])
    train, valid, test = (w.assignment == s for s in ("train", "valid", "test"))
    # the claim of the issue: no target of a training window at or after the validation start
    assert np.all(w.target_end[train] <= valid_at[train])
    assert np.all(w.target_start[valid] >= valid_at[valid])
    assert np.all(w.target_end[valid] <= test_at[valid])
    assert np.all(w.target_start[test] >= test_at[test])
    # the same, read off the gathered targets themselves
    values = step_values(lengths)
    for name, limit in (("train", w.valid_start), ("valid", w.test_start)):
        index = w.indices(name)
        if len(index):
            x, y = gather_windows(values, w, index)
            assert np.all(y[:, 0, :] < limit[w.series[index]][:, None])
            assert np.all(y[:, 1, :] == w.series[index][:, None])  # one series per window
            assert np.all(x[:, 0, -1] + 1 == y[:, 0, 0])  # targets follow the inputs
    # boundaries: the test part is the last test_fraction of each series, valid just before it
    np.testing.assert_array_equal(w.test_start, lengths - np.ceil(lengths * test_fraction - 1e-9))
    # every window that fits a part and sits on that part's stride grid is there
    span = window + horizon
    for i, n in enumerate(lengths):
        v, t = int(w.valid_start[i]), int(w.test_start[i])
        for name, first, end in (("train", 0, v), ("valid", v, t), ("test", t, n)):
            # a brute-force list: training windows start at step 0, 0 + stride, ...; validation
            # and test windows have their first target at the boundary, + stride, ... (inputs
            # may reach before the part, never before step 0); all targets before the part's end
            anchor = 0 if name == "train" else first - window
            expected = [
                s
                for s in range(-window, n)
                if s >= 0 and (s - anchor) % stride == 0 and s + window >= first and s + span <= end
            ]
            mine = w.start[(w.series == i) & (w.assignment == name)]
            assert mine.tolist() == expected


def test_windows_example_and_description():
    w = make_forecast_windows([100, 50], window=10, horizon=5, stride=5)
    assert w.valid_start.tolist() == [80, 40] and w.test_start.tolist() == [90, 45]
    valid = w.indices("valid")
    assert w.target_start[valid].tolist() == [80, 85, 40]
    state = json.loads(json.dumps(w.describe()))
    assert state == {
        "method": "time",
        "window": 10,
        "horizon": 5,
        "stride": 5,
        "valid_fraction": 0.1,
        "test_fraction": 0.1,
        "valid_start": [80, 40],
        "test_start": [90, 45],
        "n_series": 2,
        "counts": w.counts(),
    }
    again = ForecastWindows.from_dict(state, np.array([100, 50]))
    np.testing.assert_array_equal(again.start, w.start)
    np.testing.assert_array_equal(again.assignment, w.assignment)


def test_common_boundaries_given_as_steps():
    w = make_forecast_windows([60, 60, 60], window=8, horizon=2, valid_start=40, test_start=50)
    state = w.describe()
    assert state["valid_start"] == 40 and state["test_start"] == 50
    assert state["valid_fraction"] is None
    assert np.all(w.target_end[w.indices("train")] <= 40)
    again = ForecastWindows.from_dict(json.loads(json.dumps(state)), np.array([60, 60, 60]))
    np.testing.assert_array_equal(again.start, w.start)
    with pytest.raises(InputError, match="both"):
        make_forecast_windows([60], 8, valid_start=40)


def test_window_errors():
    with pytest.raises(InputError, match="no training windows"):
        make_forecast_windows([20], window=18, horizon=2)
    with pytest.raises(InputError, match="window must be a positive"):
        make_forecast_windows([20], window=0)
    with pytest.raises(InputError, match="sum below 1"):
        make_forecast_windows([20], 2, valid_fraction=0.5, test_fraction=0.5)


def test_gather_torch_and_target_channels(device):
    lengths = np.array([30, 25])
    w = make_forecast_windows(lengths, window=6, horizon=3, stride=4)
    values = step_values(lengths)
    index = w.indices("train")[:5]
    x_np, y_np = gather_windows(values, w, index, target_channels=[0])
    x_t, y_t = gather_windows(torch.as_tensor(values, device=device), w, index, [0])
    assert x_t.device.type == device and y_t.shape == (5, 1, 3)
    np.testing.assert_array_equal(x_t.cpu().numpy(), x_np)
    np.testing.assert_array_equal(y_t.cpu().numpy(), y_np)


@settings(max_examples=30, deadline=None)
@given(length=st.integers(60, 200), cut_noise=st.floats(-1e3, 1e3, allow_nan=False))
def test_statistics_and_filling_respect_the_time_split(length, cut_noise):
    """Fitting on train_mask and interpolating with cuts: the future never reaches training data."""
    rng = np.random.default_rng(length)
    values = rng.normal(size=(2, 1, length)).astype(np.float32)
    values[:, :, 5::7] = np.nan
    w = make_forecast_windows([length, length], window=8, horizon=4)
    v = int(w.valid_start[0])
    assume(v > 12)
    changed = values.copy()
    changed[:, :, v:] = np.where(np.isnan(values[:, :, v:]), np.nan, cut_noise)
    stats = [Normalizer.fit(a, "channel", mask=w.train_mask(length)) for a in (values, changed)]
    assert stats[0].mean == stats[1].mean and stats[0].std == stats[1].std
    filled = [fill_missing(a, None, "interpolate", cuts=w.cuts())[0] for a in (values, changed)]
    np.testing.assert_array_equal(filled[0][:, :, :v], filled[1][:, :, :v])
