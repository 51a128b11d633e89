"""Synthetic DNA with planted JASPAR motifs (Koo & Eddy 2019 design): ground truth for motif tests,
benchmarks and the demo.

Each sequence is background (uniform random bases, or a dinucleotide-shuffled window of a real
FASTA) with ``k`` motif instances planted at non-overlapping positions (``k`` uniform in
``motifs_per_seq``). An instance is sampled base by base from the motif's probabilities and
planted on a random strand. Labels follow the FASTA ``label=`` convention of
:mod:`seqconv.dna.labels`:

* ``multi_label``: every planted instance's motif is drawn uniformly (with replacement); the label
  is the comma-separated list of the planted motifs' names (``label=`` for background-only
  sequences);
* single label, one motif: ``label=1`` with the motif, ``label=0`` without;
* single label, several motifs: each sequence carries instances of one motif and is labelled with
  its name; background-only sequences are labelled ``background``.

Everything random comes from one ``numpy`` generator seeded with ``seed``: the same arguments give
the same file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqconv.atomic import write_text
from seqconv.dna.encode import COMPLEMENT_CODE, decode_dna, encode_dna
from seqconv.dna.fasta import read_fasta
from seqconv.dna.shuffle import shuffle_rows
from seqconv.errors import InputError
from seqconv.motifs.motif import Motif

NEGATIVE_LABEL = "background"


@dataclass
class PlantedSite:
    """One planted motif instance: bases ``start:end`` (0-based, end exclusive) of sequence
    ``id``; ``site`` is the planted bases as they read on the sequence's + strand."""

    id: str
    motif_id: str
    motif: str
    start: int
    end: int
    strand: str
    site: str


@dataclass
class SimulatedSequence:
    id: str
    sequence: str
    label: str
    sites: list[PlantedSite]


@dataclass
class Simulation:
    """Simulated sequences with their planted sites.

    Attributes
    ----------
    records
        The sequences, in file order.
    motifs
        The motifs used, with ``labels`` their names in the ``label=`` headers.
    settings
        The arguments that produced them.
    notes
        Choices made on the user's behalf (e.g. which matrix a TF name resolved to).
    """

    records: list[SimulatedSequence]
    motifs: list[Motif]
    labels: list[str]
    settings: dict
    notes: list[str] = field(default_factory=list)

    @property
    def sites(self) -> list[PlantedSite]:
        return [s for r in self.records for s in r.sites]

    def codes(self) -> np.ndarray:
        """``(N, L)`` uint8 codes of the sequences."""
        return encode_dna([r.sequence for r in self.records])


def parse_range(text: str | int | Sequence[int]) -> tuple[int, int]:
    """``"1-3"``, ``"2"``, ``2`` or ``(1, 3)`` as ``(low, high)``, both inclusive."""
    if isinstance(text, int):
        low = high = text
    elif isinstance(text, str):
        match = re.fullmatch(r"\s*(\d+)\s*(?:[-:]\s*(\d+))?\s*", text)
        if not match:
            raise InputError(f"motifs per sequence must look like '1-3' or '2', not {text!r}")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
    else:
        low, high = (int(v) for v in text)
    if low < 0 or high < low:
        raise InputError(f"motifs per sequence: need 0 <= low <= high, got {low}-{high}")
    return low, high


def _label_names(motifs: Sequence[Motif]) -> list[str]:
    names = [re.sub(r"[\s,]+", "_", m.name.strip()) or m.id for m in motifs]
    counts = Counter(names)
    return [f"{n}_{m.id}" if counts[n] > 1 else n for n, m in zip(names, motifs, strict=True)]


def _background(
    background: str | Path, n: int, length: int, rng: np.random.Generator
) -> np.ndarray:
    if str(background) == "uniform":
        return rng.integers(0, 4, size=(n, length), dtype=np.uint8)
    path = Path(background)
    if not path.is_file():
        raise InputError(f"--background must be 'uniform' or a FASTA file; {path} does not exist")
    pool = [encode_dna(r.sequence, ids=[r.id])[0] for r in read_fasta(path)]
    pool = [codes for codes in pool if len(codes) >= length]
    if not pool:
        raise InputError(
            f"{path}: no sequence is at least {length} bp long; use shorter --length or longer "
            "background sequences"
        )
    picks = rng.integers(0, len(pool), size=n)
    windows = np.empty((n, length), dtype=np.uint8)
    for i, k in enumerate(picks):
        start = rng.integers(0, len(pool[k]) - length + 1)
        windows[i] = pool[k][start : start + length]
    return shuffle_rows(windows, rng)


def _sample_instance(ppm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bases drawn column by column from ``(4, W)`` probabilities."""
    cumulative = np.cumsum(ppm, axis=0)
    u = rng.random(ppm.shape[1]) * cumulative[-1]
    return (u[None, :] >= cumulative).sum(axis=0).astype(np.uint8)


def _positions(widths: list[int], length: int, rng: np.random.Generator) -> list[int]:
    """Uniformly random non-overlapping starts for blocks of ``widths``, in the given order."""
    free = length - sum(widths)
    if free < 0:
        raise InputError(
            f"{len(widths)} motifs of {sum(widths)} bp in total do not fit in {length} bp; use a "
            "larger --length or fewer --motifs-per-seq"
        )
    k = len(widths)
    slots = np.sort(rng.choice(free + k, size=k, replace=False))
    offsets = np.cumsum([0, *widths[:-1]])
    return [int(slots[i] - i + offsets[i]) for i in range(k)]


def simulate(
    motifs: Sequence[str | Motif],
    n: int = 2000,
    length: int = 200,
    motifs_per_seq: str | int | tuple[int, int] = (1, 3),
    background: str | Path = "uniform",
    multi_label: bool = False,
    negatives_fraction: float | None = None,
    seed: int = 0,
    release: str = "JASPAR2024",
    database=None,
) -> Simulation:
    """Simulate sequences with planted motifs.

    Parameters
    ----------
    motifs
        JASPAR ids (``MA0079.3``: that version; ``MA0079``: latest), TF names (latest CORE
        version, e.g. ``GATA1``) or :class:`~seqconv.motifs.motif.Motif` objects.
    n, length
        Number of sequences and their length.
    motifs_per_seq
        Instances per motif-carrying sequence, ``(low, high)`` or ``"1-3"``, uniform.
    background
        ``"uniform"`` or a FASTA file whose sequences are cut to ``length`` at random and
        dinucleotide-shuffled.
    multi_label
        Labels list every planted motif (see the module docstring).
    negatives_fraction
        Fraction of background-only sequences; default 0.5 for a single motif with single
        labels (so there are two classes), else 0.
    seed
        Seed of the random generator.
    release
        JASPAR release used to resolve ids and names.
    database
        A :class:`~seqconv.motifs.database.MotifDatabase` to look ids and names up in instead.

    Returns
    -------
    Simulation
    """
    from seqconv.motifs.database import resolve_motif

    if not motifs:
        raise InputError("give at least one motif (--motif MA0079.3 or --motif GATA1)")
    if n < 1 or length < 1:
        raise InputError(f"need n >= 1 and length >= 1, got n={n}, length={length}")
    low, high = parse_range(motifs_per_seq)
    notes: list[str] = []
    resolved = [
        m if isinstance(m, Motif) else resolve_motif(m, release, database, notes) for m in motifs
    ]
    if negatives_fraction is None:
        negatives_fraction = 0.5 if len(resolved) == 1 and not multi_label else 0.0
    if not 0.0 <= negatives_fraction <= 1.0:
        raise InputError(f"negatives fraction must lie in [0, 1], not {negatives_fraction}")
    labels = _label_names(resolved)
    ppms = [m.ppm for m in resolved]
    rng = np.random.default_rng(seed)

    codes = _background(background, n, length, rng)
    negative = np.zeros(n, dtype=bool)
    negative[rng.permutation(n)[: int(round(negatives_fraction * n))]] = True
    width = len(str(n - 1))
    ids = [f"seq{i:0{width}d}" for i in range(n)]
    plans: list[list[tuple[int, int, int, str]]] = []  # (motif, start, end, strand) per sequence
    for i in range(n):
        if negative[i]:
            plans.append([])
            continue
        k = int(rng.integers(low, high + 1))
        if multi_label:
            chosen = rng.integers(0, len(resolved), size=k).tolist()
        else:
            chosen = [int(rng.integers(0, len(resolved)))] * k
        starts = _positions([resolved[m].width for m in chosen], length, rng)
        plan = []
        for m, start in zip(chosen, starts, strict=True):
            instance = _sample_instance(ppms[m], rng)
            strand = "-" if rng.random() < 0.5 else "+"
            if strand == "-":
                instance = COMPLEMENT_CODE[instance[::-1]]
            codes[i, start : start + len(instance)] = instance
            plan.append((m, start, start + len(instance), strand))
        plans.append(sorted(plan, key=lambda s: s[1]))

    sequences = decode_dna(codes)
    records = []
    for i, plan in enumerate(plans):
        names = {m for m, *_ in plan}
        if multi_label:
            label = ",".join(labels[m] for m in sorted(names))
        elif len(resolved) == 1:
            label = "1" if plan else "0"
        else:
            label = labels[plan[0][0]] if plan else NEGATIVE_LABEL
        sites = [
            PlantedSite(ids[i], resolved[m].id, labels[m], s, e, strand, sequences[i][s:e])
            for m, s, e, strand in plan
        ]
        records.append(SimulatedSequence(ids[i], sequences[i], label, sites))
    settings = {
        "motifs": [m if isinstance(m, str) else m.id for m in motifs],
        "n": n,
        "length": length,
        "motifs_per_seq": [low, high],
        "background": str(background),
        "multi_label": multi_label,
        "negatives_fraction": negatives_fraction,
        "seed": seed,
        "release": release,
    }
    return Simulation(records, resolved, labels, settings, notes)


def sidecar_paths(out: str | Path) -> tuple[Path, Path]:
    """``(sites TSV, provenance JSON)`` next to a simulated FASTA: ``x.fa`` → ``x.sites.tsv``,
    ``x.json``."""
    out = Path(out)
    stem = out.name
    for suffix in (".fasta", ".fa", ".fna"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return out.with_name(f"{stem}.sites.tsv"), out.with_name(f"{stem}.json")


def write_simulation(sim: Simulation, out: str | Path, command: str | None = None) -> dict:
    """Write the FASTA, the planted sites and the provenance (all atomically).

    Files
    -----
    ``out``
        ``>seq0001 label=SP1,YY1`` headers, one sequence line each.
    ``<stem>.sites.tsv``
        One row per planted site: ``id, motif_id, motif, start, end, strand, site`` (0-based
        ``start``, exclusive ``end``).
    ``<stem>.json``
        ``command`` (the exact generating command), settings, motifs (id, name, label, width),
        label counts, seqconv version.

    Returns
    -------
    dict
        ``{"fasta": Path, "sites": Path, "provenance": Path}``.
    """
    from seqconv.version import __version__

    out = Path(out)
    sites_path, json_path = sidecar_paths(out)
    fasta = "".join(f">{r.id} label={r.label}\n{r.sequence}\n" for r in sim.records)
    header = "id\tmotif_id\tmotif\tstart\tend\tstrand\tsite\n"
    rows = "".join(
        f"{s.id}\t{s.motif_id}\t{s.motif}\t{s.start}\t{s.end}\t{s.strand}\t{s.site}\n"
        for s in sim.sites
    )
    provenance = {
        "command": command,
        "seqconv_version": __version__,
        "settings": sim.settings,
        "motifs": [
            {"id": m.id, "name": m.name, "label": label, "width": m.width, "tf_family": m.tf_family}
            for m, label in zip(sim.motifs, sim.labels, strict=True)
        ],
        "label_counts": dict(Counter(r.label for r in sim.records)),
        "sites": len(sim.sites),
        "notes": sim.notes,
        "files": {"fasta": out.name, "sites": sites_path.name},
    }
    write_text(out, fasta)
    write_text(sites_path, header + rows)
    write_text(json_path, json.dumps(provenance, indent=2) + "\n")
    return {"fasta": out, "sites": sites_path, "provenance": json_path}


__all__ = [
    "PlantedSite",
    "SimulatedSequence",
    "Simulation",
    "parse_range",
    "sidecar_paths",
    "simulate",
    "write_simulation",
]
