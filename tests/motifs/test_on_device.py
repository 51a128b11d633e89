"""The motif methods leave the caller's model where it was (bug report: "run_device moves the
caller's model and leaves it there").

A machine without a second device cannot move a model anywhere, so :class:`Travelling` stands for
a model that lives elsewhere: it records where ``.to()`` sends it while its tensors stay on the
CPU, and ``on_device`` reads that place as the model's device.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from seqconv.errors import InputError
from seqconv.motifs import inputs
from seqconv.motifs.attribution import gradient_x_input, ism
from seqconv.motifs.deep_units import extract_unit_motifs
from seqconv.motifs.filters import extract_filter_motifs
from seqconv.motifs.influence import filter_influence
from seqconv.motifs.inputs import on_device
from seqconv.motifs.occlusion import occlusion
from seqconv.motifs.seqlets import hypothetical_contributions

ELSEWHERE = torch.device("cuda", 1)


class Travelling(nn.Module):
    """Two convolutions and a linear head; :attr:`where` is where it was last sent."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(4, 3, 5, padding=2), nn.ReLU(), nn.Conv1d(3, 2, 3), nn.ReLU(),
            nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(2, 2),
        )  # fmt: skip
        self.where = ELSEWHERE

    def to(self, *args, **kwargs):
        self.where = torch.device(args[0] if args else kwargs["device"])
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@pytest.fixture
def model(monkeypatch) -> Travelling:
    real = inputs.model_device
    monkeypatch.setattr(inputs, "model_device", lambda m: getattr(m, "where", None) or real(m))
    return Travelling()


CODES = np.random.default_rng(0).integers(0, 4, size=(12, 30)).astype(np.uint8)

CALLS = {
    "extract_filter_motifs": lambda m: extract_filter_motifs(m, CODES, min_sites=1, device="cpu"),
    "filter_influence": lambda m: filter_influence(m, CODES, device="cpu"),
    "extract_unit_motifs": lambda m: extract_unit_motifs(m, CODES, 2, min_sites=1, device="cpu"),
    "gradient_x_input": lambda m: gradient_x_input(m, CODES, device="cpu"),
    "ism": lambda m: ism(m, CODES[:2], device="cpu"),
    "occlusion": lambda m: occlusion(m, CODES[:2], window=5, device="cpu"),
    "hypothetical_contributions": lambda m: hypothetical_contributions(
        m, CODES, 0, True, steps=2, device="cpu"
    ),
}


@pytest.mark.parametrize("name", CALLS)
def test_the_model_goes_back_where_it_was(model, name):
    CALLS[name](model)
    assert model.where == ELSEWHERE, f"{name} left the model on {model.where}"


def test_the_model_goes_back_after_an_error(model):
    with pytest.raises(InputError, match="layer 5 does not exist"):
        extract_unit_motifs(model, CODES, 5, device="cpu")
    assert model.where == ELSEWHERE


def test_no_device_moves_nothing(model):
    with on_device(model) as dev:
        assert dev == ELSEWHERE and model.where == ELSEWHERE
    with on_device(model, "cpu") as dev:
        assert dev == torch.device("cpu") == model.where
    assert model.where == ELSEWHERE


def test_a_real_device_round_trip(device):
    """On a machine with CUDA: a CPU model explained on the GPU is back on the CPU after."""
    net = Travelling().net
    gradient_x_input(net, CODES, device=device)
    extract_filter_motifs(net, CODES, min_sites=1, device=device)
    assert {p.device.type for p in net.parameters()} == {"cpu"}
