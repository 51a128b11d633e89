"""`seqconv scan`: a trained model's predictions tiled over a genome, as bedGraph or bigWig."""

from __future__ import annotations

from pathlib import Path

from seqconv.cli.app import app, err_console
from seqconv.cli.common import GENOME, PATH, RUN, RUNS_ON, batch_size, start_threads, with_help
from seqconv.cli.generate import command
from seqconv.option_table import Spec
from seqconv.validation import Rule

OPTIONS = {
    "run": RUN,
    "genome": with_help(GENOME, "Reference genome (FASTA, plain or bgzip).",
                        required="give the genome to scan: --genome FASTA"),
    "out": Spec(
        "Track to write: .bedgraph (text) or .bw (bigWig). Several targets: one file each, "
        "named <stem>.<target>.<suffix>.",
        PATH, flags=("--out", "-o"), metavar="FILE", cli=Path,
        required="give the track to write: --out FILE.bedgraph or FILE.bw",
    ),
    "regions": Spec("Scan only these regions (default: the whole genome).", PATH,
                    metavar="BED", cli=Path),
    "stride": Spec("Bin size: one prediction per bin, from the window centred on it.",
                   Rule(int, 1, 10_000_000), default=50, metavar="BP", cli=int),
    "target": Spec(
        "Target/class to write (repeatable; default: the positive class of a binary model, "
        "else every target).",
        Rule(list), default=[], flags=("--target",), metavar="NAME", cli=list[str],
    ),
    "batch_size": batch_size(512, "Windows per forward pass."),
    **RUNS_ON,
}  # fmt: skip


def scan(
    given: set[str],
    run: Path,
    genome: Path,
    out: Path,
    regions: Path | None,
    stride: int,
    target: list[str],
    batch_size: int,
    device: str,
    threads: int | None,
) -> None:
    """Predict along a genome: tile it (or --regions) with --stride bp bins, score the model's
    window centred on each bin, and write one value per bin.

    Memory stays constant (4,096 bins at a time); a progress bar shows the ETA on a terminal.
    A profile run (--task profile) writes its predicted counts at every base instead, one track
    per track of the run, tiling each region with its output window (--stride does not apply).
    Windows reaching past a chromosome end are padded with N; bins whose windows are all N
    (assembly gaps) are not written. A scan that would take more than a day, or more disk than
    is free, is refused before it starts, with a --stride that fits.
    """
    from seqconv.errors import InputError
    from seqconv.outputs import check_output_file
    from seqconv.runs.commands import load_for
    from seqconv.runs.genome_predict import scan as run_scan
    from seqconv.runs.genome_predict import scan_targets, track_paths

    run_dir = run
    suffix = out.suffix.lower()
    if suffix not in (".bedgraph", ".bg", ".bw", ".bigwig"):
        raise InputError(f"--out {out}: use a .bedgraph (or .bg) or .bw (bigWig) file name")
    start_threads(threads)
    loaded = load_for(run_dir, False, device)
    if loaded.task == "profile":
        _scan_profiles(loaded, genome, out, regions, target, batch_size, "stride" in given)
        return
    names = scan_targets(loaded, target or None)
    for path in track_paths(out, names).values():
        check_output_file(path, [genome, regions], example="track.bedgraph")
    result = run_scan(loaded, genome, out, stride, regions, names, batch_size)
    for note in result.notes:
        err_console.print(f"note: {note}", highlight=False)
    files = ", ".join(str(p) for p in result.files.values())
    skipped = (
        f"; {result.unknown:,} bins not written: their windows are all N (assembly gaps)"
        if result.unknown
        else ""
    )
    err_console.print(
        f"{result.bins:,} bins of {stride} bp ({result.bases:,} bp) scanned in "
        f"{result.seconds:.1f} s ({result.bases_per_second:,.0f} bp/s); "
        f"{result.padded:,} windows padded with N past chromosome ends{skipped}; written to "
        f"{files}",
        highlight=False,
    )


def _scan_profiles(run, genome: Path, out: Path, regions: Path | None, target: list[str],
                   batch_size: int, stride_given: bool) -> None:  # fmt: skip
    """``seqconv scan`` of a profile run: counts at every base."""
    from seqconv.errors import InputError
    from seqconv.outputs import check_output_file
    from seqconv.runs.genome_predict import track_paths
    from seqconv.runs.profile_outputs import scan_profiles

    if stride_given:
        raise InputError(
            f"--stride: {run.path} predicts every base (a profile run); its scan tiles the "
            f"genome with its {run.width} bp output window: leave --stride out"
        )
    for name in target:
        run.target_index(name)
    for path in track_paths(out, target or run.target_names).values():
        check_output_file(path, [genome, regions], example="track.bw")
    result = scan_profiles(run, genome, out, regions, target or None, batch_size)
    skipped = f"; {result.unknown:,} windows all N not written" if result.unknown else ""
    files = ", ".join(str(p) for p in result.files.values())
    err_console.print(
        f"predicted counts at {result.bases:,} bases ({result.windows:,} windows of "
        f"{run.width} bp) in {result.seconds:.1f} s{skipped}; written to {files}",
        highlight=False,
    )


command(
    app,
    OPTIONS,
    scan,
    epilog="Example: seqconv scan --run runs/peaks --genome hg38.fa --regions chr8.bed "
    "--stride 50 --out track.bedgraph",
)
