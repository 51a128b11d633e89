"""Building blocks: padding modes, causal convolution, gate, exponential, residual, heads."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import (
    CausalConv1d,
    Exp,
    GatedActivation,
    GlobalPool,
    LastStep,
    Pad1d,
    PaddedConv1d,
    Residual,
    StatsPool,
    StepHead,
    crop_to_match,
    make_activation,
    mlp_head,
    padding_amounts,
    same_padding,
)


@pytest.mark.parametrize(
    ("kernel", "dilation", "mode", "expected"),
    [
        (5, 1, "valid", (0, 0)),
        (5, 1, "same", (2, 2)),
        (4, 1, "same", (1, 2)),  # even kernel: the extra position goes on the right
        (4, 3, "same", (4, 5)),
        (3, 4, "causal", (8, 0)),
        (1, 1, "causal", (0, 0)),
    ],
)
def test_padding_amounts(kernel, dilation, mode, expected):
    assert padding_amounts(kernel, dilation, mode) == expected


def test_unknown_padding_mode():
    with pytest.raises(SeqconvError, match="valid, same, causal"):
        padding_amounts(3, 1, "full")


@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 7, 8])
@pytest.mark.parametrize("dilation", [1, 2, 3])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_same_and_causal_lengths(kernel, dilation, stride):
    x = torch.randn(2, 3, 23)
    same = PaddedConv1d(3, 4, kernel, stride=stride, dilation=dilation, padding="same")
    valid = PaddedConv1d(3, 4, kernel, stride=stride, dilation=dilation)
    assert same(x).shape == (2, 4, -(-23 // stride))
    assert valid(x).shape[-1] == (23 - dilation * (kernel - 1) - 1) // stride + 1
    assert CausalConv1d(3, 4, kernel, dilation=dilation)(x).shape == (2, 4, 23)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
def test_same_matches_pytorch_same_for_even_kernels():
    ours = PaddedConv1d(2, 2, 4, dilation=1, padding="same")
    theirs = nn.Conv1d(2, 2, 4, padding="same")
    theirs.load_state_dict(ours.conv.state_dict())
    x = torch.randn(1, 2, 15)
    torch.testing.assert_close(ours(x), theirs(x))


def test_causal_conv_ignores_the_future():
    conv = CausalConv1d(1, 2, 3, dilation=2)
    x = torch.randn(1, 1, 20)
    y = conv(x)
    x2 = x.clone()
    x2[..., 11:] = torch.randn(9)
    torch.testing.assert_close(conv(x2)[..., :11], y[..., :11])
    assert not torch.allclose(conv(x2)[..., 11:], y[..., 11:])


def test_pad_module_and_same_padding_helper():
    assert Pad1d(2, 1, value=0.25)(torch.zeros(1, 1, 3))[0, 0].tolist() == [
        0.25,
        0.25,
        0.0,
        0.0,
        0.0,
        0.25,
    ]
    assert same_padding(19) == 9 and same_padding(24) == "same" and same_padding(3, 2) == 2
    with pytest.raises(SeqconvError):
        Pad1d(-1, 0)


def test_weight_norm_is_a_parametrization():
    conv = PaddedConv1d(2, 3, 3, weight_norm=True)
    assert hasattr(conv.conv, "parametrizations") and "weight" in conv.conv.parametrizations
    assert conv(torch.randn(1, 2, 9)).shape == (1, 3, 7)


def test_gated_activation_and_exp():
    x = torch.randn(2, 6, 5)
    torch.testing.assert_close(GatedActivation()(x), torch.tanh(x[:, :3]) * torch.sigmoid(x[:, 3:]))
    torch.testing.assert_close(Exp()(x), x.exp())
    assert isinstance(make_activation("exp"), Exp)
    with pytest.raises(SeqconvError, match="relu, exp"):
        make_activation("swish2")


def test_residual_crops_the_longer_branch():
    body = nn.Conv1d(2, 2, 5)  # 4 shorter than the input
    x = torch.randn(1, 2, 12)
    for align, start in (("center", 2), ("end", 4), ("start", 0)):
        out = Residual(body, align=align)(x)
        torch.testing.assert_close(out, body(x) + x[..., start : start + 8])
    a, b = crop_to_match(torch.zeros(1, 1, 5), torch.zeros(1, 1, 9), "end")
    assert a.shape == b.shape == (1, 1, 5)


def test_heads_are_length_agnostic():
    pool_sizes = {"max": 4, "avg": 4, "maxavg": 8}
    for mode, features in pool_sizes.items():
        head = mlp_head(GlobalPool(mode), features, 3, hidden=[5], dropout=0.1, batch_norm=True)
        for length in (1, 7, 30):
            assert head.eval()(torch.randn(2, 4, length)).shape == (2, 3)
    assert StatsPool()(torch.randn(2, 4, 1)).shape == (2, 8)
    assert LastStep()(torch.arange(6.0).view(1, 2, 3)).tolist() == [[2.0, 5.0]]


def test_step_head_modes_agree():
    net = nn.Sequential(nn.ReLU(), nn.Conv1d(4, 2, 1))
    x = torch.randn(3, 4, 10)
    per_step = StepHead(net, per_step=True)(x)
    assert per_step.shape == (3, 2, 10)
    torch.testing.assert_close(StepHead(net)(x), per_step[..., -1])
