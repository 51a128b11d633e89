"""A tiny genome with two isochores and peaks carrying a planted site, written on the fly."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SITE = "GATAAGGCCTTATC"  # a palindromic GATA pair: one strand suffices


def random_bases(rng: np.random.Generator, n: int, gc: float) -> str:
    p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    return "".join(np.array(list("ACGT"))[rng.choice(4, size=n, p=p)])


def write_genome(
    path: Path, chroms: dict[str, int], seed: int = 0, width: int = 60
) -> dict[str, str]:
    """Chromosomes whose first half is AT-rich (GC 0.35) and second half GC-rich (0.6)."""
    rng = np.random.default_rng(seed)
    seqs = {}
    for name, size in chroms.items():
        seqs[name] = random_bases(rng, size // 2, 0.35) + random_bases(rng, size - size // 2, 0.6)
    lines = []
    for name, seq in seqs.items():
        lines.append(f">{name} test chromosome")
        lines.extend(seq[i : i + width] for i in range(0, len(seq), width))
    path.write_text("\n".join(lines) + "\n")
    return seqs


def write_peaks(
    path: Path, seqs: dict[str, str], n: int, width: int = 200, seed: int = 1
) -> tuple[Path, dict[str, str]]:
    """Peaks in the GC-rich halves with :data:`SITE` at their centre; returns the edited
    genome sequences (the caller rewrites the FASTA)."""
    rng = np.random.default_rng(seed)
    seqs = dict(seqs)
    rows = []
    names = list(seqs)
    per = n // len(names)
    for chrom in names:
        size = len(seqs[chrom])
        starts = np.sort(rng.choice(np.arange(size // 2, size - width, width * 3), per, False))
        seq = list(seqs[chrom])
        for i, s in enumerate(starts.tolist()):
            mid = s + width // 2 - len(SITE) // 2
            seq[mid : mid + len(SITE)] = SITE
            rows.append(
                f"{chrom}\t{s}\t{s + width}\tpeak{chrom}_{i}\t{100 + i}\t.\t5\t-1\t-1\t{width // 2}"
            )
        seqs[chrom] = "".join(seq)
    path.write_text("\n".join(rows) + "\n")
    return path, seqs


def rewrite(path: Path, seqs: dict[str, str], width: int = 60) -> Path:
    lines = []
    for name, seq in seqs.items():
        lines.append(f">{name}")
        lines.extend(seq[i : i + width] for i in range(0, len(seq), width))
    path.write_text("\n".join(lines) + "\n")
    for index in path.parent.glob(path.name + ".fai"):
        index.unlink()
    return path
