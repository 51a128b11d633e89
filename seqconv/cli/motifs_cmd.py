"""`seqconv motifs`: first-layer filters as motifs, named against JASPAR, ranked by influence."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors


@app.command(no_args_is_help=True)
@friendly_errors
def motifs(
    model: Path = typer.Option(..., "--model", "-m", help="Run directory from seqconv train."),
    fasta: Path = typer.Option(
        ..., "--fasta", "-f", help="Sequences to collect filter sites from (e.g. the training set)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Output folder (default: <run>/motifs)."
    ),
    db: Path | None = typer.Option(
        None, help="MEME/JASPAR motif file to name filters (default: JASPAR 2024 CORE vertebrates)."
    ),
    q: float = typer.Option(0.05, help="q-value cut-off for a match."),
    shuffles: int = typer.Option(50, help="Column-shuffled copies per filter for the control."),
    mode: str = typer.Option(
        "basset", help="Site selection: basset (mean + factor*(max-mean)), max_frac, top_k."
    ),
    factor: float = typer.Option(0.5, help="Threshold factor for basset/max_frac modes."),
    min_sites: int = typer.Option(10, help="Drop filters with fewer sites."),
    trim_bits: float = typer.Option(0.5, help="Trim edge columns below this information (bits)."),
    seed: int = typer.Option(0, help="Seed for the shuffled control and the influence subset."),
    device: str = typer.Option("cpu", help="cpu, cuda, cuda:N or auto."),
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

    folder = check_output_dir(out or Path(model) / "motifs", [fasta, db])
    check_value("q", q, Rule(float, low=0, high=1, low_open=True))
    check_value("shuffles", shuffles, Rule(int, low=1))
    check_value("factor", factor, Rule(float, low=0, high=1))
    check_value("min_sites", min_sites, Rule(int, low=1))
    check_value("trim_bits", trim_bits, Rule(float, low=0, high=2))
    check_value("seed", seed, Rule(int, low=0))
    run, data = load_with_sequences(model, fasta, device)
    report = write_motif_report(
        run.model,
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
        output_transform=lambda t: link(run.task, t),
        device=run.device,
        title=f"seqconv motifs: {Path(model).name}",
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
