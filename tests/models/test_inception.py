"""InceptionTime: size, shapes, masks, the length-keeping max pool, receptive field, training."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from rf_probe import interior_windows
from torch import nn

from seqconv import models
from seqconv.errors import SeqconvError
from seqconv.models.inception import InceptionModule
from seqconv.models.layers import Residual, SameMaxPool1d
from seqconv.models.masking import enable_masks, with_mask_channel
from seqconv.rf.receptive_field import receptive_field

# Default geometry (depth, kernels, pooling) with narrow layers: the configuration for the zoo's
# receptive-field probe list, whose widths must not change the receptive field.
NARROW = {"filters": 2, "bottleneck": 2}
# A smaller geometry for the quick checks.
SMALL = {"filters": 2, "depth": 3, "bottleneck": 2, "kernel_sizes": [9, 5, 3]}


def _randomise_batch_norm(model: nn.Module) -> None:
    """Running statistics that are not the identity, so evaluation mode is a real test."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g))
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)


def test_parameter_count_at_defaults():
    # Ismail Fawaz et al. report about 0.42 M parameters for a univariate series.
    model = models.build("inception", in_channels=1, n_outputs=2)
    assert sum(p.numel() for p in model.parameters()) == 420_450


def test_structure_at_defaults():
    model = models.build("inception")
    inception = [m for m in model.modules() if isinstance(m, InceptionModule)]
    assert len(inception) == 6
    assert sum(isinstance(m, Residual) for m in model.trunk) == 2
    # univariate input: no bottleneck in the first module, one in every later module
    assert isinstance(inception[0].bottleneck, nn.Identity)
    assert all(m.bottleneck.out_channels == 32 for m in inception[1:])
    assert [c.conv.kernel_size[0] for c in inception[0].convs] == [40, 20, 10]
    convs = [m for m in model.trunk.modules() if isinstance(m, nn.Conv1d)]
    assert not any(c.bias is not None for c in convs)  # batch norm follows every one
    assert models.build("inception", in_channels=3).trunk[0].body[0].bottleneck.in_channels == 3


@pytest.mark.parametrize(
    ("kwargs", "residuals", "modules"),
    [({"depth": 7}, 2, 7), ({"depth": 2}, 0, 2), ({"residual_every": 0}, 0, 6)],
)
def test_depth_and_residual_groups(kwargs, residuals, modules):
    model = models.build("inception", filters=4, bottleneck=4, **kwargs)
    assert sum(isinstance(m, Residual) for m in model.trunk) == residuals
    assert sum(isinstance(m, InceptionModule) for m in model.modules()) == modules
    assert model(torch.randn(2, 1, 30)).shape == (2, 1)


def test_bad_options_are_refused():
    for kwargs in ({"filters": 0}, {"depth": 0}, {"kernel_sizes": []}, {"bottleneck": -1}):
        with pytest.raises(SeqconvError):
            models.build("inception", **kwargs)


@pytest.mark.parametrize("in_channels", [1, 3])
def test_shapes_for_several_lengths(in_channels):
    model = models.build("inception", in_channels=in_channels, n_outputs=3).eval()
    for length in (1, 2, 17, 101):
        with torch.no_grad():
            trunk = model.trunk(torch.randn(2, in_channels, length))
            assert trunk.shape == (2, 128, length)  # every layer keeps the length
            assert model.head(trunk).shape == (2, 3)


# -- SameMaxPool1d ------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", [1, 3, 5])
@pytest.mark.parametrize("length", [1, 2, 3, 10])
def test_same_max_pool_is_the_max_over_existing_neighbours(kernel, length):
    x = -torch.rand(2, 3, length) - 1.0  # all negative: a zero padding would show up
    out = SameMaxPool1d(kernel)(x)
    r = kernel // 2
    expected = torch.stack(
        [x[..., max(0, t - r) : t + r + 1].amax(dim=-1) for t in range(length)], dim=-1
    )
    assert torch.equal(out, expected)


def test_same_max_pool_needs_an_odd_kernel():
    for kernel in (0, 2, 4):
        with pytest.raises(SeqconvError, match="odd"):
            SameMaxPool1d(kernel)


def test_masked_same_max_pool_ignores_padding_and_leaves_zeros():
    model = enable_masks(nn.Sequential(SameMaxPool1d(3)))
    x = -torch.rand(1, 2, 6) - 1.0
    padded = torch.cat([x, torch.full((1, 2, 4), 5.0)], dim=-1)  # padding larger than any value
    mask = (torch.arange(10) < 6).view(1, 10)
    out = model(with_mask_channel(padded, mask))
    assert torch.equal(out[..., :6], SameMaxPool1d(3)(x))
    assert torch.equal(out[..., 6:], torch.zeros(1, 2, 4))  # no -inf left behind


# -- masks ----------------------------------------------------------------------------------------


def test_masks_are_accepted():
    enable_masks(models.build("inception", **SMALL))  # no SeqconvError: every layer keeps L


def test_padded_equals_alone():
    torch.manual_seed(0)
    model = models.build("inception", in_channels=2, n_outputs=3, **SMALL)
    _randomise_batch_norm(model)
    model = enable_masks(model).eval()
    rng = np.random.default_rng(0)
    lengths = [7, 30, 19, 12, 1]
    total = 41
    x = torch.zeros(len(lengths), 2, total)
    series = []
    for i, n in enumerate(lengths):
        # shifted down so that the first module's max pool sees negative values at the ends,
        # where a zero in the padding would win
        s = torch.from_numpy(rng.standard_normal((1, 2, n)).astype(np.float32)) - 1.0
        series.append(s)
        x[i, :, :n] = s[0]
    mask = torch.arange(total).view(1, total) < torch.tensor(lengths).view(-1, 1)
    with torch.no_grad():
        padded = model(with_mask_channel(x, mask))
        assert torch.isfinite(padded).all()
        for i, s in enumerate(series):
            alone = model(with_mask_channel(s, None))
            torch.testing.assert_close(padded[i : i + 1], alone, rtol=1e-4, atol=1e-5)


def test_masked_training_step_stays_finite():
    """In training mode the padded steps reach batch norm: they must hold 0, never -inf/NaN."""
    model = enable_masks(models.build("inception", n_outputs=2, **SMALL)).train()
    x = torch.randn(3, 1, 20)
    mask = torch.arange(20).view(1, 20) < torch.tensor([20, 9, 4]).view(-1, 1)
    loss = model(with_mask_channel(x, mask)).square().sum()
    loss.backward()
    assert torch.isfinite(loss)
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())


# -- receptive field ------------------------------------------------------------------------------


def _check_against_probe(model: nn.Module, n_outputs: int = 3) -> None:
    """As ``tests/rf/test_receptive_field.py``: the analytic windows equal the NaN probe's."""
    channels, trunk = model.in_channels, model.trunk
    model.double().eval()
    length, windows = interior_windows(trunk, channels, n_outputs)
    rf = receptive_field(model, input_length=length, in_channels=channels)
    for i, (lo, hi) in windows.items():
        assert rf.window(i) == (lo, hi), f"output {i}: analytic {rf.window(i)}, probe {(lo, hi)}"
        start = Fraction(rf.offset) + i * Fraction(rf.jump)
        assert start <= lo and hi <= start + rf.size - 1
    with torch.no_grad():
        out = trunk(torch.zeros(1, channels, length, dtype=torch.float64))
    assert rf.output_length == out.shape[-1] == length


def test_receptive_field_of_a_small_geometry_matches_probe():
    model = models.build("inception", **SMALL)
    rf = receptive_field(model)
    # three modules, each widest span 8 ("same" for odd 9: 4 each side)
    assert (rf.size, rf.jump, rf.offset) == (25, 1, -12)
    _check_against_probe(model)


def test_receptive_field_of_the_default_geometry_matches_probe():
    model = models.build("inception", **NARROW)
    rf = receptive_field(model)
    # six modules, each widest span 39 (kernel 40 "same": 19 left, 20 right)
    assert (rf.size, rf.jump, rf.offset) == (1 + 6 * 39, 1, -6 * 19)
    _check_against_probe(model)


def test_receptive_field_ignores_widths():
    a, b = (
        receptive_field(models.build("inception")),
        receptive_field(models.build("inception", **NARROW)),
    )
    assert (a.size, a.jump, a.offset) == (b.size, b.jump, b.offset)


# -- training -------------------------------------------------------------------------------------


def test_one_optimiser_step_changes_every_parameter():
    torch.manual_seed(0)
    model = models.build("inception", n_outputs=2).train()
    x = torch.randn(4, 1, 64)
    target = torch.randint(0, 2, (4, 2)).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    before = [p.detach().clone() for p in model.parameters()]
    loss = nn.functional.binary_cross_entropy_with_logits(model(x), target)
    loss.backward()
    assert torch.isfinite(loss)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    optimizer.step()
    unchanged = [
        name
        for (name, p), b in zip(model.named_parameters(), before, strict=True)
        if torch.equal(b, p)
    ]
    assert not unchanged
