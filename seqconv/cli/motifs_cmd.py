"""`seqconv motifs`: first-layer filters as motifs, named against JASPAR, ranked by influence."""

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
    epilog="Example: seqconv motifs --run runs/peaks-motifnet --fasta peaks.fa",
)
@friendly_errors
def motifs(
    run: Path | None = run_option(),
    model: Path | None = run_alias(),
    fasta: Path = typer.Option(
        ...,
        "--fasta",
        "-f",
        metavar="FILE",
        help="Sequences to collect filter sites from (e.g. the training set).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Output folder (default: <run>/motifs)."
    ),
    db: Path | None = typer.Option(
        None,
        metavar="FILE",
        help="MEME/JASPAR motif file to name filters (default: JASPAR 2024 CORE vertebrates).",
    ),
    q: float = typer.Option(0.05, metavar="X", help="q-value cut-off for a match."),
    shuffles: int = typer.Option(
        50, metavar="N", help="Column-shuffled copies per filter for the control."
    ),
    mode: str = typer.Option(
        "basset",
        metavar="MODE",
        help="Site selection: basset (mean + factor*(max-mean)), max_frac, top_k.",
    ),
    factor: float = typer.Option(0.5, metavar="X", help="Threshold factor for basset/max_frac."),
    min_sites: int = typer.Option(10, metavar="N", help="Drop filters with fewer sites."),
    trim_bits: float = typer.Option(
        0.5, metavar="X", help="Trim edge columns below this information (bits)."
    ),
    seed: int = typer.Option(
        0, metavar="N", help="Seed for the shuffled control and the influence subset."
    ),
    device: str = device_option(),
    threads: int | None = threads_option(),
) -> None:
    """Turn first-layer filters into motifs, name them against JASPAR, rank them by influence.

    Writes filters.meme, filters.jaspar, filters.tsv, matches.tsv, a logo per filter and a
    self-contained report.html. A filter counts as matched only when its best match has q below
    the cut-off and beats every column-shuffled copy of itself.
    """
    from seqconv.motifs import write_motif_report
    from seqconv.outputs import check_output_dir
    from seqconv.runs.commands import load_with_sequences
    from seqconv.runs.tasks import link
    from seqconv.validation import Rule, check_value

    run_dir = require_run(run, model)
    folder = check_output_dir(out or Path(run_dir) / "motifs", [fasta, db])
    check_value("q", q, Rule(float, low=0, high=1, low_open=True))
    check_value("shuffles", shuffles, Rule(int, low=1))
    check_value("factor", factor, Rule(float, low=0, high=1))
    check_value("min_sites", min_sites, Rule(int, low=1))
    check_value("trim_bits", trim_bits, Rule(float, low=0, high=2))
    check_value("seed", seed, Rule(int, low=0))
    start_threads(threads)
    trained, data = load_with_sequences(run_dir, fasta, device)
    report = write_motif_report(
        trained.model,
        data.codes,
        folder,
        db=db,
        q=q,
        n_shuffles=shuffles,
        mode=mode,
        factor=factor,
        min_sites=min_sites,
        trim_bits=trim_bits,
        seed=seed,
        output_transform=lambda t: link(trained.task, t),
        device=trained.device,
        title=f"seqconv motifs: {Path(run_dir).name}",
    )
    summary = report.summary()
    for note in report.notes:
        err_console.print(f"note: {note}", highlight=False)
    names = ", ".join(summary["names"]) or "none"
    fdr = summary["shuffled_fdr"]
    err_console.print(
        f"{summary['filters']} filters, {summary['with_sites']} with enough sites, "
        f"{summary['matched']} matched at q < {q}: {names}"
        + (f" (shuffled-control FDR {fdr:.3f})" if fdr is not None else ""),
        highlight=False,
    )
    err_console.print(f"report: {report.out_dir / 'report.html'}", highlight=False)
