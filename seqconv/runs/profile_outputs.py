"""Profile runs on a genome: predictions for BED regions (``seqconv predict --bed``) and tracks
of predicted counts per base (``seqconv scan``), streamed in chunks.

A region is predicted from the model's input window centred on its summit (narrowPeak) or
centre; its profile is the output window of ``W`` bases there. Runs trained with control tracks
read them from the files recorded in ``config.json`` (refused when they are gone).

A scan tiles each chromosome (or ``--regions``) with consecutive output windows, so every base
gets one prediction; the last window of a region is cut at its end. Windows whose input is all
``N`` (gaps) are not written, and counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from seqconv.dna.genome import Genome
from seqconv.dna.genome_labels import read_on_genome
from seqconv.dna.profile_signal import Tracks
from seqconv.errors import InputError
from seqconv.progress import track
from seqconv.runs.genome_predict import (
    all_unknown,
    chunk_size,
    open_track,
    scan_regions,
    track_paths,
    write_table,
)
from seqconv.runs.profile_run import ProfileRun, write_profiles


def _control(run: ProfileRun, stack: ExitStack) -> Tracks | None:
    """The run's control tracks, opened (``None`` for a run without)."""
    files = run.control_files
    if not files:
        return None
    gone = [f for f in files if not Path(f).is_file()]
    if gone:
        raise InputError(
            f"{run.path} was trained with control tracks, and {', '.join(gone)} is gone; "
            "predictions on a genome read them: restore the file"
        )
    tracks = Tracks(files, "the run's control")
    stack.callback(tracks.close)
    return tracks


def _windows(run: ProfileRun, genome: Genome, control: Tracks | None, chroms: np.ndarray,
             centres: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:  # fmt: skip
    """Input codes ``(N, L)`` and control ``(N, C, L)`` of windows centred on ``centres``."""
    starts = centres - run.length // 2
    codes, _ = genome.windows(chroms, starts, run.length)
    counts = None if control is None else control.read(chroms, starts, run.length)
    return codes, counts


def predict_bed_profiles(
    run: ProfileRun,
    bed: str | Path,
    genome: str | Path,
    out: TextIO,
    per_position: str | Path | None = None,
    batch_size: int = 512,
    notes: list[str] | None = None,
) -> int:
    """The TSV of predicted totals per track (``id`` ``chrom:start-end`` of each region, in BED
    order) to ``out``; with ``per_position``, the ``.npz`` of every region's profile
    (``profiles`` ``(regions, tracks, W)`` expected counts). Returns the regions predicted."""
    ref = Genome(genome)
    found: list[str] = []
    regions = read_on_genome(ref, str(bed), found)
    kept: list[tuple[list[str], np.ndarray]] = []
    n = unknown = 0
    step = chunk_size(run.length)
    with ExitStack() as stack:
        control = _control(run, stack)
        for lo in range(0, len(regions), step):
            part = regions.iloc[lo : lo + step]
            codes, counts = _windows(run, ref, control, part["chrom"].to_numpy(),
                                     part["summit"].to_numpy(dtype=np.int64))  # fmt: skip
            unknown += int(all_unknown(codes).sum())
            ids = [f"{c}:{s}-{e}" for c, s, e in zip(part["chrom"], part["start"], part["end"],
                                                      strict=True)]  # fmt: skip
            profiles = run.predict_windows(codes, counts, batch_size)
            run.prediction_table(ids, profiles).to_csv(out, sep="\t", index=False, header=n == 0,
                                                       float_format="%.6g")  # fmt: skip
            if per_position is not None:
                kept.append((ids, profiles))
            n += len(part)
    if per_position is not None:
        write_profiles(per_position, kept, run.target_names, run.width)
    if unknown:
        found.append(f"[yellow]warning:[/] {unknown:,} windows are entirely unknown bases (N): "
                     "their predictions say nothing about sequence")  # fmt: skip
    if notes is not None:
        notes.extend(found)
    return n


def write_predict_bed_profiles(
    run: ProfileRun,
    bed: str | Path,
    genome: str | Path,
    out: Path | None,
    per_position: str | Path | None,
    batch_size: int,
    notes: list[str] | None = None,
) -> int:
    """:func:`predict_bed_profiles` to a file (atomically) or standard output (``None``)."""
    return write_table(
        out,
        lambda handle: predict_bed_profiles(
            run, bed, genome, handle, per_position, batch_size, notes
        ),
    )


@dataclass
class ProfileScan:
    """What a profile scan wrote: one track per target (``files``), windows and bases
    predicted, windows skipped (all ``N``), seconds."""

    files: dict[str, Path]
    windows: int = 0
    bases: int = 0
    unknown: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _tiles(regions, width: int, step: int) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """``(chrom, window starts, window ends)``: consecutive output windows over each region,
    the last cut at its end, ``step`` windows at a time."""
    for chrom, start, end in regions.itertuples(index=False):
        starts = np.arange(int(start), int(end), width, dtype=np.int64)
        for lo in range(0, len(starts), step):
            part = starts[lo : lo + step]
            yield str(chrom), part, np.minimum(part + width, int(end))


def scan_profiles(
    run: ProfileRun,
    genome: str | Path,
    out: str | Path,
    regions: str | Path | None = None,
    targets: list[str] | None = None,
    batch_size: int = 512,
    progress: bool = True,
) -> ProfileScan:
    """Predicted counts at every base of a genome (or of ``regions``), one bigWig (``.bw``) or
    bedGraph track per track of the run (``targets``: some of them); see the module docstring."""
    ref = Genome(genome)
    table = scan_regions(ref, regions)
    names = list(dict.fromkeys(targets)) if targets else list(run.target_names)
    columns = [run.target_index(t) for t in names]
    paths = track_paths(out, names)
    width = run.width
    total = int(sum(-(-(e - s) // width) for s, e in zip(table["start"], table["end"],
                                                         strict=True)))  # fmt: skip
    result = ProfileScan(paths)
    step = max(1, chunk_size(run.length))
    started = time.perf_counter()
    with ExitStack() as stack:
        control = _control(run, stack)
        writers = [_writer(stack, path, name, ref.sizes) for name, path in paths.items()]
        tiles = track(_tiles(table, width, step), total, "scanning", progress,
                      count=lambda item: len(item[1]))  # fmt: skip
        for chrom, starts, ends in tiles:
            centres = starts + width // 2
            codes, counts = _windows(run, ref, control, np.full(len(starts), chrom), centres)
            known = ~all_unknown(codes)
            result.unknown += int((~known).sum())
            if not known.any():
                continue
            profiles = run.predict_windows(codes[known], None if counts is None
                                           else counts[known], batch_size)  # fmt: skip
            for i, (s, e) in enumerate(zip(starts[known], ends[known], strict=True)):
                for write, column in zip(writers, columns, strict=True):
                    write(chrom, int(s), profiles[i, column, : e - s])
            result.windows += int(known.sum())
            result.bases += int((ends - starts)[known].sum())
    result.seconds = time.perf_counter() - started
    return result


def _writer(stack: ExitStack, path: Path, name: str,
            sizes: dict[str, int]) -> Callable[[str, int, np.ndarray], None]:  # fmt: skip
    """A function writing per-base values from a start, to a bigWig or bedGraph written
    atomically."""
    bw, handle = open_track(path, name, sizes, stack)
    if bw is not None:

        def add_bw(chrom: str, start: int, values: np.ndarray) -> None:
            bw.addEntries(chrom, start, values=values.astype(float).tolist(), span=1, step=1)

        return add_bw

    def add_text(chrom: str, start: int, values: np.ndarray) -> None:
        handle.write("".join(f"{chrom}\t{start + k}\t{start + k + 1}\t{v:.4g}\n"
                             for k, v in enumerate(values.tolist())))  # fmt: skip

    return add_text
