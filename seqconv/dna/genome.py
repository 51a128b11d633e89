"""A reference genome with random access: windows as uint8 codes, padded with N past the ends.

Plain and bgzip-compressed FASTA are read through pyfaidx; the ``.fai`` index (and, for bgzip, the
``.gzi``) is built next to the genome on first use and checked against the FASTA every time
(:mod:`seqconv.dna.genome_index`). A gzip file that is not bgzip, or a stream, cannot be read at
random and is refused with the command that fixes it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from seqconv.dna.encode import ALPHABET, BYTE_TO_CODE
from seqconv.errors import InputError

N_CODE = ALPHABET.index("N")
GC_CODES = np.zeros(256, dtype=bool)
GC_CODES[[ALPHABET.index("C"), ALPHABET.index("G"), ALPHABET.index("S")]] = True
ACGT_CODES = np.zeros(256, dtype=bool)
ACGT_CODES[:4] = True


class Genome:
    """A FASTA genome opened for random access.

    Parameters
    ----------
    path
        FASTA, plain or bgzip-compressed (``.gz``/``.bgz``); its index is built when missing,
        and checked against the FASTA (rebuilt when stale: :mod:`seqconv.dna.genome_index`).
    announce
        Told what a user should know (an index rebuilt, intervals skipped) when no caller
        collects notes (default: printed on standard error).

    Attributes
    ----------
    sizes
        Chromosome name to length, in file order.
    """

    def __init__(self, path: str | Path, announce: Callable[[str], None] | None = None) -> None:
        from seqconv.dna.genome_index import open_indexed

        self.path = Path(path)
        self.announce = announce or _note
        self._faidx = open_indexed(self.path, self.announce)
        self.sizes = {name: int(record.rlen) for name, record in self._faidx.index.items()}
        if not self.sizes:
            raise InputError(f"{self.path}: no sequences in this genome FASTA")

    def __repr__(self) -> str:
        return f"Genome({str(self.path)!r}, {len(self.sizes)} sequences)"

    @property
    def total_length(self) -> int:
        return int(sum(self.sizes.values()))

    def fetch(self, chrom: str, start: int, end: int) -> np.ndarray:
        """Codes of ``chrom:start-end`` (0-based, half-open), N where it lies past the ends.

        Returns
        -------
        np.ndarray
            ``(end - start,)`` uint8 codes.
        """
        size = self.sizes[chrom]
        out = np.full(end - start, N_CODE, dtype=np.uint8)
        lo, hi = max(start, 0), min(end, size)
        if hi > lo:
            raw = self._faidx.fetch(chrom, lo + 1, hi)
            text = raw if isinstance(raw, str) else raw.seq
            if len(text) != hi - lo:  # an index checked when opened cannot disagree; a guard
                raise InputError(
                    f"{self.path}: {chrom}:{lo}-{hi} reads as {len(text)} bases, not {hi - lo}: "
                    f"the FASTA changed while it was read; run the command again"
                )
            codes = BYTE_TO_CODE[np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8)]
            codes[codes == 255] = N_CODE  # a genome's odd letters (e.g. '*') read as unknown
            out[lo - start : hi - start] = codes
        return out

    def windows(
        self, chroms: Iterable[str], starts: np.ndarray, length: int
    ) -> tuple[np.ndarray, int]:
        """Fixed-length windows.

        Returns
        -------
        tuple
            ``(N, length)`` uint8 codes and the number of windows that reach past a chromosome
            end (padded with N).
        """
        starts = np.asarray(starts, dtype=np.int64)
        out = np.empty((len(starts), length), dtype=np.uint8)
        outside = 0
        for i, (chrom, start) in enumerate(zip(chroms, starts, strict=True)):
            out[i] = self.fetch(chrom, int(start), int(start) + length)
            outside += start < 0 or start + length > self.sizes[chrom]
        return out, int(outside)

    def drop_outside(self, table, source: str):
        """Intervals that start past their chromosome's end removed, with a note (or ``None``).

        Parameters
        ----------
        table
            ``chrom``, ``start`` (and ``line``) per interval, chromosomes known to the genome.

        Returns
        -------
        tuple
            The kept rows and a note naming the first dropped interval (``None`` when none were).
        """
        past = table["start"].to_numpy() >= table["chrom"].map(self.sizes).to_numpy()
        if not past.any():
            return table, None
        first = table[past].iloc[0]
        where = f", line {first['line']}" if "line" in table else ""
        note = (
            f"[yellow]warning:[/] {int(past.sum())} interval(s) of {source} start past the end of "
            f"their chromosome (first{where}: {first['chrom']}:{first['start']}, the chromosome "
            f"has {self.sizes[first['chrom']]:,} bp): skipped; is this the genome they were "
            "called on?"
        )
        return table[~past].reset_index(drop=True), note

    def check_chromosomes(self, chroms: Iterable[str], source: str) -> None:
        """Refuse chromosome names absent from the genome, naming them and the likely fix."""
        missing = sorted(set(chroms) - set(self.sizes))
        if not missing:
            return
        known = list(self.sizes)
        hint = _naming_hint(missing, known)
        shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
        raise InputError(
            f"{source}: {len(missing)} chromosome name(s) not in the genome {self.path.name}: "
            f"{shown} (the genome has {', '.join(known[:8])}{', …' if len(known) > 8 else ''})"
            f"{hint}"
        )


def _note(message: str) -> None:
    from seqconv.progress import console

    console.print(message, highlight=False)


def _naming_hint(missing: list[str], known: list[str]) -> str:
    """A hint for the common mismatch of UCSC (``chr1``) and Ensembl (``1``) names."""
    known_set = set(known)
    if any(("chr" + m) in known_set for m in missing):
        return "; the genome names chromosomes 'chr1', the file '1': add the 'chr' prefix"
    if any(m.startswith("chr") and m[3:] in known_set for m in missing):
        return "; the genome names chromosomes '1', the file 'chr1': drop the 'chr' prefix"
    close = difflib.get_close_matches(missing[0], known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def gc_fraction(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GC content and N fraction per window.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 codes.

    Returns
    -------
    tuple
        ``(N,)`` float GC fraction of the called bases (A/C/G/T, and S as G/C) and ``(N,)`` float
        fraction of bases that are not A, C, G or T.
    """
    called = ACGT_CODES[codes].sum(axis=1)
    gc = GC_CODES[codes].sum(axis=1)
    length = max(codes.shape[1], 1)
    return gc / np.maximum(called, 1), 1.0 - called / length
