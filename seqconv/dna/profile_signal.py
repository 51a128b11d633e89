"""Base-resolution tracks from bigWig files: stranded pairs told by their names, the files
checked against each other and the peaks, and counts read per base for windows.

Two files whose names differ only by ``plus``/``minus``, ``pos``/``neg``, ``fwd``/``rev`` or
``+``/``-`` (any case; a word must stand apart from other letters) are one stranded pair.

>>> strand_partners(["chip.plus.bw", "chip.minus.bw", "atac.bw"])
[1, 0, 2]
>>> track_names(["chip.plus.bw", "chip.minus.bw"])
['chip.plus', 'chip.minus']
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from seqconv.dna.signal import signal_names
from seqconv.errors import InputError

STRAND_WORDS = (("plus", "minus"), ("pos", "neg"), ("fwd", "rev"), ("+", "-"))
"""Names that tell the two strands of a pair apart."""


def _keys(name: str) -> list[tuple[str, int, int]]:
    """``(name with one strand word blanked, word pair, side)`` for every strand word in it."""
    low = name.lower()
    out = []
    for pair, words in enumerate(STRAND_WORDS):
        for side, word in enumerate(words):
            start = low.find(word)
            while start >= 0:
                end = start + len(word)
                alone = not word.isalpha() or (
                    (start == 0 or not low[start - 1].isalpha())
                    and (end == len(low) or not low[end].isalpha())
                )
                if alone:
                    out.append((low[:start] + "\0" + low[end:], pair, side))
                start = low.find(word, start + 1)
    return out


def strand_partners(paths: Sequence[str | Path]) -> list[int]:
    """For each file, the file holding the other strand of its signal (itself when none).

    Two files pair when blanking one strand word in each gives the same name, the words being the
    two sides of one pair of :data:`STRAND_WORDS`; a file that would pair with several is left
    alone.
    """
    names = [Path(p).name for p in paths]
    keys = [_keys(n) for n in names]
    partners = list(range(len(names)))
    for i in range(len(names)):
        found = {
            j
            for j in range(len(names))
            if j != i
            for a in keys[i]
            for b in keys[j]
            if a[0] == b[0] and a[1] == b[1] and a[2] != b[2]
        }
        if len(found) == 1:
            partners[i] = found.pop()
    # a pair only when both sides agree
    return [p if partners[p] == i else i for i, p in enumerate(partners)]


def choose_strands(paths: Sequence[str | Path], stranded: bool | None, option: str) -> list[int]:
    """The strand partners of ``paths`` (:func:`strand_partners`), as ``stranded`` asks:
    ``None`` detects them, ``False`` treats every file as unstranded, ``True`` requires every file
    to be in a pair (one-line error naming those that are not).
    """
    if stranded is False:
        return list(range(len(paths)))
    partners = strand_partners(paths)
    if stranded:
        alone = [Path(p).name for i, p in enumerate(paths) if partners[i] == i]
        if alone:
            raise InputError(
                f"--stranded: {', '.join(alone)} ({option}) has no partner: stranded files come "
                "in pairs whose names differ only by plus/minus, pos/neg, fwd/rev or +/- "
                "(e.g. chip.plus.bw and chip.minus.bw); rename them, or give --unstranded"
            )
    return partners


def units_of(partners: Sequence[int]) -> list[list[int]]:
    """Tracks scored together: each stranded pair, and every other track alone, in order."""
    out, seen = [], set()
    for i, j in enumerate(partners):
        if i in seen:
            continue
        unit = sorted({i, j})
        seen.update(unit)
        out.append(unit)
    return out


def track_names(paths: Sequence[str | Path]) -> list[str]:
    """One name per track: the file name without its bigWig suffix (numbered when two share
    one)."""
    return signal_names(paths)


class Tracks:
    """bigWig files opened together for reading counts per base.

    Parameters
    ----------
    paths
        The files.
    option
        The option that named them, for messages (``--bigwig``, ``--control``).
    """

    def __init__(self, paths: Sequence[str | Path], option: str = "--bigwig") -> None:
        try:
            import pyBigWig
        except ImportError as exc:
            raise InputError(f"{option} needs pyBigWig: pip install pyBigWig") from exc
        self.paths = [Path(p) for p in paths]
        self.option = option
        seen: set[Path] = set()
        for path in self.paths:
            if path.resolve() in seen:
                raise InputError(f"{path} ({option}): given twice; each track once")
            seen.add(path.resolve())
        self._stack = ExitStack()
        self.handles = []
        for path in self.paths:
            if not path.is_file():
                raise InputError(f"{path} ({option}): no such bigWig file")
            try:
                handle = pyBigWig.open(str(path))
            except RuntimeError:
                handle = None
            if handle is None or not handle.isBigWig():
                raise InputError(f"{path} ({option}): not a bigWig file pyBigWig can open")
            self._stack.callback(handle.close)
            self.handles.append(handle)
        self.sizes = [dict(h.chroms()) for h in self.handles]

    def __enter__(self) -> Tracks:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def close(self) -> None:
        self._stack.close()

    def check_pairs(self, partners: Sequence[int]) -> None:
        """Both files of a stranded pair must cover the same chromosomes."""
        for i, j in enumerate(partners):
            if j <= i:
                continue
            a, b = set(self.sizes[i]), set(self.sizes[j])
            if a != b:
                only_a, only_b = sorted(a - b), sorted(b - a)
                differs = "; ".join(
                    f"only {self.paths[k].name} has {', '.join(names[:5])}"
                    + (", …" if len(names) > 5 else "")
                    for k, names in ((i, only_a), (j, only_b))
                    if names
                )
                raise InputError(
                    f"{self.paths[i].name} and {self.paths[j].name} ({self.option}) are a "
                    f"stranded pair but cover different chromosomes ({differs}); give both "
                    "strands of the same experiment, or --unstranded"
                )

    def check_chromosomes(self, chroms: Sequence[str], what: str) -> None:
        """Every chromosome of ``chroms`` must be in every file (one-line error naming them)."""
        wanted = sorted(set(map(str, chroms)))
        for path, sizes in zip(self.paths, self.sizes, strict=True):
            missing = [c for c in wanted if c not in sizes]
            if missing:
                shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
                has = ", ".join(list(sizes)[:8]) + (", …" if len(sizes) > 8 else "")
                raise InputError(
                    f"{path} ({self.option}): no chromosome {shown}, where {what} lie (the file "
                    f"has {has or 'none'}); is it the signal of these peaks, on this genome?"
                )

    def common_chromosomes(self) -> set[str]:
        """Chromosomes every file covers."""
        return set.intersection(*(set(s) for s in self.sizes)) if self.sizes else set()

    def read(self, chroms: Sequence[str], starts: np.ndarray, width: int) -> np.ndarray:
        """Counts per base of windows ``[start, start + width)``; uncovered bases, NaN and bases
        past a chromosome end count 0.

        Returns
        -------
        np.ndarray
            ``(N, T, width)`` float32.

        Raises
        ------
        InputError
            An infinite or negative value (counts are reads: finite and not below 0).
        """
        starts = np.asarray(starts, dtype=np.int64)
        out = np.zeros((len(starts), len(self.handles), width), dtype=np.float32)
        for t, (handle, path, sizes) in enumerate(zip(self.handles, self.paths, self.sizes,
                                                      strict=True)):  # fmt: skip
            for i, (chrom, start) in enumerate(zip(chroms, starts.tolist(), strict=True)):
                size = sizes.get(str(chrom), 0)
                lo, hi = max(start, 0), min(start + width, size)
                if hi <= lo:
                    continue
                values = np.asarray(handle.values(str(chrom), lo, hi, numpy=True))
                bad = np.isinf(values) | (values < 0)
                if bad.any():
                    at = lo + int(np.argmax(bad))
                    raise InputError(
                        f"{path} ({self.option}): the signal at {chrom}:{at} is "
                        f"{values[at - lo]}; profiles are read counts, finite and not below 0"
                    )
                out[i, t, lo - start : hi - start] = np.nan_to_num(values, nan=0.0)
        return out
