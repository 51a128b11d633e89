"""Per-feature scaling fitted on training features, for the closed-form models' heads.

Two kinds, as the reference classifiers scale: standard (``(x - mean) / std``, scikit-learn's
``StandardScaler``, used for MultiRocket's features) and sparse (Hydra's ``SparseScaler``:
``s = sqrt(max(x, 0))``, then ``(s - mean) * (s != 0) / (std + eps)`` with ``eps`` the fraction
of zeros to the 4th power plus 1e-8, so that a count that stayed zero stays zero).

Statistics are accumulated chunk by chunk (:class:`ScalerStats`, Chan's pairwise update of mean
and squared deviations in float64), so they never need every feature in memory.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class ScalerStats:
    """Running count, mean, sum of squared deviations and zeros per feature, in float64.

    Parameters
    ----------
    sparse
        ``(p,)`` bool: the features that are square-rooted first (Hydra's counts).
    """

    def __init__(self, sparse: Tensor) -> None:
        self.sparse = sparse.bool().cpu()
        self.count = 0
        self.mean = torch.zeros(len(sparse), dtype=torch.float64)
        self.m2 = torch.zeros(len(sparse), dtype=torch.float64)
        self.zeros = torch.zeros(len(sparse), dtype=torch.float64)

    def update(self, x: Tensor) -> None:
        """Add ``(b, p)`` raw features."""
        x = _rooted(x.detach().double().cpu(), self.sparse)
        b = x.shape[0]
        if b == 0:
            return
        mean = x.mean(dim=0)
        m2 = ((x - mean) ** 2).sum(dim=0)
        total = self.count + b
        delta = mean - self.mean
        self.mean += delta * b / total
        self.m2 += m2 + delta**2 * self.count * b / total
        self.zeros += (x == 0).sum(dim=0)
        self.count = total


def _rooted(x: Tensor, sparse: Tensor) -> Tensor:
    if not bool(sparse.any()):
        return x
    return torch.where(sparse.to(x.device), x.clamp_min(0).sqrt(), x)


class FeatureScaler(nn.Module):
    """``(N, p)`` raw features to scaled ones; identity until :meth:`fit`.

    Parameters
    ----------
    sparse
        ``(p,)`` bool: features scaled as Hydra's counts (square root, zeros kept at zero).
    """

    def __init__(self, sparse: Tensor) -> None:
        super().__init__()
        p = len(sparse)
        self.register_buffer("sparse", sparse.bool().clone())
        self.register_buffer("shift", torch.zeros(p))
        self.register_buffer("scale", torch.ones(p))

    def fit(self, stats: ScalerStats) -> None:
        """Set the shift and scale from accumulated statistics."""
        n = max(stats.count, 1)
        biased = (stats.m2 / n).sqrt()
        unbiased = (stats.m2 / max(n - 1, 1)).sqrt()
        eps = (stats.zeros / n) ** 4 + 1e-8
        sparse = stats.sparse
        scale = torch.where(sparse, unbiased + eps, torch.where(biased > 0, biased, 1.0))
        self.shift.copy_(stats.mean.to(self.shift))
        self.scale.copy_(scale.to(self.scale))

    def forward(self, x: Tensor) -> Tensor:
        s = _rooted(x, self.sparse)
        centred = s - self.shift.to(s.dtype)
        if bool(self.sparse.any()):
            centred = torch.where(self.sparse & (s == 0), torch.zeros_like(centred), centred)
        return centred / self.scale.to(s.dtype)

    def extra_repr(self) -> str:
        return f"features={len(self.shift)}, sparse={int(self.sparse.sum())}"


class ScaledHead:
    """Properties of the closed-form models whose ``head`` is ``Sequential(pool, FeatureScaler,
    Linear)`` (MultiRocket, Hydra and the Hydra pairs), as :mod:`seqconv.train.closed_form`
    reads them."""

    head: nn.Sequential

    @property
    def pool(self) -> nn.Module:
        return self.head[0]

    @property
    def scaler(self) -> FeatureScaler:
        return self.head[1]

    @property
    def linear(self) -> nn.Linear:
        return self.head[2]

    @property
    def n_features(self) -> int:
        return self.pool.n_features
