"""`seqconv motifs`: first-layer filters as motifs, named against JASPAR, ranked by influence."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.cli.common import (
    BED_INSTEAD_OF_FASTA,
    bed_option,
    device_option,
    genome_option,
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
    fasta: list[Path] = typer.Option(
        None,
        "--fasta",
        "-f",
        metavar="FILE",
        help="Sequences to find motifs in (e.g. the training set); repeat for several files.",
    ),
    bed: list[Path] = bed_option(BED_INSTEAD_OF_FASTA[:-1] + "; repeatable."),
    genome: Path | None = genome_option(),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Output folder (default: <run>/motifs)."
    ),
    db: Path | None = typer.Option(
        None,
        metavar="FILE",
        help="MEME/JASPAR motif file to name filters (default: JASPAR 2024 CORE vertebrates).",
    ),
    method: str = typer.Option(
        "filters",
        "--method",
        metavar="METHOD",
        help="filters: first-layer filters as motifs; seqlets: motifs from attributions "
        "(high-importance windows clustered, per target).",
    ),
    layer: int | None = typer.Option(
        None,
        "--layer",
        metavar="N",
        help="filters: read the N-th nn.Conv1d of the model (registration order; default 1: the "
        "first layer's filters). N >= 2: each unit's PFM from the input windows "
        "(its receptive field) of its top activations, named like filters, plus a gradient x "
        "input map of its strongest one (units.tsv, units.meme, maps.npz). --mode and "
        "--min-influence apply to layer 1 only; --factor is then the fraction of a unit's "
        "largest activation a site must exceed.",
    ),
    q: float = typer.Option(0.05, metavar="X", help="q-value cut-off for a match."),
    shuffles: int = typer.Option(
        50,
        metavar="N",
        help="Column-shuffled copies per motif for the control.",
    ),
    control_alpha: float = typer.Option(
        0.05,
        metavar="X",
        help="Largest control p of a matched motif (share of its shuffled copies matching its "
        "best database motif as well).",
    ),
    min_information: float = typer.Option(
        6.0, metavar="BITS", help="Fewest bits of information of a matched motif."
    ),
    min_influence: float = typer.Option(
        0.02,
        metavar="X",
        help="filters: smallest influence of a matched filter, as a share of the largest.",
    ),
    mode: str = typer.Option(
        "basset",
        metavar="MODE",
        help="filters: site selection: basset (mean + factor*(max-mean)), max_frac, top_k.",
    ),
    factor: float = typer.Option(
        0.5, metavar="X", help="filters: threshold factor for basset/max_frac."
    ),
    min_sites: int = typer.Option(10, metavar="N", help="filters: drop filters with fewer sites."),
    trim_bits: float = typer.Option(
        0.5, metavar="X", help="Trim edge columns below this information (bits)."
    ),
    target: list[str] = typer.Option(
        [],
        "--target",
        metavar="NAME",
        help="seqlets: explain only this output (class or label name); repeat for several "
        "(default: every output).",
    ),
    sequences: int = typer.Option(
        1000,
        metavar="N",
        help="seqlets: most sequences explained per target (the top quarter by score).",
    ),
    seed: int = typer.Option(
        0, metavar="N", help="Seed for the shuffled control and the influence subset."
    ),
    device: str = device_option(),
    threads: int | None = threads_option(),
) -> None:
    """Turn first-layer filters into motifs, name them against JASPAR, rank them by influence.

    Writes filters.meme, filters.jaspar, filters.tsv, matches.tsv, clusters.tsv, a logo per
    filter and a self-contained report.html. A filter counts as matched when its best match has
    q below the cut-off, it holds at least --min-information bits, the model relies on it (at
    least --min-influence of the most influential filter's influence), and at most
    --control-alpha of its column-shuffled copies match its best database motif as well.
    Matched filters that resemble each other are merged into clusters named by TF family.

    With --layer N (N >= 2) the units of the N-th convolution are read instead: units.meme,
    units.jaspar, units.tsv, matches.tsv, clusters.tsv, maps.npz, a logo and a gradient x input
    map per unit, and report.html, named with the same control and clusters.
    """
    from seqconv.errors import InputError
    from seqconv.motifs import write_motif_report
    from seqconv.motifs.report_deep import write_unit_report
    from seqconv.motifs.seqlet_report import write_seqlet_report
    from seqconv.outputs import check_output_dir
    from seqconv.runs.commands import load_with_sequences
    from seqconv.runs.tasks import is_classification, link
    from seqconv.validation import Rule, check_value

    run_dir = require_run(run, model)
    fasta, bed = fasta or [], bed or []
    folder = check_output_dir(out or Path(run_dir) / "motifs", [*fasta, *bed, genome, db])
    check_value("method", method, Rule(str, choices=("filters", "seqlets")))
    check_value("q", q, Rule(float, low=0, high=1, low_open=True))
    check_value("shuffles", shuffles, Rule(int, low=1))
    check_value("control_alpha", control_alpha, Rule(float, low=0, high=1, low_open=True))
    check_value("min_information", min_information, Rule(float, low=0))
    check_value("min_influence", min_influence, Rule(float, low=0, high=1))
    check_value("factor", factor, Rule(float, low=0, high=1))
    check_value("min_sites", min_sites, Rule(int, low=1))
    check_value("trim_bits", trim_bits, Rule(float, low=0, high=2))
    check_value("seed", seed, Rule(int, low=0))
    check_value("sequences", sequences, Rule(int, low=1))
    check_value("layer", layer, Rule(int, low=1, optional=True))
    if layer is not None and method == "seqlets":
        raise InputError(
            "--layer reads one convolution's filters or units and goes with --method filters; "
            "seqlets come from attributions of the whole model: leave out --layer"
        )
    start_threads(threads)
    trained, data = load_with_sequences(run_dir, fasta, device, bed, genome)
    title = f"seqconv motifs: {Path(run_dir).name}"
    common = dict(db=db, q=q, n_shuffles=shuffles, control_alpha=control_alpha,
                  min_information=min_information, seed=seed, device=trained.device)  # fmt: skip
    if method == "seqlets":
        report = write_seqlet_report(
            trained.model,
            data.codes,
            folder,
            trained.target_names,
            is_classification(trained.task),
            title=title + " (seqlets)",
            targets=target_indices(trained.target_names, target),
            n_sequences=sequences,
            **common,
        )
    elif layer is not None and layer >= 2:
        report = write_unit_report(
            trained.model,
            data.codes,
            folder,
            layer,
            factor=factor,
            min_sites=min_sites,
            trim_bits=trim_bits,
            ids=data.ids,
            title=title + f" (layer {layer})",
            **common,
        )
    else:
        report = write_motif_report(
            trained.model,
            data.codes,
            folder,
            min_influence=min_influence,
            mode=mode,
            factor=factor,
            min_sites=min_sites,
            trim_bits=trim_bits,
            output_transform=lambda t: link(trained.task, t),
            title=title,
            **common,
        )
    for note in report.notes:
        err_console.print(f"note: {note}", highlight=False)
    clusters = report.clusters.summary() if report.clusters is not None else []
    err_console.print(
        f"{report.headline(q)}, in {len(clusters)} motif clusters" + (":" if clusters else ""),
        highlight=False,
    )
    for line in clusters:
        err_console.print(f"  {line}", highlight=False)
    err_console.print(f"report: {report.out_dir / 'report.html'}", highlight=False)


def target_indices(names: list[str], chosen: list[str]) -> list[int] | None:
    """Indices of the chosen output names (``None``: all); an unknown name is an error."""
    from seqconv.errors import InputError

    if not chosen:
        return None
    unknown = [c for c in chosen if c not in names]
    if unknown:
        raise InputError(
            f"--target {', '.join(unknown)}: not an output of this run (it has: "
            f"{', '.join(names[:20])}{' ...' if len(names) > 20 else ''})"
        )
    return [names.index(c) for c in chosen]
