"""The receptive field of the dense and light blocks (transposed upsampling, separable
convolution, LP pooling, maxout) against the brute-force NaN probe, alone and in an
encoder-decoder, at every output position."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from rf_probe import dependency_matrix
from torch import nn

from seqconv import models
from seqconv.models.blocks import Maxout, SeparableConv1d, UpsampleBlock, make_pool
from seqconv.rf.receptive_field import ReceptiveField, receptive_field


def _matches_probe(
    model: nn.Module, channels: int, length: int, module: nn.Module | None = None
) -> ReceptiveField:
    """The analytic positions of every output of ``module`` (``model`` or its trunk) equal the
    probed ones where the window lies inside the input; near the edges they contain them.

    The analytic windows are those of an unbounded input: at an edge a layer may read padding
    where an earlier layer's output would have been, so the real window can be smaller there.
    """
    model = model.double().eval()
    module = model if module is None else module
    rf = receptive_field(model, input_length=length, in_channels=channels)
    dependency = dependency_matrix(module, channels, length)
    assert rf.output_length == dependency.shape[1]
    interior = 0
    for i in range(rf.output_length):
        analytic, probed = rf.positions(i), np.flatnonzero(dependency[:, i])
        if analytic[0] >= 0 and analytic[-1] < length:
            assert np.array_equal(probed, analytic), f"output {i}"
            interior += 1
        else:
            assert np.isin(probed, analytic).all(), f"output {i}"
    assert interior > 0
    return rf


@pytest.mark.parametrize(("factor", "kernel"), [(2, None), (2, 4), (3, 4), (3, 6), (4, 7)])
@pytest.mark.parametrize("length", [13, 20])
def test_upsample_block(factor, kernel, length):
    block = UpsampleBlock(2, 3, factor, kernel)
    rf = _matches_probe(block, 2, length)
    assert rf.output_length == factor * length
    assert rf.jump == Fraction(1, factor)
    assert [r.op for r in rf.layers][0] == "ConvTranspose1d"
    assert rf.layers[0].stride == f"1/{factor}"
    if kernel is None:  # no overlap: output t is input t // factor, nothing else
        assert all(list(rf.positions(t)) == [t // factor] for t in range(factor * length))


@pytest.mark.parametrize(
    ("padding", "kernel", "stride", "dilation"),
    [
        ("same", 3, 1, 1),
        ("same", 4, 1, 2),
        ("same", 5, 2, 1),
        ("valid", 4, 1, 2),
        ("valid", 5, 2, 1),
        ("causal", 3, 1, 1),
        ("causal", 4, 1, 3),
    ],
)
@pytest.mark.parametrize("between", [True, False])
def test_separable_conv(padding, kernel, stride, dilation, between):
    conv = SeparableConv1d(
        3, 4, kernel, stride=stride, dilation=dilation, padding=padding, between=between
    )
    rf = _matches_probe(conv, 3, 31)
    assert len(rf.layers) == 1 and rf.layers[0].op == "SeparableConv1d"
    assert rf.size == (kernel - 1) * dilation + 1 and rf.jump == stride
    if padding == "causal":
        assert rf.lookahead == 0


@pytest.mark.parametrize(
    ("norm", "kernel", "stride", "ceil"),
    [(2, 2, 2, False), (2, 3, 2, True), (3, 4, 1, False), (1, 3, 3, True)],
)
def test_lp_pool(norm, kernel, stride, ceil):
    # ReLU first: an odd power of a negative window sum has no real root (torch gives NaN)
    pool = nn.LPPool1d(norm, kernel, stride, ceil_mode=ceil)
    stack = nn.Sequential(nn.Conv1d(2, 2, 3), nn.ReLU(), pool)
    rf = _matches_probe(stack, 2, 41)
    assert rf.layers[-1].op == "LPPool1d" and rf.layers[-1].kernel == kernel
    assert (rf.size, rf.jump) == (3 + kernel - 1, stride)


def test_l2_pool_by_name():
    rf = _matches_probe(nn.Sequential(nn.Conv1d(1, 2, 1), make_pool("l2", 4)), 1, 30)
    assert (rf.size, rf.jump, rf.output_length) == (4, 4, 7)


def test_maxout_keeps_the_window():
    stack = nn.Sequential(nn.Conv1d(2, 6, 3), Maxout(3), nn.Conv1d(2, 2, 5, dilation=2))
    rf = _matches_probe(stack, 2, 40)
    assert (rf.size, rf.jump, rf.offset) == (11, 1, 0)
    assert [r.op for r in rf.layers] == ["Conv1d", "Conv1d"]  # maxout adds no row


class TinyEncoderDecoder(nn.Module):
    """Every block at once: separable and maxout encoder, LP pooling, a transposed decoder and a
    concatenated skip, on a length that the pooling does not divide (cropped explicitly)."""

    def __init__(self) -> None:
        super().__init__()
        self.encode = nn.Sequential(SeparableConv1d(2, 6, 3), Maxout(2))
        self.pool = make_pool("l2", 3)
        self.middle = SeparableConv1d(3, 4, 3, dilation=2)
        self.up = UpsampleBlock(4, 3, 3, kernel_size=5)
        self.decode = nn.Conv1d(6, 2, 3, padding=1)

    def forward(self, x):
        skip = self.encode(x)
        y = self.up(self.middle(self.pool(skip)))
        n = min(y.shape[-1], skip.shape[-1])  # floor pooling: the decoder may come back shorter
        return self.decode(torch.cat([skip[..., :n], y[..., :n]], dim=1))


def test_tiny_encoder_decoder():
    rf = _matches_probe(TinyEncoderDecoder(), 2, 47)
    assert rf.jump == 1 and rf.output_length == 45
    ops = [r.op for r in rf.layers]
    assert "LPPool1d" in ops and "ConvTranspose1d" in ops and "SeparableConv1d" in ops


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"downsample": "avg", "upsample_kernel_size": 4},
        {"downsample": "l2", "factor": 3},
        {"downsample": "conv", "upsample_kernel_size": 3, "kernel_size": 4},
    ],
)
@pytest.mark.parametrize("length", [101, 160])
def test_unet(kwargs, length):
    model = models.build("unet", **({"filters": [2, 3, 4], "kernel_size": 3} | kwargs))
    rf = _matches_probe(model, 4, length, model.trunk)
    assert rf.output_length == length and rf.jump == 1
    transposed = [r for r in rf.layers if r.op == "ConvTranspose1d"]
    assert [r.name for r in transposed] == ["trunk.up.0.conv", "trunk.up.1.conv"]
    # the windows follow the pooling grid, but every output's window holds its own position
    assert all(rf.window(i)[0] <= i <= rf.window(i)[1] for i in range(length))


def test_dilated_seg():
    model = models.build("dilated_seg", filters=2, first_kernel_size=5, dilations=[2, 4])
    rf = _matches_probe(model, 4, 33, model.trunk)
    assert (rf.size, rf.offset, rf.output_length) == (5 + 4 + 8, -8, 33)
