"""`seqconv marginalize`: insert motifs into background sequences and report what a run's outputs
do (in-silico experiments for any DNA run: classifier, regression or profile)."""

from __future__ import annotations

from pathlib import Path

from seqconv.cli.app import app, err_console
from seqconv.cli.common import (
    BED,
    FASTA,
    GENOME,
    PATH,
    RUN,
    RUNS_ON,
    SEED,
    batch_size,
    out_folder,
    start_threads,
    with_help,
)
from seqconv.cli.generate import command
from seqconv.option_table import Spec
from seqconv.validation import Rule

OPTIONS = {
    "run": RUN,
    "motif": Spec(
        "Motif to insert: a JASPAR id (MA0139.2) or TF name (its consensus), or a sequence of "
        "A/C/G/T given as is. Twice: a pair (A at the centre, B downstream) over --spacing.",
        Rule(list), flags=("--motif", "-m"), metavar="ID|NAME|SEQ", cli=list[str],
        required="give the motif to insert: --motif CTCF (an id, a name or a sequence)",
    ),
    "spacing": Spec(
        "Pairs: bases between the end of A and the start of B, START:STOP[:STEP] (default "
        "5:150).", Rule(str, optional=True), metavar="START:STOP",
    ),
    "fasta": with_help(FASTA, "Sequences whose dinucleotide-shuffled copies are the backgrounds."),
    "bed": with_help(BED, "Regions on --genome: shuffled as backgrounds, or (--background "
                          "genome) the regions whose GC the genomic windows match."),
    "genome": GENOME,
    "background": Spec("shuffle (dinucleotide-shuffled sequences) or genome (GC-matched windows "
                       "outside --bed).", Rule(str, choices=("shuffle", "genome")),
                       default="shuffle", metavar="KIND"),
    "n": Spec("Background sequences.", Rule(int, 1, 1_000_000), default=100, flags=("--n",),
              metavar="N", cli=int),
    "seed": with_help(SEED, "Seed of the backgrounds."),
    "db": Spec("Look motifs up in this MEME/JASPAR file instead of JASPAR.", PATH,
               metavar="FILE", cli=Path),
    "out": out_folder("<run>/marginalize"),
    "batch_size": batch_size(256, "Sequences per forward pass."),
    **RUNS_ON,
}  # fmt: skip


def marginalize(
    run: Path,
    motif: list[str],
    spacing: str | None,
    fasta: Path | None,
    bed: Path | None,
    genome: Path | None,
    background: str,
    n: int,
    seed: int,
    db: Path | None,
    out: Path | None,
    batch_size: int,
    device: str,
    threads: int | None,
) -> None:
    """Insert a motif (or a pair) into background sequences and report each output's change.

    Writes effects.tsv (per motif and output: the mean effect with its spread and 95 % interval,
    and the share of backgrounds it raised) and effects.npz; a profile run adds the average
    footprint (footprint_<k>.png, and where it peaks in effects.tsv). With two motifs, also
    spacing.tsv and spacing.png: the effect of the pair by spacing and orientation, and its
    cooperativity (the joint effect minus both alone).
    """
    from seqconv.errors import InputError
    from seqconv.motifs.backgrounds import background_codes
    from seqconv.motifs.marginalize import (
        effect_unit,
        motif_to_insert,
        pair_effects,
        parse_spacing,
        run_scores,
    )
    from seqconv.motifs.marginalize import (
        marginalize as run_marginalize,
    )
    from seqconv.motifs.marginalize_report import footprint_peaks, write_effects, write_spacing
    from seqconv.outputs import check_output_dir
    from seqconv.runs.commands import load_for

    if len(motif) > 2:
        raise InputError("give one --motif, or two for a pair (A, then B)")
    if spacing is not None and len(motif) != 2:
        raise InputError("--spacing is for a pair: give two --motif")
    spacings = parse_spacing(spacing or "5:150") if len(motif) == 2 else None
    folder = check_output_dir(out or Path(run) / "marginalize", [fasta, bed, genome, db])
    start_threads(threads)
    trained = load_for(run, False, device)
    database = None
    if db is not None:
        from seqconv.motifs.database import load_database

        database = load_database(db)
    notes: list[str] = []
    inserted = [motif_to_insert(m, database=database, notes=notes) for m in motif]
    codes, described = background_codes(trained.length, n, background, [fasta] if fasta else [],
                                        [bed] if bed else [], genome, seed)  # fmt: skip
    for note in [*notes, f"backgrounds: {described}"]:
        err_console.print(note, highlight=False)
    base = run_scores(trained, codes, batch_size)
    effects = [run_marginalize(trained, codes, m, batch_size, base) for m in inserted]
    tracks = list(trained.target_names) if trained.task == "profile" else None
    units = trained.units if trained.task == "profile" else None
    write_effects(folder, effects, tracks, units)
    unit = effect_unit(trained.task)
    for effect in effects:
        shown = "; ".join(f"{r['output']} {r['mean']:+.3g} ± {r['sd']:.2g}"
                          for r in effect.summary())  # fmt: skip
        peaks = footprint_peaks(effect, tracks or [])
        where = (", footprint peaks at " + ", ".join(f"{t} {p:+d} bp" for t, p in peaks.items())
                 if peaks else "")  # fmt: skip
        err_console.print(f"{effect.motif}: {shown} ({unit}){where}", highlight=False)
    if spacings is not None:
        pair = pair_effects(trained, codes, inserted[0], inserted[1], spacings, batch_size,
                            progress=True)  # fmt: skip
        write_spacing(folder, pair, base.names[-1])
        if pair.left_out:
            err_console.print(
                f"[yellow]warning:[/] left out {len(pair.left_out):,} spacing(s) from "
                f"{pair.left_out[0]} bp on: {pair.b} would not fit in the run's "
                f"{codes.shape[1]:,} bp input",
                highlight=False,
            )
        best = max((r for r in pair.rows if r["output"] == base.names[-1]),
                   key=lambda r: abs(r["cooperativity"]))  # fmt: skip
        err_console.print(
            f"pair {pair.a} + {pair.b}: strongest cooperativity on {best['output']} "
            f"{best['cooperativity']:+.3g} at spacing {best['spacing']} bp, orientation "
            f"{best['orientation']}",
            highlight=False,
        )
    err_console.print(f"written to {folder}", highlight=False)


command(
    app,
    OPTIONS,
    marginalize,
    epilog="Example: seqconv marginalize --run runs/footprints-bpnet --motif CTCF --bed "
    "peaks.narrowPeak --genome genome.fa"
    "\n\nExample: seqconv marginalize --run runs/demo --motif REST --motif TP53 --fasta "
    "data/demo/train.fa --spacing 5:150:5",
)
