"""Windows for base-resolution profile training (BPNet, chromBPNet): peaks on a genome, their
sequence and the counts of each bigWig track per base, and GC-matched background windows.

For every peak, the output window is ``width`` bp centred on its summit (narrowPeak) or centre,
and the input window the ``input_length`` bp around it (wider by the model's receptive field);
both are read ``jitter`` bp wider on each side, so that training can move them
(:class:`~seqconv.core.profile_store.ProfileStore`). Background windows are drawn outside every
peak, matched to the GC content of the peaks' output windows (chromBPNet's choice), on
chromosomes every track covers; their counts train the counts head (a model that has only seen
peaks over-predicts everywhere else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seqconv.dna.background import Background, gc_matched_background
from seqconv.dna.bed import read_bed, window_ids
from seqconv.dna.bed_labels import unique_windows
from seqconv.dna.genome import Genome, gc_fraction
from seqconv.dna.genome_labels import MOSTLY_N, memory_bytes, read_on_genome
from seqconv.dna.profile_signal import Tracks
from seqconv.errors import InputError
from seqconv.progress import size_text


@dataclass
class ProfileRequest:
    """What to read (see the module docstring).

    Attributes
    ----------
    bed, genome, bigwig, control
        Peaks (one or more BED/narrowPeak files), the genome, the tracks and control tracks.
    width, input_length, jitter
        Output window, input window and the margin read on each side.
    negatives
        ``genome`` (GC-matched background windows) or ``none``.
    negatives_ratio, flank, exclude, seed
        Background windows per peak, their distance from every peak (default ``width``),
        regions they avoid, and the seed.
    partners, control_partners
        The other strand of each track and control track (itself: unstranded); a stranded
        pair must cover the same chromosomes.
    """

    bed: Sequence[str]
    genome: str
    bigwig: Sequence[str]
    control: Sequence[str] = ()
    width: int = 1000
    input_length: int = 3138
    jitter: int = 0
    negatives: str = "genome"
    negatives_ratio: float = 0.1
    flank: int | None = None
    exclude: str | None = None
    seed: int = 0
    partners: Sequence[int] | None = None
    control_partners: Sequence[int] | None = None


@dataclass
class ProfileWindows:
    """Peaks (first) and background windows, read for training.

    Attributes
    ----------
    chroms, centres
        ``(N,)`` chromosome and centre (summit) of each window.
    is_peak
        ``(N,)`` bool.
    codes
        ``(N, input_length + 2 jitter)`` uint8.
    counts
        ``(N, T, width + 2 jitter)`` float32 observed counts.
    control
        ``(N, C, input_length + 2 jitter)`` float32, or ``None``.
    ids
        ``chrom:start-end`` of each output window.
    background
        How the background windows were drawn (``None``: none).
    """

    chroms: np.ndarray
    centres: np.ndarray
    is_peak: np.ndarray
    codes: np.ndarray
    counts: np.ndarray
    control: np.ndarray | None
    ids: list[str]
    background: Background | None
    sizes: dict[str, int]
    notes: list[str] = field(default_factory=list)


def _peaks(genome: Genome, request: ProfileRequest, notes: list[str]) -> pd.DataFrame:
    tables = [read_on_genome(genome, p, notes) for p in request.bed]
    return unique_windows(pd.concat(tables, ignore_index=True), request.width, notes)


def _check_width(genome: Genome, peaks: pd.DataFrame, width: int) -> None:
    """An output window longer than a chromosome holding peaks would be mostly padding."""
    sizes = {c: genome.sizes[c] for c in peaks["chrom"].unique()}
    chrom = min(sizes, key=sizes.__getitem__)
    if width > sizes[chrom]:
        raise InputError(
            f"--length {width:,}: longer than {chrom} ({sizes[chrom]:,} bp in "
            f"{genome.path.name}), which holds peaks; the output window must fit on its "
            f"chromosome: use --length {sizes[chrom]:,} or less"
        )


def _check_memory(n: int, request: ProfileRequest, n_tracks: int) -> None:
    per_window = (request.input_length + 2 * request.jitter) * (1 + 4 * len(request.control))
    per_window += 4 * n_tracks * (request.width + 2 * request.jitter) * 2
    need, have = n * per_window, memory_bytes()
    if need > have / 2:
        raise InputError(
            f"{n:,} profile windows of {request.input_length:,} bp need about {size_text(need)} "
            f"of memory, and this machine has {size_text(have)}; use fewer peaks, a shorter "
            "--length or a smaller --negatives-ratio"
        )


def load_profile_windows(request: ProfileRequest) -> ProfileWindows:
    """Read peaks, background windows, their sequence, counts and control (see the module
    docstring). Peaks whose output window is mostly unknown bases are skipped (counted)."""
    if request.negatives not in ("genome", "none"):
        raise InputError(
            f"--negatives {request.negatives} with --task profile: use genome (GC-matched "
            "background windows, the default) or none; shuffled sequence has no counts"
        )
    genome = Genome(request.genome)
    notes: list[str] = []
    peaks = _peaks(genome, request, notes)
    _check_width(genome, peaks, request.width)
    tracks = Tracks(request.bigwig, "--bigwig")
    control = Tracks(request.control, "--control") if request.control else None
    try:
        if request.partners is not None:
            tracks.check_pairs(request.partners)
        if control is not None and request.control_partners is not None:
            control.check_pairs(request.control_partners)
        where = f"the peaks of {', '.join(map(str, request.bed))}"
        tracks.check_chromosomes(peaks["chrom"].unique(), where)
        if control is not None:
            control.check_chromosomes(peaks["chrom"].unique(), where)
        ratio = request.negatives_ratio if request.negatives == "genome" else 0.0
        _check_memory(int(len(peaks) * (1 + ratio)), request, len(request.bigwig))
        centres = peaks["summit"].to_numpy(dtype=np.int64)
        chroms = peaks["chrom"].to_numpy()
        out_codes, _ = genome.windows(chroms, centres - request.width // 2, request.width)
        gc, unknown = gc_fraction(out_codes)
        keep = unknown <= MOSTLY_N
        if not keep.any():
            raise InputError(
                f"{where}: every output window is mostly unknown bases (N) in "
                f"{genome.path.name}; is this the genome they were called on?"
            )
        if not keep.all():
            notes.append(f"[yellow]warning:[/] skipped {int((~keep).sum()):,} peak(s) whose "
                         f"window is more than {MOSTLY_N:.0%} unknown bases (N)")  # fmt: skip
        peaks, chroms, centres, gc = peaks[keep], chroms[keep], centres[keep], gc[keep]
        background = None
        if request.negatives == "genome":
            background = _background(genome, request, peaks, gc, tracks, control)
            notes.extend(background.notes)
            chroms = np.concatenate([chroms, background.chroms])
            centres = np.concatenate([centres, background.starts + request.width // 2])
        is_peak = np.arange(len(chroms)) < len(peaks)
        j = request.jitter
        codes, outside = genome.windows(chroms, centres - request.input_length // 2 - j,
                                        request.input_length + 2 * j)  # fmt: skip
        if outside:
            notes.append(f"{outside:,} input windows reach past a chromosome end: padded with N "
                         "(their counts there are 0)")  # fmt: skip
        counts = tracks.read(chroms, centres - request.width // 2 - j, request.width + 2 * j)
        control_counts = None
        if control is not None:
            control_counts = control.read(chroms, centres - request.input_length // 2 - j,
                                          request.input_length + 2 * j)  # fmt: skip
    finally:
        tracks.close()
        if control is not None:
            control.close()
    starts = centres - request.width // 2
    return ProfileWindows(chroms, centres, is_peak, codes, counts, control_counts,
                          window_ids(chroms, starts, request.width), background, genome.sizes,
                          notes)  # fmt: skip


def _background(
    genome: Genome,
    request: ProfileRequest,
    peaks: pd.DataFrame,
    gc: np.ndarray,
    tracks: Tracks,
    control: Tracks | None,
) -> Background:
    """GC-matched windows of ``width`` bp, on chromosomes every track (and control) covers."""
    exclude = read_bed(request.exclude)[["chrom", "start", "end"]] if request.exclude else None
    covered = tracks.common_chromosomes()
    if control is not None:
        covered &= control.common_chromosomes()
    uncovered = [c for c in genome.sizes if c not in covered]
    if uncovered:
        whole = pd.DataFrame({"chrom": uncovered, "start": 0,
                              "end": [genome.sizes[c] for c in uncovered]})  # fmt: skip
        exclude = whole if exclude is None else pd.concat([exclude, whole], ignore_index=True)
    flank = request.flank if request.flank is not None else request.width
    return gc_matched_background(genome, peaks, gc, request.width, ratio=request.negatives_ratio,
                                 flank=flank, exclude=exclude, seed=request.seed,
                                 alternative="--negatives none")  # fmt: skip


def median_peak_width(paths: Sequence[str]) -> int:
    """The median width of the peaks (the default output window)."""
    widths = np.concatenate([(t["end"] - t["start"]).to_numpy() for t in map(read_bed, paths)])
    return int(np.median(widths))
