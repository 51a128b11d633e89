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
    notes: list[str] | None = None,
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
    notes
        Where to say how many windows have no signal at all.

    Returns
    -------
    np.ndarray
        ``(N,)`` float64.

    Raises
    ------
    InputError
        Not a bigWig, chromosomes it lacks, an infinite value under a window, no signal under
        any window, or the same value in every window (nothing to learn).
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
        out, covered = _sums(handle, path, chroms, starts, length, sizes)
    finally:
        handle.close()
    if not covered.any():
        raise InputError(
            f"{path}: no signal under any of the {len(out):,} windows (every base uncovered or "
            "NaN); is this the signal of these peaks, on this genome?"
        )
    if not covered.all() and notes is not None:
        notes.append(
            f"{int((~covered).sum()):,} of {len(out):,} windows have no signal in {path.name} "
            "(uncovered or NaN): their target is 0"
        )
    if stat == "mean":
        out /= length
    if log1p:
        if (out < 0).any():
            raise InputError(f"{path}: --log1p needs non-negative signal; it has values below 0")
        out = np.log1p(out)
    if np.ptp(out) == 0:
        raise InputError(
            f"{path}: every window has the same {stat} signal ({out[0]:g}): nothing to learn; is "
            "this the signal of these peaks?"
        )
    return out


def _sums(
    handle, path: Path, chroms, starts, length: int, sizes: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """``(N,)`` sums of the signal per window and ``(N,)`` whether any base has a value."""
    out = np.zeros(len(starts))
    covered = np.zeros(len(starts), dtype=bool)
    for i, (chrom, start) in enumerate(zip(chroms, np.asarray(starts).tolist(), strict=True)):
        lo, hi = max(start, 0), min(start + length, sizes[chrom])
        if hi <= lo:
            continue
        values = handle.values(str(chrom), lo, hi, numpy=True)
        infinite = np.isinf(values)
        if infinite.any():
            at = lo + int(np.argmax(infinite))
            raise InputError(
                f"{path}: the signal at {chrom}:{at} is {values[at - lo]}; a bigWig for "
                "training holds finite numbers: write 0 or leave the base uncovered there"
            )
        known = ~np.isnan(values)
        covered[i] = known.any()
        out[i] = values[known].sum()
    return out, covered


def signal_names(paths) -> list[str]:
    """One target name per bigWig file: its stem (numbered when two share one)."""
    names = []
    for p in paths:
        name = Path(p).name
        for suffix in (".gz", ".bw", ".bigWig", ".bigwig"):
            name = name.removesuffix(suffix)
        names.append(name)
    if len(set(names)) != len(names):
        names = [f"{n}_{i + 1}" for i, n in enumerate(names)]
    return names
