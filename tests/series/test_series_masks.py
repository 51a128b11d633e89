"""Unequal lengths: padding and masks change neither pooling nor a model's prediction."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch import nn

from seqconv.errors import InputError
from seqconv.series.masks import (
    apply_mask,
    downsample_mask,
    lengths_mask,
    masked_max_pool,
    masked_mean_pool,
    module_mask,
    pad_series,
)


def test_pad_right_left_and_trim():
    values = np.full((2, 1, 5), np.nan, np.float32)
    values[0, 0, :3] = [1, 2, 3]
    values[1, 0, :] = [1, 2, 3, 4, 5]
    lengths = np.array([3, 5])
    x, mask = pad_series(values, lengths, 6)
    assert x[0, 0].tolist() == [1, 2, 3, 0, 0, 0] and mask[0].sum() == 3
    x, mask = pad_series(values, lengths, 6, side="left")
    assert x[0, 0].tolist() == [0, 0, 0, 1, 2, 3] and mask[0].tolist() == [0, 0, 0, 1, 1, 1]
    x, mask = pad_series(values, lengths, 4)  # trimmed: keeps the start
    assert x[1, 0].tolist() == [1, 2, 3, 4] and mask.all(axis=1).tolist() == [False, True]
    x, mask = pad_series(values, lengths, 4, side="left")  # trimmed: keeps the end
    assert x[1, 0].tolist() == [2, 3, 4, 5] and x[0, 0].tolist() == [0, 1, 2, 3]
    x, _ = pad_series(values, lengths, multiple_of=4)
    assert x.shape == (2, 1, 8)
    values[0, 0, 1] = np.nan
    with pytest.raises(InputError, match="fill them first"):
        pad_series(values, lengths)


@settings(max_examples=60, deadline=None)
@given(
    real=arrays(np.float32, (3, 4, 7), elements=st.floats(-100, 100, width=32)),
    lengths=st.lists(st.integers(1, 7), min_size=3, max_size=3),
    extra=st.integers(0, 40),
    garbage=st.floats(-1e6, 1e6, width=32),
    side=st.sampled_from(["right", "left"]),
)
def test_masked_pooling_ignores_padding(real, lengths, extra, garbage, side):
    lengths = np.array(lengths)
    values = real.copy()
    for i, n in enumerate(lengths):
        values[i, :, n:] = np.nan
    x, mask = pad_series(values, lengths, 7 + extra, side=side)
    x[~np.broadcast_to(mask[:, None, :], x.shape)] = garbage  # whatever sits in the padding
    xt, mt = torch.from_numpy(x), torch.from_numpy(mask)
    mean, peak = masked_mean_pool(xt, mt), masked_max_pool(xt, mt)
    for i, n in enumerate(lengths):
        own = torch.from_numpy(real[i, :, :n])
        torch.testing.assert_close(mean[i], own.mean(dim=1), rtol=1e-5, atol=1e-4)
        torch.testing.assert_close(peak[i], own.amax(dim=1))


def test_pooling_and_mask_on_device(device):
    x = torch.randn(2, 3, 4, device=device)
    mask = torch.tensor([[False] * 4, [True] * 4], device=device)
    assert masked_max_pool(x, mask)[0].tolist() == [0, 0, 0]  # no real step: 0
    assert masked_mean_pool(x, mask)[0].tolist() == [0, 0, 0]
    torch.testing.assert_close(masked_max_pool(x, mask)[1], x[1].amax(dim=1))
    out = downsample_mask(mask, 2, stride=2)
    assert out.device.type == device and out.tolist() == [[False, False], [True, True]]


@pytest.mark.parametrize(
    "layer",
    [
        nn.Conv1d(1, 1, 5, padding=2),
        nn.Conv1d(1, 1, 4, padding="same"),
        nn.Conv1d(1, 1, 3, padding=0),
        nn.Conv1d(1, 1, 3, stride=2, padding=1),
        nn.Conv1d(1, 1, 3, stride=3, dilation=2, padding=2),
        nn.MaxPool1d(2),
        nn.MaxPool1d(3, stride=2, padding=1),
        nn.AvgPool1d(4),
    ],
)
@pytest.mark.parametrize("length", [1, 5, 6, 7, 13])
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_downsampled_mask_matches_unpadded_output_length(layer, length):
    """With right padding the mask keeps exactly the outputs the unpadded series has."""
    try:
        alone = layer(torch.zeros(1, 1, length)).shape[-1]
    except RuntimeError:
        pytest.skip("shorter than the layer's window")
    mask = lengths_mask(np.array([length]), 40)
    out = module_mask(torch.from_numpy(mask), layer)
    assert out.shape[-1] == layer(torch.zeros(1, 1, 40)).shape[-1]
    assert out[0].tolist() == [True] * alone + [False] * (out.shape[-1] - alone)


def test_downsample_mask_causal_and_left_padding():
    mask = torch.from_numpy(lengths_mask(np.array([3, 6]), 8, side="left"))
    assert torch.equal(downsample_mask(mask, 3, padding="causal", dilation=2), mask)
    pooled = downsample_mask(mask, 2, stride=2)
    assert pooled.tolist() == [[False, False, False, True], [False, True, True, True]]
    with pytest.raises(InputError, match="shorter than the layer"):
        downsample_mask(mask, 20)


class MaskedNet(nn.Module):
    """A small CNN that follows its mask through every layer and pools over real steps only."""

    def __init__(self, causal: bool = False):
        super().__init__()
        pad = "causal" if causal else None
        self.layers = nn.ModuleList(
            [
                nn.Conv1d(2, 8, 5, padding=0 if causal else 2),
                nn.MaxPool1d(2),
                nn.Conv1d(8, 8, 3, padding=0 if causal else 1, dilation=1),
                nn.Conv1d(8, 8, 3, stride=2, padding=0 if causal else 1),
            ]
        )
        self.causal = pad is not None
        self.head = nn.Linear(16, 3)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            if self.causal and isinstance(layer, nn.Conv1d):
                left = layer.dilation[0] * (layer.kernel_size[0] - 1)
                x = nn.functional.pad(x, (left, 0))
                mask = downsample_mask(mask, layer.kernel_size[0], layer.stride[0], "causal")
                x = layer(x)
            else:
                x, mask = layer(x), module_mask(mask, layer)
            x = apply_mask(torch.relu(x), mask)
        pooled = torch.cat([masked_mean_pool(x, mask), masked_max_pool(x, mask)], dim=1)
        return self.head(pooled)


def _short_series(length: int = 23) -> np.ndarray:
    return np.random.default_rng(3).normal(size=(1, 2, length)).astype(np.float32)


def test_prediction_identical_padded_to_50_or_500():
    torch.manual_seed(0)
    net = MaskedNet().eval()
    values = _short_series()
    outputs = []
    with torch.no_grad():
        for length in (23, 50, 500):
            x, mask = pad_series(values, np.array([23]), length)
            outputs.append(net(torch.from_numpy(x), torch.from_numpy(mask)))
    torch.testing.assert_close(outputs[1], outputs[2], rtol=0, atol=1e-6)
    torch.testing.assert_close(outputs[0], outputs[1], rtol=0, atol=1e-6)  # = unpadded


def test_prediction_identical_in_a_batch_with_longer_series():
    torch.manual_seed(0)
    net = MaskedNet().eval()
    short = _short_series()
    long = np.random.default_rng(4).normal(size=(1, 2, 311)).astype(np.float32)
    values = np.full((2, 2, 311), np.nan, np.float32)
    values[0, :, :23], values[1] = short[0], long[0]
    with torch.no_grad():
        x, mask = pad_series(values, np.array([23, 311]), 500)
        batch = net(torch.from_numpy(x), torch.from_numpy(mask))
        alone = net(torch.from_numpy(short), torch.ones(1, 23, dtype=torch.bool))
    torch.testing.assert_close(batch[:1], alone, rtol=0, atol=1e-6)


def test_causal_left_padding_invariant():
    torch.manual_seed(0)
    net = MaskedNet(causal=True).eval()
    values = _short_series()
    outputs = []
    with torch.no_grad():
        for length in (50, 500):
            # total stride 4: pad to a multiple of it so the series keeps its stride phase
            x, mask = pad_series(values, np.array([23]), length, side="left", multiple_of=4)
            outputs.append(net(torch.from_numpy(x), torch.from_numpy(mask)))
    torch.testing.assert_close(outputs[0], outputs[1], rtol=0, atol=1e-6)
