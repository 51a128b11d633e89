"""Signal over genomic windows from bigWig files (regression targets), via pyBigWig."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqconv.errors import InputError

STATS = ("mean", "sum")


def window_signal(
    path: str | Path,
    chroms: np.ndarray,
    starts: np.ndarray,
    length: int,
    stat: str = "mean",
    log1p: bool = False,
) -> np.ndarray:
    """The mean or sum of a bigWig's signal over each window (uncovered bases count as 0).

    Parameters
    ----------
    path
        A bigWig file.
    chroms, starts
        ``(N,)`` windows ``[start, start + length)``; parts past a chromosome end count as 0.
    stat
        ``"mean"`` (per base over the whole window) or ``"sum"``.
    log1p
        Return ``log(1 + value)`` (signal must then be non-negative).

    Returns
    -------
    np.ndarray
        ``(N,)`` float64.
    """
    if stat not in STATS:
        raise InputError(f"--bigwig-stat {stat!r}: use mean or sum")
    try:
        import pyBigWig
    except ImportError as exc:
        raise InputError("--bigwig needs pyBigWig: pip install pyBigWig") from exc
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such bigWig file")
    try:
        handle = pyBigWig.open(str(path))
    except RuntimeError as exc:
        raise InputError(f"{path}: not a bigWig file pyBigWig can open") from exc
    if handle is None or not handle.isBigWig():
        raise InputError(f"{path}: not a bigWig file")
    try:
        sizes = handle.chroms()
        missing = sorted(set(map(str, chroms)) - set(sizes))
        if missing:
            raise InputError(
                f"{path}: no signal for chromosome(s) {', '.join(missing[:8])} (the file has "
                f"{', '.join(list(sizes)[:8])}); check the chromosome names"
            )
        out = np.zeros(len(starts))
        for i, (chrom, start) in enumerate(zip(chroms, np.asarray(starts).tolist(), strict=True)):
            lo, hi = max(start, 0), min(start + length, sizes[chrom])
            if hi <= lo:
                continue
            values = handle.values(str(chrom), lo, hi, numpy=True)
            out[i] = np.nansum(values)
    finally:
        handle.close()
    if stat == "mean":
        out /= length
    if log1p:
        if (out < 0).any():
            raise InputError(f"{path}: --log1p needs non-negative signal; it has values below 0")
        out = np.log1p(out)
    return out
