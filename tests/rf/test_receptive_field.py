"""The analytic receptive field against brute-force NaN probes (see rf_probe.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from rf_probe import dependency_matrix, interior_windows
from torch import nn

from seqconv import models
from seqconv.errors import SeqconvError
from seqconv.models.layers import CausalConv1d, PaddedConv1d, Residual
from seqconv.rf.receptive_field import receptive_field

# Default geometry (kernels, strides, dilations, padding) with narrow layers, so probes are fast.
NARROW = {
    "basset": {"filters": [4, 4, 4], "hidden": [8, 8]},
    "bpnet": {"filters": 4},
    "deepbind": {"filters": 4},
    "dilated": {"filters": 4},
    "dilated_seg": {"filters": 4},
    "hydra": {"groups": 4, "kernels": 2},
    "inception": {"filters": 2, "bottleneck": 2},
    "minirocket": {"features": 84 * 32},
    "minirocket_hydra": {"features": 84 * 32, "groups": 4, "kernels": 2},
    "multirocket": {"features": 672 * 4},
    "multirocket_hydra": {"features": 672 * 4, "groups": 4, "kernels": 2},
    "motifnet": {"filters": [4, 4], "hidden": 8},
    "resnet": {"filters": [4, 6, 6]},
    "tcn": {"channels": [3] * 8},
    "tdnn": {"channels": [4, 4, 4, 4, 6], "embedding": [8]},
    "unet": {"filters": [2, 3, 4, 5]},
    "wavenet": {"residual_channels": 4, "gate_channels": 4, "skip_channels": 4},
}


def _check_against_probe(
    model: nn.Module, channels: int, module: nn.Module | None = None, n_outputs: int = 3
) -> None:
    module = model if module is None else module
    model.double().eval()
    length, windows = interior_windows(module, channels, n_outputs)
    rf = receptive_field(model, input_length=length, in_channels=channels)
    for i, (lo, hi) in windows.items():
        assert rf.window(i) == (lo, hi), f"output {i}: analytic {rf.window(i)}, probe {(lo, hi)}"
        start = Fraction(rf.offset) + i * Fraction(rf.jump)
        assert start <= lo and hi - lo + 1 <= rf.size
        if rf.footprint.period == 1:  # every window is [offset + i*jump, ... + size - 1]
            assert hi == start + rf.size - 1
        # Otherwise (a U-Net's windows follow its pooling grid) offset is the lowest start and
        # size the widest window, as ReceptiveField documents; window(i) is exact (checked above).
    with torch.no_grad():
        out = module(torch.zeros(1, channels, length, dtype=torch.float64))
    assert rf.output_length == out.shape[-1]


def test_every_model_has_a_narrow_probe_configuration():
    assert set(NARROW) == set(models.names())


@pytest.mark.parametrize("name", sorted(NARROW))
def test_zoo_receptive_field_matches_probe(name):
    model = models.build(name, **NARROW[name])
    _check_against_probe(model, model.in_channels, model.trunk)


@pytest.mark.parametrize("name", sorted(NARROW))
def test_zoo_receptive_field_ignores_widths(name):
    default, narrow = models.build(name), models.build(name, **NARROW[name])
    a, b = receptive_field(default), receptive_field(narrow)
    assert (a.size, a.jump, a.offset) == (b.size, b.jump, b.offset)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NARROW))
def test_zoo_defaults_match_probe(name):
    model = models.build(name)
    _check_against_probe(model, model.in_channels, model.trunk, n_outputs=2)


def test_issue_example_size_46_jump_4():
    stack = nn.Sequential(
        nn.Conv1d(4, 8, 5, dilation=2),
        nn.MaxPool1d(2),
        nn.Conv1d(8, 8, 3, stride=2),
        nn.Conv1d(8, 8, 3, dilation=4),
    )
    rf = receptive_field(stack, input_length=100)
    assert (rf.size, rf.jump, rf.offset) == (46, 4, 0)
    assert [(r.size, r.jump) for r in rf.layers] == [(9, 1), (10, 2), (14, 4), (46, 4)]
    assert rf.output_length == stack(torch.zeros(1, 4, 100)).shape[-1] == 14
    _check_against_probe(stack, 4)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize(
    ("kernel", "dilation", "offset"),
    [(3, 1, -1), (4, 1, -1), (4, 2, -3), (2, 1, 0), (5, 3, -6)],
)
def test_same_padding_puts_the_extra_position_on_the_right(kernel, dilation, offset):
    for conv in (
        nn.Conv1d(1, 1, kernel, dilation=dilation, padding="same"),
        PaddedConv1d(1, 1, kernel, dilation=dilation, padding="same"),
    ):
        rf = receptive_field(conv, input_length=50)
        assert rf.offset == offset and rf.size == (kernel - 1) * dilation + 1
        assert rf.output_length == 50
        _check_against_probe(conv, 1)


def test_causal_conv_sees_no_future():
    rf = receptive_field(CausalConv1d(2, 3, 4, dilation=3))
    assert (rf.size, rf.offset, rf.lookahead) == (10, -9, 0)
    assert list(rf.positions(20)) == [11, 14, 17, 20]  # dilation holes are exact


def test_transposed_convolution_has_fractional_jump():
    stack = nn.Sequential(nn.Conv1d(1, 2, 3), nn.ConvTranspose1d(2, 2, 4, stride=3, padding=1))
    rf = receptive_field(stack)
    assert rf.jump == Fraction(1, 3)
    _check_against_probe(stack, 1)


def test_stride_then_upsample_windows_alternate():
    stack = nn.Sequential(nn.Conv1d(1, 2, 3, stride=2), nn.ConvTranspose1d(2, 1, 3, stride=2))
    rf = receptive_field(stack)
    assert rf.jump == 1
    assert [rf.window(i) for i in range(4)] == [(-2, 2), (0, 2), (0, 4), (2, 4)]
    assert (rf.size, rf.offset) == (5, -2)
    _check_against_probe(stack, 1)


def test_ceil_mode_pooling_length_and_window():
    stack = nn.Sequential(nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True), nn.AvgPool1d(2))
    rf = receptive_field(stack, input_length=20, in_channels=1)
    assert rf.output_length == stack(torch.zeros(1, 1, 20)).shape[-1]
    _check_against_probe(stack, 1)


class CroppedResidual(nn.Module):
    """A user module: valid conv body, skip cropped by a shape computed at run time."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv1d(2, 2, 5)
        self.b = nn.Conv1d(2, 2, 3, dilation=2)

    def forward(self, x):
        y = self.b(torch.relu(self.a(x)))
        if y.shape[-1] > 0:  # Python control flow on shapes is followed as it runs
            y = y + x[..., -y.shape[-1] :]
        return y


def test_user_module_with_shape_dependent_crop():
    model = nn.Sequential(CroppedResidual(), nn.MaxPool1d(2), CroppedResidual())
    rf = receptive_field(model)
    assert (rf.size, rf.jump, rf.offset) == (9 + 1 + 2 * 8, 2, 0)
    _check_against_probe(model, 2)


def test_model_without_trunk_stops_at_global_pooling():
    model = nn.Sequential(
        nn.Conv1d(4, 8, 7),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.Conv1d(8, 8, 3),
        nn.AdaptiveMaxPool1d(1),
        nn.Flatten(),
        nn.Linear(8, 1),
    )
    rf = receptive_field(model, input_length=40)
    assert (rf.size, rf.jump) == (7 + 1 + 2 * 2, 2)
    assert rf.output_length == 15 and len(rf.layers) == 3


def test_trunk_is_analysed_when_present():
    model = models.build("deepbind")
    rf = receptive_field(model)
    assert (rf.size, rf.jump, rf.offset) == (24, 1, 0)
    assert rf.layers[0].name == "trunk.0"


def test_warns_when_receptive_field_exceeds_input():
    model = models.build("dilated", filters=4)
    with pytest.warns(UserWarning, match="exceeds the input length"):
        rf = receptive_field(model, input_length=100)
    assert rf.output_length == 100


def test_input_too_short_names_the_receptive_field():
    with pytest.raises(SeqconvError, match="receptive field is 168"):
        receptive_field(models.build("basset", **NARROW["basset"]), input_length=100)


def test_unsupported_operation_is_named():
    class Cumulative(nn.Module):
        def forward(self, x):
            return torch.cumsum(nn.functional.conv1d(x, torch.ones(1, 1, 3)), dim=-1)

    with pytest.raises(SeqconvError, match="cumsum"):
        receptive_field(Cumulative(), in_channels=1)


def test_squeeze_excitation_warns_about_global_context():
    class SE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv1d(2, 2, 3)

        def forward(self, x):
            y = self.conv(x)
            return y * torch.sigmoid(y.mean(dim=-1, keepdim=True))

    with pytest.warns(UserWarning, match="whole input"):
        rf = receptive_field(SE())
    assert rf.size == 3 and rf.warning


def test_analysis_leaves_model_state_alone():
    model = models.build("basset", **NARROW["basset"]).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    receptive_field(model)
    assert model.training and all(m.training for m in model.modules())
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_table_and_dataframe():
    rf = receptive_field(models.build("tcn", channels=[4, 4]), input_length=64)
    frame = rf.to_dataframe()
    assert list(frame.columns[:3]) == ["name", "op", "kernel"]
    assert frame["size"].iloc[-1] == rf.size == 1 + 2 * 6 * 3
    assert "CausalConv1d" in str(rf) and "output i sees inputs [i - 36, i]" in rf.summary()


# -- random stacks ------------------------------------------------------------------------------


class Crop(nn.Module):
    def __init__(self, left: int, right: int) -> None:
        super().__init__()
        self.left, self.right = left, right

    def forward(self, x):
        return x[..., self.left : x.shape[-1] - self.right]


class Branches(nn.Module):
    """Two convolutions with different windows, cropped to a common length and concatenated."""

    def __init__(self, a: nn.Module, b: nn.Module, channels: int) -> None:
        super().__init__()
        self.a, self.b = a, b
        self.mix = nn.Conv1d(2 * channels, channels, 1)

    def forward(self, x):
        ya, yb = self.a(x), self.b(x)
        n = min(ya.shape[-1], yb.shape[-1])
        return self.mix(torch.cat([ya[..., :n], yb[..., -n:]], dim=1))


def _conv(rng: np.random.Generator, c: int, stride: int | None = None) -> nn.Conv1d:
    k, d = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    s = int(rng.choice([1, 1, 2, 3])) if stride is None else stride
    return nn.Conv1d(c, c, k, stride=s, dilation=d, padding=int(rng.integers(0, (k - 1) * d + 1)))


def random_stack(seed: int, residual: bool) -> nn.Sequential:
    rng = np.random.default_rng(seed)
    c = 2
    layers: list[nn.Module] = [nn.Conv1d(1, c, 1)]
    for _ in range(int(rng.integers(2, 6))):
        kind = rng.choice(["conv", "max", "avg", "tconv", "crop", "act"] + ["res"] * 3 * residual)
        if kind == "conv":
            layers.append(_conv(rng, c))
        elif kind in ("max", "avg"):
            k = int(rng.integers(1, 5))
            s, p, ceil = (
                int(rng.integers(1, 4)),
                int(rng.integers(0, k // 2 + 1)),
                bool(rng.random() < 0.5),
            )
            if kind == "max":
                d = int(rng.integers(1, 3))
                layers.append(nn.MaxPool1d(k, s, p, dilation=d, ceil_mode=ceil))
            else:
                layers.append(nn.AvgPool1d(k, s, p, ceil_mode=ceil))
        elif kind == "tconv":
            k, s, d = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
            p = int(rng.integers(0, (k - 1) * d // 2 + 1))
            layers.append(nn.ConvTranspose1d(c, c, k, stride=s, padding=p, dilation=d))
        elif kind == "crop":
            layers.append(Crop(int(rng.integers(0, 4)), int(rng.integers(0, 4))))
        elif kind == "act":
            layers.append(rng.choice([nn.ReLU, nn.Tanh, nn.GELU])())
        elif rng.random() < 0.3:
            layers.append(Branches(_conv(rng, c, 1), _conv(rng, c, 1), c))
        else:
            stride = int(rng.choice([1, 1, 2]))
            body = nn.Sequential(_conv(rng, c, stride), nn.ReLU(), _conv(rng, c, 1))
            shortcut = (
                nn.Conv1d(c, c, 1, stride=stride) if stride > 1 or rng.random() < 0.5 else None
            )
            align = str(rng.choice(["center", "end", "start"]))
            layers.append(Residual(body, shortcut, nn.ReLU(), align=align))
    return nn.Sequential(*layers)


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_random_stack_matches_probe_exactly(seed, residual):
    length = 360
    stack = random_stack(seed + 1000 * residual, residual).double().eval()
    try:
        with torch.no_grad():
            out_len = stack(torch.zeros(1, 1, length, dtype=torch.float64)).shape[-1]
    except RuntimeError:
        pytest.skip("this random stack does not run on the test length")
    rf = receptive_field(stack, input_length=length)
    assert rf.output_length == out_len
    dependency = dependency_matrix(stack, 1, length)
    margin = length // 6
    compared = 0
    for i in range(out_len):
        analytic = rf.positions(i)
        if analytic.size == 0 or analytic[0] < margin or analytic[-1] >= length - margin:
            continue  # near the edges padding and crops make windows differ from the interior
        assert np.array_equal(np.flatnonzero(dependency[:, i]), analytic), f"output {i}"
        compared += 1
    assert compared > 0


class Assorted(nn.Module):
    """Operations user code reaches for: channel-last norms and linears, manual causal padding,
    reflect padding, nearest upsampling, reshapes, narrow, stack and a preallocated buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(2, 4, 3)
        self.norm = nn.LayerNorm(4)
        self.linear = nn.Linear(4, 4)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.down = nn.Conv1d(4, 4, 2, stride=2)

    def forward(self, x):
        y = self.conv(x)
        y = self.linear(self.norm(y.transpose(1, 2))).permute(0, 2, 1)  # channel-last, per position
        y = torch.cat([torch.zeros_like(y[..., :3]), y], dim=-1)  # manual causal pad of 3
        y = nn.functional.pad(y, (2, 1), mode="reflect")
        y = self.down(self.up(y)).unsqueeze(1).squeeze(1)
        y = y.reshape(y.shape[0], 2, 2, -1).flatten(1, 2)
        buf = y.new_zeros(y.shape[0], y.shape[1], y.shape[2] + 4)
        buf[..., 4:] = y  # written into a buffer: a left pad of 4
        y = torch.stack([buf, buf * 2], dim=1).sum(dim=1)
        return y.narrow(-1, 1, y.shape[-1] - 2)


def test_assorted_operations_match_probe():
    _check_against_probe(Assorted(), 2)


def test_upsample_window_alternates():
    rf = receptive_field(nn.Sequential(nn.Conv1d(1, 1, 3), nn.Upsample(scale_factor=3)))
    assert rf.jump == Fraction(1, 3) and rf.window(0) == rf.window(2) == (0, 2)


class InPlaceSkip(nn.Module):
    """``out[..., :n] += skip``: indexing, in-place add and assignment back."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(2, 2, 5, padding=4)

    def forward(self, x):
        out = self.conv(x)  # 4 longer than x
        out[..., 2 : 2 + x.shape[-1]] += x
        return out


def test_in_place_skip_matches_probe():
    _check_against_probe(InPlaceSkip(), 2)


def test_summary_envelope_holds_windows_that_shift_with_the_pooling_grid():
    """A U-Net's windows start up to 7 positions apart with the phase: the summary line's range
    must hold every output's window, not only that of phase 0."""
    import warnings

    from seqconv.models import build

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rf = receptive_field(build("unet"), input_length=1001)
    for i in range(200, 216):
        lo, hi = rf.window(i)
        assert rf.offset + i * rf.jump <= lo and hi <= rf.lookahead + i * rf.jump
    assert rf.lookahead == 183 and "[i - 183, i + 183]" in rf.summary()
