"""Dense zoo models (unet, dilated_seg) and the separable motifnet."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from seqconv import models
from seqconv.cli import app
from seqconv.errors import SeqconvError
from seqconv.models.cost import multiply_adds, parameter_count
from seqconv.models.unet import UNetTrunk
from seqconv.rf.receptive_field import receptive_field

SMALL_UNETS = [
    {"filters": [4, 6, 8]},
    {"filters": [4, 6, 8, 8], "downsample": "l2", "upsample_kernel_size": 4},
    {"filters": [4, 6], "factor": 3, "downsample": "conv", "kernel_size": 4},
    {"filters": [4, 5, 6], "downsample": "avg", "upsample_kernel_size": 3, "batch_norm": False},
    {"filters": [5]},  # one level: no downsampling at all
]


@pytest.mark.parametrize("kwargs", SMALL_UNETS)
@pytest.mark.parametrize("length", [1, 5, 17, 64, 101])
def test_unet_shapes_for_any_length(kwargs, length):
    model = models.build("unet", n_outputs=3, **kwargs).eval()
    with torch.no_grad():
        assert model(torch.randn(2, 4, length)).shape == (2, 3, length)


@pytest.mark.parametrize("length", [1, 6, 33, 100])
def test_dilated_seg_shapes(length):
    model = models.build("dilated_seg", n_outputs=2, filters=8, dilations=[2, 4]).eval()
    with torch.no_grad():
        assert model(torch.randn(3, 4, length)).shape == (3, 2, length)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("unet", SMALL_UNETS[1]), ("unet", SMALL_UNETS[2]), ("dilated_seg", {"filters": 8})],
)
def test_gradients_reach_every_parameter_and_position(name, kwargs):
    torch.manual_seed(0)
    model = models.build(name, n_outputs=3, **kwargs).train()
    x = torch.randn(4, 4, 45, requires_grad=True)
    target = torch.randint(0, 3, (4, 45))
    loss = torch.nn.functional.cross_entropy(model(x), target)  # per-position classes
    loss.backward()
    for label, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), label
        assert p.grad.abs().sum() > 0, label
    assert (x.grad.abs().sum(dim=(0, 1)) > 0).all()  # every input position gets a gradient


def test_unet_skips_line_up_with_the_decoder():
    """Each decoder level concatenates an upsampled tensor and its skip of the same length
    (odd input lengths are padded inside), and the output is centred on its own position."""
    model = models.build("unet", filters=[4, 6, 8, 8], kernel_size=3).eval()
    seen: list[tuple[int, int]] = []

    def record(module, args):
        x = args[0]
        seen.append((x.shape[1], x.shape[-1]))

    trunk: UNetTrunk = model.trunk
    handles = [m.register_forward_pre_hook(record) for m in trunk.decoder]
    try:
        with torch.no_grad():
            model(torch.randn(1, 4, 37))  # padded to 40: 40, 20, 10, 5
    finally:
        for handle in handles:
            handle.remove()
    assert seen == [(16, 10), (12, 20), (8, 40)]
    rf = receptive_field(model, input_length=200)
    for i in range(60, 140):
        lo, hi = rf.window(i)
        # windows follow the pooling grid of 8: never more than 8 off centre
        assert lo <= i <= hi and abs((lo + hi) / 2 - i) <= 8


def test_unet_output_does_not_depend_on_the_internal_padding():
    """Padding is zeros on the right and cropped: in evaluation mode the first positions of a
    sequence come out the same whatever follows far enough to the right."""
    model = models.build("unet", filters=[4, 6, 8], kernel_size=3).eval()
    x = torch.randn(1, 4, 61)
    with torch.no_grad():
        a, b = model(x), model(x[..., :57])
    window = receptive_field(model, input_length=61).size
    torch.testing.assert_close(a[..., : 57 - window], b[..., : 57 - window])


def test_rf_table_lists_the_transposed_layers():
    model = models.build("unet")
    rf = receptive_field(model, input_length=1000)
    transposed = [r for r in rf.layers if r.op == "ConvTranspose1d"]
    assert [(r.name, r.stride, r.length) for r in transposed] == [
        ("trunk.up.0.conv", "1/2", 250),
        ("trunk.up.1.conv", "1/2", 500),
        ("trunk.up.2.conv", "1/2", 1000),
    ]
    assert "ConvTranspose1d" in str(rf) and "1/2" in str(rf)
    assert (rf.size, rf.jump, rf.output_length) == (360, 1, 1000)
    assert receptive_field(models.build("dilated_seg")).size == 2069


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("unet", {"filters": [8, 16], "factor": 4, "downsample": "l2", "dropout": 0.1}),
        ("dilated_seg", {"filters": 8, "dilations": [3, 9], "batch_norm": True}),
        ("motifnet", {"separable": True, "filters": [8, 8], "hidden": 16}),
    ],
)
def test_build_by_name_with_kwargs_rebuilds(name, kwargs):
    model = models.build(name, **kwargs)
    config = json.loads(json.dumps(model.build_config))
    assert config["name"] == name and config["kwargs"].items() >= kwargs.items()
    again = models.build(config["name"], **config["kwargs"])
    again.load_state_dict(model.state_dict())  # same architecture, parameter for parameter
    assert models.registry.check(name, **kwargs) is models.get(name)


def test_dense_is_known_before_building():
    assert models.builds_dense("unet", filters=[4, 8])
    assert models.builds_dense("dilated_seg")
    assert models.builds_dense("tcn", per_step=True)
    assert not models.builds_dense("motifnet", separable=True)
    assert not models.builds_dense("tcn")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filters": []}, "at least one level"),
        ({"factor": 1}, "factor >= 2"),
        ({"downsample": "median"}, "max, avg, l2, conv"),
        ({"upsample_kernel_size": 1}, "kernel_size >= factor"),
    ],
)
def test_unet_refuses_bad_options(kwargs, message):
    with pytest.raises(SeqconvError, match=message):
        models.build("unet", **kwargs)


def test_separable_motifnet_is_smaller_and_keeps_its_motif_layer():
    plain, separable = models.build("motifnet"), models.build("motifnet", separable=True)
    assert parameter_count(separable) < 0.7 * parameter_count(plain)
    assert multiply_adds(separable, 4, 1000) < 0.85 * multiply_adds(plain, 4, 1000)
    first = [m for m in separable.modules() if isinstance(m, torch.nn.Conv1d)][0]
    assert first.groups == 1 and first.kernel_size == (19,) and first.in_channels == 4
    with torch.no_grad():
        for length in (25, 50, 203):
            assert separable.eval()(torch.randn(2, 4, length)).shape == (2, 1)
    rf_plain, rf_sep = receptive_field(plain), receptive_field(separable)
    assert (rf_plain.size, rf_plain.jump) == (rf_sep.size, rf_sep.jump)


def test_multiply_adds_counts_transposed_and_grouped_convolutions():
    up = torch.nn.ConvTranspose1d(4, 6, 3, stride=2)
    assert multiply_adds(up, 4, 10) == 10 * 4 * 6 * 3
    grouped = torch.nn.Conv1d(4, 8, 5, groups=4)
    assert multiply_adds(grouped, 4, 10) == 6 * 8 * 1 * 5


def test_models_command_shows_output_kind_and_separable_saving():
    result = CliRunner().invoke(app, ["models"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "(N, K, L)" in result.output and "unet" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("motifnet separable=True"))
    assert "parameters vs 160,001 (40 % fewer)" in line
    assert "multiply-adds per input of length 1,000 (20 % fewer)" in line
