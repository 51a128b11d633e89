"""The bpnet zoo model: BPNet's architecture, valid convolutions, strands, control, trunks."""

from __future__ import annotations

import pytest
import torch

from seqconv.errors import SeqconvError
from seqconv.models import build
from seqconv.models.protocol import is_profile, strand_outputs
from seqconv.rf.receptive_field import receptive_field


def test_the_defaults_are_bpnets():
    model = build("bpnet", n_outputs=2)
    stem = model.tower[0]
    dilations = [layer.conv.dilation[0] for layer in model.tower[2:]]
    assert (stem.out_channels, stem.kernel_size[0]) == (64, 21)
    assert dilations == [2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert model.profile_head.kernel_size[0] == 75 and is_profile(model)
    # 21 + 2 * (2 + ... + 512) + 75 - 1: every output base sees only real input
    rf = receptive_field(model)
    assert (rf.size, rf.jump, rf.offset) == (2139, 1, 0)


def test_outputs_cover_the_input_minus_the_receptive_field():
    model = build("bpnet", n_outputs=3, filters=8, n_layers=2)
    out = model(torch.randn(2, 4, 300))
    assert out.shape == (2, 3, 300 - (21 + 12 + 75 - 2) + 1)


@pytest.mark.parametrize("pool", ["logsumexp", "mean"])
def test_control_tracks_are_channels_and_zero_when_absent(pool):
    model = build("bpnet", n_outputs=2, n_control=2, filters=8, n_layers=2, counts_pool=pool)
    x = torch.randn(2, 4, 250)
    zero = torch.cat([x, torch.zeros(2, 2, 250)], dim=1)
    assert torch.allclose(model(x), model(zero))
    more = torch.cat([x, torch.full((2, 2, 250), 3.0)], dim=1)
    assert not torch.allclose(model(x), model(more))
    with pytest.raises(SeqconvError, match="control tracks"):
        model(torch.randn(2, 5, 250))


def test_reverse_outputs_swap_stranded_tracks_and_read_profiles_backwards():
    model = build("bpnet", n_outputs=3, strands=[1, 0, 2], filters=4, n_layers=1)
    out = torch.arange(3 * 5, dtype=torch.float32).reshape(1, 3, 5)  # 4 bases + counts
    back = strand_outputs(model, out)
    assert back[0, 0].tolist() == [8.0, 7.0, 6.0, 5.0, 9.0]  # the minus track, reversed
    assert back[0, 1].tolist() == [3.0, 2.0, 1.0, 0.0, 4.0]
    assert back[0, 2].tolist() == [13.0, 12.0, 11.0, 10.0, 14.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"strands": [1, 1]}, "permutation"),
    ({"n_outputs": 3, "strands": [1, 2, 0]}, "pair"),
    ({"first_kernel_size": 20}, "odd"),
    ({"counts_pool": "max"}, "counts_pool"),
    ({"trunk": "motifnet"}, "keeps"),
])  # fmt: skip
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(SeqconvError, match=message):
        build("bpnet", **({"n_outputs": 2} | kwargs))


def test_any_length_keeping_trunk_of_the_zoo():
    options = {"filters": 8, "dilations": [2, 4]}
    model = build("bpnet", n_outputs=1, trunk="dilated_seg", trunk_options=options, trunk_crop=18)
    rf = receptive_field(model)
    assert (rf.size, rf.offset) == (111, 0)  # 25 + 2 * 6 (trunk) + 74 (profile head)
    assert model(torch.randn(2, 4, 300)).shape == (2, 1, 300 - 110 + 1)
