"""Time-series encoders: z-normalisation, missing values, mu-law levels, one-hot levels."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seqconv.errors import InputError
from seqconv.series.data import SeriesData
from seqconv.series.normalize import Normalizer, encode_values, fill_missing
from seqconv.series.quantize import PAD_LEVEL, MuLaw, levels_one_hot

FINITE = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=32)


def json_round_trip(state: dict) -> dict:
    return json.loads(json.dumps(state))


# ---------------------------------------------------------------- normalisation


def test_series_normalisation_per_series_and_channel():
    values = np.array(
        [[[1, 2, 3, np.nan], [10, 10, 10, np.nan]], [[0, 4, 0, 4], [1, 2, 3, 4]]], np.float32
    )
    z, loc, scale = Normalizer(mode="series").transform(values)
    np.testing.assert_allclose(loc[:, :, 0], [[2, 10], [2, 2.5]])
    assert scale[0, 1, 0] == 1.0  # a constant channel is centred, not blown up
    np.testing.assert_allclose(np.nanmean(z, axis=2), 0, atol=1e-6)
    np.testing.assert_allclose(np.nanstd(z[:, 0], axis=1), 1, atol=1e-6)
    assert np.isnan(z[0, 0, 3])
    np.testing.assert_allclose(Normalizer.inverse(z, loc, scale), values, rtol=1e-6)


def test_channel_normaliser_json_round_trip():
    values = np.random.default_rng(0).normal(3.0, 2.0, size=(20, 2, 30)).astype(np.float32)
    norm = Normalizer.fit(values, mode="channel", channels=["a", "b"])
    state = json_round_trip(norm.to_dict())
    assert state["mode"] == "channel" and state["channels"] == ["a", "b"]
    assert state["fitted_on"] == {"series": 20, "steps": 600}
    again = Normalizer.from_dict(state)
    np.testing.assert_array_equal(again.transform(values)[0], norm.transform(values)[0])
    with pytest.raises(InputError, match="fitted on 2 channels"):
        again.transform(values[:, :1])
    with pytest.raises(InputError, match="must be one of"):
        Normalizer(mode="global")


@settings(max_examples=40, deadline=None)
@given(
    data=arrays(np.float32, (12, 2, 9), elements=FINITE),
    noise=arrays(np.float32, (12, 2, 9), elements=FINITE),
    seed=st.integers(0, 1000),
)
def test_channel_statistics_come_from_train_only(data, noise, seed):
    rng = np.random.default_rng(seed)
    train = rng.permutation(12)[:8]
    held = np.setdiff1d(np.arange(12), train)
    fitted = Normalizer.fit(data[train], mode="channel")
    # the same training rows inside a set whose other rows are anything: identical statistics
    changed = data.copy()
    changed[held] = noise[held]
    row_mask = np.zeros((12, 9), bool)
    row_mask[train] = True
    refit = Normalizer.fit(changed, mode="channel", mask=row_mask)
    np.testing.assert_allclose(refit.mean, fitted.mean, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(refit.std, fitted.std, rtol=1e-5, atol=1e-3)
    expected = data[train].astype(np.float64).transpose(1, 0, 2).reshape(2, -1)
    np.testing.assert_allclose(fitted.mean, expected.mean(axis=1), rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(fitted.std, expected.std(axis=1), rtol=1e-4, atol=1e-2)


@settings(max_examples=30, deadline=None)
@given(data=arrays(np.float32, (4, 1, 20), elements=FINITE), cut=st.integers(2, 18))
def test_time_mask_restricts_statistics(data, cut):
    mask = np.zeros((4, 20), bool)
    mask[:, :cut] = True
    later = data.copy()
    later[:, :, cut:] = 1e4  # the future changes; the statistics must not
    a = Normalizer.fit(data, mode="channel", mask=mask)
    b = Normalizer.fit(later, mode="channel", mask=mask)
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.std, b.std)
    sa = Normalizer(mode="series").statistics(data, mask)
    sb = Normalizer(mode="series").statistics(later, mask)
    np.testing.assert_array_equal(sa[0], sb[0])


# ---------------------------------------------------------------- missing values

ROW = np.array([[[np.nan, 1.0, np.nan, np.nan, 4.0, np.nan, np.nan]]], np.float32)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("zero", [0, 1, 0, 0, 4, 0]),
        ("ffill", [1, 1, 1, 1, 4, 4]),
        ("interpolate", [1, 1, 2, 3, 4, 4]),
    ],
)
def test_fill_policies(policy, expected):
    filled, report = fill_missing(ROW, np.array([6]), policy)
    np.testing.assert_allclose(filled[0, 0, :6], expected)
    assert np.isnan(filled[0, 0, 6])  # padding stays padding
    assert report.total == 4 and report.series == 1 and report.per_channel == [4]
    assert "4 missing values in 1 series" in report.describe(["value"])
    assert json_round_trip(report.to_dict())["policy"] == policy


def test_fill_error_names_series_and_step():
    with pytest.raises(InputError, match=r"f.ts: series 'b' has a missing value at step 2"):
        fill_missing(np.array([[[1.0, 2.0]], [[1.0, np.nan]]]), None, "error", ["a", "b"], "f.ts")
    clean, report = fill_missing(np.ones((2, 1, 3)), None, "error")
    assert report.total == 0


def test_fill_empty_channel_and_cuts():
    values = np.array([[[np.nan, np.nan, np.nan], [0.0, np.nan, 6.0]]], np.float32)
    filled, report = fill_missing(values, None, "interpolate")
    np.testing.assert_array_equal(filled[0, 0], [0, 0, 0])
    assert report.empty == 1
    np.testing.assert_array_equal(filled[0, 1], [0, 3, 6])
    # a cut at step 2 (e.g. the validation start) stops 6.0 from reaching back
    filled, _ = fill_missing(values, None, "interpolate", cuts=np.array([[2]]))
    np.testing.assert_array_equal(filled[0, 1], [0, 0, 6])


def test_encode_values_pipeline():
    data = SeriesData.from_arrays([np.array([1.0, np.nan, 3.0]), np.array([5.0, 6.0, 7.0, 8.0])])
    out = encode_values(data.values, data.lengths, Normalizer("series"), "interpolate", length=6)
    assert out.x.shape == (2, 1, 6) and out.mask.sum(axis=1).tolist() == [3, 4]
    np.testing.assert_allclose(out.x[0, 0, :3], [-1, 0, 1], atol=1e-6)
    assert (out.x[~out.mask[:, None, :].repeat(1, 1)] == 0).all()
    assert out.missing.total == 1
    left = encode_values(data.values, data.lengths, Normalizer("series"), "zero", 6, side="left")
    np.testing.assert_allclose(left.x[0, 0, 3:], [-1, 0, 1], atol=1e-6)
    assert left.mask[0].tolist() == [False] * 3 + [True] * 3


# ---------------------------------------------------------------- mu-law


@settings(max_examples=60, deadline=None)
@given(
    data=arrays(np.float64, (3, 2, 16), elements=st.floats(-50, 50, allow_nan=False)),
    mu=st.sampled_from([15.0, 255.0, 1023.0]),
    levels=st.sampled_from([16, 64, 256, 1024]),
)
def test_mulaw_round_trip_within_quantisation_step(data, mu, levels):
    q = MuLaw.fit(data, mu=mu, levels=levels)
    codes = q.encode(data)
    assert codes.dtype == np.int16 and codes.min() >= 0 and codes.max() <= levels - 1
    back = q.decode(codes)
    # the value lies within half a level of its level, in the companded domain
    half = 1.0 / (levels - 1)
    y = q.level_values(codes)
    lo = q.expand(y - half) * q.scale.reshape(1, -1, 1)
    hi = q.expand(y + half) * q.scale.reshape(1, -1, 1)
    bound = np.maximum(np.abs(hi - back), np.abs(back - lo))
    assert np.all(np.abs(back - data) <= bound + 1e-5 * (1 + np.abs(data)))
    # and never more than the widest step (at the extremes)
    widest = (q.expand(np.array(1.0)) - q.expand(np.array(1.0 - 2 * half))) * q.scale
    assert np.all(np.abs(back - data) <= widest.reshape(1, -1, 1) + 1e-5 * (1 + np.abs(data)))


def test_mulaw_details():
    x = np.array([[[-2.0, -1.0, 0.0, 1.0, 2.0, np.nan]]])
    q = MuLaw.fit(x[:, :, :5])
    codes = q.encode(x)
    assert codes[0, 0].tolist()[:5] == [0, 16, 128, 239, 255]  # symmetric about 127.5
    assert codes[0, 0, 5] == PAD_LEVEL and np.isnan(q.decode(codes)[0, 0, 5])
    assert q.encode(np.array([[[10.0]]]))[0, 0, 0] == 255  # beyond the training range: clipped
    state = json_round_trip(q.to_dict())
    assert state == {"kind": "mulaw", "mu": 255.0, "levels": 256, "scale": [2.0]}
    np.testing.assert_array_equal(MuLaw.from_dict(state).encode(x), codes)
    # expected levels (a softmax mean) decode too
    assert q.decode(np.array([[[127.5]]], np.float64))[0, 0, 0] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(InputError, match="not fitted"):
        MuLaw().encode(x)


def test_levels_one_hot(device):
    levels = np.array([[[0, 2, PAD_LEVEL]], [[1, 1, 0]]], np.int16)
    out = levels_one_hot(torch.as_tensor(levels, device=device), 3)
    assert out.shape == (2, 3, 3) and out.device.type == device
    assert out[0, :, 0].tolist() == [1, 0, 0] and out[0, :, 2].tolist() == [0, 0, 0]
    two = levels_one_hot(np.stack([levels[:, 0], levels[:, 0]], axis=1), 3)
    assert two.shape == (2, 6, 3) and torch.equal(two[:, 3:], two[:, :3])
    with pytest.raises(InputError, match="levels must lie"):
        levels_one_hot(np.array([[5]]), 3)
