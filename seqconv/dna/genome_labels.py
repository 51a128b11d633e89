"""Labelled windows from peaks on a genome: the BED counterpart of :mod:`seqconv.dna.labels`.

The label forms follow the FASTA ones:

* several BED files: each file is one class, named by its stem (a window in several files belongs
  to each: multi-label);
* one BED with ``--label-column name|score|N``: that column holds the labels (classes, ``a,b``
  multi-label, or numbers for regression);
* ``--bigwig`` files: the mean (or sum) of each signal over each window, one regression target
  per file (``log1p`` optional), over the peaks and GC-matched genomic windows (``--negatives
  none``: the peaks alone);
* one BED alone: the peaks against negatives, by default genomic windows matched to the peaks'
  GC content (:mod:`seqconv.dna.background`), or dinucleotide-shuffled copies.

Every window is ``length`` bp centred on the peak's summit (narrowPeak) or centre; its id is
``chrom:start-end``, so chromosome splits apply as for FASTA ids with coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.background import Background, gc_matched_background
from seqconv.dna.bed import centred_starts, read_bed, window_ids
from seqconv.dna.fasta import EncodedFasta
from seqconv.dna.genome import Genome, gc_fraction
from seqconv.dna.labels import SHUFFLED_CLASS, LabeledSequences
from seqconv.dna.shuffle import shuffle_rows
from seqconv.dna.targets import parse_targets
from seqconv.errors import InputError

BACKGROUND_CLASS = "background"
NEGATIVE_KINDS = ("genome", "shuffle", "none")
LABEL_COLUMNS = {"name": 3, "score": 4}


@dataclass
class GenomeOptions:
    """How windows, labels and negatives come from BED files on a genome (see the module doc)."""

    bed: Sequence[str]
    genome: str
    length: int
    label_column: str | None = None
    bigwig: Sequence[str] = ()
    bigwig_stat: str = "mean"
    log1p: bool = False
    negatives: str = "genome"
    negatives_ratio: float = 1.0
    flank: int | None = None
    exclude: str | None = None
    task: str | None = None
    seed: int = 0


@dataclass
class GenomeLabeled:
    """Labelled windows and where their negatives came from.

    Attributes
    ----------
    data
        The windows as codes with targets (ids ``chrom:start-end``).
    background
        The GC-matched negatives, when drawn from the genome.
    sizes
        Chromosome lengths of the genome (for provenance).
    """

    data: LabeledSequences
    background: Background | None
    sizes: dict[str, int]


def stem(path: str | Path) -> str:
    """A BED file's class name: its name without ``.bed``/``.narrowPeak``/``.gz``."""
    name = Path(path).name
    for suffix in (".gz", ".bgz", ".bed", ".narrowPeak", ".narrowpeak", ".broadPeak", ".txt"):
        name = name.removesuffix(suffix)
    return name


def encode_bed(paths: Sequence[str | Path], genome: str | Path, length: int) -> EncodedFasta:
    """Windows of ``length`` bp centred on the intervals of BED files, as a FASTA reader would
    return them (ids ``chrom:start-end`` of each interval; intervals past a chromosome end
    dropped).

    Returns
    -------
    EncodedFasta
        ``(N, length)`` uint8 codes, one row per interval, files one after the other.
    """
    ref = Genome(genome)
    ids: list[str] = []
    blocks = []
    for path in paths:
        table = read_bed(path)
        ref.check_chromosomes(table["chrom"].unique(), str(path))
        table, _ = ref.drop_outside(table, str(path))
        codes, _ = ref.windows(table["chrom"], centred_starts(table, length), length)
        ids.extend(f"{c}:{a}-{b}" for c, a, b in zip(table["chrom"], table["start"],
                                                      table["end"], strict=True))  # fmt: skip
        blocks.append(codes)
    codes = np.concatenate(blocks)
    return EncodedFasta(ids, [""] * len(ids), codes, np.full(len(ids), length, dtype=np.int64))


def median_width(paths: Sequence[str]) -> int:
    """The median interval width over BED files (the default window length)."""
    widths = np.concatenate([(t["end"] - t["start"]).to_numpy() for t in map(read_bed, paths)])
    return int(np.median(widths))


def load_bed_labeled(options: GenomeOptions) -> GenomeLabeled:
    """Read the BED files, cut windows from the genome and label them.

    Returns
    -------
    GenomeLabeled
    """
    if options.negatives not in NEGATIVE_KINDS:
        raise InputError(
            f"--negatives {options.negatives!r} with --bed: use genome (GC-matched genomic "
            "windows), shuffle or none"
        )
    genome = Genome(options.genome)
    tables = [read_bed(p) for p in options.bed]
    notes: list[str] = []
    for i, path in enumerate(options.bed):
        genome.check_chromosomes(tables[i]["chrom"].unique(), str(path))
        tables[i], note = genome.drop_outside(tables[i], str(path))
        if note:
            notes.append(note)
        if tables[i].empty:
            raise InputError(f"{path}: every interval lies past the ends of its chromosome")
    length = options.length
    several = len(options.bed) > 1
    if several and (options.label_column or options.bigwig):
        raise InputError(
            "several --bed files are the classes: --label-column and --bigwig need one --bed"
        )
    if options.label_column and options.bigwig:
        raise InputError("give --label-column or --bigwig, not both")

    peaks = pd.concat(tables, ignore_index=True)
    if several:
        chroms, starts, per_window = _class_windows(options.bed, tables, length)
        shared = any("," in v for v in per_window)
        if shared and options.task in ("binary", "multiclass"):
            raise InputError(
                f"--task {options.task}: but some windows are in several BED files (multi-label "
                "data); drop --task, or remove them from all but one file"
            )
        task = options.task or ("multilabel" if shared else "multiclass")
        targets, names, task = parse_targets(
            per_window, task, "files", window_ids(chroms, starts, length)
        )
        if shared:
            notes.append("windows in several BED files make this a multilabel task")
        notes.append(f"classes from file names: {', '.join(stem(p) for p in options.bed)}")
        _unused_negatives(options, "the BED files, one class each")
        return _finish(genome, chroms, starts, length, targets, names, task, notes, None)

    table = _unique_windows(tables[0], length, notes)
    chroms = table["chrom"].to_numpy()
    starts = centred_starts(table, length)
    where = str(options.bed[0])
    if options.label_column:
        values = _label_values(table, options.label_column, where)
        targets, names, task = parse_targets(
            values, options.task, where, window_ids(chroms, starts, length)
        )
        _unused_negatives(options, f"--label-column {options.label_column}")
        return _finish(genome, chroms, starts, length, targets, names, task, notes, None)

    codes, outside = genome.windows(chroms, starts, length)
    if outside:
        notes.append(f"{outside} windows reach past a chromosome end: padded with N")
    if options.bigwig:
        return _with_signal(genome, options, peaks, chroms, starts, codes, notes)
    if options.negatives == "none":
        raise InputError(
            f"{where}: one BED file and no labels: use --negatives genome (GC-matched genomic "
            "windows, the default) or shuffle, several --bed files (one per class), "
            "--label-column or --bigwig"
        )
    positive = stem(options.bed[0])
    ids = window_ids(chroms, starts, length)
    if options.negatives == "shuffle":
        rng = np.random.default_rng(options.seed)
        negative_codes = shuffle_rows(codes, rng)
        notes.append(
            f"training {positive} against {len(ids)} dinucleotide-shuffled copies (seed "
            f"{options.seed}); the default --negatives genome draws GC-matched genomic windows"
        )
        data = LabeledSequences.against_negatives(
            ids, codes, [f"{i}_shuffled" for i in ids], negative_codes,
            [SHUFFLED_CLASS, positive], ids + ids,
            [where] * len(ids) + [SHUFFLED_CLASS] * len(ids), notes,
        )  # fmt: skip
        return GenomeLabeled(data, None, genome.sizes)
    background = _background(genome, options, peaks, codes, length)
    notes.extend(background.notes)
    summary = background.summary()
    notes.append(
        f"{summary['negatives']:,} GC-matched genomic negatives for {summary['positives']:,} peaks "
        f"(mean GC {summary['positive_gc_mean']:.3f} vs {summary['negative_gc_mean']:.3f}, "
        f"largest gap between the GC distributions {summary['ks_distance']:.3f}; seed "
        f"{options.seed})"
    )
    neg_codes, _ = genome.windows(background.chroms, background.starts, length)
    neg_ids = window_ids(background.chroms, background.starts, length)
    data = LabeledSequences.against_negatives(
        ids, codes, neg_ids, neg_codes, [BACKGROUND_CLASS, positive], ids + neg_ids,
        [where] * len(ids) + [BACKGROUND_CLASS] * len(neg_ids), notes,
    )  # fmt: skip
    return GenomeLabeled(data, background, genome.sizes)


def _unique_windows(table: pd.DataFrame, length: int, notes: list[str]) -> pd.DataFrame:
    """One row per window: intervals with the same summit give the same window."""
    duplicated = table.duplicated(["chrom", "summit"])
    if duplicated.any():
        notes.append(
            f"{int(duplicated.sum())} intervals share a {length} bp window with an earlier one "
            "(same summit or centre): each window is used once"
        )
        table = table[~duplicated].reset_index(drop=True)
    return table


def _unused_negatives(options: GenomeOptions, labels_from: str) -> None:
    if options.negatives not in ("genome", "none"):
        raise InputError(
            f"--negatives {options.negatives} is for one BED file without labels, but the labels "
            f"here come from {labels_from}: drop --negatives"
        )


def _class_windows(
    paths: Sequence[str], tables: list[pd.DataFrame], length: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Windows of every file; a window in several files lists each file's class."""
    stems = [stem(p) for p in paths]
    if len(set(stems)) != len(stems):
        raise InputError(f"two BED files share the name {stems}; each file names a class")
    classes: dict[tuple[str, int], list[str]] = {}
    for name, table in zip(stems, tables, strict=True):
        for chrom, start in zip(
            table["chrom"], centred_starts(table, length).tolist(), strict=True
        ):
            labels = classes.setdefault((chrom, start), [])
            if name not in labels:
                labels.append(name)
    chroms = np.array([c for c, _ in classes])
    starts = np.array([s for _, s in classes], dtype=np.int64)
    return chroms, starts, [",".join(v) for v in classes.values()]


def _label_values(table: pd.DataFrame, column: str, where: str) -> list[str]:
    """The labels in a BED column: ``name``, ``score`` or a 1-based column number."""
    key = LABEL_COLUMNS.get(column.lower())
    name = BED_NAMES.get(key) if key is not None else None
    if name is None and column.isdigit() and int(column) >= 1:
        name = BED_NAMES.get(int(column) - 1)
    if name is None:
        raise InputError(f"--label-column {column!r}: use name, score, or a column number 4-6")
    if name not in table.columns:
        raise InputError(f"{where}: has no {name} column (column {_column_number(name)})")
    values = table[name].astype(str).tolist()
    empty = [i for i, v in enumerate(values) if v in ("", ".", "nan")]
    if empty:
        line = int(table["line"].iloc[empty[0]])
        raise InputError(
            f"{where}, line {line}: the {name} column is empty ('.'); label every interval"
        )
    return values


BED_NAMES = {3: "name", 4: "score", 5: "strand"}


def _column_number(name: str) -> int:
    return next(k for k, v in BED_NAMES.items() if v == name) + 1


def _background(
    genome: Genome, options: GenomeOptions, peaks: pd.DataFrame, codes: np.ndarray, length: int
) -> Background:
    exclude = read_bed(options.exclude) if options.exclude else None
    if exclude is not None and not set(exclude["chrom"]) & set(genome.sizes):
        # a blacklist names chromosomes a subset genome lacks: fine; naming none is a mismatch
        genome.check_chromosomes(exclude["chrom"].unique(), f"--exclude {options.exclude}")
    positive_gc, _ = gc_fraction(codes)
    flank = options.flank if options.flank is not None else length
    return gc_matched_background(
        genome,
        peaks,
        positive_gc,
        length,
        ratio=options.negatives_ratio,
        flank=flank,
        exclude=exclude,
        seed=options.seed,
    )


def _with_signal(
    genome: Genome,
    options: GenomeOptions,
    peaks: pd.DataFrame,
    chroms: np.ndarray,
    starts: np.ndarray,
    codes: np.ndarray,
    notes: list[str],
) -> GenomeLabeled:
    """Regression on bigWig signal over the peak windows and, unless ``--negatives none``,
    as many GC-matched genomic windows (a signal model needs to see low values too)."""
    from seqconv.dna.signal import window_signal

    background = None
    if options.negatives == "genome":
        background = _background(genome, options, peaks, codes, options.length)
        neg_codes, _ = genome.windows(background.chroms, background.starts, options.length)
        chroms = np.concatenate([chroms, background.chroms])
        starts = np.concatenate([starts, background.starts])
        codes = np.concatenate([codes, neg_codes])
        notes.append(f"{len(background.starts):,} GC-matched genomic windows added")
    values = np.stack(
        [
            window_signal(p, chroms, starts, options.length, options.bigwig_stat, options.log1p)
            for p in options.bigwig
        ],
        axis=1,
    ).astype(np.float32)
    names = [stem(p).removesuffix(".bw").removesuffix(".bigWig").removesuffix(".bigwig")
             for p in options.bigwig]  # fmt: skip
    if len(set(names)) != len(names):
        names = [f"{n}_{i + 1}" for i, n in enumerate(names)]
    ids = window_ids(chroms, starts, options.length)
    notes.append(
        f"regression on the {options.bigwig_stat}{' (log1p)' if options.log1p else ''} of "
        f"{', '.join(names)} per window"
    )
    data = LabeledSequences(
        ids, codes, values, "regression", names, ids, [str(options.bed[0])] * len(ids), notes
    )
    return GenomeLabeled(data, background, genome.sizes)


def _finish(
    genome: Genome,
    chroms: np.ndarray,
    starts: np.ndarray,
    length: int,
    targets: np.ndarray,
    names: list[str],
    task: str,
    notes: list[str],
    background: Background | None,
) -> GenomeLabeled:
    codes, outside = genome.windows(chroms, starts, length)
    if outside:
        notes.append(f"{outside} windows reach past a chromosome end: padded with N")
    ids = window_ids(chroms, starts, length)
    data = LabeledSequences(ids, codes, targets, task, names, ids, ["bed"] * len(ids), notes)
    return GenomeLabeled(data, background, genome.sizes)
