"""Occlusion maps: how much a model's output drops when a sliding window of the input is hidden.

For every sequence and window start ``s`` (every ``stride`` positions, and always the last start
``L - W`` so that the end is covered), positions ``[s, s + W)`` are replaced by a baseline and the
model output is recomputed; ``delta(s) = output(original) - output(occluded)``. A position's score
is the mean ``delta`` of the windows that cover it, an ``(N, L)`` map: positive where hiding the
bases lowers the output. The output is the same raw (flattened) model output that ISM explains,
so ``occlusion`` and :func:`~seqconv.motifs.attribution.ism_importance` (``-mean`` substitution
effect) share sign and scale.

Baselines:

* ``shuffle`` (default): the same window of ``shuffles`` dinucleotide-shuffled copies of the
  sequence (seeded), averaged. The window keeps the sequence's composition, so the map measures
  the arrangement of the bases rather than the model's reaction to an input it never saw.
* ``zero``: the all-zero one-hot of padding (one pass per window, no randomness).

Occluded copies are built on the device as uint8 codes batch by batch and go through
:func:`seqconv.core.predict.predict`, like ISM's mutants: memory per batch is constant and work
is ``shuffles * (L - W + 1) / stride`` forward passes per sequence (``3 L`` for ISM).

>>> import torch
>>> from seqconv.dna.encode import encode_dna
>>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 1, 3), torch.nn.AdaptiveMaxPool1d(1))
>>> occlusion(model, encode_dna(["ACGTACGTAC"]), window=4, baseline="zero").shape
(1, 10)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from seqconv.core.predict import predict
from seqconv.core.stores import CodesTensor
from seqconv.dna.encode import PAD, one_hot
from seqconv.dna.shuffle import shuffle_codes
from seqconv.errors import InputError
from seqconv.motifs.inputs import PRECISION, FlatOutputs, check_codes, on_device
from seqconv.progress import track
from seqconv.validation import Rule, check_value

BASELINES = ("shuffle", "zero")
# Occluded rows per call of predict: bounds the index arrays and the shuffled copies held at once
# (a few MB). Fixed, not derived from batch_size, so the shuffles (and the map) do not depend on
# the batch size or the device.
_CHUNK_ROWS = 1 << 16


@dataclass(frozen=True)
class OcclusionSettings:
    """Settings of :func:`occlusion` (the ``seqconv attribute`` options of the same names).

    Attributes
    ----------
    window
        Positions hidden at once, ``1..L``.
    stride
        Step between window starts, ``1..window`` (a larger one would leave positions uncovered).
    baseline
        ``"shuffle"`` or ``"zero"``.
    shuffles
        Shuffled copies averaged per window (``shuffle`` only).
    seed
        Seed of the shuffles.
    """

    window: int = 10
    stride: int = 1
    baseline: str = "shuffle"
    shuffles: int = 4
    seed: int = 0

    def checked(self, length: int | None = None) -> OcclusionSettings:
        """These settings checked (and ``length``, the sequences' length, when known).

        Raises
        ------
        InputError
            Naming the option, its value and what is allowed.
        """
        window = check_value("window", self.window, Rule(int, low=1))
        stride = check_value("stride", self.stride, Rule(int, low=1))
        baseline = check_value("baseline", self.baseline, Rule(str, choices=BASELINES))
        shuffles = check_value("shuffles", self.shuffles, Rule(int, low=1))
        seed = check_value("seed", self.seed, Rule(int, low=0))
        if length is not None and window > length:
            raise InputError(
                f"--window {window} is longer than the sequences ({length} positions); "
                f"give a window of 1 to {length}"
            )
        if stride > window:
            raise InputError(
                f"--stride {stride} is longer than --window {window} and would leave positions "
                f"between windows unscored; give a stride of 1 to {window}"
            )
        return OcclusionSettings(window, stride, baseline, shuffles, seed)


def window_starts(length: int, window: int, stride: int) -> np.ndarray:
    """Window starts ``0, stride, ...`` plus ``length - window`` (the end is always covered).

    >>> window_starts(10, 4, 4).tolist()
    [0, 4, 6]
    """
    starts = np.arange(0, length - window + 1, stride)
    if starts[-1] != length - window:
        starts = np.append(starts, length - window)
    return starts


class _Occluded:
    """Occluded copies of a chunk of sequences as an input store for ``predict``: row ``i`` is
    sequence ``seq[i]`` with ``[start[i], start[i] + W)`` taken from ``source[seq[i], sample[i]]``
    (a shuffled copy) or, without a source, set to padding. Rows are built per batch."""

    can_reverse_complement = True

    def __init__(
        self,
        codes: CodesTensor,
        source: torch.Tensor | None,
        rows: tuple[np.ndarray, np.ndarray, np.ndarray],
        window: int,
    ) -> None:
        self.store = codes
        self.device = codes.device
        self.source = source  # (n, shuffles, L) uint8 or None
        self.seq, self.start, self.sample = (torch.as_tensor(r, device=self.device) for r in rows)
        self.window = window
        self.positions = torch.arange(codes.length, device=self.device)

    def __len__(self) -> int:
        return len(self.seq)

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        """``(B,)`` row numbers -> ``(B, L)`` uint8 occluded codes."""
        index = index.to(self.device)
        seq, start = self.seq[index], self.start[index, None]
        inside = (self.positions >= start) & (self.positions < start + self.window)
        if self.source is None:
            replacement = torch.full_like(inside, PAD, dtype=torch.uint8)
        else:
            replacement = self.source[seq, self.sample[index]]
        return torch.where(inside, replacement, self.store.codes[seq])

    def encode(self, codes: torch.Tensor) -> torch.Tensor:
        return self.store.encode(codes)

    def reverse_complement(self, codes: torch.Tensor) -> torch.Tensor:
        return self.store.reverse_complement(codes)


def _spans(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(N,)`` first and one-past-last non-padding position (``0, 0`` for all padding)."""
    real = arr != PAD
    any_real = real.any(1)
    lo = np.where(any_real, real.argmax(1), 0)
    hi = np.where(any_real, arr.shape[1] - real[:, ::-1].argmax(1), 0)
    return lo, hi


def _shuffled(arr: np.ndarray, lo: np.ndarray, hi: np.ndarray, shuffles: int, rng) -> np.ndarray:
    """``(n, shuffles, L)`` dinucleotide-shuffled copies; only each row's span between its first
    and last real base is shuffled, so padding stays where it is."""
    out = np.repeat(arr[:, None], shuffles, axis=1)
    pieces = [arr[i, lo[i] : hi[i]] for i in range(len(arr)) for _ in range(shuffles)]
    for k, piece in enumerate(shuffle_codes(pieces, rng)):
        i, j = divmod(k, shuffles)
        out[i, j, lo[i] : hi[i]] = piece
    return out


def occlusion(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    target: int = 0,
    window: int = 10,
    stride: int = 1,
    baseline: str = "shuffle",
    shuffles: int = 4,
    seed: int = 0,
    batch_size: int = 512,
    device: str | torch.device | None = None,
    rc_average: bool = False,
    show_progress: bool = False,
) -> np.ndarray:
    """Occlusion map: mean output drop of the windows covering each position.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)``.
    codes
        ``(N, L)`` uint8 DNA codes.
    target
        Index of the (flattened) model output to explain.
    window, stride, baseline, shuffles, seed
        See :class:`OcclusionSettings`.
    batch_size
        Occluded copies per forward pass.
    rc_average
        Average each output over both strands (the reference too).

    Returns
    -------
    np.ndarray
        ``(N, L)`` float64: output of the sequence minus the mean output with a window covering
        the position hidden, averaged over those windows; 0 at padding.
    """
    check_codes(codes)
    arr = np.asarray(codes.cpu() if isinstance(codes, torch.Tensor) else codes, dtype=np.uint8)
    n, length = arr.shape
    settings = OcclusionSettings(window, stride, baseline, shuffles, seed).checked(length)
    window, shuffles = settings.window, settings.shuffles if settings.baseline == "shuffle" else 1
    with on_device(model, device) as dev:
        scorer = FlatOutputs(model, target=target)
        reference = predict(
            scorer, CodesTensor(arr, dev), batch_size=batch_size, rc_average=rc_average,
            precision=PRECISION,
        ).double().numpy()  # fmt: skip
        starts = window_starts(length, window, settings.stride)
        lo, hi = _spans(arr)
        rng = np.random.default_rng(settings.seed)
        per_seq = len(starts) * shuffles
        step = max(1, _CHUNK_ROWS // per_seq)
        drops = np.zeros((n, len(starts)))  # (N, windows): mean drop per window
        chunks = ((a, range(a, min(a + step, n))) for a in range(0, n, step))
        for first, chunk in track(chunks, n, "occlusion", show_progress):
            part = arr[first : chunk.stop]
            c_lo, c_hi = lo[first : chunk.stop], hi[first : chunk.stop]
            seq, win, sample = (g.ravel() for g in np.meshgrid(
                np.arange(len(part)), np.arange(len(starts)), np.arange(shuffles), indexing="ij"
            ))  # fmt: skip
            # A window that lies wholly in padding changes nothing: its drop stays 0, unscored.
            keep = (starts[win] < c_hi[seq]) & (starts[win] + window > c_lo[seq])
            seq, win, sample = seq[keep], win[keep], sample[keep]
            if len(seq) == 0:
                continue
            source = None
            if settings.baseline == "shuffle":
                source = torch.as_tensor(_shuffled(part, c_lo, c_hi, shuffles, rng), device=dev)
            store = _Occluded(CodesTensor(part, dev), source, (seq, starts[win], sample), window)
            values = (
                predict(
                    scorer, store, batch_size=batch_size, rc_average=rc_average, precision=PRECISION
                )
                .double()
                .numpy()
            )
            np.add.at(drops, (first + seq, win), (reference[first + seq] - values) / shuffles)
        return _per_position(drops, starts, window, arr)


def _per_position(
    drops: np.ndarray, starts: np.ndarray, window: int, codes: np.ndarray
) -> np.ndarray:
    """``(N, windows)`` drops -> ``(N, L)`` mean over the windows covering each position."""
    n, length = codes.shape
    # Difference arrays: +drop at a window's start, -drop one past its end, then a running sum.
    total = np.zeros((n, length + 1))
    np.add.at(total.T, starts, drops.T)
    np.add.at(total.T, starts + window, -drops.T)
    covering = np.zeros(length + 1)
    np.add.at(covering, starts, 1)
    np.add.at(covering, starts + window, -1)
    mean = np.cumsum(total, axis=1)[:, :length] / np.cumsum(covering)[:length]
    return np.where(codes == PAD, 0.0, mean)


def occlusion_importance(occlusion_map: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Occlusion scores as observed-base heights for logos.

    Parameters
    ----------
    occlusion_map
        ``(N, L)`` from :func:`occlusion`.
    codes
        ``(N, L)`` codes of the same sequences.

    Returns
    -------
    np.ndarray
        ``(N, 4, L)``: the score at the observed A/C/G/T base, spread evenly over the bases of
        an ambiguous one (``N``: a quarter each), 0 at padding.
    """
    x = one_hot(np.asarray(codes, dtype=np.uint8), n_policy="uniform").numpy()
    return x * occlusion_map[:, None, :]
