"""Ensembles: several independently initialised copies of one model, their predictions averaged.

InceptionTime (Ismail Fawaz et al. 2020) is published as the average of five networks' predicted
probabilities. Here the members train side by side on the same batches: in training mode the
ensemble returns every member's outputs stacked along the batch axis, and the training loop
scores each against the row's target, so the loss is the mean of the members' losses and each
member's gradient is its own (no member sees another's output). In evaluation mode it returns
outputs whose link (softmax, sigmoid or none) is the mean of the members' predictions, so
``predict``, ``evaluate`` and the metrics need nothing new.

>>> import torch
>>> from torch import nn
>>> members = [nn.Sequential(nn.Flatten(), nn.Linear(8, 3)) for _ in range(2)]
>>> ensemble = Ensemble(members, combine="softmax").eval()
>>> x = torch.randn(4, 1, 8)
>>> mean = torch.stack([m(x).softmax(-1) for m in members]).mean(0)
>>> bool(torch.allclose(ensemble(x).softmax(-1), mean, atol=1e-6))
True
>>> tuple(ensemble.train()(x).shape)  # training: every member's outputs, member-major
(8, 3)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.protocol import in_channels_of, n_outputs_of, trunk_of

COMBINE = ("softmax", "sigmoid", "mean")


class Ensemble(nn.Module):
    """``(N, C, L) -> (N, K)``: the members' mean prediction (``(M * N, K)`` when training).

    Parameters
    ----------
    members
        Models of one architecture, ``(N, C, L) -> (N, K)`` each.
    combine
        How predictions average: ``softmax`` (classes: the mean probability, returned as its
        log), ``sigmoid`` (independent labels: the mean probability as log-odds) or ``mean``
        (regression values).
    """

    def __init__(self, members: Sequence[nn.Module], combine: str = "softmax") -> None:
        super().__init__()
        if len(members) < 1:
            raise SeqconvError("an ensemble needs at least one member")
        if combine not in COMBINE:
            raise SeqconvError(f"combine must be one of {', '.join(COMBINE)}, not {combine!r}")
        self.members = nn.ModuleList(members)
        self.combine = combine
        first = self.members[0]
        self.in_channels = in_channels_of(first)
        self.n_outputs = n_outputs_of(first)

    @property
    def trunk(self) -> nn.Module | None:
        """The first member's trunk: every member has the same receptive field."""
        return trunk_of(self.members[0])

    def forward(self, x: Tensor) -> Tensor:
        outputs = [member(x) for member in self.members]
        if self.training:
            return torch.cat(outputs, dim=0)
        stacked = torch.stack(outputs).float()
        if self.combine == "softmax":
            return torch.logsumexp(stacked.log_softmax(dim=-1), dim=0) - math.log(len(outputs))
        if self.combine == "sigmoid":
            return torch.logit(stacked.sigmoid().mean(dim=0), eps=1e-7)
        return stacked.mean(dim=0)

    def extra_repr(self) -> str:
        return f"members={len(self.members)}, combine={self.combine!r}"
