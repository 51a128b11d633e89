"""Exact dependency footprints of translation-equivariant 1D layers.

A footprint says, for every position ``i`` of a tensor's length axis, which input positions it can
depend on: the set ``D(i)`` in input coordinates (no boundary: positions below 0 or past the end
are padding). Convolutions, pools, paddings and crops are equivariant up to a period ``P``:
``D(i + P) = D(i) + P * jump``, so ``P`` sets (``D(0) .. D(P-1)``) describe every position.
``P`` is 1 unless a transposed convolution (``jump < 1``) or a mix of strides makes neighbouring
outputs see differently shaped windows.

Sets, not intervals, are propagated, so dilation holes and unions of branches stay exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

import numpy as np

from seqconv.errors import SeqconvError

_MAX_PERIOD = 4096


class Footprint:
    """The input positions each position of a tensor depends on, as ``P`` phase sets and a jump."""

    __slots__ = ("jump", "period", "phases")

    def __init__(self, jump: Fraction, period: int, phases: Sequence[np.ndarray]) -> None:
        self.jump = Fraction(jump)
        self.period = int(period)
        self.phases = tuple(phases)
        if (self.jump * self.period).denominator != 1:
            raise AssertionError("period * jump must be an integer")

    @classmethod
    def identity(cls) -> Footprint:
        """The input itself: position ``i`` depends on input position ``i``."""
        return cls(Fraction(1), 1, (np.zeros(1, dtype=np.int64),))

    @property
    def shift(self) -> int:
        """How far ``D`` moves when the position moves by one period."""
        return int(self.jump * self.period)

    def at(self, i: int) -> np.ndarray:
        """``D(i)``: sorted input positions that position ``i`` depends on."""
        q, r = divmod(int(i), self.period)
        return self.phases[r] + q * self.shift

    def union_at(self, positions: np.ndarray) -> np.ndarray:
        """``union of D(i)`` over ``positions``, sorted and unique."""
        positions = np.asarray(positions, dtype=np.int64)
        q, r = np.divmod(positions, self.period)
        parts = []
        for phase in np.unique(r):
            base = self.phases[phase]
            if base.size:
                offsets = q[r == phase] * self.shift
                parts.append((offsets[:, None] + base[None, :]).ravel())
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(parts))

    def canonical(self) -> Footprint:
        """The same footprint with the smallest period that describes it."""
        p = self.period
        for q in range(1, p):
            if p % q or (q * self.jump).denominator != 1:
                continue
            step = int(q * self.jump)
            if all(np.array_equal(self.phases[r + q], self.phases[r] + step) for r in range(p - q)):
                return Footprint(self.jump, q, self.phases[:q])
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Footprint):
            return NotImplemented
        a, b = self.canonical(), other.canonical()
        return (
            a.jump == b.jump
            and a.period == b.period
            and all(np.array_equal(x, y) for x, y in zip(a.phases, b.phases, strict=True))
        )

    __hash__ = None  # type: ignore[assignment]

    def summary(self) -> tuple[int, Fraction]:
        """``(size, offset)``: the widest span of one position's window and where windows start.

        ``offset = min over i of (first input of D(i)) - i * jump``; with a period of 1 position
        ``i`` sees exactly the span ``[offset + i*jump, offset + i*jump + size - 1]``.
        """
        starts, sizes = [], []
        for r, phase in enumerate(self.phases):
            if phase.size:
                starts.append(phase[0] - r * self.jump)
                sizes.append(int(phase[-1] - phase[0]) + 1)
        if not sizes:
            return 0, Fraction(0)
        return max(sizes), Fraction(min(starts))

    def reach(self) -> Fraction:
        """``max over i of (last input of D(i)) - i * jump``: output ``i`` sees nothing past
        ``reach + i*jump``. Equals ``offset + size - 1`` when all windows have one shape; with
        windows that shift with the phase (pooling grids, transposed convolutions) it can be
        larger."""
        ends = [phase[-1] - r * self.jump for r, phase in enumerate(self.phases) if phase.size]
        return Fraction(max(ends)) if ends else Fraction(0)

    def __repr__(self) -> str:
        size, offset = self.summary()
        return f"Footprint(size={size}, jump={self.jump}, offset={offset}, period={self.period})"


def _check_period(period: int, op: str) -> int:
    if period > _MAX_PERIOD:
        raise SeqconvError(
            f"{op}: the pattern of windows repeats only every {period} positions "
            f"(more than {_MAX_PERIOD}); this mix of strides is not supported"
        )
    return period


def strided(fp: Footprint, kernel: int, stride: int, dilation: int, left: int) -> Footprint:
    """Output ``i`` reads inputs ``i*stride - left + k*dilation`` for ``k < kernel``.

    Covers convolutions and pools (``left`` = their left padding), padding (``kernel=1,
    stride=1, left=pad``) and crops/slices (``left=-start``, ``stride=step``).
    """
    period = _check_period(fp.period // math.gcd(fp.period, stride), "strided layer")
    taps = dilation * np.arange(kernel, dtype=np.int64) - left
    phases = [fp.union_at(i * stride + taps) for i in range(period)]
    return Footprint(fp.jump * stride, period, phases).canonical()


def transposed(fp: Footprint, kernel: int, stride: int, dilation: int, padding: int) -> Footprint:
    """Transposed convolution: output ``o`` reads inputs ``x`` with ``x*stride - padding +
    k*dilation == o`` (some outputs read none when ``stride > (kernel-1)*dilation + 1``)."""
    period = _check_period(fp.period * stride, "transposed convolution")
    taps = dilation * np.arange(kernel, dtype=np.int64)
    phases = []
    for o in range(period):
        t = o + padding - taps
        phases.append(fp.union_at(t[t % stride == 0] // stride))
    return Footprint(fp.jump / stride, period, phases).canonical()


def union(fps: Iterable[Footprint], op: str = "join") -> Footprint:
    """Position-wise union of footprints at the same resolution (residual adds, concatenation)."""
    fps = list(fps)
    jumps = {fp.jump for fp in fps}
    if len(jumps) > 1:
        shown = ", ".join(str(j) for j in sorted(jumps))
        raise SeqconvError(
            f"{op} combines tensors at different resolutions (input steps {shown} per position); "
            "their positions do not line up"
        )
    period = _check_period(math.lcm(*(fp.period for fp in fps)), op)
    phases = [np.unique(np.concatenate([fp.at(r) for fp in fps])) for r in range(period)]
    return Footprint(fps[0].jump, period, phases).canonical()
