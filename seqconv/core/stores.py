"""Device-resident training data: uint8 codes gathered and one-hot encoded per batch on the device.

Keeping codes (one byte per base) on the training device and encoding each batch there with a lookup
table removes the input pipeline from the hot loop: no per-sample Python, no DataLoader workers,
and 16x less memory than a float one-hot tensor. Augmentation (reverse complement, small shifts)
works on codes, so it costs one gather per batch.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from seqconv.dna.encode import COMPLEMENT_CODE, PAD, one_hot_table
from seqconv.resources import available_memory


@dataclass
class Augment:
    """Training-time augmentation of DNA codes.

    Attributes
    ----------
    reverse_complement
        Replace each sequence by its reverse complement with probability 0.5.
    max_shift
        Shift each sequence by a random number of bases in ``[-max_shift, max_shift]``, filling
        with padding (the labels are assumed not to depend on a few bases at the edges).
    """

    reverse_complement: bool = True
    max_shift: int = 3


class InputStore(Protocol):
    """Training inputs kept in a compact form and turned into ``(B, C, L)`` batches on demand."""

    device: torch.device
    can_reverse_complement: bool

    def __len__(self) -> int: ...

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        """The stored rows ``index`` ``(B,)``, on the device."""
        ...

    def augment(self, raw: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Training-time augmentation of gathered rows."""
        ...

    def encode(self, raw: torch.Tensor) -> torch.Tensor:
        """Gathered rows to the model's ``(B, C, L)`` float input."""
        ...

    def reverse_complement(self, raw: torch.Tensor) -> torch.Tensor:
        """Gathered rows of the opposite strand (only when ``can_reverse_complement``)."""
        ...


class CodesTensor:
    """Sequences as ``(N, L)`` uint8 codes on a device, with batch-wise one-hot encoding.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 codes.
    augmentation
        What :meth:`augment` does to a training batch.
    device
        Where batches are encoded and returned. The codes are moved there when ``resident`` is
        true; otherwise they stay in host memory (or the store's file they are mapped from) and
        each batch is gathered there and copied over through pinned memory.
    resident
        ``None`` decides by size: resident unless the codes would take over half the device's free
        memory.
    """

    can_reverse_complement = True

    def __init__(
        self,
        codes: np.ndarray | torch.Tensor,
        device: torch.device | str = "cpu",
        augmentation: Augment | None = None,
        resident: bool | None = None,
    ) -> None:
        codes = torch.as_tensor(codes, dtype=torch.uint8)
        self.augmentation = augmentation or Augment(reverse_complement=False, max_shift=0)
        self.device = torch.device(device)
        if resident is None:
            resident = self.device.type != "cuda" or _fits_on(self.device, codes.numel())
        # not resident: the codes stay where they are (in memory, or mapped from a store's
        # file) and each batch is gathered there and copied over
        self.codes = codes.to(self.device) if resident else codes
        self.table = one_hot_table().to(self.device)
        self.complement = torch.as_tensor(COMPLEMENT_CODE, device=self.device)

    def __len__(self) -> int:
        return self.codes.shape[0]

    @property
    def length(self) -> int:
        return self.codes.shape[1]

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        """Codes of the given rows on the device. ``index`` ``(B,)`` -> ``(B, L)`` uint8."""
        if self.codes.device == self.device:
            return self.codes[index.to(self.device)]
        batch = self.codes[index.cpu()]
        if self.device.type == "cuda":
            batch = batch.pin_memory()
        return batch.to(self.device, non_blocking=True)

    def encode(self, codes: torch.Tensor) -> torch.Tensor:
        """One-hot encode a batch on the device. ``(B, L)`` uint8 -> ``(B, 4, L)`` float32."""
        return torch.nn.functional.embedding(codes.long(), self.table).transpose(1, 2).contiguous()

    def reverse_complement(self, codes: torch.Tensor) -> torch.Tensor:
        """``(B, L)`` codes -> their reverse complements."""
        return self.complement[codes.flip(-1).long()]

    def augment(self, codes: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Randomly reverse-complement and shift a batch of codes ``(B, L)``."""
        augment = self.augmentation
        batch, length = codes.shape
        if augment.reverse_complement:
            flip = torch.rand(batch, device=self.device, generator=generator) < 0.5
            codes = torch.where(flip[:, None], self.reverse_complement(codes), codes)
        if augment.max_shift > 0:
            shift = torch.randint(
                -augment.max_shift,
                augment.max_shift + 1,
                (batch, 1),
                device=self.device,
                generator=generator,
            )
            source = torch.arange(length, device=self.device)[None, :] - shift
            inside = (source >= 0) & (source < length)
            shifted = codes.gather(1, source.clamp(0, length - 1))
            codes = torch.where(inside, shifted, torch.full_like(shifted, PAD))
        return codes


class SegmentCodes(CodesTensor):
    """Codes with per-position labels that move with them: a reverse-complemented or shifted
    training sequence keeps its labels on the right bases.

    A raw batch is ``(B, 1 + K, L)`` uint8: the codes, then ``K`` rows of 0/1 labels.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 codes.
    labels
        ``(N, K, L)`` uint8 0/1 labels.
    """

    def __init__(
        self,
        codes: np.ndarray,
        labels: np.ndarray,
        device: torch.device | str = "cpu",
        augmentation: Augment | None = None,
    ) -> None:
        stacked = np.concatenate([np.asarray(codes, np.uint8)[:, None], labels], axis=1)
        super().__init__(stacked, device, augmentation)

    @property
    def length(self) -> int:
        return self.codes.shape[-1]

    def encode(self, raw: torch.Tensor) -> torch.Tensor:
        """``(B, 1 + K, L)`` raw batch -> ``(B, 4, L)`` one-hot of its codes."""
        return super().encode(raw[:, 0])

    def reverse_complement(self, raw: torch.Tensor) -> torch.Tensor:
        """Both strands' coordinates: codes reverse-complemented, labels reversed."""
        return torch.cat([super().reverse_complement(raw[:, 0])[:, None], raw[:, 1:].flip(-1)], 1)

    def targets_of(self, raw: torch.Tensor) -> torch.Tensor:
        """``(B, K, L)`` float labels of a (possibly augmented) raw batch."""
        return raw[:, 1:].float()

    def augment(self, raw: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Randomly reverse-complement and shift codes and labels together."""
        augment = self.augmentation
        batch, _, length = raw.shape
        if augment.reverse_complement:
            flip = torch.rand(batch, device=self.device, generator=generator) < 0.5
            raw = torch.where(flip[:, None, None], self.reverse_complement(raw), raw)
        if augment.max_shift > 0:
            shift = torch.randint(-augment.max_shift, augment.max_shift + 1, (batch, 1),
                                  device=self.device, generator=generator)  # fmt: skip
            source = torch.arange(length, device=self.device)[None, :] - shift
            inside = ((source >= 0) & (source < length))[:, None, :]
            index = source.clamp(0, length - 1)[:, None, :].expand_as(raw)
            shifted = raw.gather(2, index)
            fill = torch.zeros_like(shifted)
            fill[:, 0] = PAD
            raw = torch.where(inside, shifted, fill)
        return raw


def _fits_on(device: torch.device, n_bytes: int) -> bool:
    free, _ = torch.cuda.mem_get_info(device)
    return n_bytes < free // 2


def batch_indices(
    indices: np.ndarray,
    batch_size: int,
    shuffle: bool,
    generator: torch.Generator | None = None,
    drop_last: bool = False,
    no_lone_row: bool = False,
) -> Iterator[torch.Tensor]:
    """Yield ``(B,)`` int64 index batches over ``indices``, shuffled with ``generator`` if asked.

    ``no_lone_row``: a last batch of one row joins the batch before it (training: batch norm
    cannot normalise one row, and one row's gradient is a noisy step), which then holds
    ``batch_size + 1`` rows.
    """
    index = torch.as_tensor(indices, dtype=torch.long)
    if shuffle:
        index = index[torch.randperm(index.numel(), generator=generator)]
    stop = index.numel() - (index.numel() % batch_size if drop_last else 0)
    starts = list(range(0, stop, batch_size))
    if no_lone_row and len(starts) > 1 and stop - starts[-1] == 1:
        starts.pop()
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else stop
        yield index[start:end]


class TensorStore:
    """Ready model inputs ``(N, C, L)`` (a tensor or array), sent to ``device`` batch by batch."""

    can_reverse_complement = False

    def __init__(self, x: torch.Tensor | np.ndarray, device: torch.device | str = "cpu") -> None:
        self.x = torch.as_tensor(x)
        self.device = torch.device(device)

    def __len__(self) -> int:
        return self.x.shape[0]

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        return self.x[index.to(self.x.device)].to(self.device, non_blocking=True)

    def augment(self, raw: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return raw

    def encode(self, raw: torch.Tensor) -> torch.Tensor:
        return raw if raw.is_floating_point() else raw.float()

    def reverse_complement(self, raw: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("plain tensors carry no strand")


SCORED_ROWS = 200_000
"""Held-out rows scored at most: validation at each interval, the test metrics, the calibration
fit; larger sets are sampled (a score on 200,000 rows moves by well under 0.01)."""


def scored_rows(
    index: np.ndarray, seed: int, what: str, note: Callable[[str], None] | None = None
) -> np.ndarray:
    """``index``, or a seeded sample of :data:`SCORED_ROWS` of it (sorted, so that reads from a
    store stay in file order), announced through ``note``."""
    index = np.asarray(index)
    if len(index) <= SCORED_ROWS:
        return index
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(index, SCORED_ROWS, replace=False))
    if note is not None:
        note(f"{what} on {SCORED_ROWS:,} of the {len(index):,} sequences (a seeded sample; the "
             "score moves by well under 0.01)")  # fmt: skip
    return chosen


def read_ahead(codes: np.ndarray, note: Callable[[str], None] | None = None) -> bool:
    """Ready memory-mapped ``codes`` for training: when they fit in memory (half of what is
    available), ask the kernel to read the whole file ahead, so that random batches hit memory
    rather than the disk; otherwise say that batches come by blocks. Whether they fit.

    Without it the first random batches wait for the disk, a read per row; data larger than
    memory would wait all along, hence the blocks (:mod:`seqconv.train.sampler`).
    """
    handle = getattr(codes, "_mmap", None)
    if handle is None:  # in memory already
        return True
    free = available_memory()
    fits = free is None or codes.nbytes < free // 2
    if fits and hasattr(mmap, "MADV_WILLNEED"):
        handle.madvise(mmap.MADV_WILLNEED)
    elif not fits and note is not None:
        note(
            f"the sequences ({codes.nbytes / 1e9:.1f} GB) exceed half the memory available "
            f"({free / 1e9:.1f} GB): batches are shuffled by blocks of the store's file"
        )
    return fits
