"""Base-resolution profiles (BPNet, Avsec et al. 2021): the output layout, the loss, the link to
expected counts, and the scalar outputs attributions explain.

A profile model maps ``(N, C, L_in)`` inputs to ``(N, T, W + 1)``: for each of ``T`` tracks,
``W`` profile logits over the output window (the central ``W`` bases of the input), then in the
last column the predicted ``log(1 + total count)`` of the track over the window. One tensor
keeps every part of seqconv that moves outputs around (batched prediction, strand averaging,
gathering across processes) working unchanged.

Targets have the same layout: ``W`` observed counts per track, then in the last column the weight
of the region's profile term (1 for peaks, 0 for background windows, whose profile is noise: only
their counts train, as in bpnet-lite and chromBPNet).

>>> import torch
>>> out = torch.zeros(2, 1, 5 + 1)   # flat logits, log(1 + total) = 0
>>> expected_counts(out).shape, float(expected_counts(out).sum())
(torch.Size([2, 1, 5]), 0.0)
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "ProfileLoss",
    "ProfileScore",
    "count_weight_default",
    "expected_counts",
    "log_counts",
    "pack_targets",
    "profile_logits",
    "split_targets",
]

HEADS = ("counts", "profile")
"""What an attribution of a profile run explains (:class:`ProfileScore`)."""


def profile_logits(outputs: torch.Tensor) -> torch.Tensor:
    """``(N, T, W + 1)`` outputs -> ``(N, T, W)`` profile logits."""
    return outputs[..., :-1]


def log_counts(outputs: torch.Tensor) -> torch.Tensor:
    """``(N, T, W + 1)`` outputs -> ``(N, T)`` predicted ``log(1 + total count)``."""
    return outputs[..., -1]


def expected_counts(outputs: torch.Tensor) -> torch.Tensor:
    """What users read: ``(N, T, W)`` expected counts per base, the profile's probabilities times
    the predicted total (``exp(log_counts) - 1``, at least 0)."""
    outputs = outputs.float()
    total = torch.expm1(log_counts(outputs)).clamp(min=0)
    return profile_logits(outputs).softmax(dim=-1) * total[..., None]


def pack_targets(counts: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``(N, T, W)`` observed counts and ``(N,)`` profile weights -> ``(N, T, W + 1)`` targets."""
    column = weight.to(counts.dtype)[:, None, None].expand(-1, counts.shape[1], 1)
    return torch.cat([counts, column], dim=-1)


def split_targets(targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(N, T, W + 1)`` targets -> ``(N, T, W)`` counts and ``(N,)`` profile weights."""
    return targets[..., :-1], targets[:, 0, -1]


def multinomial_nll(logits: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    """``(N, T)`` negative log-likelihood of each track's counts ``(N, T, W)`` under the
    multinomial whose probabilities are ``softmax(logits)`` (bpnet-lite's ``MNLLLoss``,
    constant terms included so that values compare across tools)."""
    logp = torch.log_softmax(logits, dim=-1)
    total = counts.sum(dim=-1)
    return (
        -torch.lgamma(total + 1)
        + torch.lgamma(counts + 1).sum(dim=-1)
        - (counts * logp).sum(dim=-1)
    )


class ProfileLoss(nn.Module):
    """The BPNet loss: multinomial NLL of each track's profile, summed over tracks and averaged
    over the peaks, plus ``count_weight`` times the MSE of ``log(1 + total)`` averaged over
    tracks and every region (background windows included).

    Summing the profile terms and averaging the count terms over tracks keeps the balance of
    bpnet-lite, whose one multinomial spans both strands and whose one count is their total.
    After each call :attr:`terms` holds both terms (``profile_nll``, ``counts_mse``), detached,
    for the history.

    Parameters
    ----------
    count_weight
        ``λ``; bpnet-lite's default is the mean total count per track of the training peaks
        (:func:`count_weight_default`).
    """

    def __init__(self, count_weight: float) -> None:
        super().__init__()
        self.count_weight = float(count_weight)
        self.terms: dict[str, torch.Tensor] = {}

    def forward(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        counts, weight = split_targets(targets.float())
        outputs = outputs.float()
        nll = multinomial_nll(profile_logits(outputs), counts).sum(dim=-1)  # (N,)
        profile = (nll * weight).sum() / weight.sum().clamp(min=1e-12)
        truth = torch.log1p(counts.sum(dim=-1))
        mse = (log_counts(outputs) - truth).square().mean()
        self.terms = {"profile_nll": profile.detach(), "counts_mse": mse.detach()}
        return profile + self.count_weight * mse


def count_weight_default(counts: torch.Tensor) -> float:
    """bpnet-lite's default ``λ``: the mean total count per track over the training peaks.

    Parameters
    ----------
    counts
        ``(N, T, W)`` observed counts of the training peaks.
    """
    if counts.numel() == 0:
        return 1.0
    return max(float(counts.double().sum(dim=-1).mean()), 1e-3)


class ProfileScore(nn.Module):
    """A profile model seen as ``(N, T + 1)`` scores to explain, one per track and one for all
    tracks together (the last column), as bpnet-lite's ``CountWrapper`` and ``ProfileWrapper``:

    * ``counts``: the predicted ``log(1 + total)`` of each track; of all tracks, the log of the
      summed totals (``logsumexp``);
    * ``profile``: BPNet's profile score: the logits, mean-centred over the window, weighted by
      their softmax (held constant, BPNet's ``stop_gradient``) and summed; for all tracks, over
      the window of every track at once.

    Parameters
    ----------
    model
        A profile model, ``(N, C, L) -> (N, T, W + 1)``.
    head
        ``counts`` or ``profile``.
    """

    def __init__(self, model: nn.Module, head: str = "counts") -> None:
        super().__init__()
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, not {head!r}")
        self.model = model
        self.head = head
        self.training = model.training

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.model(x).float()
        if self.head == "counts":
            counts = log_counts(out)
            return torch.cat([counts, torch.logsumexp(counts, dim=-1, keepdim=True)], dim=-1)
        logits = profile_logits(out)
        per_track = _weighted(logits)
        joint = _weighted(logits.reshape(logits.shape[0], 1, -1))
        return torch.cat([per_track, joint], dim=-1)


def _weighted(logits: torch.Tensor) -> torch.Tensor:
    """``(N, K, W)`` logits -> ``(N, K)`` softmax-weighted sums of the mean-centred logits."""
    centred = logits - logits.mean(dim=-1, keepdim=True)
    return (centred * centred.softmax(dim=-1).detach()).sum(dim=-1)
