"""Blocks for dense and light models: upsampling, separable convolution, maxout, pooling."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from seqconv.errors import InputError, SeqconvError
from seqconv.models.blocks import Maxout, SeparableConv1d, UpsampleBlock, make_pool
from seqconv.models.layers import PaddedConv1d


@pytest.mark.parametrize(("factor", "kernel"), [(1, None), (2, None), (2, 3), (2, 4), (5, 8)])
@pytest.mark.parametrize("length", [1, 2, 7, 16])
def test_upsample_length_is_exactly_factor_times(factor, kernel, length):
    up = UpsampleBlock(3, 2, factor, kernel)
    assert up(torch.randn(2, 3, length)).shape == (2, 2, factor * length)


def test_upsample_without_overlap_is_learned_nearest_upsampling():
    up = UpsampleBlock(1, 1, 3, batch_norm=False, activation=None)
    nn.init.ones_(up.conv.weight)
    nn.init.zeros_(up.conv.bias)
    x = torch.tensor([[[1.0, -2.0]]])
    torch.testing.assert_close(up(x), torch.tensor([[[1.0, 1.0, 1.0, -2.0, -2.0, -2.0]]]))


def test_upsample_options():
    plain = UpsampleBlock(4, 2, 2, batch_norm=False, activation=None)
    assert plain.conv.bias is not None and plain.norm is None and plain.activation is None
    normed = UpsampleBlock(4, 2, 2, kernel_size=5)
    assert normed.conv.bias is None and normed.crop == (1, 2)  # 3 extra: the odd one right
    with pytest.raises(SeqconvError, match="kernel_size >= factor"):
        UpsampleBlock(4, 2, 3, kernel_size=2)


@pytest.mark.parametrize("padding", ["same", "causal", "valid"])
@pytest.mark.parametrize(("kernel", "stride", "dilation"), [(3, 1, 1), (4, 1, 2), (5, 2, 1)])
def test_separable_length_matches_padded_conv(padding, kernel, stride, dilation):
    x = torch.randn(2, 6, 23)
    kwargs = {"stride": stride, "dilation": dilation, "padding": padding}
    separable = SeparableConv1d(6, 8, kernel, **kwargs)
    assert separable(x).shape == PaddedConv1d(6, 8, kernel, **kwargs)(x).shape


def test_separable_weights_and_structure():
    conv = SeparableConv1d(16, 32, 5, depth_multiplier=2)
    depthwise = conv.depthwise.conv
    assert depthwise.groups == 16 and depthwise.out_channels == 32 and depthwise.bias is None
    weights = sum(m.weight.numel() for m in conv.modules() if isinstance(m, nn.Conv1d))
    assert weights == 5 * 16 * 2 + 16 * 2 * 32
    kinds = [type(m) for m in conv.layers]
    assert kinds == [PaddedConv1d, nn.BatchNorm1d, nn.ReLU, nn.Conv1d, nn.BatchNorm1d, nn.ReLU]
    xception = SeparableConv1d(16, 32, 5, between=False, batch_norm=False, activation=None)
    assert [type(m) for m in xception.layers] == [PaddedConv1d, nn.Conv1d]
    assert xception.depthwise.conv.bias is not None
    with pytest.raises(SeqconvError, match="depth_multiplier"):
        SeparableConv1d(4, 4, 3, depth_multiplier=0)


def test_separable_without_activation_is_a_factorised_convolution():
    """Depthwise then pointwise equals one convolution whose weight is their product."""
    sep = SeparableConv1d(3, 4, 5, batch_norm=False, activation=None, between=False).double()
    dw, pw = sep.depthwise.conv, sep.layers[1]
    full = nn.Conv1d(3, 4, 5, padding=2).double()
    with torch.no_grad():
        full.weight.copy_(pw.weight[:, :, :1] * dw.weight[:, 0, :].unsqueeze(0))
        full.bias.copy_(pw.bias + (pw.weight[:, :, 0] * dw.bias).sum(dim=1))
    x = torch.randn(2, 3, 30, dtype=torch.float64)
    torch.testing.assert_close(sep(x), full(x))


def test_maxout():
    x = torch.randn(2, 6, 9)
    y = Maxout(3)(x)
    assert y.shape == (2, 2, 9)
    torch.testing.assert_close(y[:, 1], x[:, 3:6].amax(dim=1))
    with pytest.raises(InputError, match="multiple of 4"):
        Maxout(4)(x)
    with pytest.raises(SeqconvError, match="pool_size"):
        Maxout(0)


def test_pools_by_name():
    x = torch.rand(1, 2, 12)
    assert isinstance(make_pool("l2", 3), nn.LPPool1d)
    torch.testing.assert_close(make_pool("l2", 3)(x), x.pow(2).unflatten(-1, (4, 3)).sum(-1).sqrt())
    torch.testing.assert_close(make_pool("max", 4, 2)(x), nn.functional.max_pool1d(x, 4, 2))
    assert make_pool("avg", 5)(x).shape == (1, 2, 2)
    with pytest.raises(SeqconvError, match="max, avg, l2"):
        make_pool("median", 2)


def test_l2_pool_gradient_is_finite_on_zero_windows():
    """ReLU then L2 pooling: an all-zero window (the root's derivative is infinite at 0) must
    not turn the gradient into NaN."""
    x = torch.tensor([[[-1.0, -2.0, 3.0, 4.0]]], requires_grad=True)
    make_pool("l2", 2)(torch.relu(x)).sum().backward()
    assert torch.isfinite(x.grad).all()
    torch.testing.assert_close(x.grad, torch.tensor([[[0.0, 0.0, 0.6, 0.8]]]))
