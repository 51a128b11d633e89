"""Ensembles (InceptionTime's five networks): averaging, training outputs, masks, the task link."""

import math

import pytest
import torch

from seqconv import models
from seqconv.core.tasks import build_for_task
from seqconv.errors import SeqconvError
from seqconv.models.ensemble import Ensemble
from seqconv.models.masking import enable_masks
from seqconv.rf.receptive_field import receptive_field

SMALL = {"filters": 2, "bottleneck": 2, "depth": 3}


def test_inception_ensemble_averages_its_members_probabilities():
    torch.manual_seed(0)
    model = models.build("inception", n_outputs=3, ensemble=3, **SMALL).eval()
    assert isinstance(model, Ensemble) and len(model.members) == 3
    x = torch.randn(5, 1, 30)
    mean = torch.stack([m(x).softmax(-1) for m in model.members]).mean(0)
    assert torch.allclose(model(x).softmax(-1), mean, atol=1e-6)
    # the members differ (independent initialisations), so the average is not one of them
    assert not torch.allclose(model.members[0](x), model.members[1](x))


def test_one_network_is_not_wrapped():
    assert isinstance(models.build("inception", **SMALL), models.inception.InceptionTime)


def test_training_returns_every_members_outputs():
    model = models.build("inception", n_outputs=2, ensemble=4, **SMALL).train()
    x = torch.randn(3, 1, 20)
    out = model(x)
    assert out.shape == (12, 2)
    model.eval()  # batch norm in eval mode: member k's block equals member k alone
    stacked = torch.cat([m(x) for m in model.members])
    model.train()
    assert stacked.shape == out.shape


@pytest.mark.parametrize(
    ("task", "combine"),
    [("binary", "softmax"), ("multiclass", "softmax"), ("multilabel", "sigmoid"),
     ("regression", "mean")],
)  # fmt: skip
def test_the_task_decides_how_predictions_average(task, combine):
    model = build_for_task("inception", task, n_outputs=2, ensemble=2, **SMALL)
    assert model.combine == combine
    assert model.build_config["kwargs"]["combine"] == combine  # a loaded run rebuilds it
    x = torch.randn(4, 1, 16)
    model.eval()
    outs = torch.stack([m(x) for m in model.members])
    if combine == "sigmoid":
        assert torch.allclose(model(x).sigmoid(), outs.sigmoid().mean(0), atol=1e-5)
    if combine == "mean":
        assert torch.allclose(model(x), outs.mean(0), atol=1e-6)


def test_a_padded_series_gets_what_it_gets_alone():
    torch.manual_seed(1)
    model = enable_masks(models.build("inception", n_outputs=2, ensemble=2, **SMALL)).eval()
    x = torch.randn(1, 1, 25)
    alone = torch.cat([x, torch.ones(1, 1, 25)], dim=1)
    padded = torch.cat(
        [torch.cat([x, torch.zeros(1, 1, 9)], -1), (torch.arange(34) < 25).float().view(1, 1, 34)],
        dim=1,
    )
    assert torch.allclose(model(padded), model(alone), atol=1e-5)


def test_receptive_field_is_one_members():
    one = receptive_field(models.build("inception", **SMALL), input_length=200, in_channels=1)
    five = models.build("inception", ensemble=5, **SMALL)
    rf = receptive_field(five, input_length=200, in_channels=1)
    assert (rf.size, rf.jump, rf.offset) == (one.size, one.jump, one.offset) == (118, 1, -57)


def test_bad_options_are_refused():
    with pytest.raises(SeqconvError, match="ensemble must be >= 1"):
        models.build("inception", ensemble=0)
    with pytest.raises(SeqconvError, match="combine must be one of"):
        models.build("inception", ensemble=2, combine="median")


def test_softmax_average_is_a_log_probability():
    members = [torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 4)) for _ in range(3)]
    with torch.no_grad():
        out = Ensemble(members).eval()(torch.randn(2, 1, 6))
    assert torch.allclose(out.exp().sum(-1), torch.ones(2), atol=1e-5)
    assert math.isclose(float(out.logsumexp(-1).abs().max()), 0.0, abs_tol=1e-5)
