"""Profile training data on the device: sequence codes, observed counts and control tracks read
wider than the model's window by ``jitter`` on each side, cropped per batch.

Training crops each row at a random offset (the jitter of bpnet-lite and chromBPNet: the summit
moves within ``± jitter`` of the window's centre) and reverse-complements half of the rows: the
bases complemented and reversed, every profile reversed, and stranded tracks swapped (a plus
strand's reads are the minus strand's of the reverse complement). Prediction crops the centre.

A gathered batch is a :class:`ProfileBatch`; the model sees ``(B, 4 + C, L)``: the one-hot
sequence and ``C`` control tracks as more channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from seqconv.core.profiles import pack_targets
from seqconv.dna.encode import COMPLEMENT_CODE, one_hot_table


@dataclass
class ProfileBatch:
    """Rows of a :class:`ProfileStore`, uncropped, with where each is cropped.

    Attributes
    ----------
    codes
        ``(B, L + 2J)`` uint8 sequence codes.
    counts
        ``(B, T, W + 2J)`` float32 observed counts.
    weight
        ``(B,)`` float32 weight of the profile term (1 peaks, 0 background windows).
    control
        ``(B, C, L + 2J)`` float32 control counts, or ``None``.
    offset
        ``(B,)`` int64 crop start of each row, ``0 .. 2J``.
    """

    codes: torch.Tensor
    counts: torch.Tensor
    weight: torch.Tensor
    control: torch.Tensor | None
    offset: torch.Tensor


class ProfileStore:
    """Profile windows as an input store (:class:`~seqconv.core.stores.InputStore`).

    Parameters
    ----------
    codes
        ``(N, L + 2J)`` uint8: the model's input window and ``J`` more bases on each side.
    counts
        ``(N, T, W + 2J)`` observed counts of the output window (the centre of the input's).
    weight
        ``(N,)`` weight of each row's profile term.
    control
        ``(N, C, L + 2J)`` control counts, or ``None``.
    jitter
        ``J``: training rows move by up to this many bases each way.
    strands, control_strands
        The partner of each track (of each control track) on the other strand (itself when
        unstranded).
    reverse_complement
        Reverse-complement half of the training rows.
    """

    can_reverse_complement = True

    def __init__(
        self,
        codes: np.ndarray,
        counts: np.ndarray,
        weight: np.ndarray,
        control: np.ndarray | None,
        jitter: int,
        strands: Sequence[int],
        control_strands: Sequence[int] = (),
        device: torch.device | str = "cpu",
        reverse_complement: bool = True,
    ) -> None:
        self.device = torch.device(device)
        self.codes = torch.as_tensor(codes, dtype=torch.uint8).to(self.device)
        self.counts = torch.as_tensor(counts, dtype=torch.float32).to(self.device)
        self.weight = torch.as_tensor(weight, dtype=torch.float32).to(self.device)
        self.control = (
            None if control is None
            else torch.as_tensor(control, dtype=torch.float32).to(self.device)
        )  # fmt: skip
        self.jitter = int(jitter)
        self.strands = torch.as_tensor(list(strands), dtype=torch.long, device=self.device)
        self.control_strands = torch.as_tensor(list(control_strands), dtype=torch.long,
                                               device=self.device)  # fmt: skip
        self.rc = bool(reverse_complement)
        self.table = one_hot_table().to(self.device)
        self.complement = torch.as_tensor(COMPLEMENT_CODE, device=self.device)

    def __len__(self) -> int:
        return self.codes.shape[0]

    @property
    def length(self) -> int:
        """The model's input length ``L``."""
        return self.codes.shape[1] - 2 * self.jitter

    @property
    def width(self) -> int:
        """The output window ``W``."""
        return self.counts.shape[-1] - 2 * self.jitter

    def gather(self, index: torch.Tensor) -> ProfileBatch:
        """Rows ``index`` ``(B,)``, cropped at their centre."""
        index = index.to(self.device)
        control = None if self.control is None else self.control[index]
        offset = torch.full((len(index),), self.jitter, dtype=torch.long, device=self.device)
        return ProfileBatch(self.codes[index], self.counts[index], self.weight[index], control,
                            offset)  # fmt: skip

    def augment(self, raw: ProfileBatch, generator: torch.Generator | None) -> ProfileBatch:
        """Random crops within ``± jitter`` and, when asked, reverse complements."""
        batch = raw.codes.shape[0]
        if self.rc:
            flip = torch.rand(batch, device=self.device, generator=generator) < 0.5
            other = self.reverse_complement(raw)
            raw = ProfileBatch(
                torch.where(flip[:, None], other.codes, raw.codes),
                torch.where(flip[:, None, None], other.counts, raw.counts),
                raw.weight,
                None if raw.control is None
                else torch.where(flip[:, None, None], other.control, raw.control),
                raw.offset,
            )  # fmt: skip
        if self.jitter:
            offset = torch.randint(0, 2 * self.jitter + 1, (batch,), device=self.device,
                                   generator=generator)  # fmt: skip
            raw = replace(raw, offset=offset)
        return raw

    def reverse_complement(self, raw: ProfileBatch) -> ProfileBatch:
        """The rows of the other strand: codes complemented and reversed, profiles reversed,
        stranded tracks swapped; each crop mirrored."""
        codes = self.complement[raw.codes.flip(-1).long()]
        counts = raw.counts.flip(-1)[:, self.strands]
        control = None if raw.control is None else raw.control.flip(-1)[:, self.control_strands]
        return ProfileBatch(codes, counts, raw.weight, control, 2 * self.jitter - raw.offset)

    def _crop(self, rows: torch.Tensor, offset: torch.Tensor, width: int) -> torch.Tensor:
        """``width`` bases of ``(B, ..., n)`` rows from each row's ``offset``."""
        if bool((offset == offset[0]).all()):
            start = int(offset[0])
            return rows[..., start : start + width]
        index = offset[:, None] + torch.arange(width, device=rows.device)[None, :]
        if rows.dim() == 3:
            index = index[:, None, :].expand(-1, rows.shape[1], -1)
        return rows.gather(-1, index)

    def encode(self, raw: ProfileBatch) -> torch.Tensor:
        """``(B, 4 + C, L)`` float32: the one-hot window and its control tracks."""
        codes = self._crop(raw.codes, raw.offset, self.length)
        x = torch.nn.functional.embedding(codes.long(), self.table).transpose(1, 2)
        if raw.control is not None:
            x = torch.cat([x, self._crop(raw.control, raw.offset, self.length)], dim=1)
        return x.contiguous()

    def targets_of(self, raw: ProfileBatch) -> torch.Tensor:
        """``(B, T, W + 1)`` packed targets (:func:`seqconv.core.profiles.pack_targets`)."""
        return pack_targets(self._crop(raw.counts, raw.offset, self.width), raw.weight)

    def centre_targets(self) -> torch.Tensor:
        """``(N, T, W + 1)`` packed targets of every row, uncropped by jitter (validation)."""
        j = self.jitter
        return pack_targets(self.counts[..., j : j + self.width], self.weight)
