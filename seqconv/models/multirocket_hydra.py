"""Hydra (Dempster, Schmidt & Webb 2023) beside MultiRocket or MiniRocket: both feature sets
side by side under one linear head fitted in closed form, as aeon's
``MultiRocketHydraClassifier`` concatenates them -- Hydra's counts sparse-scaled, the other's
standardised, Hydra's first. The Hydra paper reports both pairs (angus924/hydra's results on 112
UCR sets: MiniRocket + Hydra 0.880 mean accuracy, MultiRocket + Hydra 0.884, Hydra alone 0.869).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqconv.errors import InputError, SeqconvError
from seqconv.models.feature_scaler import FeatureScaler, ScaledHead
from seqconv.models.hydra import HydraConv, HydraPool, hydra_features
from seqconv.models.layers import TrunkHead
from seqconv.models.minirocket import (
    N_KERNELS,
    MiniRocketConv,
    PPVPool,
    dilation_schedule,
    fit_minirocket_biases,
    minirocket_features,
)
from seqconv.models.multirocket import (
    MultiRocketConv,
    MultiRocketPool,
    fit_multirocket_biases,
    multirocket_features,
)
from seqconv.models.registry import register


class PairTrunk(nn.Module):
    """Hydra's trunk and its partner's: ``(N, C, L) -> (N, C_hydra + C_partner, L)``; the
    partner is kept under ``name`` (``multirocket`` or ``minirocket``)."""

    def __init__(self, hydra: HydraConv, partner: nn.Module, name: str) -> None:
        super().__init__()
        self.hydra, self.name = hydra, name
        self.add_module(name, partner)

    @property
    def partner(self) -> nn.Module:
        return getattr(self, self.name)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.hydra(x), self.partner(x)], dim=1)


class PairPool(nn.Module):
    """Both poolings over :class:`PairTrunk`'s channels: ``(N, C', L) -> (N, features)``."""

    takes_mask = True

    def __init__(self, hydra: HydraPool, partner: nn.Module, split: int, name: str) -> None:
        super().__init__()
        self.hydra, self.split, self.name = hydra, split, name
        self.add_module(name, partner)
        self.n_features = hydra.n_features + partner.n_features
        self.mask: Tensor | None = None

    @property
    def partner(self) -> nn.Module:
        return getattr(self, self.name)

    def forward(self, x: Tensor) -> Tensor:
        self.hydra.mask = self.partner.mask = self.mask
        try:
            return torch.cat([self.hydra(x[:, : self.split]),
                              self.partner(x[:, self.split :])], dim=1)  # fmt: skip
        finally:
            self.hydra.mask = self.partner.mask = None


class HydraPair(ScaledHead, TrunkHead):
    """What both pairs share: Hydra's trunk and pooling beside a partner's, the sparse and
    standard scaler, the linear head and the features (Hydra's counts first)."""

    closed_form = True

    @staticmethod
    def _check_sizes(name: str, length: int, features: int, least: int, kernels: int,
                     groups: int) -> None:  # fmt: skip
        if length < 2 or features < least or groups < 2 or groups % 2 or kernels < 2:
            raise SeqconvError(
                f"{name} needs length >= 2, features >= {least}, kernels >= 2 and an even "
                "groups >= 2"
            )

    def _assemble(self, hydra: HydraConv, partner_conv: nn.Module, partner_pool: nn.Module,
                  kernels: int, groups: int, name: str) -> None:  # fmt: skip
        self.trunk = PairTrunk(hydra, partner_conv, name)
        hydra_pool = HydraPool(len(hydra.dilations), kernels, groups)
        split = len(hydra.dilations) * 2 * kernels * (groups // 2)
        pool = PairPool(hydra_pool, partner_pool, split, name)
        sparse = torch.zeros(pool.n_features, dtype=torch.bool)
        sparse[: hydra_pool.n_features] = True
        linear = nn.Linear(pool.n_features, self.n_outputs)
        self.head = nn.Sequential(pool, FeatureScaler(sparse), linear)

    def partner_features(self, x: Tensor, mask: Tensor | None) -> Tensor:
        raise NotImplementedError

    def features(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """``(N, C, L)`` series and their ``(N, L)`` mask (``None``: as set by
        :func:`~seqconv.models.masking.enable_masks`, or all real) to ``(N, n_features)`` raw
        features: Hydra's counts, then the partner's."""
        mask = mask if mask is not None else self.pool.mask
        return torch.cat([hydra_features(self.trunk.hydra, x, mask),
                          self.partner_features(x, mask)], dim=1)  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InputError(
                f"{type(self).__name__} expects input of shape (N, {self.in_channels}, L), "
                f"got {tuple(x.shape)}"
            )
        return self.linear(self.scaler(self.features(x)))


@register("minirocket_hydra")
class MiniRocketHydra(HydraPair):
    """MiniRocket + Hydra: ``(N, in_channels, L) -> (N, n_outputs)`` from Hydra's counts
    (1,024 per dilation) and MiniRocket's ~10,000 PPVs, one linear head.

    Parameters
    ----------
    in_channels, n_outputs, length
        Input channels, outputs, and the series length the dilations are fitted to.
    features, max_dilations
        MiniRocket's (see :class:`~seqconv.models.minirocket.MiniRocket`).
    kernels, groups, max_channels
        Hydra's (see :class:`~seqconv.models.hydra.Hydra`).
    seed
        Draws Hydra's kernels and both parts' channel subsets.
    """

    def __init__(self, in_channels: int = 1, n_outputs: int = 1, length: int = 512,
                 features: int = 10_000, max_dilations: int = 32, kernels: int = 8,
                 groups: int = 64, max_channels: int = 8, seed: int = 0) -> None:  # fmt: skip
        super().__init__(in_channels, n_outputs)
        self._check_sizes("minirocket_hydra", length, features, N_KERNELS, kernels, groups)
        dilations, per_dilation = dilation_schedule(length, features, max_dilations)
        hydra = HydraConv(in_channels, length, kernels, groups, max_channels, seed)
        self._assemble(hydra, MiniRocketConv(in_channels, dilations, seed),
                       PPVPool(dilations, per_dilation), kernels, groups, "minirocket")  # fmt: skip

    @property
    def n_pairs(self) -> int:
        return N_KERNELS * len(self.pool.minirocket.dilations)

    def partner_features(self, x: Tensor, mask: Tensor | None) -> Tensor:
        return minirocket_features(self.trunk.minirocket, self.pool.minirocket, x, mask)

    def fit_biases(self, examples: Tensor, mask: Tensor | None, picks: Tensor) -> None:
        """MiniRocket's biases (Hydra has none); see
        :func:`~seqconv.models.minirocket.fit_minirocket_biases`."""
        fit_minirocket_biases(self.trunk.minirocket, self.pool.minirocket, examples, mask,
                              picks)  # fmt: skip


@register("multirocket_hydra")
class MultiRocketHydra(HydraPair):
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

    def __init__(self, in_channels: int = 1, n_outputs: int = 1, length: int = 512,
                 features: int = 50_000, max_dilations: int = 32, kernels: int = 8,
                 groups: int = 64, max_channels: int = 8, seed: int = 0) -> None:  # fmt: skip
        super().__init__(in_channels, n_outputs)
        self._check_sizes("multirocket_hydra", length, features, 8 * N_KERNELS, kernels, groups)
        hydra = HydraConv(in_channels, length, kernels, groups, max_channels, seed)
        wanted = N_KERNELS * (features // (8 * N_KERNELS))
        schedules = [dilation_schedule(n, wanted, max_dilations) for n in (length, length - 1)]
        dilations = [s[0] for s in schedules]
        self._assemble(hydra, MultiRocketConv(in_channels, dilations, seed),
                       MultiRocketPool(dilations, [s[1] for s in schedules]), kernels, groups,
                       "multirocket")  # fmt: skip

    @property
    def n_pairs(self) -> int:
        return N_KERNELS * sum(len(d) for d in self.pool.multirocket.dilations)

    def partner_features(self, x: Tensor, mask: Tensor | None) -> Tensor:
        return multirocket_features(self.trunk.multirocket, self.pool.multirocket, x, mask)

    def fit_biases(self, examples: Tensor, mask: Tensor | None, picks: Tensor) -> None:
        """MultiRocket's biases (Hydra has none); see
        :func:`~seqconv.models.multirocket.fit_multirocket_biases`."""
        fit_multirocket_biases(self.trunk.multirocket, self.pool.multirocket, examples, mask,
                               picks)  # fmt: skip
