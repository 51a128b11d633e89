"""MultiRocket + Hydra (Dempster, Schmidt & Webb 2023): both feature sets side by side under one
linear head fitted in closed form, as aeon's ``MultiRocketHydraClassifier`` concatenates them --
Hydra's counts sparse-scaled, MultiRocket's standardised, Hydra's first.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqconv.errors import InputError, SeqconvError
from seqconv.models.feature_scaler import FeatureScaler
from seqconv.models.hydra import HydraConv, HydraPool, hydra_features
from seqconv.models.layers import TrunkHead
from seqconv.models.minirocket import N_KERNELS, dilation_schedule
from seqconv.models.multirocket import (
    MultiRocketConv,
    MultiRocketPool,
    fit_multirocket_biases,
    multirocket_features,
)
from seqconv.models.registry import register


class PairTrunk(nn.Module):
    """Both trunks: ``(N, C, L) -> (N, C_hydra + C_multirocket, L)``."""

    def __init__(self, hydra: HydraConv, multirocket: MultiRocketConv) -> None:
        super().__init__()
        self.hydra, self.multirocket = hydra, multirocket

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.hydra(x), self.multirocket(x)], dim=1)


class PairPool(nn.Module):
    """Both poolings over :class:`PairTrunk`'s channels: ``(N, C', L) -> (N, features)``."""

    takes_mask = True

    def __init__(self, hydra: HydraPool, multirocket: MultiRocketPool, split: int) -> None:
        super().__init__()
        self.hydra, self.multirocket, self.split = hydra, multirocket, split
        self.n_features = hydra.n_features + multirocket.n_features
        self.mask: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        self.hydra.mask = self.multirocket.mask = self.mask
        try:
            return torch.cat([self.hydra(x[:, : self.split]),
                              self.multirocket(x[:, self.split :])], dim=1)  # fmt: skip
        finally:
            self.hydra.mask = self.multirocket.mask = None


@register("multirocket_hydra")
class MultiRocketHydra(TrunkHead):
    """MultiRocket + Hydra: ``(N, in_channels, L) -> (N, n_outputs)`` from Hydra's counts
    (1,024 per dilation) and MultiRocket's ~50,000 features, one linear head.

    Parameters
    ----------
    in_channels, n_outputs, length
        Input channels, outputs, and the series length the dilations are fitted to.
    features, max_dilations
        MultiRocket's (see :class:`~seqconv.models.multirocket.MultiRocket`).
    kernels, groups, max_channels
        Hydra's (see :class:`~seqconv.models.hydra.Hydra`).
    seed
        Draws Hydra's kernels and both parts' channel subsets.
    """

    closed_form = True

    def __init__(self, in_channels: int = 1, n_outputs: int = 1, length: int = 512,
                 features: int = 50_000, max_dilations: int = 32, kernels: int = 8,
                 groups: int = 64, max_channels: int = 8, seed: int = 0) -> None:  # fmt: skip
        super().__init__(in_channels, n_outputs)
        if length < 2 or features < 8 * N_KERNELS or groups < 2 or groups % 2 or kernels < 2:
            raise SeqconvError(
                f"multirocket_hydra needs length >= 2, features >= {8 * N_KERNELS}, kernels >= 2"
                " and an even groups >= 2"
            )
        hydra = HydraConv(in_channels, length, kernels, groups, max_channels, seed)
        wanted = N_KERNELS * (features // (8 * N_KERNELS))
        schedules = [dilation_schedule(n, wanted, max_dilations) for n in (length, length - 1)]
        dilations = [s[0] for s in schedules]
        multi = MultiRocketConv(in_channels, dilations, seed)
        self.trunk = PairTrunk(hydra, multi)
        hydra_pool = HydraPool(len(hydra.dilations), kernels, groups)
        multi_pool = MultiRocketPool(dilations, [s[1] for s in schedules])
        split = len(hydra.dilations) * 2 * kernels * (groups // 2)
        pool = PairPool(hydra_pool, multi_pool, split)
        sparse = torch.zeros(pool.n_features, dtype=torch.bool)
        sparse[: hydra_pool.n_features] = True
        self.head = nn.Sequential(pool, FeatureScaler(sparse), nn.Linear(pool.n_features,
                                                                          n_outputs))  # fmt: skip

    @property
    def pool(self) -> PairPool:
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

    @property
    def n_pairs(self) -> int:
        return N_KERNELS * sum(len(d) for d in self.pool.multirocket.dilations)

    def features(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """``(N, C, L)`` series and their ``(N, L)`` mask (``None``: as set by
        :func:`~seqconv.models.masking.enable_masks`, or all real) to ``(N, n_features)`` raw
        features: Hydra's counts, then MultiRocket's."""
        mask = mask if mask is not None else self.pool.mask
        return torch.cat([hydra_features(self.trunk.hydra, x, mask),
                          multirocket_features(self.trunk.multirocket, self.pool.multirocket, x,
                                               mask)], dim=1)  # fmt: skip

    def fit_biases(self, examples: Tensor, mask: Tensor | None, picks: Tensor) -> None:
        """MultiRocket's biases (Hydra has none); see
        :func:`~seqconv.models.multirocket.fit_multirocket_biases`."""
        fit_multirocket_biases(self.trunk.multirocket, self.pool.multirocket, examples, mask,
                               picks)  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InputError(
                f"MultiRocketHydra expects input of shape (N, {self.in_channels}, L), "
                f"got {tuple(x.shape)}"
            )
        return self.linear(self.scaler(self.features(x)))
