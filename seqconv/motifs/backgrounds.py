"""Background sequences for in-silico experiments (:mod:`seqconv.motifs.marginalize`), seeded:
dinucleotide-shuffled copies of real sequences (a FASTA, or BED regions on a genome) or genomic
windows outside the peaks matched to their GC content (chromBPNet's and gReLU's choice: the
background keeps the composition of the data, and none of its motifs in place).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seqconv.errors import InputError

KINDS = ("shuffle", "genome")


def background_codes(
    length: int,
    n: int,
    kind: str = "shuffle",
    fasta: Sequence[str | Path] = (),
    bed: Sequence[str | Path] = (),
    genome: str | Path | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, str]:
    """``(n, length)`` uint8 background codes and a sentence saying what they are.

    Parameters
    ----------
    kind
        ``shuffle``: dinucleotide-shuffled copies of ``n`` sequences drawn from the FASTA files or
        the BED regions (windows of ``length`` bp centred on them); ``genome``: GC-matched windows
        outside the BED regions (needs ``bed`` and ``genome``).
    """
    if kind not in KINDS:
        raise InputError(f"--background {kind!r}: use shuffle or genome")
    if bool(fasta) == bool(bed):
        which = "not both" if fasta else "give one of them"
        raise InputError("backgrounds come from --fasta sequences or --bed regions (with "
                         f"--genome): {which}")  # fmt: skip
    if bed and genome is None:
        raise InputError("--bed needs --genome (the reference FASTA the regions are on)")
    rng = np.random.default_rng(seed)
    if kind == "genome":
        if not bed:
            raise InputError("--background genome draws windows from --genome matched to the GC "
                             "content of --bed regions: give --bed and --genome")  # fmt: skip
        return _genome_windows(length, n, bed, str(genome), seed)
    source = _sequences(length, fasta, bed, genome)
    if len(source) == 0:
        raise InputError("no sequences to shuffle for backgrounds")
    rows = rng.choice(len(source), size=n, replace=len(source) < n)
    from seqconv.dna.shuffle import shuffle_rows

    shuffled = shuffle_rows(source[rows], rng)
    what = "FASTA records" if fasta else "BED regions"
    return shuffled, (f"{n} dinucleotide-shuffled copies of {what} ({len(source)} to draw from, "
                      f"seed {seed})")  # fmt: skip


def _sequences(length: int, fasta, bed, genome) -> np.ndarray:
    if fasta:
        from seqconv.dna.fasta import read_fasta_codes

        return np.concatenate([read_fasta_codes(f, length, "center").codes for f in fasta])
    from seqconv.dna.genome_labels import encode_bed

    return encode_bed([str(b) for b in bed], str(genome), length).codes


def _genome_windows(length: int, n: int, bed, genome: str, seed: int) -> tuple[np.ndarray, str]:
    import pandas as pd

    from seqconv.dna.background import gc_matched_background
    from seqconv.dna.bed import centred_starts
    from seqconv.dna.genome import Genome, gc_fraction
    from seqconv.dna.genome_labels import read_on_genome

    ref = Genome(genome)
    peaks = pd.concat([read_on_genome(ref, str(b), None) for b in bed], ignore_index=True)
    codes, _ = ref.windows(peaks["chrom"], centred_starts(peaks, length), length)
    gc, _ = gc_fraction(codes)
    # matched per GC bin, rounded: draw a little more and keep n of them
    drawn = gc_matched_background(ref, peaks, gc, length, ratio=1.2 * n / len(peaks) + 1e-9,
                                  flank=length, seed=seed)  # fmt: skip
    keep = np.sort(np.random.default_rng(seed).permutation(len(drawn.starts))[:n])
    windows, _ = ref.windows(drawn.chroms[keep], drawn.starts[keep], length)
    summary = drawn.summary()
    return windows, (f"{len(windows)} genomic windows outside the regions, matched to their GC "
                     f"(mean {summary['positive_gc_mean']:.3f} vs "
                     f"{summary['negative_gc_mean']:.3f}; seed {seed})")  # fmt: skip
