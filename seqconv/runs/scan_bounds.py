"""What a scan will cost, checked before it starts: a ``--stride`` that would take days or fill
the disk stops at once with the estimate and a stride that fits, instead of running for days.

The time is estimated from the bins to score and the windows per second this model reaches here
(one timed batch after a warm-up); the output from the bins and the bytes a bin takes in the
track's format.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

import numpy as np

from seqconv.dna.genome import Genome
from seqconv.errors import InputError
from seqconv.progress import size_text
from seqconv.runs.dna_run import DnaRun

MAX_SECONDS = 24 * 3600.0
"""A scan estimated to take longer is refused (a day: a hang, to whoever waits for it)."""
PROBED_ABOVE = 10_000
"""Scans of fewer bins start without timing the model (they take minutes at most)."""
_NICE = (1, 2, 5)


def check_scan(
    run: DnaRun,
    genome: Genome,
    bins: int,
    stride: int,
    paths: dict[str, Path],
    batch_size: int,
) -> list[str]:
    """Refuse a scan that would not fit the disk or a day; return notes on what it does.

    Parameters
    ----------
    bins
        Bins to score.
    paths
        Target name to track file.

    Raises
    ------
    InputError
        The tracks would need more space than their folders have free, or the scan more than
        :data:`MAX_SECONDS`; the message gives the estimate and a ``--stride`` that fits.
    """
    notes = []
    if stride > run.length:
        notes.append(
            f"--stride {stride:,} is wider than the model's {run.length} bp window: each bin is "
            f"scored from the {run.length} bp at its centre only; a stride of at most "
            f"{run.length} covers every base"
        )
    _check_space(genome, bins, stride, paths)
    if bins > PROBED_ABOVE:
        rate = windows_per_second(run, min(batch_size, bins))
        seconds = bins / rate
        if seconds > MAX_SECONDS:
            fits = _stride_that_fits(stride, seconds, MAX_SECONDS / 2)
            raise InputError(
                f"--stride {stride:,}: {bins:,} bins would take {duration(seconds)} here "
                f"({rate:,.0f} windows/s on {run.device}), more than a day; use --stride "
                f"{fits:,} ({duration(seconds * stride / fits)}), --regions, or a GPU "
                "(--device cuda)"
            )
    return notes


def windows_per_second(run: DnaRun, n: int) -> float:
    """Windows this run predicts per second, timed on ``n`` random windows after a warm-up."""
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(max(n, 1), run.length), dtype=np.uint8)
    run.predict_codes(codes[:2], batch_size=2)
    started = time.perf_counter()
    run.predict_codes(codes, batch_size=max(n, 1))
    return max(n, 1) / max(time.perf_counter() - started, 1e-6)


def free_bytes(folder: Path) -> int:
    """Free space where ``folder`` (or its nearest existing parent) is."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def bytes_per_bin(path: Path, genome: Genome) -> float:
    """About how many bytes a bin takes in a track: a bedGraph line, or a bigWig entry."""
    if path.suffix.lower() in (".bw", ".bigwig"):
        return 4.0  # zlib-compressed entries: a lower bound, the check must not cry wolf
    names = list(genome.sizes)
    name = float(np.mean([len(n) for n in names])) if names else 4.0
    position = len(str(max(genome.sizes.values(), default=1)))
    return name + 2 * position + 12  # chrom, start, end, a %.6g value, three tabs, a newline


def _check_space(genome: Genome, bins: int, stride: int, paths: dict[str, Path]) -> None:
    need: dict[Path, float] = {}
    for path in paths.values():
        folder = Path(path).absolute().parent
        need[folder] = need.get(folder, 0.0) + bins * bytes_per_bin(path, genome)
    for folder, size in need.items():
        free = free_bytes(folder)
        if size > free:
            fits = _stride_that_fits(stride, size, free / 2)
            raise InputError(
                f"--stride {stride:,}: {bins:,} bins would need about {size_text(size)} of "
                f"tracks in {folder}, which has {size_text(free)} free; use --stride {fits:,} "
                f"(about {size_text(size * stride / fits)}), --regions, or another --out"
            )


def _stride_that_fits(stride: int, cost: float, budget: float) -> int:
    """The smallest round stride (1, 2, 5 × 10^k) above ``stride`` whose cost fits ``budget``
    (cost scales as 1 / stride)."""
    wanted = stride * cost / max(budget, 1e-9)
    for power in range(0, 12):
        for nice in _NICE:
            candidate = nice * 10**power
            if candidate >= wanted and candidate > stride:
                return candidate
    return int(math.ceil(wanted))


def duration(seconds: float) -> str:
    """``about 3.2 days``, ``about 5 hours``, ``about 12 minutes``, ``under 2 minutes``.

    >>> duration(3 * 86400), duration(5 * 3600), duration(720), duration(30)
    ('about 3.0 days', 'about 5 hours', 'about 12 minutes', 'under 2 minutes')
    """
    if seconds >= 2 * 86400:
        return f"about {seconds / 86400:,.1f} days"
    if seconds >= 2 * 3600:
        return f"about {seconds / 3600:,.0f} hours"
    if seconds >= 120:
        return f"about {seconds / 60:,.0f} minutes"
    return "under 2 minutes"
