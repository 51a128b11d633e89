"""Every zoo model: builds from JSON kwargs, right shapes at several lengths, trains a step.

Dense models (``models.is_dense``) return ``(N, K, L)`` per-position logits, the others ``(N, K)``;
the generic tests expect whichever the model declares.
"""

from __future__ import annotations

import inspect
import json

import pytest
import torch
from torch import nn

from seqconv import models
from seqconv.errors import InputError, SeqconvError
from seqconv.models.layers import Exp
from seqconv.models.protocol import is_profile

DNA = {"deepbind", "basset", "motifnet", "dilated", "dilated_seg", "unet", "bpnet"}
DENSE = {"dilated_seg", "unet"}
CAUSAL = {"wavenet", "tcn"}
LENGTHS = {"basset": (168, 300), "motifnet": (50, 203), "deepbind": (24, 101),
           "bpnet": (2139, 2150)}  # fmt: skip
PROFILE_RF = 2139
"""bpnet's receptive field: its profiles cover the input minus this, plus one."""


def _lengths(name: str) -> tuple[int, ...]:
    return LENGTHS.get(name, (17, 64, 101))


def _expected(model: nn.Module, n: int, k: int, length: int) -> tuple[int, ...]:
    if is_profile(model):  # profiles over the output window, then the counts
        return (n, k, length - PROFILE_RF + 2)
    return (n, k, length) if models.is_dense(model) else (n, k)


def test_dense_models_declare_it():
    assert {name for name in models.names() if models.is_dense(models.build(name))} == DENSE
    assert models.is_dense(models.build("tcn", per_step=True))


def test_names_lists_the_zoo():
    assert models.names() == sorted(
        [
            "basset",
            "bpnet",
            "deepbind",
            "dilated",
            "dilated_seg",
            "hydra",
            "inception",
            "minirocket",
            "minirocket_hydra",
            "motifnet",
            "multirocket",
            "multirocket_hydra",
            "resnet",
            "tcn",
            "tdnn",
            "unet",
            "wavenet",
        ]
    )


@pytest.mark.parametrize("name", models.names())
def test_defaults_are_json_and_rebuild(name):
    kwargs = json.loads(json.dumps(models.defaults(name)))
    model = models.build(name, **kwargs)
    assert model.build_config == {"name": name, "kwargs": kwargs}
    assert kwargs["in_channels"] == (4 if name in DNA else 1)
    assert kwargs["n_outputs"] == 1
    assert not any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters())


@pytest.mark.parametrize("name", models.names())
def test_forward_shapes_for_several_lengths(name):
    model = models.build(name, n_outputs=3).eval()
    c = model.in_channels
    for length in _lengths(name):
        with torch.no_grad():
            x = torch.randn(2, c, length)
            assert model(x).shape == _expected(model, 2, 3, length)
            trunk = model.trunk(x)
            assert trunk.dim() == 3 and trunk.shape[0] == 2
            if is_profile(model):  # its trunk is the path to the profile logits
                assert trunk.shape == (2, 3, length - PROFILE_RF + 1)
                continue
            assert model.head(trunk).shape == _expected(model, 2, 3, length)


@pytest.mark.parametrize("name", models.names())
def test_trains_one_step(name):
    torch.manual_seed(0)
    model = models.build(name, n_outputs=2).train()
    length = _lengths(name)[-1]
    x = torch.randn(4, model.in_channels, length)
    target = torch.randint(0, 2, _expected(model, 4, 2, length)).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    before = [p.detach().clone() for p in model.parameters()]
    loss = nn.functional.binary_cross_entropy_with_logits(model(x), target)
    loss.backward()
    assert torch.isfinite(loss)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    optimizer.step()
    changed = sum(not torch.equal(a, p) for a, p in zip(before, model.parameters(), strict=True))
    assert changed == len(before)


@pytest.mark.parametrize("name", sorted(CAUSAL | {"tdnn"}))
def test_per_step_outputs(name):
    kwargs = {"causal": True} if name == "tdnn" else {}
    model = models.build(name, n_outputs=3, per_step=True, **kwargs).eval()
    x = torch.randn(2, model.in_channels, 50)
    with torch.no_grad():
        assert model(x).shape == (2, 3, 50)


@pytest.mark.parametrize("name", sorted(CAUSAL))
def test_last_step_equals_last_column_of_per_step(name):
    pooled = models.build(name, n_outputs=2).eval()
    per_step = models.build(name, n_outputs=2, per_step=True).eval()
    per_step.load_state_dict(pooled.state_dict())  # same parameters in both modes
    x = torch.randn(3, pooled.in_channels, 40)
    with torch.no_grad():
        torch.testing.assert_close(pooled(x), per_step(x)[..., -1])


@pytest.mark.parametrize("name", sorted(DNA))
def test_first_conv_is_followed_by_its_activation(name):
    """Motif extraction hooks the first activation module after the first Conv1d."""
    for activation, kind in (("relu", nn.ReLU), ("exp", Exp)):
        key = "first_activation" if "first_activation" in models.defaults(name) else "activation"
        kwargs = {key: activation}
        model = models.build(name, **kwargs)
        modules = list(model.modules())
        first = next(i for i, m in enumerate(modules) if isinstance(m, nn.Conv1d))
        assert modules[first].in_channels == 4
        after = [m for m in modules[first + 1 :] if not isinstance(m, nn.BatchNorm1d)]
        assert isinstance(after[0], kind)


def test_first_activation_exp_is_offered_on_motif_models():
    for name in ("deepbind", "basset", "motifnet"):
        assert "first_activation" in inspect.signature(models.get(name)).parameters


def test_tcn_uses_weight_norm_by_default():
    model = models.build("tcn", channels=[4, 4])
    convs = [m for m in model.modules() if isinstance(m, nn.Conv1d) and m.kernel_size[0] > 1]
    assert convs and all(hasattr(m, "parametrizations") for m in convs)
    plain = models.build("tcn", channels=[4, 4], weight_norm=False)
    assert not any(hasattr(m, "parametrizations") for m in plain.modules())


def test_unknown_model_lists_valid_names():
    with pytest.raises(SeqconvError, match="valid names: basset, bpnet, deepbind"):
        models.build("lenet")


def test_unknown_option_lists_accepted_ones():
    with pytest.raises(SeqconvError, match="accepted options: in_channels, n_outputs"):
        models.build("tcn", kernel=3)


def test_bad_input_shape_is_an_input_error():
    model = models.build("deepbind")
    with pytest.raises(InputError, match=r"\(N, 4, L\)"):
        model(torch.zeros(2, 5, 50))


def test_register_a_user_model():
    @models.register("test-user-model")
    class Tiny(nn.Module):
        def __init__(self, in_channels: int = 4, n_outputs: int = 1) -> None:
            super().__init__()
            self.trunk = nn.Conv1d(in_channels, 8, 5)
            self.head = nn.Sequential(
                nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(8, n_outputs)
            )

        def forward(self, x):
            return self.head(self.trunk(x))

    try:
        assert "test-user-model" in models.names()
        assert models.build("test-user-model", n_outputs=2)(torch.zeros(1, 4, 20)).shape == (1, 2)
    finally:
        models.registry._REGISTRY.pop("test-user-model")
