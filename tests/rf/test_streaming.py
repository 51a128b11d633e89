"""Streaming inference equals offline per-step output, from the first step on, for any chunking."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import seqconv
from seqconv import models
from seqconv.errors import SeqconvError
from seqconv.models.layers import CausalConv1d
from seqconv.rf.streaming import Streamer
from seqconv.series.data import SeriesData
from seqconv.train.recipes.series import train_series
from seqconv.train.train_options import TrainOptions

LENGTH = 70


def _randomise_batch_norm(model: nn.Module, seed: int = 0) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g))
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.randn(m.num_features, generator=g))
            m.bias.data.copy_(torch.randn(m.num_features, generator=g))
    return model


def _models() -> dict[str, nn.Module]:
    torch.manual_seed(0)
    built = {
        "tcn": models.build(
            "tcn", in_channels=3, n_outputs=2, channels=[6, 6, 5], kernel_size=3, per_step=True
        ),
        "wavenet": models.build(
            "wavenet",
            in_channels=3,
            n_outputs=4,
            residual_channels=6,
            gate_channels=6,
            skip_channels=8,
            layers_per_stack=3,
            stacks=2,
            input_kernel_size=3,
            per_step=True,
        ),
        "tdnn": _randomise_batch_norm(
            models.build(
                "tdnn",
                in_channels=3,
                n_outputs=2,
                channels=[8, 8, 8],
                kernel_sizes=[5, 3, 1],
                dilations=[1, 2, 1],
                causal=True,
                per_step=True,
            )
        ),
    }
    return {k: m.eval() for k, m in built.items()}


MODELS = _models()
INPUT = torch.randn(3, 3, LENGTH, generator=torch.Generator().manual_seed(1))
OFFLINE = {name: m(INPUT).detach() for name, m in MODELS.items()}


def _chunks(cuts: list[int]) -> list[tuple[int, int]]:
    bounds = [0, *sorted(set(c for c in cuts if 0 < c < LENGTH)), LENGTH]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


@pytest.mark.parametrize("name", sorted(MODELS))
@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(1, LENGTH - 1), max_size=12))
def test_streaming_equals_offline_for_any_chunking(name, cuts):
    stream = Streamer(MODELS[name])
    outputs = [stream.step(INPUT[..., a:b]) for a, b in _chunks(cuts)]
    for (a, b), y in zip(_chunks(cuts), outputs, strict=True):
        assert y.shape == (3, OFFLINE[name].shape[1], b - a)
    y = torch.cat(outputs, dim=-1)
    # the first steps included: the buffers start as the offline zero padding
    torch.testing.assert_close(y[..., :5], OFFLINE[name][..., :5], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(y, OFFLINE[name], rtol=1e-4, atol=1e-5)
    assert stream.steps == LENGTH


@pytest.mark.parametrize("name", sorted(MODELS))
def test_step_by_step_and_reset(name):
    stream = Streamer(MODELS[name])
    first = torch.cat([stream.step(INPUT[:, :, t]) for t in range(LENGTH)], dim=-1)
    torch.testing.assert_close(first, OFFLINE[name], rtol=1e-4, atol=1e-5)
    stream.reset()  # a fresh batch of streams, even of another size
    y = stream.step(INPUT[:2, :, :10])
    torch.testing.assert_close(y, OFFLINE[name][:2, :, :10], rtol=1e-4, atol=1e-5)
    with pytest.raises(SeqconvError, match="reset"):
        stream.step(INPUT[:, :, 10:11])


def test_last_step_models_stream_per_step_and_model_is_untouched():
    model = models.build("tcn", in_channels=3, channels=[6, 6], kernel_size=3).eval()
    assert model(INPUT).shape == (3, 1)
    stream = Streamer(model)
    y = stream.step(INPUT)
    assert y.shape == (3, 1, LENGTH)
    torch.testing.assert_close(y[..., -1], model(INPUT), rtol=1e-4, atol=1e-5)
    # the original still works (weight norm intact) and still returns the last step only
    assert model(INPUT).shape == (3, 1)
    assert hasattr(model.trunk[0].net[0].conv, "parametrizations")


def test_non_causal_models_are_refused():
    with pytest.raises(SeqconvError, match="future"):
        Streamer(models.build("tdnn", in_channels=1, channels=[4], kernel_sizes=[3],
                              dilations=[1], per_step=True))  # fmt: skip
    with pytest.raises(SeqconvError, match="per_step=True"):
        Streamer(models.build("tdnn", in_channels=1, causal=True, channels=[4],
                              kernel_sizes=[3], dilations=[1], embedding=[4]))  # fmt: skip
    with pytest.raises(SeqconvError, match="Conv1d with kernel 3"):
        Streamer(nn.Sequential(nn.Conv1d(1, 2, 3, padding=1)))


def test_custom_causal_module_and_trunk():
    net = nn.Sequential(CausalConv1d(2, 4, 3, dilation=2), nn.Tanh(), CausalConv1d(4, 1, 2))
    x = torch.randn(2, 2, 30)
    stream = Streamer(net)
    y = torch.cat([stream.step(x[..., :7]), stream.step(x[..., 7:])], dim=-1)
    torch.testing.assert_close(y, net(x), rtol=1e-4, atol=1e-5)
    assert stream.state_size == 4 + 1


@pytest.mark.slow
def test_stream_from_a_series_run(tmp_path):
    """seqconv.load(dir).streamer(): raw values in, the run's probabilities per step out."""
    rng = np.random.default_rng(0)
    values = rng.standard_normal((24, 1, 40)).astype(np.float32) * 3 + 5
    labels = ["up" if v[0, -5:].mean() > 5 else "down" for v in values]
    path = tmp_path / "toy.csv"
    data = SeriesData.from_arrays(values, labels=labels)
    frame = pd.DataFrame(values[:, 0], columns=[f"t{i}" for i in range(40)])
    frame.insert(0, "label", data.labels)
    frame.insert(0, "id", data.ids)
    frame.to_csv(path, index=False)
    options = TrainOptions(series=str(path), model="tcn", normalize="channel", epochs=2,
                           model_options={"channels": [6, 6], "kernel_size": 3},
                           out=str(tmp_path / "run"), quiet=True)  # fmt: skip
    run = seqconv.load(train_series(options))
    assert "calibration" not in run.config  # no validation rows apart from the training rows
    stream = run.streamer()
    x = torch.from_numpy(values[:5])
    y = torch.cat([stream.step(x[..., :13]), stream.step(x[..., 13:])], dim=-1)
    assert y.shape == (5, 2, 40)
    torch.testing.assert_close(y.sum(dim=1), torch.ones(5, 40))
    np.testing.assert_allclose(y[..., -1].numpy(), run.predict(values[:5]), atol=1e-5)
