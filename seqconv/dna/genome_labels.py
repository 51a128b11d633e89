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
``chrom:start-end``, so chromosome splits apply as for FASTA ids with coordinates. Windows that
are mostly unknown bases (more than :data:`MOSTLY_N` N: an assembly gap, an all-N chromosome)
carry no sequence to learn from and are skipped, counted and named, as genomic negatives with
N are. ``seqconv evaluate --bed`` reads peaks through the same code, with the run's classes
(:attr:`GenomeOptions.classes`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqconv.dna.background import Background, gc_matched_background
from seqconv.dna.bed import centred_starts, read_bed, window_ids
from seqconv.dna.bed_labels import class_windows, label_values, stem, unique_windows
from seqconv.dna.fasta import EncodedFasta
from seqconv.dna.genome import Genome, gc_fraction
from seqconv.dna.labeled import SHUFFLED_CLASS, LabeledSequences
from seqconv.dna.shuffle import shuffle_rows
from seqconv.dna.targets import parse_targets
from seqconv.errors import InputError
from seqconv.progress import size_text

BACKGROUND_CLASS = "background"
NEGATIVE_KINDS = ("genome", "shuffle", "none")
MOSTLY_N = 0.5
"""Labelled windows with a larger fraction of unknown bases are skipped (and counted)."""

__all__ = ["GenomeLabeled", "GenomeOptions", "encode_bed", "load_bed_labeled", "median_width",
           "read_on_genome", "stem"]  # fmt: skip


@dataclass
class GenomeOptions:
    """How windows, labels and negatives come from BED files on a genome (see the module doc).

    ``classes``: the class or target names of a trained run (evaluation): labels are mapped onto
    them instead of being named by the files.
    """

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
    classes: Sequence[str] | None = None


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


@dataclass
class _Windows:
    """Windows cut from the genome: ``(N,)`` chromosomes and starts, ``(N, L)`` codes, and
    which of the windows asked for they are (``keep``: the others were mostly N)."""

    chroms: np.ndarray
    starts: np.ndarray
    codes: np.ndarray
    keep: np.ndarray

    def ids(self, length: int) -> list[str]:
        return window_ids(self.chroms, self.starts, length)


def encode_bed(paths: Sequence[str], genome: str, length: int) -> EncodedFasta:
    """Windows of ``length`` bp centred on the intervals of BED files, as a FASTA reader would
    return them (ids ``chrom:start-end`` of each interval; intervals past a chromosome end
    skipped, announced).

    Returns
    -------
    EncodedFasta
        ``(N, length)`` uint8 codes, one row per interval, files one after the other.
    """
    ref = Genome(genome)
    ids: list[str] = []
    blocks = []
    for path in paths:
        skipped: list[str] = []
        table = read_on_genome(ref, path, skipped)
        for note in skipped:
            ref.announce(note)
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


def read_on_genome(genome: Genome, path: str, notes: list[str] | None) -> pd.DataFrame:
    """A BED's intervals on ``genome``: chromosome names checked, intervals that start past a
    chromosome end skipped (noted in ``notes``); a file with none left stops."""
    table = read_bed(path)
    genome.check_chromosomes(table["chrom"].unique(), str(path))
    kept, note = genome.drop_outside(table, str(path))
    if kept.empty:
        first = table.iloc[0]
        raise InputError(
            f"{path}: all {len(table):,} intervals start past the end of their chromosome "
            f"(line {first['line']}: {first['chrom']}:{first['start']}, the chromosome has "
            f"{genome.sizes[first['chrom']]:,} bp); is {genome.path.name} the genome they were "
            "called on?"
        )
    if note and notes is not None:
        notes.append(note)
    return kept


def _check_size(genome: Genome, options: GenomeOptions, n_peaks: int) -> None:
    """Refuse windows longer than every chromosome, and windows that cannot fit in memory."""
    longest = max(genome.sizes.values())
    if options.length > longest:
        raise InputError(
            f"--length {options.length:,}: windows longer than every chromosome of "
            f"{genome.path.name} (the longest has {longest:,} bp) would be mostly N; use a "
            "shorter --length"
        )
    per_peak = 1 + (options.negatives_ratio if options.negatives == "genome" else 1)
    need = n_peaks * per_peak * options.length
    have = memory_bytes()
    if need > have / 2:
        raise InputError(
            f"{n_peaks:,} windows of {options.length:,} bp (with their negatives) need about "
            f"{size_text(need)} of memory, and this machine has {size_text(have)}; use a "
            "shorter --length, fewer peaks or a smaller --negatives-ratio"
        )


def memory_bytes() -> int:
    """The machine's physical memory (a large number where it cannot be told)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 1 << 50


def _cut(
    genome: Genome,
    chroms: np.ndarray,
    starts: np.ndarray,
    length: int,
    notes: list[str],
    where: str,
    lines: np.ndarray | None = None,
) -> _Windows:
    """The windows' codes; windows mostly N skipped (noted, and refused when all are)."""
    codes, outside = genome.windows(chroms, starts, length)
    if outside:
        notes.append(f"{outside} windows reach past a chromosome end: padded with N")
    _, unknown = gc_fraction(codes)
    mostly_n = unknown > MOSTLY_N
    first = int(np.argmax(mostly_n))
    named = f"{chroms[first]}:{starts[first]}-{starts[first] + length}"
    if lines is not None:
        named = f"line {lines[first]}, {named}"
    if mostly_n.all():
        raise InputError(
            f"{where}: every window is mostly unknown bases (N) in {genome.path.name} (first: "
            f"{named}); is this the genome the peaks were called on?"
        )
    if mostly_n.any():
        notes.append(
            f"[yellow]warning:[/] skipped {int(mostly_n.sum()):,} window(s) of {where} that are "
            f"more than {MOSTLY_N:.0%} unknown bases (N) in the genome (first: {named}): an "
            "assembly gap or an all-N chromosome has no sequence to learn from"
        )
    keep = np.flatnonzero(~mostly_n)
    return _Windows(np.asarray(chroms)[keep], np.asarray(starts)[keep], codes[keep], keep)


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
    several = len(options.bed) > 1
    if several and (options.label_column or options.bigwig):
        raise InputError(
            "several --bed files are the classes: --label-column and --bigwig need one --bed"
        )
    if options.label_column and options.bigwig:
        raise InputError("give --label-column or --bigwig, not both")
    genome = Genome(options.genome)
    notes: list[str] = []
    tables = [read_on_genome(genome, p, notes) for p in options.bed]
    length = options.length
    peaks = pd.concat(tables, ignore_index=True)
    _check_size(genome, options, len(peaks))
    if several:
        return _from_files(genome, options, tables, notes)

    table = unique_windows(tables[0], length, notes)
    where = str(options.bed[0])
    windows = _cut(genome, table["chrom"].to_numpy(), centred_starts(table, length), length,
                   notes, where, table["line"].to_numpy())  # fmt: skip
    table = table.iloc[windows.keep].reset_index(drop=True)
    if options.label_column:
        values = label_values(table, options.label_column, where)
        targets, names, task = parse_targets(
            values, options.task, where, windows.ids(length), options.classes
        )
        _unused_negatives(options, f"--label-column {options.label_column}")
        return _finish(genome, windows, length, targets, names, task, notes)
    if options.bigwig:
        return _with_signal(genome, options, peaks, windows, notes)
    if options.negatives == "none":
        raise InputError(
            f"{where}: one BED file and no labels: use --negatives genome (GC-matched genomic "
            "windows, the default) or shuffle, several --bed files (one per class), "
            "--label-column or --bigwig"
        )
    return _against_negatives(genome, options, peaks, windows, notes)


def _from_files(
    genome: Genome, options: GenomeOptions, tables: list[pd.DataFrame], notes: list[str]
) -> GenomeLabeled:
    """Several BED files, one class each (a window in several: multi-label)."""
    length = options.length
    chroms, starts, per_window = class_windows(options.bed, tables, length)
    windows = _cut(genome, chroms, starts, length, notes, "the BED files")
    per_window = [per_window[i] for i in windows.keep]
    shared = any("," in v for v in per_window)
    if shared and options.task in ("binary", "multiclass"):
        raise InputError(
            f"--task {options.task}: but some windows are in several BED files (multi-label "
            "data); drop --task, or remove them from all but one file"
        )
    task = options.task or ("multilabel" if shared else "multiclass")
    targets, names, task = parse_targets(
        per_window, task, "files", windows.ids(length), options.classes
    )
    if shared:
        notes.append("windows in several BED files make this a multilabel task")
    notes.append(f"classes from file names: {', '.join(stem(p) for p in options.bed)}")
    _unused_negatives(options, "the BED files, one class each")
    return _finish(genome, windows, length, targets, names, task, notes)


def _two_classes(options: GenomeOptions, negative: str) -> list[str]:
    """``[negative class, positive class]``: named by the file, or the run's two classes."""
    if options.classes is None:
        return [negative, stem(options.bed[0])]
    if len(options.classes) != 2:
        raise InputError(
            f"the run predicts {len(options.classes)} classes ({', '.join(options.classes)}); "
            "one --bed of peaks against negatives has two: give one --bed per class"
        )
    return list(options.classes)


def _against_negatives(
    genome: Genome,
    options: GenomeOptions,
    peaks: pd.DataFrame,
    windows: _Windows,
    notes: list[str],
) -> GenomeLabeled:
    """One BED of peaks against shuffled copies or GC-matched genomic windows."""
    where = str(options.bed[0])
    length = options.length
    ids = windows.ids(length)
    codes = windows.codes
    if options.negatives == "shuffle":
        names = _two_classes(options, SHUFFLED_CLASS)
        rng = np.random.default_rng(options.seed)
        negative_codes = shuffle_rows(codes, rng)
        notes.append(
            f"{names[1]} against {len(ids)} dinucleotide-shuffled copies (seed "
            f"{options.seed}); the default --negatives genome draws GC-matched genomic windows"
        )
        data = LabeledSequences.against_negatives(
            ids, codes, [f"{i}_shuffled" for i in ids], negative_codes, names, ids + ids,
            [where] * len(ids) + [SHUFFLED_CLASS] * len(ids), notes,
        )  # fmt: skip
        return GenomeLabeled(data, None, genome.sizes)
    names = _two_classes(options, BACKGROUND_CLASS)
    background = _background(genome, options, peaks, codes, length)
    if len(background.starts) == 0:
        raise InputError(
            f"--negatives-ratio {options.negatives_ratio:g} x {len(ids):,} peaks rounds to no "
            "genomic negative, and peaks alone are one class: use a larger --negatives-ratio "
            "(default 1)"
        )
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
        ids, codes, neg_ids, neg_codes, names, ids + neg_ids,
        [where] * len(ids) + [BACKGROUND_CLASS] * len(neg_ids), notes,
    )  # fmt: skip
    return GenomeLabeled(data, background, genome.sizes)


def _unused_negatives(options: GenomeOptions, labels_from: str) -> None:
    if options.negatives not in ("genome", "none"):
        raise InputError(
            f"--negatives {options.negatives} is for one BED file without labels, but the labels "
            f"here come from {labels_from}: drop --negatives"
        )


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
    windows: _Windows,
    notes: list[str],
) -> GenomeLabeled:
    """Regression on bigWig signal over the peak windows and, unless ``--negatives none``,
    as many GC-matched genomic windows (a signal model needs to see low values too)."""
    from seqconv.dna.signal import signal_names, window_signal

    length = options.length
    chroms, starts, codes = windows.chroms, windows.starts, windows.codes
    background = None
    if options.negatives == "genome":
        background = _background(genome, options, peaks, codes, length)
        neg_codes, _ = genome.windows(background.chroms, background.starts, length)
        chroms = np.concatenate([chroms, background.chroms])
        starts = np.concatenate([starts, background.starts])
        codes = np.concatenate([codes, neg_codes])
        notes.append(f"{len(background.starts):,} GC-matched genomic windows added")
    values = np.stack(
        [
            window_signal(p, chroms, starts, length, options.bigwig_stat, options.log1p, notes)
            for p in options.bigwig
        ],
        axis=1,
    ).astype(np.float32)
    names = signal_names(options.bigwig)
    if options.classes is not None:
        if len(options.classes) != len(names):
            raise InputError(
                f"the run predicts {len(options.classes)} target(s) "
                f"({', '.join(options.classes)}) but {len(names)} --bigwig file(s) were given: "
                "one per target, in the run's order"
            )
        names = list(options.classes)
    ids = window_ids(chroms, starts, length)
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
    windows: _Windows,
    length: int,
    targets: np.ndarray,
    names: list[str],
    task: str,
    notes: list[str],
) -> GenomeLabeled:
    ids = windows.ids(length)
    data = LabeledSequences(ids, windows.codes, targets, task, names, ids, ["bed"] * len(ids),
                            notes)  # fmt: skip
    return GenomeLabeled(data, None, genome.sizes)
