"""Values to discrete levels and one-hot ``(N, Q, L)``: mu-law companding.

The WaveNet input (van den Oord et al. 2016) is the mu-law companded signal quantised to ``Q``
levels, one-hot; its output is a softmax over the same levels, turned back into values by
:meth:`MuLaw.decode`. Like DNA, levels are stored compactly (``int16``, ``-1`` for padding or a
missing value) and made one-hot on the device where the batch is (:func:`levels_one_hot`).

:class:`MuLaw` is fitted on training data only and round-trips through a JSON-ready dict::

    {"kind": "mulaw", "mu": 255.0, "levels": 256, "scale": [3.9]}

Examples
--------
>>> import numpy as np
>>> from seqconv.series.quantize import MuLaw
>>> x = np.array([[[-1.0, 0.0, 0.5, 1.0]]], dtype=np.float32)
>>> q = MuLaw.fit(x)
>>> q.encode(x).tolist()
[[[0, 128, 239, 255]]]
>>> bool(np.abs(q.decode(q.encode(x)) - x).max() < 0.02)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from seqconv.errors import InputError

PAD_LEVEL = -1
"""The level of a padded or missing step: an all-zero one-hot column."""


def _channel_abs_max(values: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if mask is not None:
        values = np.where(np.asarray(mask, dtype=bool)[:, None, :], values, np.nan)
    finite = np.where(np.isfinite(values), np.abs(values), -np.inf).max(axis=(0, 2))
    return np.where(np.isfinite(finite) & (finite > 0), finite, 1.0)


@dataclass
class MuLaw:
    """Mu-law companding with quantisation to ``levels`` steps.

    ``x`` is scaled by ``scale`` (the largest absolute training value per channel) into
    ``[-1, 1]`` (values beyond are clipped), companded to ``y = sign(x) ln(1 + mu|x|) / ln(1 + mu)``
    and ``y`` quantised to ``round((y + 1) / 2 * (levels - 1))``.

    Attributes
    ----------
    mu
        Compression (255: the WaveNet and G.711 value).
    levels
        Number of levels ``Q`` (WaveNet: ``mu + 1 = 256``), at most 32767.
    scale
        ``(C,)`` float64 per-channel scale.
    """

    mu: float = 255.0
    levels: int = 256
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not (self.mu > 0 and 2 <= self.levels <= 32767):
            raise InputError(
                f"mu-law needs mu > 0 and 2..32767 levels (got {self.mu}, {self.levels})"
            )
        if self.scale is not None:
            self.scale = np.asarray(self.scale, dtype=np.float64).reshape(-1)

    @classmethod
    def fit(
        cls,
        values: np.ndarray,
        mu: float = 255.0,
        levels: int = 256,
        mask: np.ndarray | None = None,
    ) -> MuLaw:
        """Fit the per-channel scale on ``(N, C, L)`` training values (``mask``: steps to use)."""
        return cls(mu, levels, _channel_abs_max(values, mask))

    def _scale(self, c: int) -> np.ndarray:
        if self.scale is None:
            raise InputError("the mu-law quantiser is not fitted: use MuLaw.fit on training data")
        if len(self.scale) != c:
            raise InputError(f"the quantiser was fitted on {len(self.scale)} channels, not {c}")
        return self.scale.reshape(1, c, 1)

    def compand(self, x: np.ndarray) -> np.ndarray:
        """``[-1, 1] → [-1, 1]``, mu-law."""
        x = np.clip(x, -1.0, 1.0)
        return np.sign(x) * np.log1p(self.mu * np.abs(x)) / np.log1p(self.mu)

    def expand(self, y: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`compand`."""
        y = np.clip(y, -1.0, 1.0)
        return np.sign(y) * np.expm1(np.abs(y) * np.log1p(self.mu)) / self.mu

    def level_values(self, levels: np.ndarray) -> np.ndarray:
        """The companded value ``y`` of each level (continuous levels allowed)."""
        return 2.0 * np.asarray(levels, dtype=np.float64) / (self.levels - 1) - 1.0

    def encode(self, values: np.ndarray) -> np.ndarray:
        """``(N, C, L)`` values → ``(N, C, L)`` int16 levels; ``NaN`` (missing/padding) → -1."""
        values = np.asarray(values, dtype=np.float64)
        y = self.compand(values / self._scale(values.shape[1]))
        levels = np.rint((y + 1.0) / 2.0 * (self.levels - 1))
        return np.where(np.isnan(values), PAD_LEVEL, levels).astype(np.int16)

    def decode(self, levels: np.ndarray) -> np.ndarray:
        """``(N, C, L)`` levels (or expected levels, float) → float32 values; -1 → ``NaN``."""
        levels = np.asarray(levels)
        out = self.expand(self.level_values(levels)) * self._scale(levels.shape[1])
        return np.where(levels == PAD_LEVEL, np.nan, out).astype(np.float32)

    def to_dict(self) -> dict:
        """JSON-ready state."""
        return {
            "kind": "mulaw",
            "mu": float(self.mu),
            "levels": int(self.levels),
            "scale": None if self.scale is None else [float(s) for s in self.scale],
        }

    @classmethod
    def from_dict(cls, state: dict) -> MuLaw:
        return cls(float(state["mu"]), int(state["levels"]), state.get("scale"))


def levels_one_hot(levels: np.ndarray | torch.Tensor, n_levels: int) -> torch.Tensor:
    """One-hot levels on the device they are on.

    Parameters
    ----------
    levels
        ``(N, C, L)`` or ``(N, L)`` integer levels; ``-1`` (padding, missing) gives a zero column.
    n_levels
        ``Q``.

    Returns
    -------
    torch.Tensor
        ``(N, C * Q, L)`` float32: channel ``c`` occupies rows ``c * Q`` to ``(c + 1) * Q - 1``.
    """
    codes = torch.as_tensor(levels)
    if codes.dim() == 2:
        codes = codes.unsqueeze(1)
    n, c, length = codes.shape
    codes = codes.long()
    if codes.numel() and (codes.max() >= n_levels or codes.min() < PAD_LEVEL):
        raise InputError(f"levels must lie in 0..{n_levels - 1} (or -1 for padding)")
    table = torch.cat([torch.zeros(1, n_levels), torch.eye(n_levels)]).to(codes.device)
    out = torch.nn.functional.embedding(codes + 1, table)  # (N, C, L, Q)
    return out.permute(0, 1, 3, 2).reshape(n, c * n_levels, length)


__all__ = ["PAD_LEVEL", "MuLaw", "levels_one_hot"]
