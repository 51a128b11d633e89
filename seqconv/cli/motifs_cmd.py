"""`seqconv motifs`: first-layer filters as motifs, named against JASPAR, ranked by influence."""

from __future__ import annotations

from pathlib import Path

from seqconv.cli.app import app, err_console
from seqconv.cli.common import (
    BED,
    FASTA,
    GENOME,
    HEAD,
    PATH,
    RUN,
    RUNS_ON,
    SEED,
    out_folder,
    start_threads,
    with_help,
)
from seqconv.cli.generate import command
from seqconv.option_table import Spec
from seqconv.validation import Rule


def _number(help: str, rule: Rule, default: float, metavar: str = "X") -> Spec:
    return Spec(help, rule, default=default, metavar=metavar, cli=type(default))


OPTIONS = {
    "run": RUN,
    "fasta": with_help(
        FASTA, "Sequences to find motifs in (e.g. the training set); repeat for several files.",
        rule=Rule(list), default=[], cli=list[Path],
    ),
    "bed": with_help(BED, BED.help[:-1] + "; repeatable.", rule=Rule(list), default=[],
                     cli=list[Path]),
    "genome": GENOME,
    "out": out_folder("<run>/motifs"),
    "db": Spec("MEME/JASPAR motif file to name motifs (default: JASPAR 2024 CORE vertebrates).",
               PATH, metavar="FILE", cli=Path),
    "method": Spec(
        "filters: first-layer filters as motifs; seqlets: motifs from attributions "
        "(high-importance windows clustered, per target).",
        Rule(str, choices=("filters", "seqlets")), default="filters", flags=("--method",),
        metavar="METHOD",
    ),
    "layer": Spec(
        "filters: read the N-th nn.Conv1d of the model (registration order; default 1: the "
        "first layer's filters). N >= 2: each unit's PFM from the input windows (its receptive "
        "field) of its top activations, named like filters, plus a gradient x input map of its "
        "strongest one (in motifs.tsv and maps.npz); --factor is then the fraction of a unit's "
        "largest activation a site must exceed.",
        Rule(int, 1, 10_000, optional=True), flags=("--layer",), metavar="N", cli=int,
    ),
    "q": _number("q-value cut-off for a match.", Rule(float, 0, 1, low_open=True), 0.05),
    "shuffles": _number("Column-shuffled copies per motif for the control.",
                        Rule(int, 1, 100_000), 50, "N"),
    "control_alpha": _number(
        "Largest control p of a matched motif (share of its shuffled copies matching its best "
        "database motif as well).", Rule(float, 0, 1, low_open=True), 0.05,
    ),
    "min_information": _number("Fewest bits of information of a matched motif.",
                               Rule(float, 0, 100), 6.0, "BITS"),
    "min_influence": _number(
        "filters: smallest influence of a matched filter, as a share of the largest.",
        Rule(float, 0, 1), 0.02,
    ),
    "mode": Spec("filters: site selection: basset (mean + factor*(max-mean)), max_frac, top_k.",
                 Rule(str, choices=("basset", "max_frac", "top_k")), default="basset",
                 metavar="MODE"),
    "factor": _number("filters and units: threshold factor for basset/max_frac.",
                      Rule(float, 0, 1), 0.5),
    "min_sites": _number("filters and units: drop motifs with fewer sites.",
                         Rule(int, 1, 100_000_000), 10, "N"),
    "trim_bits": _number("filters and units: trim edge columns below this information (bits).",
                         Rule(float, 0, 2), 0.5),
    "target": Spec(
        "seqlets: explain only this output (class or label name); repeat for several (default: "
        "every output).",
        Rule(list), default=[], flags=("--target",), metavar="NAME", cli=list[str],
    ),
    "head": HEAD,
    "sequences": _number("seqlets: most sequences explained per target (the top quarter by "
                         "score).", Rule(int, 1, 100_000_000), 1000, "N"),
    "seed": with_help(SEED, "Seed for the shuffled control and the influence subset."),
    **RUNS_ON,
}  # fmt: skip


def motifs(
    given: set[str],
    run: Path,
    fasta: list[Path],
    bed: list[Path],
    genome: Path | None,
    out: Path | None,
    db: Path | None,
    method: str,
    layer: int | None,
    q: float,
    shuffles: int,
    control_alpha: float,
    min_information: float,
    min_influence: float,
    mode: str,
    factor: float,
    min_sites: int,
    trim_bits: float,
    target: list[str],
    head: str | None,
    sequences: int,
    seed: int,
    device: str,
    threads: int | None,
) -> None:
    """Turn first-layer filters into motifs, name them against JASPAR, rank them by influence.

    Writes motifs.meme, motifs.jaspar, motifs.tsv, matches.tsv, clusters.tsv, maps.npz, a logo per
    motif and a self-contained report.html. A filter counts as matched when its best match has
    q below the cut-off, it holds at least --min-information bits, the model relies on it (at
    least --min-influence of the most influential filter's influence), and at most
    --control-alpha of its column-shuffled copies match its best database motif as well.
    Matched filters that resemble each other are merged into clusters named by TF family.

    With --layer N (N >= 2) the units of the N-th convolution are read instead, each with a
    gradient x input map of its strongest site; with --method seqlets, patterns of attributions
    per output, each with its CWM. The files and their columns are the same for all three; an
    option that does not apply to the one chosen is refused.
    """
    from seqconv.core.tasks import is_classification, link
    from seqconv.motifs.report import (
        applicable,
        check_options,
        choose_source,
        write_motif_report,
    )
    from seqconv.outputs import check_output_dir
    from seqconv.runs.commands import load_with_sequences
    from seqconv.runs.profile_run import explained_outputs

    run_dir = run
    folder = check_output_dir(out or Path(run_dir) / "motifs", [*fasta, *bed, genome, db])
    source = choose_source(method, layer)
    chosen = given - {"method", "layer"}  # these two choose the source
    check_options(source, [OPTIONS[name].flag(name) for name in chosen])
    start_threads(threads)
    trained, data = load_with_sequences(run_dir, fasta, device, bed, genome)
    model, names, _ = explained_outputs(trained, head)
    profile = trained.task == "profile"
    suffix = {"filters": "", "units": f" (layer {layer})", "seqlets": " (seqlets)"}[source]
    options = {
        "layer": layer,
        "mode": mode,
        "min_influence": min_influence,
        "factor": factor,
        "min_sites": min_sites,
        "trim_bits": trim_bits,
        "targets": target_indices(names, target),
        "n_sequences": sequences,
    }
    report = write_motif_report(
        model,
        data.codes,
        folder,
        source,
        db=db,
        q=q,
        n_shuffles=shuffles,
        control_alpha=control_alpha,
        min_information=min_information,
        seed=seed,
        ids=data.ids,
        target_names=names,
        classification=is_classification(trained.task),
        output_transform=(lambda t: t) if profile else (lambda t: link(trained.task, t)),
        device=trained.device,
        title=f"seqconv motifs: {Path(run_dir).name}{suffix}",
        **applicable(source, options),
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


command(
    app,
    OPTIONS,
    motifs,
    epilog="Example: seqconv motifs --run runs/peaks-motifnet --fasta peaks.fa",
)


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
