"""Small simulated genomes with stranded footprints, and bigWig files written on the fly."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def simulate(out: Path, n_peaks: int = 300, chrom_length: int = 60_000, seed: int = 0) -> dict:
    """``seqconv simulate --genome --profiles`` into ``out`` (ten chromosomes, CTCF sites)."""
    from seqconv.dna.simulate_genome import simulate_genome, write_genome_simulation
    from seqconv.dna.simulate_profiles import simulate_profiles, write_profile_tracks

    sim = simulate_genome(["MA0139.2"], n_peaks=n_peaks, chromosomes=10,
                          chrom_length=chrom_length, seed=seed, n_variant_peaks=60)  # fmt: skip
    files = write_genome_simulation(sim, out)
    prof = simulate_profiles(sim, seed=seed)
    files.update(write_profile_tracks(prof, out))
    return {"sim": sim, "profiles": prof, **{k: str(v) for k, v in files.items()}}


def write_bigwig(path: Path, sizes: dict[str, int], values: dict[str, np.ndarray]) -> Path:
    """A bigWig of per-base values from position 0 of each chromosome in ``values``."""
    import pyBigWig

    bw = pyBigWig.open(str(path), "w")
    bw.addHeader(list(sizes.items()))
    for chrom, v in values.items():
        bw.addEntries(chrom, 0, values=np.asarray(v, dtype=float).tolist(), span=1, step=1)
    bw.close()
    return path
