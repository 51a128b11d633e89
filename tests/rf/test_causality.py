"""The causality check on causal zoo models and on a deliberately non-causal convolution."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from seqconv import models
from seqconv.errors import SeqconvError
from seqconv.models.layers import CausalConv1d, PaddedConv1d
from seqconv.rf.causality import check_causal
from seqconv.rf.receptive_field import receptive_field

CAUSAL = {
    "wavenet": {
        "residual_channels": 4,
        "gate_channels": 4,
        "skip_channels": 4,
        "stacks": 1,
        "layers_per_stack": 5,
    },  # fmt: skip
    "tcn": {"channels": [4, 4, 4], "dropout": 0.2},
    "tdnn": {"channels": [4, 4, 4, 4, 6], "causal": True},
}


@pytest.mark.parametrize("name", sorted(CAUSAL))
def test_causal_zoo_models_pass(name):
    model = models.build(name, per_step=True, **CAUSAL[name]).train()
    length = receptive_field(model).size + 8
    report = check_causal(model, length=length, raise_on_leak=True)
    assert report.causal and report.leak_position is None
    assert report.max_change == 0.0
    assert model.training and next(model.parameters()).dtype == torch.float32  # untouched


@pytest.mark.parametrize("name", sorted(CAUSAL))
def test_causal_zoo_models_with_defaults_pass(name):
    model = models.build(name, per_step=True, **({"causal": True} if name == "tdnn" else {}))
    assert check_causal(model, length=48, n_trials=1)


def test_pooled_causal_model_is_checked_through_its_trunk():
    assert check_causal(models.build("tcn", channels=[3, 3])).causal


def test_non_causal_convolution_fails_at_the_first_position():
    conv = PaddedConv1d(1, 2, 3, padding="same")  # output t reads t + 1
    report = check_causal(conv, length=16)
    assert not report.causal
    assert (report.leak_position, report.perturbed_after) == (0, 0)
    with pytest.raises(SeqconvError, match="output 0 changed when only inputs after position 0"):
        check_causal(conv, length=16, raise_on_leak=True)


def test_lookahead_is_located():
    model = nn.Sequential(CausalConv1d(1, 2, 3), nn.ReLU(), nn.Conv1d(2, 1, 3, padding=1))
    report = check_causal(model, length=20)
    assert not report.causal and report.perturbed_after == report.leak_position


def test_non_causal_tdnn_fails():
    # wide enough that ReLUs cannot all be dead at initialisation, which would hide the lookahead
    model = models.build("tdnn", channels=[16, 16, 16, 16, 16], per_step=True)
    assert not check_causal(model, length=32).causal


def test_pooled_output_without_trunk_is_rejected():
    model = nn.Sequential(nn.Conv1d(1, 2, 3), nn.AdaptiveAvgPool1d(1))
    with pytest.raises(SeqconvError, match="per_step=True"):
        check_causal(model, length=16)
