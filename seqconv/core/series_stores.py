"""Time series on the training device, batched for :func:`seqconv.train.loop.fit`.

Both stores follow the :class:`~seqconv.core.stores.InputStore` protocol: the data live on the
device as one tensor, a batch is one gather, and nothing is reverse complemented.

* :class:`SeriesTensor` — whole series ``(N, C, L)`` (classification, regression), optionally with
  the padding mask appended as a last channel (see :mod:`seqconv.models.masking`).
* :class:`SegmentSeries` — whole series with a 0/1 label per step (``--task segment``).
* :class:`WindowTensor` — forecasting windows cut on the fly from the encoded series ``(N, C, L)``
  (values), or from mu-law levels ``(N, L)`` made one-hot per batch (the WaveNet input).
"""

from __future__ import annotations

import numpy as np
import torch

from seqconv.series.quantize import levels_one_hot


class SeriesTensor:
    """Dense series ``(N, C, L)`` float32 on a device.

    Parameters
    ----------
    x
        ``(N, C, L)`` encoded (normalised, filled, padded) series.
    mask
        ``(N, L)`` bool, True on real steps; when given, batches are ``(B, C + 1, L)`` with the
        mask as the last channel (for a model with :func:`~seqconv.models.masking.enable_masks`).
    device
        Where the data and the batches live.
    """

    can_reverse_complement = False

    def __init__(
        self,
        x: np.ndarray | torch.Tensor,
        mask: np.ndarray | torch.Tensor | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        self.device = torch.device(device)
        data = torch.as_tensor(np.asarray(x), dtype=torch.float32)
        if mask is not None:
            m = torch.as_tensor(np.asarray(mask), dtype=torch.float32).unsqueeze(1)
            data = torch.cat([data * m, m], dim=1)
        self.data = data.to(self.device)

    def __len__(self) -> int:
        return self.data.shape[0]

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        return self.data[index.to(self.device)]

    def augment(self, raw: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return raw

    def encode(self, raw: torch.Tensor) -> torch.Tensor:
        return raw

    def reverse_complement(self, raw: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("time series have no reverse complement")


class SegmentSeries(SeriesTensor):
    """Dense series with a 0/1 label per step (``--task segment``), kept in one tensor so that
    a batch is one gather; series are not augmented, so the labels stay where they are.

    A raw batch is ``(B, C + 1 + K, L)``: the channels, the mask, then ``K`` rows of labels.

    Parameters
    ----------
    x, mask
        As for :class:`SeriesTensor` (the mask is required: padded steps are not series steps).
    labels
        ``(N, K, L)`` 0/1 labels, 0 on padding.
    """

    def __init__(
        self,
        x: np.ndarray,
        mask: np.ndarray,
        labels: np.ndarray,
        device: torch.device | str = "cpu",
    ) -> None:
        super().__init__(x, mask, device)
        self.n_inputs = self.data.shape[1]
        y = torch.as_tensor(np.asarray(labels), dtype=torch.float32).to(self.device)
        self.data = torch.cat([self.data, y], dim=1)

    def encode(self, raw: torch.Tensor) -> torch.Tensor:
        """``(B, C + 1 + K, L)`` -> the model's ``(B, C + 1, L)`` input (channels and mask)."""
        return raw[:, : self.n_inputs]

    def targets_of(self, raw: torch.Tensor) -> torch.Tensor:
        """``(B, K, L)`` labels of a raw batch."""
        return raw[:, self.n_inputs :]


class WindowTensor:
    """Forecasting windows over series kept whole on the device.

    Parameters
    ----------
    series
        ``(N, C, L)`` float32 encoded values, or ``(N, L)`` integer levels when ``levels`` is set.
    rows, starts
        ``(M,)`` the series and first step of each window.
    window
        Input steps per window.
    levels
        ``Q``: batches are one-hot ``(B, Q, window)`` levels; ``None``: values ``(B, C, window)``.
    device
        Where the data and the batches live.
    """

    can_reverse_complement = False

    def __init__(
        self,
        series: np.ndarray | torch.Tensor,
        rows: np.ndarray,
        starts: np.ndarray,
        window: int,
        levels: int | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        self.device = torch.device(device)
        dtype = torch.int64 if levels else torch.float32
        self.series = torch.as_tensor(np.asarray(series), dtype=dtype).to(self.device)
        self.rows = torch.as_tensor(np.asarray(rows), dtype=torch.long, device=self.device)
        self.starts = torch.as_tensor(np.asarray(starts), dtype=torch.long, device=self.device)
        self.window, self.levels = int(window), levels
        self.offsets = torch.arange(self.window, device=self.device)

    def __len__(self) -> int:
        return self.rows.shape[0]

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        index = index.to(self.device)
        steps = self.starts[index, None] + self.offsets[None, :]  # (B, W)
        rows = self.rows[index, None]
        if self.levels:
            return self.series[rows, steps]  # (B, W) levels
        return self.series.transpose(1, 2)[rows, steps].transpose(1, 2)  # (B, C, W)

    def augment(self, raw: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return raw

    def encode(self, raw: torch.Tensor) -> torch.Tensor:
        if self.levels:
            return levels_one_hot(raw, self.levels)
        return raw.contiguous()

    def reverse_complement(self, raw: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("time series have no reverse complement")
