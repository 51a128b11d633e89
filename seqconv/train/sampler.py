"""The order of training rows: a function of the seed and the epoch alone, so that a run stopped
at any batch continues with exactly the batches it would have seen.

Small data are shuffled whole each epoch. Data larger than the memory they can be cached in are
shuffled by blocks: blocks of consecutive rows in random order, pooled a few at a time and
shuffled within the pool, so that reads from the store stay within a few regions of the file
while each batch still mixes rows from all over it.

>>> sampler = EpochSampler(np.arange(9), batch_size=4, seed=0)
>>> [b.tolist() for b in sampler.batches(1)] == [b.tolist() for b in sampler.batches(1)]
True
>>> [len(b) for b in sampler.batches(1)]  # a last batch of one row never trains alone
[4, 5]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np
import torch

from seqconv.core.stores import batch_indices

BLOCK_ROWS = 4096
"""Consecutive rows read together when shuffling by blocks."""
POOL_BLOCKS = 16
"""Blocks pooled and shuffled together: each batch mixes rows of this many places in the file."""


@dataclass
class Position:
    """Where training stands: ``epoch`` (from 1), batches done in it, and optimizer ``step``
    since the run began."""

    epoch: int = 1
    batch: int = 0
    step: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "batch": self.batch, "step": self.step}


class EpochSampler:
    """Batches of training rows for each epoch.

    Parameters
    ----------
    index
        ``(M,)`` the training rows.
    batch_size
        Rows per batch (a last batch of one row joins the batch before it).
    seed
        With the epoch, the only source of the order.
    rank, world_size
        This process's share under ``torchrun``: every rank draws the same order and takes every
        ``world_size``-th row, the remainder dropped so that all run the same number of steps.
    blocks
        Shuffle by blocks (data larger than memory).
    """

    def __init__(
        self,
        index: np.ndarray,
        batch_size: int,
        seed: int,
        rank: int = 0,
        world_size: int = 1,
        blocks: bool = False,
    ) -> None:
        self.index = np.asarray(index)
        self.batch_size, self.seed, self.blocks = batch_size, seed, blocks
        self.rank, self.world_size = rank, world_size
        self.per_rank = len(self.index) // world_size

    @property
    def n_batches(self) -> int:
        """Batches per epoch of this rank."""
        count = -(-self.per_rank // self.batch_size)
        last = self.per_rank - (count - 1) * self.batch_size
        return count - 1 if last == 1 and count > 1 else count  # a lone row joins the batch before

    def order(self, epoch: int) -> np.ndarray:
        """``(per_rank,)`` this rank's rows in the order of ``epoch``."""
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        n = len(self.index)
        if self.blocks and n > BLOCK_ROWS * POOL_BLOCKS:
            positions = _block_order(n, generator)
        else:
            positions = torch.randperm(n, generator=generator).numpy()
        rows = self.index[positions]
        return rows[self.rank :: self.world_size][: self.per_rank]

    def batches(self, epoch: int, start: int = 0) -> Iterator[torch.Tensor]:
        """The batches of ``epoch`` from batch ``start`` on, as ``(B,)`` int64 row tensors."""
        batches = batch_indices(self.order(epoch), self.batch_size, False, no_lone_row=True)
        yield from islice(batches, start, None)


def _block_order(n: int, generator: torch.Generator) -> np.ndarray:
    """Positions ``0..n-1`` shuffled by blocks (see the module docstring)."""
    n_blocks = -(-n // BLOCK_ROWS)
    blocks = torch.randperm(n_blocks, generator=generator).numpy()
    out = []
    for first in range(0, n_blocks, POOL_BLOCKS):
        chosen = blocks[first : first + POOL_BLOCKS]
        pool = np.concatenate(
            [np.arange(b * BLOCK_ROWS, min((b + 1) * BLOCK_ROWS, n)) for b in chosen]
        )
        out.append(pool[torch.randperm(len(pool), generator=generator).numpy()])
    return np.concatenate(out)
