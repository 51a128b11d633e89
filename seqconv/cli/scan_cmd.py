"""`seqconv scan`: a trained model's predictions tiled over a genome, as bedGraph or bigWig."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.cli.common import (
    device_option,
    require_run,
    run_alias,
    run_option,
    start_threads,
    threads_option,
)


@app.command(
    no_args_is_help=True,
    epilog="Example: seqconv scan --run runs/peaks --genome hg38.fa --regions chr8.bed "
    "--stride 50 --out track.bedgraph",
)
@friendly_errors
def scan(
    run: Path | None = run_option(),
    model: Path | None = run_alias(),
    genome: Path = typer.Option(
        ..., metavar="FASTA", help="Reference genome (FASTA, plain or bgzip)."
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        metavar="FILE",
        help="Track to write: .bedgraph (text) or .bw (bigWig). Several targets: one file each, "
        "named <stem>.<target>.<suffix>.",
    ),
    regions: Path | None = typer.Option(
        None, metavar="BED", help="Scan only these regions (default: the whole genome)."
    ),
    stride: int = typer.Option(
        50, metavar="BP", help="Bin size: one prediction per bin, from the window centred on it."
    ),
    target: list[str] = typer.Option(
        None,
        "--target",
        metavar="NAME",
        help="Target/class to write (repeatable; default: the positive class of a binary model, "
        "else every target).",
    ),
    batch_size: int = typer.Option(512, metavar="N", help="Windows per forward pass."),
    device: str = device_option(),
    threads: int | None = threads_option(),
) -> None:
    """Predict along a genome: tile it (or --regions) with --stride bp bins, score the model's
    window centred on each bin, and write one value per bin.

    Memory stays constant (4,096 bins at a time); a progress bar shows the ETA on a terminal.
    Windows reaching past a chromosome end are padded with N.
    """
    from seqconv.errors import InputError
    from seqconv.outputs import check_output_file
    from seqconv.runs.commands import load_for
    from seqconv.runs.genome_predict import scan as run_scan
    from seqconv.runs.genome_predict import scan_targets, track_paths
    from seqconv.validation import Rule, check_value

    run_dir = require_run(run, model)
    stride = check_value("stride", stride, Rule(int, 1, 10_000_000), "--stride")
    batch_size = check_value("batch_size", batch_size, Rule(int, low=1), "--batch-size")
    suffix = out.suffix.lower()
    if suffix not in (".bedgraph", ".bg", ".bw", ".bigwig"):
        raise InputError(f"--out {out}: use a .bedgraph (or .bg) or .bw (bigWig) file name")
    start_threads(threads)
    loaded = load_for(run_dir, False, device)
    names = scan_targets(loaded, target or None)
    for path in track_paths(out, names).values():
        check_output_file(path, [genome, regions], example="track.bedgraph")
    result = run_scan(loaded, genome, out, stride, regions, names, batch_size)
    files = ", ".join(str(p) for p in result.files.values())
    err_console.print(
        f"{result.bins:,} bins of {stride} bp ({result.bases:,} bp) scanned in "
        f"{result.seconds:.1f} s ({result.bases_per_second:,.0f} bp/s); "
        f"{result.padded:,} windows padded with N past chromosome ends; written to {files}",
        highlight=False,
    )
