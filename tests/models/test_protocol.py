"""The model protocol (issue 24): the optional attributes seqconv reads from a model are written
down once (:mod:`seqconv.models.protocol`) and read through its functions only, with the same
defaults for a user's plain ``nn.Module`` everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from torch import nn

from seqconv import models
from seqconv.models.protocol import (
    ATTRIBUTES,
    SeqconvModel,
    build_config_of,
    head_of,
    in_channels_of,
    is_closed_form,
    is_dense,
    model_name,
    n_outputs_of,
    takes_mask,
    trunk_of,
)

PACKAGE = Path(__file__).resolve().parents[2] / "seqconv"


class Plain(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(4, 2, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x).mean(-1)


class Declared(nn.Module):
    """A user's module that declares the protocol's attributes."""

    dense = True
    closed_form = False

    def __init__(self) -> None:
        super().__init__()
        self.in_channels, self.n_outputs = 4, 3
        self.trunk = nn.Conv1d(4, 8, 7, padding=3)
        self.head = nn.Conv1d(8, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(x))


def test_a_plain_module_reads_as_the_defaults():
    model = Plain()
    assert not is_dense(model) and not is_closed_form(model) and not takes_mask(model)
    assert trunk_of(model) is None and head_of(model) is None
    assert build_config_of(model) is None and model_name(model) == "Plain"
    assert in_channels_of(model) is None and n_outputs_of(model) is None


def test_declared_attributes_are_read():
    model = Declared()
    assert is_dense(model) and not is_closed_form(model)
    assert trunk_of(model) is model.trunk and head_of(model) is model.head
    assert in_channels_of(model) == 4 and n_outputs_of(model) == 3


def test_zoo_models_follow_the_protocol():
    rocket = models.build("minirocket", length=32, features=84)
    assert is_closed_form(rocket) and not is_dense(rocket)
    assert any(takes_mask(m) for m in rocket.modules())
    assert model_name(rocket) == "minirocket"
    assert build_config_of(rocket)["kwargs"]["features"] == 84
    unet = models.build("unet", filters=[4, 8])
    assert is_dense(unet) and isinstance(trunk_of(unet), nn.Module)
    assert in_channels_of(unet) == 4


def test_values_of_the_wrong_kind_are_not_taken():
    model = Plain()
    model.trunk = "not a module"  # type: ignore[assignment]
    model.in_channels = "4"  # type: ignore[assignment]
    model.build_config = ["motifnet"]  # type: ignore[assignment]
    assert trunk_of(model) is None and in_channels_of(model) is None
    assert build_config_of(model) is None and model_name(model) == "Plain"


def test_the_protocol_documents_every_attribute():
    doc = SeqconvModel.__doc__ or ""
    for name in ATTRIBUTES:
        assert re.search(rf"^\s*{name}\b", doc, re.MULTILINE), name
        assert name in SeqconvModel.__annotations__


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_only_the_protocol_reads_the_attributes(path):
    if path.name == "protocol.py":
        return
    names = "|".join(ATTRIBUTES)
    reads = re.findall(rf"""(?:getattr|hasattr)\([^()]*?,\s*["']({names})["']""", path.read_text())
    where = path.relative_to(PACKAGE.parent)
    assert not reads, f"{where} reads {reads} itself: use seqconv.models.protocol"
