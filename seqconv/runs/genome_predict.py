"""Predictions on a genome: BED regions (``seqconv predict --bed``) and tiled scans
(``seqconv scan``), streamed with constant memory.

A scan tiles each chromosome (or region) with bins of ``stride`` bp; each bin gets the prediction
of the model's window centred on it (the last bin of a region, cut at the region's end, on what
is left of it: a scan of a BED agrees with ``predict --bed``), so the track has one value per
bin and the windows overlap when ``stride`` is below the model length. Windows that reach past a
chromosome end are padded with N; bins whose windows are all N (gaps) are not written, and
counted. What a scan will cost is checked before it starts (:mod:`seqconv.runs.scan_bounds`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from seqconv.atomic import atomic_path
from seqconv.core.tasks import reported_targets
from seqconv.dna.bed import centred_starts, merge_intervals, read_bed
from seqconv.dna.genome import N_CODE, Genome
from seqconv.dna.genome_labels import read_on_genome
from seqconv.errors import InputError
from seqconv.progress import track
from seqconv.runs.dna_run import DnaRun
from seqconv.runs.scan_bounds import check_scan

CHUNK_BINS = 4096
"""Bins predicted per step, at most: memory stays under ``CHUNK_BINS × length`` bytes of codes
and :data:`CHUNK_BYTES`."""
CHUNK_BYTES = 1 << 28


def chunk_size(length: int) -> int:
    """Windows of ``length`` bp per step: :data:`CHUNK_BINS`, fewer for long windows."""
    return max(1, min(CHUNK_BINS, CHUNK_BYTES // max(length, 1)))


def predict_bed(
    run: DnaRun,
    bed: str | Path,
    genome: str | Path,
    out: TextIO,
    batch_size: int = 512,
    notes: list[str] | None = None,
) -> int:
    """Write predictions for BED regions as TSV (id ``chrom:start-end`` of the region).

    Each region is scored on the run's window length, centred on its summit (narrowPeak) or
    centre. Regions that start past their chromosome's end are skipped, windows padded with N
    past an end or entirely N are counted (notes in ``notes``); a file none of whose regions
    lies on the genome stops before anything is written.

    Returns
    -------
    int
        Regions predicted.
    """
    ref = Genome(genome)
    found: list[str] = []
    regions = read_on_genome(ref, bed, found)
    starts = centred_starts(regions, run.length)
    n = padded = unknown = 0
    step = chunk_size(run.length)
    for lo in range(0, len(regions), step):
        part = regions.iloc[lo : lo + step]
        codes, outside = ref.windows(part["chrom"], starts[lo : lo + step], run.length)
        padded += outside
        unknown += int(all_unknown(codes).sum())
        ids = [f"{c}:{s}-{e}" for c, s, e in zip(part["chrom"], part["start"], part["end"],
                                                  strict=True)]  # fmt: skip
        frame = run.prediction_table(ids, run.predict_codes(codes, batch_size))
        frame.to_csv(out, sep="\t", index=False, header=n == 0, float_format="%.6g")
        n += len(part)
    if padded:
        found.append(f"{padded:,} windows reach past a chromosome end: padded with N")
    if unknown:
        found.append(
            f"[yellow]warning:[/] {unknown:,} windows are entirely unknown bases (N: an assembly "
            "gap or an all-N chromosome): their predictions say nothing about sequence"
        )
    if notes is not None:
        notes.extend(found)
    return n


def all_unknown(codes: np.ndarray) -> np.ndarray:
    """``(N,)`` bool: windows (``(N, L)`` codes) that hold no known base."""
    return ~(codes != N_CODE).any(axis=1)


@dataclass
class ScanResult:
    """What a scan wrote.

    Attributes
    ----------
    files
        Target name to the track written for it.
    bins, bases
        Bins predicted and bases covered.
    seconds
        Wall time of the scan.
    padded
        Windows that reached past a chromosome end (padded with N).
    unknown
        Bins not written: their windows are all N (assembly gaps).
    """

    files: dict[str, Path]
    bins: int = 0
    bases: int = 0
    seconds: float = 0.0
    padded: int = 0
    unknown: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def bases_per_second(self) -> float:
        return self.bases / self.seconds if self.seconds > 0 else 0.0


def scan_targets(run: DnaRun, targets: list[str] | None) -> list[str]:
    """The targets a scan writes: those asked for, else the positive class of a binary run and
    every target of any other."""
    if targets:
        for t in targets:
            run.target_index(t)  # names the known targets when one is unknown
        return list(dict.fromkeys(targets))
    return reported_targets(run.task, run.target_names)


def track_paths(out: str | Path, targets: list[str]) -> dict[str, Path]:
    """One track per target: ``out`` itself for one, ``<stem>.<target><suffix>`` for several."""
    out = Path(out)
    if len(targets) == 1:
        return {targets[0]: out}
    suffix = "".join(out.suffixes[-1:])
    stem = out.name[: len(out.name) - len(suffix)] if suffix else out.name
    safe = {t: "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in t) for t in targets}
    return {t: out.with_name(f"{stem}.{safe[t]}{suffix}") for t in targets}


def scan_regions(genome: Genome, regions: str | Path | None) -> pd.DataFrame:
    """The regions to scan: a BED's intervals (merged where they overlap), or every chromosome."""
    if regions is None:
        return pd.DataFrame(
            {"chrom": list(genome.sizes), "start": 0, "end": list(genome.sizes.values())}
        )
    table = read_bed(regions)
    genome.check_chromosomes(table["chrom"].unique(), str(regions))
    sizes = table["chrom"].map(genome.sizes)
    past = table["end"] > sizes
    if past.any():
        row = table[past].iloc[0]
        raise InputError(
            f"{regions}, line {row['line']}: {row['chrom']}:{row['start']}-{row['end']} ends past "
            f"the chromosome ({sizes[past].iloc[0]:,} bp)"
        )
    # overlapping regions would give a bin twice; tracks list chromosomes in the genome's order
    merged = merge_intervals(
        table["chrom"].to_numpy(), table["start"].to_numpy(), table["end"].to_numpy()
    )
    order = {name: i for i, name in enumerate(genome.sizes)}
    merged["rank"] = merged["chrom"].map(order)
    return merged.sort_values(["rank", "start"], kind="stable").drop(columns="rank")


def _chunks(
    regions: pd.DataFrame, stride: int, step: int
) -> Iterator[tuple[tuple[str, int], np.ndarray]]:
    """``((chrom, region end), bin starts)`` in chunks of at most ``step`` bins."""
    for chrom, start, end in regions.itertuples(index=False):
        bins = np.arange(int(start), int(end), stride, dtype=np.int64)
        for lo in range(0, len(bins), step):
            yield (str(chrom), int(end)), bins[lo : lo + step]


def scan(
    run: DnaRun,
    genome: str | Path,
    out: str | Path,
    stride: int,
    regions: str | Path | None = None,
    targets: list[str] | None = None,
    batch_size: int = 512,
    progress: bool = True,
) -> ScanResult:
    """Tile a genome (or regions) with predictions and write bedGraph (or bigWig) tracks.

    Parameters
    ----------
    run
        A DNA run.
    out
        ``.bedgraph``/``.bg`` (text) or ``.bw``/``.bigwig``; several targets get one file each
        (:func:`track_paths`).
    stride
        Bin size and step between windows, in bp.
    regions
        A BED of regions to scan (default: every chromosome).

    Returns
    -------
    ScanResult
    """
    ref = Genome(genome)
    table = scan_regions(ref, regions)
    names = scan_targets(run, targets)
    columns = [run.target_index(t) for t in names]
    paths = track_paths(out, names)
    total = int(sum(-(-(e - s) // stride) for s, e in zip(table["start"], table["end"],
                                                           strict=True)))  # fmt: skip
    result = ScanResult(paths)
    result.notes = check_scan(run, ref, total, stride, paths, batch_size)
    chunks = _chunks(table, stride, chunk_size(run.length))
    started = time.perf_counter()
    with _Writers(paths, ref.sizes) as writers:
        # track counts an (x, bins) item as len(bins): the bar's total is in bins
        for (chrom, end), bins in track(chunks, total, "scanning", progress):
            stop = np.minimum(bins + stride, end)  # the last bin of a region is cut at its end
            starts = (bins + stop) // 2 - run.length // 2  # centred on the bin as it is
            codes, padded = _window_codes(ref, chrom, starts, run.length)
            known = ~all_unknown(codes)
            result.unknown += int((~known).sum())
            if known.any():
                values = run.predict_codes(codes[known], batch_size)[:, columns]
                writers.write(chrom, bins[known], stop[known], values)
            result.bins += int(known.sum())
            result.bases += int((stop - bins)[known].sum())
            result.padded += padded
    result.seconds = time.perf_counter() - started
    return result


def _window_codes(
    genome: Genome, chrom: str, starts: np.ndarray, length: int
) -> tuple[np.ndarray, int]:
    """Overlapping windows cut from one fetched stretch of the chromosome.

    Returns
    -------
    tuple
        ``(B, length)`` uint8 codes and the number that reach past a chromosome end.
    """
    lo, hi = int(starts[0]), int(starts[-1]) + length
    stretch = genome.fetch(chrom, lo, hi)
    view = np.lib.stride_tricks.sliding_window_view(stretch, length)
    codes = np.ascontiguousarray(view[starts - lo])
    padded = int(((starts < 0) | (starts + length > genome.sizes[chrom])).sum())
    return codes, padded


class _Writers:
    """One open track per target, bedGraph text or bigWig, each written atomically."""

    def __init__(self, paths: dict[str, Path], sizes: dict[str, int]) -> None:
        self.paths = paths
        self.sizes = sizes

    def __enter__(self) -> _Writers:
        self._stack = ExitStack().__enter__()
        self._handles = []
        for target, path in self.paths.items():
            self._handles.append(_track_writer(path, target, self.sizes, self._stack))
        return self

    def write(self, chrom: str, starts: np.ndarray, ends: np.ndarray, values: np.ndarray) -> None:
        for k, handle in enumerate(self._handles):
            handle(chrom, starts, ends, values[:, k])

    def __exit__(self, *exc) -> None:
        self._stack.__exit__(*exc)


def open_track(path: Path, name: str, sizes: dict[str, int], stack: ExitStack):
    """One track file, written atomically and closed by ``stack``: ``(bigwig, None)``, a
    pyBigWig writer with its header, for ``.bw``/``.bigwig``, else ``(None, handle)``, a bedGraph
    text handle after its track line."""
    tmp = stack.enter_context(atomic_path(path))
    if path.suffix.lower() in (".bw", ".bigwig"):
        try:
            import pyBigWig
        except ImportError as exc:
            raise InputError("a .bw track needs pyBigWig: pip install pyBigWig") from exc
        bw = pyBigWig.open(str(tmp), "w")
        bw.addHeader(list(sizes.items()))
        stack.callback(bw.close)
        return bw, None
    handle = stack.enter_context(open(tmp, "w"))
    handle.write(f'track type=bedGraph name="{name}" description="seqconv scan: {name}"\n')
    return None, handle


def _track_writer(path: Path, target: str, sizes: dict[str, int], stack: ExitStack):
    """A function appending bins to one track file."""
    bw, handle = open_track(path, target, sizes, stack)
    if bw is not None:

        def add_bw(chrom, starts, ends, values):
            bw.addEntries([chrom] * len(starts), starts.tolist(), ends=ends.tolist(),
                          values=values.astype(float).tolist())  # fmt: skip

        return add_bw

    def add_text(chrom, starts, ends, values):
        lines = "".join(
            f"{chrom}\t{s}\t{e}\t{v:.6g}\n"
            for s, e, v in zip(starts.tolist(), ends.tolist(), values.tolist(), strict=True)
        )
        handle.write(lines)

    return add_text


def write_predict_bed(
    run: DnaRun,
    bed: str | Path,
    genome: str | Path,
    out: Path | None,
    batch_size: int,
    notes: list[str] | None = None,
) -> int:
    """:func:`predict_bed` to a file (atomically) or standard output (``None``)."""
    return write_table(out, lambda handle: predict_bed(run, bed, genome, handle, batch_size, notes))


def write_table(out: Path | None, write: Callable[[TextIO], int]) -> int:
    """``write(handle)`` into ``out`` (atomically: a failed write leaves no partial file) or to
    standard output (``None``); what ``write`` returns."""
    if out is None:
        return write(sys.stdout)
    with atomic_path(out) as tmp, open(tmp, "w") as handle:
        return write(handle)
