"""Stranded footprints over the planted sites of a simulated genome: ground truth for profile
models (``seqconv simulate --genome --profiles``).

Every planted site draws reads as a ChIP-exo/ChIP-nexus experiment would see them: on the plus
strand they pile up just left of the site, on the minus strand just right of it (each strand's
5' ends stop at the bound protein), in a sharp component (Laplace, scale 3 bp, 80 % of the
reads) over a broad one (Gaussian, 40 bp: fragments that the exonuclease did not trim). A site's
expected reads are ``reads_per_site`` times its affinity, ``2 ** ((score - best) / 2)``, where
``score`` is the site's log-odds (bits) under its motif and ``best`` the motif's highest: a
perfect site draws all of them, every two bits short of it halve them. Every base also
draws ``background`` reads per strand. The counts written are Poisson draws from these expected
values, which are written too: they are the ceiling any model can reach (the oracle).

Everything random comes from one ``numpy`` generator seeded with ``seed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqconv.atomic import atomic_path, write_text
from seqconv.dna.encode import COMPLEMENT_CODE

STRANDS = ("plus", "minus")
FILES = {"counts": "footprints.{}.bw", "expected": "expected.{}.bw"}
SHARP, BROAD = 3.0, 40.0
SHARP_SHARE = 0.8
BORDER = 2
"""Bases between a site's edge and the mode of its strand's reads."""


@dataclass
class ProfileSimulation:
    """Expected and sampled counts per base of both strands.

    Attributes
    ----------
    expected, counts
        Chromosome name to ``(2, L)`` float32 (plus, minus).
    affinity
        ``(S,)`` affinity of each planted site (rows of the genome simulation's ``sites``).
    settings, stats
        What made them, and totals.
    """

    expected: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    affinity: np.ndarray
    settings: dict
    stats: dict = field(default_factory=dict)


def _kernel() -> tuple[np.ndarray, int]:
    """The reads of one strand around its mode, summing to 1, and the mode's index."""
    half = int(4 * BROAD)
    x = np.arange(-half, half + 1, dtype=np.float64)
    sharp = np.exp(-np.abs(x) / SHARP)
    broad = np.exp(-0.5 * (x / BROAD) ** 2)
    kernel = SHARP_SHARE * sharp / sharp.sum() + (1 - SHARP_SHARE) * broad / broad.sum()
    return kernel.astype(np.float32), half


def site_affinity(site: str, strand: str, ppm: np.ndarray) -> float:
    """``2 ** ((score - best) / 2)`` of a site's bases (``+``-strand letters) under ``(4, W)``
    probabilities (scores in bits against a uniform background, 0.01 pseudo-probability)."""
    codes = np.frombuffer(site.upper().encode(), dtype=np.uint8)
    index = np.full(256, 255, dtype=np.uint8)
    index[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.arange(4, dtype=np.uint8)
    bases = index[codes]
    if strand == "-":
        bases = COMPLEMENT_CODE[bases[::-1]]
    p = (np.asarray(ppm, dtype=np.float64) + 0.01) / (1 + 0.04)
    logodds = np.log2(p / 0.25)
    known = bases < 4
    score = logodds[bases[known].astype(int), np.flatnonzero(known)].sum()
    best = logodds.max(axis=0).sum()
    return float(2.0 ** ((score - best) / 2))


def simulate_profiles(
    sim, reads_per_site: float = 400.0, background: float = 0.01, seed: int = 0
) -> ProfileSimulation:
    """Expected and Poisson-sampled stranded counts over a :class:`GenomeSimulation`'s sites.

    Parameters
    ----------
    sim
        A :class:`~seqconv.dna.simulate_genome.GenomeSimulation`.
    reads_per_site
        Expected reads (both strands) of a perfect site.
    background
        Expected reads per base and strand everywhere outside gaps.
    """
    rng = np.random.default_rng([seed, 2])
    kernel, half = _kernel()
    motifs = {m.id: m for m in sim.motifs}
    expected = {}
    for name, seq in sim.sequences.items():
        base = np.where(seq == ord("N"), 0.0, background).astype(np.float32)
        expected[name] = np.stack([base, base.copy()])
    affinity = np.zeros(len(sim.sites))
    for i, site in enumerate(sim.sites.itertuples(index=False)):
        affinity[i] = site_affinity(site.site, site.strand, motifs[site.motif_id].ppm)
        reads = reads_per_site * affinity[i] / 2
        track = expected[site.chrom]
        size = track.shape[1]
        for strand, mode in ((0, site.start - 1 - BORDER), (1, site.end + BORDER)):
            lo, hi = mode - half, mode + half + 1
            a, b = max(lo, 0), min(hi, size)
            if b > a:
                track[strand, a:b] += reads * kernel[a - lo : b - lo]
    counts = {name: rng.poisson(values).astype(np.float32) for name, values in expected.items()}
    settings = {"reads_per_site": reads_per_site, "background": background, "seed": seed,
                "sharp_scale": SHARP, "broad_sd": BROAD, "sharp_share": SHARP_SHARE,
                "border": BORDER}  # fmt: skip
    stats = {
        "reads": {s: int(sum(c[k].sum() for c in counts.values())) for k, s in enumerate(STRANDS)},
        "site_affinity": {"min": float(affinity.min()) if len(affinity) else None,
                          "median": float(np.median(affinity)) if len(affinity) else None,
                          "max": float(affinity.max()) if len(affinity) else None},
    }  # fmt: skip
    return ProfileSimulation(expected, counts, affinity, settings, stats)


def _write_bigwig(path: Path, sizes: dict[str, int], tracks: dict[str, np.ndarray],
                  skip_zero: bool) -> None:  # fmt: skip
    """One bigWig of per-base values, runs of equal values as one entry (zeros left out when
    ``skip_zero``: uncovered bases read as 0)."""
    import pyBigWig

    with atomic_path(path) as tmp:
        bw = pyBigWig.open(str(tmp), "w")
        try:
            bw.addHeader(list(sizes.items()))
            for chrom, values in tracks.items():
                change = np.flatnonzero(np.diff(values)) + 1
                starts = np.r_[0, change]
                ends = np.r_[change, len(values)]
                runs = values[starts]
                if skip_zero:
                    keep = runs != 0
                    starts, ends, runs = starts[keep], ends[keep], runs[keep]
                if len(starts):
                    bw.addEntries([chrom] * len(starts), starts.tolist(), ends=ends.tolist(),
                                  values=runs.astype(float).tolist())  # fmt: skip
        finally:
            bw.close()


def write_profile_tracks(prof: ProfileSimulation, out_dir: str | Path,
                         command: str | None = None) -> dict[str, Path]:  # fmt: skip
    """Write ``footprints.plus.bw``, ``footprints.minus.bw`` (the sampled counts),
    ``expected.plus.bw``, ``expected.minus.bw`` (the oracle) and ``profiles.json`` into
    ``out_dir``, each atomically.

    Returns
    -------
    dict
        ``counts_plus``, ``counts_minus``, ``expected_plus``, ``expected_minus``, ``provenance``
        to paths.
    """
    out_dir = Path(out_dir)
    sizes = {name: int(v.shape[1]) for name, v in prof.counts.items()}
    paths: dict[str, Path] = {}
    for kind, pattern in FILES.items():
        source = prof.counts if kind == "counts" else prof.expected
        for k, strand in enumerate(STRANDS):
            path = out_dir / pattern.format(strand)
            _write_bigwig(path, sizes, {c: v[k] for c, v in source.items()}, kind == "counts")
            paths[f"{kind}_{strand}"] = path
    paths["provenance"] = out_dir / "profiles.json"
    info = {"command": command, "settings": prof.settings, **prof.stats,
            "files": {k: p.name for k, p in paths.items()},
            "model": __doc__.split("\n\n")[1].replace("\n", " ")}  # fmt: skip
    write_text(paths["provenance"], json.dumps(info, indent=2) + "\n")
    return paths


__all__ = ["ProfileSimulation", "simulate_profiles", "site_affinity", "write_profile_tracks"]
