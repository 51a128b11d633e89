"""A small simulated genome whose peaks carry planted JASPAR motifs, with variants in the peaks:
ground truth for the peaks-on-a-genome path (train from BED, predict, scan, score variants).

It has the traps of real data. **Isochores**: alternating AT-rich and GC-rich blocks from
order-1 Markov chains with CpG (and mild TpA) depletion. **Structure a dinucleotide shuffle
destroys** (shuffled sequence is a poor null): diverged, soft-masked copies of four repeat
families (Alu-like in GC-rich isochores, 5'-truncated L1-like in AT-rich ones, with poly-A tails)
and microsatellites. **Gaps**: runs of ``N``, at both ends of the genome and inside. **Peaks**,
mostly in GC-rich isochores (the trap for uniform negatives); 90 % carry 1-2 instances sampled
from the PFM, on a random strand, within 50 bp of the summit. **Variants**: per chosen peak, an
SNV that destroys a site (its most informative column; ALT the least probable base there) and
one at least 30 bp from every site; and a few indels and a multi-allelic record.

Everything random comes from one ``numpy`` generator seeded with ``seed``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.atomic import write_bytes, write_text
from seqconv.dna.encode import COMPLEMENT_CODE
from seqconv.dna.simulate import _label_names, _sample_instance
from seqconv.errors import InputError
from seqconv.motifs.motif import Motif

ISOCHORES = ("AT-rich", "GC-rich")
# (name, consensus bp, GC, preferred isochore (index into ISOCHORES) or None, genome share,
# poly-A tail): Alus sit in GC-rich DNA and L1s in AT-rich DNA, as in the human genome.
REPEATS = (
    ("AluLike", 290, 0.56, 1, 0.10, True),
    ("L1Like", 1500, 0.40, 0, 0.07, True),
    ("MIRLike", 260, 0.47, None, 0.03, False),
    ("DNALike", 180, 0.42, None, 0.02, False),
)
MICROSATELLITES = ("A", "CA", "AT", "GGAA", "CAG", "TTTA", "GATA")
NARROWPEAK = ("chrom", "start", "end", "name", "score", "strand", "signalValue", "pValue",
              "qValue", "peak")  # fmt: skip
SITE_COLUMNS = ("chrom", "start", "end", "motif_id", "motif", "strand", "peak", "site")
VARIANT_COLUMNS = ("chrom", "pos", "id", "ref", "alt", "effect", "peak", "motif")
N_CODE = 4  # gaps, in this module's codes (0-3: A C G T)
_LETTERS = np.frombuffer(b"ACGTN", dtype=np.uint8)
_MARGIN = 30  # "elsewhere" variants are at least this far from every planted site
_MIN_CHROM = 20_000
# The rarer VCF shapes, one each: (inserted bases, deleted bases); None: two ALT alleles.
_EXTRA_SHAPES = ((2, 0), (0, 2), (1, 0), (0, 1), None)


@dataclass
class GenomeSimulation:
    """A simulated genome with its peaks, planted sites and variants (tables in genome order).

    Attributes
    ----------
    sequences
        Chromosome name to ``(L,)`` uint8 ASCII bases (``ACGT``, lowercase where soft-masked,
        ``N`` in gaps), ``chr1 .. chrK``.
    isochores
        ``chrom, start, end, kind`` (one of :data:`ISOCHORES`), 0-based, end exclusive.
    peaks
        :data:`NARROWPEAK` columns (``peak``: the summit's offset from ``start``), ``isochore``
        (where the peak was drawn) and ``sites`` (number planted).
    sites, variants
        :data:`SITE_COLUMNS` (0-based, end exclusive; ``site``: the bases on the + strand) and
        :data:`VARIANT_COLUMNS` (1-based ``pos``; ``effect``: ``destroys`` or ``elsewhere``;
        ``motif``: the one a destroying variant breaks).
    stats
        GC fractions (genome, each isochore kind, peaks) and counts.
    """

    sequences: dict[str, np.ndarray]
    isochores: pd.DataFrame
    peaks: pd.DataFrame
    sites: pd.DataFrame
    variants: pd.DataFrame
    motifs: list[Motif]
    labels: list[str]
    settings: dict
    stats: dict
    notes: list[str] = field(default_factory=list)


def _markov(gc: float, cpg: float, length: int, rng: np.random.Generator) -> np.ndarray:
    """``(length,)`` codes of an order-1 Markov chain with stationary GC ``gc`` and CpG at
    ``cpg`` times its expectation, run as side-by-side chains of at most 4096 bases so that the
    Python loop is over one chain, not the whole length."""
    bias = np.ones((4, 4))
    bias[1, 2], bias[3, 0], bias[0, 0], bias[3, 3] = cpg, 0.8, 1.1, 1.1  # CG, TA, AA, TT
    g = gc
    for _ in range(30):  # the biases shift the stationary GC: correct the base composition
        p = np.array([1 - g, g, g, 1 - g]) / 2 * bias
        p /= p.sum(axis=1, keepdims=True)
        pi = np.linalg.matrix_power(p, 256)[0]
        g = float(np.clip(g + gc - pi[1] - pi[2], 0.01, 0.99))
    cum = np.cumsum(p, axis=1)[:, :3].astype(np.float32)
    steps = min(4096, max(length, 1))
    u = rng.random((steps, -(-length // steps)), dtype=np.float32)
    out = np.empty(u.shape, dtype=np.uint8)
    state = out[0] = (u[0, :, None] > np.cumsum(pi)[:3].astype(np.float32)).sum(axis=1)
    for t in range(1, steps):
        state = out[t] = (u[t, :, None] > cum[state]).sum(axis=1)
    return out.T.reshape(-1)[:length]


def _draw(blocks: np.ndarray, weight: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``(3, n)`` chromosome indices, positions and isochore kinds, uniform in blocks drawn in
    proportion to ``weight`` ``(B,)``; ``blocks`` ``(B, 4)`` is chrom, start, end, kind."""
    chrom, start, end, kind = blocks[rng.choice(len(blocks), size=n, p=weight / weight.sum())].T
    return np.stack([chrom, start + (rng.random(n) * (end - start)).astype(np.int64), kind])


def _mutated(seq: np.ndarray, divergence: float, rng: np.random.Generator) -> np.ndarray:
    """``seq`` with substitutions at rate ``divergence``, and CpG to TpG four times as often
    (methylated-CpG deamination, which ages real repeat copies fastest)."""
    seq = seq.copy()
    hit = rng.random(len(seq)) < divergence
    seq[hit] = (seq[hit] + rng.integers(1, 4, hit.sum())) % 4
    cpg = np.flatnonzero((seq[:-1] == 1) & (seq[1:] == 2))
    seq[cpg[rng.random(len(cpg)) < min(1.0, 4 * divergence)]] = 3
    return seq


def _paste(codes, masked, pieces, where: np.ndarray, rng: np.random.Generator) -> None:
    """Overwrite the genome with ``pieces`` at ``where`` (from ``_draw``), each on a random
    strand, soft-masked."""
    for piece, c, s in zip(pieces, where[0], where[1], strict=True):
        piece = COMPLEMENT_CODE[piece[::-1]] if rng.random() < 0.5 else piece
        s = min(int(s), len(codes[c]) - len(piece))
        codes[c][s : s + len(piece)] = piece
        masked[c][s : s + len(piece)] = True


def _add_repeats(codes, masked, blocks: np.ndarray, rng: np.random.Generator) -> None:
    """Diverged copies of :data:`REPEATS` and one microsatellite per 3 kb (in place)."""
    total = sum(len(c) for c in codes)
    lengths = (blocks[:, 2] - blocks[:, 1]).astype(float)
    for _, width, gc, prefers, share, tail in REPEATS:
        consensus = _markov(gc, 0.8, width, rng)
        weight = lengths * (1 if prefers is None else np.where(blocks[:, 3] == prefers, 4, 1))
        truncated = width > 1000  # L1-like copies: 200 bp to the full length, from the 3' end
        copies = []
        for _ in range(int(share * total / (width / 2 if truncated else width))):
            cut = int(rng.integers(200, width)) if truncated else width
            copy = _mutated(consensus[width - cut :], rng.uniform(0.04, 0.2), rng)
            tail_bp = int(rng.integers(8, 30)) if tail else 0
            copies.append(np.concatenate([copy, np.zeros(tail_bp, np.uint8)]))
        _paste(codes, masked, copies, _draw(blocks, weight, len(copies), rng), rng)
    units = [np.array(["ACGT".index(b) for b in m], np.uint8) for m in MICROSATELLITES]
    sats = []
    for k in rng.integers(0, len(units), total // 3000):
        run = np.tile(units[k], -(-int(rng.integers(12, 60)) // len(units[k])))
        sats.append(_mutated(run, 0.03, rng))
    _paste(codes, masked, sats, _draw(blocks, lengths, len(sats), rng), rng)


def _place_peaks(length, gaps, blocks, n_peaks, widths, gc_rich_fraction, rng) -> list[tuple]:
    """``n_peaks`` sorted ``(chrom, start, width, kind)``, 200 bp apart and 1 kb clear of gaps
    and chromosome ends; ``kind``: the isochore a peak was drawn in."""
    blocked = [np.zeros(length, bool) for _ in range(blocks[-1, 0] + 1)]
    for b in blocked:
        b[:1000] = b[-1000:] = True
    for c, start, end in gaps:
        blocked[c][max(start - 1000, 0) : end + 1000] = True
    lengths = (blocks[:, 2] - blocks[:, 1]).astype(float)
    rich = blocks[:, 3] == 1  # a block's weight: its share of its kind's bp times that kind's
    weight = lengths * np.where(rich, gc_rich_fraction, 1 - gc_rich_fraction)
    weight /= np.where(rich, lengths[rich].sum(), lengths[~rich].sum())
    n = 20 * n_peaks  # candidates; most are rejected only when the genome is crowded
    drawn = _draw(blocks, weight if weight.sum() else lengths, n, rng)
    peaks: list[tuple[int, int, int, int]] = []
    for c, s, kind, w in zip(*drawn, rng.integers(widths[0], widths[1] + 1, n), strict=True):
        if s + w + 200 <= length and not blocked[c][max(s - 200, 0) : s + w + 200].any():
            blocked[c][s : s + w] = True  # later peaks keep their 200 bp from this one
            peaks.append((int(c), int(s), int(w), int(kind)))
            if len(peaks) == n_peaks:
                return sorted(peaks)
    raise InputError(
        f"could not place {n_peaks} peaks 200 bp apart in {len(blocked)} x {length:,} bp; use "
        "fewer peaks (--n) or more or longer chromosomes (--chromosomes, --chrom-length)"
    )


def _plant(codes, masked, start, width, summit, motifs, rng) -> list[tuple[int, int, int, str]]:
    """Plant 0 (10 %), 1 or 2 instances within 50 bp of the summit of the peak ``start`` +
    ``width`` (``codes``, ``masked``: its chromosome); sorted ``(start, end, motif, strand)``."""
    sites: list[tuple[int, int, int, str]] = []
    for _ in range(0 if rng.random() < 0.1 else 1 if rng.random() < 0.6 else 2):
        m = int(rng.integers(0, len(motifs)))
        w = motifs[m].width
        for _try in range(20):
            at = start + int(np.clip(summit + rng.integers(-50, 51) - w // 2, 0, width - w))
            if all(at >= e or at + w <= s for s, e, *_ in sites):
                break
        else:
            continue
        instance = _sample_instance(motifs[m].ppm, rng)
        strand = "-" if rng.random() < 0.5 else "+"
        codes[at : at + w] = COMPLEMENT_CODE[instance[::-1]] if strand == "-" else instance
        masked[at : at + w] = False
        sites.append((at, at + w, m, strand))
    return sorted(sites)


def _variants(peaks: pd.DataFrame, sites: pd.DataFrame, codes, motifs, n_variant_peaks, rng):
    """A destroying and an elsewhere SNV in ``n_variant_peaks`` peaks with sites, and one record
    of each of :data:`_EXTRA_SHAPES`: rows of :data:`VARIANT_COLUMNS` without ``id``."""
    by_id = {m.id: m for m in motifs}
    carrying = peaks[peaks["sites"] > 0]
    out: list[tuple] = []
    extras = 0
    for p in carrying.iloc[rng.permutation(len(carrying))[:n_variant_peaks]].itertuples():
        seq, mine = codes[p.chrom_index], sites[sites["peak"] == p.name]
        free = np.ones(p.end - p.start + 3, bool)
        for s, e in zip(mine["start"] - p.start, mine["end"] - p.start, strict=True):
            free[max(s - _MARGIN + 1, 0) : e + _MARGIN - 1] = False
        free[-3:] = False
        room = free[:-3] & free[1:-2] & free[2:-1] & free[3:]  # a deletion's bases are free too
        spots = p.start + np.flatnonzero(room)
        if len(spots) < 2:
            continue  # no room for an elsewhere variant: no pair from this peak
        site = mine.iloc[int(rng.integers(0, len(mine)))]
        motif = by_id[site.motif_id]
        col = int(np.argmax(motif.bits))
        pos = site.start + col if site.strand == "+" else site.end - 1 - col
        order = np.argsort(motif.ppm[:, col], kind="stable")  # least probable first
        alts = order if site.strand == "+" else COMPLEMENT_CODE[order]
        alt = "ACGT"[next(int(a) for a in alts if a != seq[pos])]
        out.append((p.chrom, pos + 1, "ACGT"[seq[pos]], alt, "destroys", p.name, site.motif))
        p1, p2 = (int(x) for x in rng.choice(spots, 2, replace=False))
        alt = "ACGT"[(seq[p1] + int(rng.integers(1, 4))) % 4]
        out.append((p.chrom, p1 + 1, "ACGT"[seq[p1]], alt, "elsewhere", p.name, ""))
        if extras < len(_EXTRA_SHAPES) and abs(p2 - p1) >= 5:
            shape, extras = _EXTRA_SHAPES[extras], extras + 1
            ref = "".join("ACGT"[b] for b in seq[p2 : p2 + 1 + (shape[1] if shape else 0)])
            alt = ",".join(b for b in "ACGT" if b != ref)[:3]  # two ALT alleles, e.g. "A,T"
            if shape is not None:
                alt = ref[0] + "".join("ACGT"[b] for b in rng.integers(0, 4, shape[0]))
            out.append((p.chrom, p2 + 1, ref, alt, "elsewhere", p.name, ""))
    return out


def _background(n_chroms, length, isochore_lengths, isochore_gc, rng):
    """Isochores, repeats and gaps: ``(L,)`` codes and soft-mask per chromosome, the ``(B, 4)``
    isochore blocks (chrom, start, end, kind) and the gaps ``(chrom, start, end)``."""
    rows, kind = [], int(rng.integers(0, 2))  # kinds alternate, also across chromosomes
    for c in range(n_chroms):
        start = 0
        while start < length:
            span = isochore_lengths[kind]
            end = min(start + int(rng.integers(*span, endpoint=True)), length)
            rows.append((c, start, end, kind))
            start, kind = end, 1 - kind
    blocks = np.array(rows, dtype=np.int64)
    codes = [np.empty(length, np.uint8) for _ in range(n_chroms)]
    for kind, gc in enumerate(isochore_gc):
        sel = blocks[blocks[:, 3] == kind]
        pool = _markov(gc, (0.15, 0.2)[kind], int((sel[:, 2] - sel[:, 1]).sum()), rng)
        for (c, start, end, _), stop in zip(sel, np.cumsum(sel[:, 2] - sel[:, 1]), strict=True):
            codes[c][start:end] = pool[stop - (end - start) : stop]
    masked = [np.zeros(length, bool) for _ in range(n_chroms)]
    _add_repeats(codes, masked, blocks, rng)
    end = min(10_000, length // 20)
    gaps = [(0, 0, end), (n_chroms - 1, length - end, length)]  # at both ends of the genome
    for c in np.flatnonzero(rng.random(n_chroms) < 0.5):
        width = int(rng.integers(length // 200, length // 40))
        start = int(rng.integers(length // 10, length * 9 // 10 - width))
        gaps.append((int(c), start, start + width))
    for c, start, end in gaps:
        codes[c][start:end] = N_CODE
    return codes, masked, blocks, gaps


def simulate_genome(
    motifs: Sequence[str | Motif],
    n_peaks: int = 2000,
    chromosomes: int = 10,
    chrom_length: int = 1_000_000,
    seed: int = 0,
    isochore_length: tuple[int, int] = (100_000, 400_000),
    gc_rich_length: tuple[int, int] = (30_000, 120_000),
    isochore_gc: tuple[float, float] = (0.37, 0.57),
    gc_rich_fraction: float = 0.9,
    peak_width: tuple[int, int] = (200, 600),
    n_variant_peaks: int = 300,
    release: str = "JASPAR2024",
    database=None,
) -> GenomeSimulation:
    """Simulate a genome ``chr1 .. chr{chromosomes}`` with peaks carrying planted motifs.

    Parameters
    ----------
    motifs
        JASPAR ids (``MA0139.2``; ``MA0139``: latest), TF names or
        :class:`~seqconv.motifs.motif.Motif` objects; each instance's motif is drawn uniformly.
    n_peaks
        Number of peaks (at least 200 bp apart).
    chromosomes, chrom_length
        Number of chromosomes and the length of each (at least 20 kb).
    isochore_length, gc_rich_length, isochore_gc
        Ranges of the lengths (uniform) of AT-rich and of GC-rich isochores, and the GC of the
        Markov chain in each (repeats move it a little: ``stats`` has the measured GC). The
        defaults make about a quarter of the genome GC-rich and its GC about 0.42, as in human
        (Bernardi's isochores; genome GC 0.41).
    gc_rich_fraction
        Fraction of peaks drawn in GC-rich isochores.
    peak_width
        Range of peak widths (uniform); summits scatter around the centre.
    n_variant_peaks
        Peaks (with sites) that get a destroying and an elsewhere SNV.
    release, database
        JASPAR release, or a :class:`~seqconv.motifs.database.MotifDatabase`, for ids and names.

    Returns
    -------
    GenomeSimulation
    """
    settings = {k: v for k, v in locals().items() if k not in ("motifs", "database")}
    from seqconv.motifs.database import resolve_motif  # after locals(): not a setting

    if not motifs:
        raise InputError("give at least one motif (--motif MA0139.2 or --motif CTCF)")
    if not 1 <= chromosomes <= 1000 or chrom_length < _MIN_CHROM:
        raise InputError(
            f"need 1 to 1000 chromosomes (--chromosomes) of at least {_MIN_CHROM:,} bp "
            f"(--chrom-length), got {chromosomes} chromosome(s) of {chrom_length:,} bp"
        )
    if n_peaks < 1 or n_variant_peaks < 0 or not 0 <= gc_rich_fraction <= 1:
        raise InputError(f"need at least 1 peak (--n), got {n_peaks}")
    if not 100 <= peak_width[0] <= peak_width[1] or not 0 < min(*isochore_length, *gc_rich_length):
        raise InputError(f"bad ranges: peak width {peak_width}, isochore length {isochore_length}")
    notes: list[str] = []
    resolved = [
        m if isinstance(m, Motif) else resolve_motif(m, release, database, notes) for m in motifs
    ]
    if any(m.width > peak_width[0] // 2 for m in resolved):
        raise InputError(f"motifs must be at most {peak_width[0] // 2} bp wide (half a peak)")
    labels = _label_names(resolved)
    rng = np.random.default_rng(seed)
    names = [f"chr{i + 1}" for i in range(chromosomes)]
    codes, masked, blocks, gaps = _background(
        chromosomes, chrom_length, (isochore_length, gc_rich_length), isochore_gc, rng
    )

    placed = _place_peaks(chrom_length, gaps, blocks, n_peaks, peak_width, gc_rich_fraction, rng)
    peak_rows, site_rows = [], []
    for i, (c, start, width, kind) in enumerate(placed):
        summit = int(np.clip(round(width / 2 + rng.normal(0, width / 8)), 30, width - 30))
        planted = _plant(codes[c], masked[c], start, width, summit, resolved, rng)
        name = f"peak{i + 1:05d}"
        site_rows += [
            (names[c], s, e, resolved[m].id, labels[m], st, name) for s, e, m, st in planted
        ]
        signal = round((4 + 6 * len(planted)) * float(rng.lognormal(0, 0.35)), 3)
        score = min(1000, int(signal * 40))  # score and p/q-values follow the signal, as in MACS2
        peak_rows.append((names[c], start, start + width, name, score, ".", signal,
                          round(3 + 1.8 * signal, 3), round(1.7 + 1.8 * signal, 3), summit,
                          ISOCHORES[kind], len(planted), c))  # fmt: skip
    peaks = pd.DataFrame(peak_rows, columns=[*NARROWPEAK, "isochore", "sites", "chrom_index"])
    sites = pd.DataFrame(site_rows, columns=list(SITE_COLUMNS[:-1]))
    variants = pd.DataFrame(
        _variants(peaks, sites, codes, resolved, n_variant_peaks, rng),
        columns=[c for c in VARIANT_COLUMNS if c != "id"],
    )
    order = {name: c for c, name in enumerate(names)}
    variants = variants.iloc[np.lexsort((variants["pos"], variants["chrom"].map(order)))]
    variants.insert(2, "id", [f"var{i + 1:06d}" for i in range(len(variants))])

    sequences = {}
    for name, seq, soft in zip(names, codes, masked, strict=True):
        sequences[name] = _LETTERS[seq]
        sequences[name][soft & (seq < N_CODE)] += 32  # lowercase
    sites["site"] = [sequences[c][s:e].tobytes().decode() for c, s, e in sites.iloc[:, :3].values]

    def gc(parts: list[np.ndarray]) -> float | None:  # None: no such bases (one isochore kind)
        joined = np.concatenate([np.zeros(0, np.uint8), *parts])
        acgt = (joined < N_CODE).sum()
        return round(float(np.isin(joined, (1, 2)).sum() / acgt), 4) if acgt else None

    gcs = {"genome": gc(codes)}
    for kind, name in enumerate(ISOCHORES):
        gcs[f"{name}_isochores"] = gc([codes[c][s:e] for c, s, e, k in blocks if k == kind])
    gcs["peaks"] = gc([codes[c][s:e] for c, s, e in peaks[["chrom_index", "start", "end"]].values])
    stats = {
        "gc": gcs,
        "gap_bp": sum(e - s for _, s, e in gaps),
        "soft_masked_fraction": round(float(np.concatenate(masked).mean()), 4),
        "isochores": len(blocks),
        "peaks": len(peaks),
        "peaks_in_gc_rich_isochores": int((peaks["isochore"] == "GC-rich").sum()),
        "peaks_with_sites": int((peaks["sites"] > 0).sum()),
        "sites": len(sites),
        "variants": {e: int((variants["effect"] == e).sum()) for e in ("destroys", "elsewhere")},
    }
    isochores = pd.DataFrame(
        [(names[c], s, e, ISOCHORES[k]) for c, s, e, k in blocks],
        columns=["chrom", "start", "end", "kind"],
    )
    settings = {"motifs": [m if isinstance(m, str) else m.id for m in motifs], **settings}
    return GenomeSimulation(
        sequences, isochores, peaks.drop(columns="chrom_index"), sites,
        variants.reset_index(drop=True), resolved, labels, settings, stats, notes,
    )  # fmt: skip


def write_genome_simulation(
    sim: GenomeSimulation, out_dir: str | Path, command: str | None = None
) -> dict[str, Path]:
    """Write ``genome.fa`` (60-column lines), ``peaks.narrowPeak``, ``variants.vcf`` (4.2),
    ``sites.tsv``, ``isochores.bed`` and ``simulation.json`` into ``out_dir``, each atomically.

    Returns
    -------
    dict
        ``genome``, ``peaks``, ``variants``, ``sites``, ``isochores``, ``provenance`` to paths.
    """
    from seqconv.version import __version__

    files = ("genome.fa", "peaks.narrowPeak", "variants.vcf", "sites.tsv", "isochores.bed",
             "simulation.json")  # fmt: skip
    kinds = ("genome", "peaks", "variants", "sites", "isochores", "provenance")
    paths = {kind: Path(out_dir) / name for kind, name in zip(kinds, files, strict=True)}
    fasta = []
    for name, seq in sim.sequences.items():
        full = len(seq) // 60 * 60
        lines = np.hstack([seq[:full].reshape(-1, 60), np.full((full // 60, 1), 10, np.uint8)])
        fasta += [f">{name}\n".encode(), lines.tobytes()]
        fasta += [seq[full:].tobytes() + b"\n"] if full < len(seq) else []
    info = (
        ("EFFECT", "destroys: breaks a planted motif site; elsewhere: >= 30 bp from all sites"),
        ("PEAK", "The peak the variant lies in"),
        ("MOTIF", "The motif whose planted site the variant destroys"),
    )
    header = [
        "##fileformat=VCFv4.2",
        f"##source=seqconv {__version__} simulate --genome",
        "##reference=genome.fa",
        *(f"##contig=<ID={n},length={len(s)}>" for n, s in sim.sequences.items()),
        *(f'##INFO=<ID={k},Number=1,Type=String,Description="{d}">' for k, d in info),
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    v = sim.variants
    motif = np.where(v["motif"] != "", ";MOTIF=" + v["motif"], "")
    body = v[["chrom", "pos", "id", "ref", "alt"]].assign(qual=".", filter="PASS")
    body["info"] = "EFFECT=" + v["effect"] + ";PEAK=" + v["peak"] + motif
    provenance = {
        "command": command,
        "seqconv_version": __version__,
        "settings": sim.settings,
        "motifs": [
            {"id": m.id, "name": m.name, "label": label, "width": m.width}
            for m, label in zip(sim.motifs, sim.labels, strict=True)
        ],
        **sim.stats,
        "notes": sim.notes,
        "files": {kind: path.name for kind, path in paths.items()},
    }
    tsv = {"sep": "\t", "index": False, "lineterminator": "\n"}
    write_bytes(paths["genome"], b"".join(fasta))
    write_text(paths["peaks"], sim.peaks[list(NARROWPEAK)].to_csv(header=False, **tsv))
    write_text(paths["variants"], "\n".join(header) + "\n" + body.to_csv(header=False, **tsv))
    write_text(paths["sites"], sim.sites.to_csv(**tsv))
    write_text(paths["isochores"], sim.isochores.to_csv(header=False, **tsv))
    write_text(paths["provenance"], json.dumps(provenance, indent=2) + "\n")
    return paths


__all__ = ["GenomeSimulation", "ISOCHORES", "simulate_genome", "write_genome_simulation"]
