"""`seqconv simulate`: FASTA with planted JASPAR motifs, labels in the headers, sites beside it;
with ``--genome``, a small genome whose peaks carry the motifs, with variants in the peaks."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, explicit_options, friendly_errors
from seqconv.errors import InputError

FASTA_ONLY = ("length", "motifs_per_seq", "background", "multi_label", "negatives_fraction")
GENOME_ONLY = ("chromosomes", "chrom_length")


@app.command(
    no_args_is_help=True,
    epilog="Example: seqconv simulate --motif CTCF --motif REST --n 2000 --out data/sim.fa"
    "\n\nExample: seqconv simulate --genome --motif CTCF --n 2000 --out data/genome",
)
@friendly_errors
def simulate(
    ctx: typer.Context,
    motif: list[str] = typer.Option(
        ...,
        "--motif",
        "-m",
        metavar="ID|NAME",
        help="JASPAR id (MA0079.3, any version; MA0079: latest) or TF name (latest CORE "
        "version); repeat for several.",
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        metavar="PATH",
        help="FASTA to write (e.g. data/sim.fa); with --genome, the folder to write.",
    ),
    genome: bool = typer.Option(
        False,
        "--genome",
        metavar="",
        help="Simulate a genome (isochores, repeats, gaps) with peaks carrying the motifs and "
        "variants in them: genome.fa, peaks.narrowPeak, variants.vcf, sites.tsv in --out.",
    ),
    n: int = typer.Option(
        2000, "--n", metavar="N", help="Number of sequences; with --genome, number of peaks."
    ),
    chromosomes: int = typer.Option(
        10, metavar="N", help="With --genome: number of chromosomes (chr1..chrN)."
    ),
    chrom_length: int = typer.Option(
        1_000_000, metavar="BP", help="With --genome: length of each chromosome."
    ),
    length: int = typer.Option(200, metavar="N", help="Length of every sequence."),
    motifs_per_seq: str = typer.Option(
        "1-3",
        metavar="LOW-HIGH",
        help="Motif instances per motif-carrying sequence, LOW-HIGH (uniform).",
    ),
    background: str = typer.Option(
        "uniform",
        metavar="FILE",
        help="'uniform', or a FASTA whose sequences are dinucleotide-shuffled.",
    ),
    multi_label: bool = typer.Option(
        False,
        "--multi-label",
        metavar="",
        help="Label each sequence with every planted motif (a,b,c).",
    ),
    negatives_fraction: float | None = typer.Option(
        None,
        metavar="X",
        help="Fraction of background-only sequences (default: 0.5 for one motif without "
        "--multi-label, else 0).",
    ),
    seed: int = typer.Option(
        0, metavar="N", help="Random seed: the same seed gives the same file."
    ),
    db: Path | None = typer.Option(
        None,
        metavar="FILE",
        help="Look motifs up in this MEME/JASPAR/TRANSFAC file instead of JASPAR.",
    ),
    release: str = typer.Option(
        "JASPAR2024", metavar="NAME", help="JASPAR release for ids and names."
    ),
) -> None:
    """Simulate sequences with planted motifs (Koo & Eddy 2019 design) for tests and demos.

    Writes OUT (FASTA with label= headers), OUT's stem + .sites.tsv (every planted site: id,
    motif, start, end, strand) and + .json (the exact command, settings and motifs).

    With --genome: a genome of --chromosomes x --chrom-length bp (isochores, repeats, gaps) with
    --n peaks carrying the motifs, written into the folder OUT: genome.fa, peaks.narrowPeak,
    variants.vcf (SNVs that destroy a planted site and SNVs elsewhere in the same peaks),
    sites.tsv, isochores.bed and simulation.json.
    """
    wrong = [
        name for name in (FASTA_ONLY if genome else GENOME_ONLY) if name in explicit_options(ctx)
    ]
    if wrong:
        options = ", ".join("--" + name.replace("_", "-") for name in wrong)
        many = len(wrong) > 1
        if genome:
            raise InputError(f"{options} {'do' if many else 'does'} not apply with --genome")
        raise InputError(f"{options} {'apply' if many else 'applies'} only with --genome")
    if genome:
        _simulate_genome(motif, out, n, chromosomes, chrom_length, seed, db, release)
        return

    from seqconv.dna.simulate import sidecar_paths, write_simulation
    from seqconv.dna.simulate import simulate as run_simulation
    from seqconv.motifs.database import load_database
    from seqconv.outputs import check_output_file

    inputs = [db, background if background != "uniform" else None]
    for path in (out, *sidecar_paths(out)):  # the FASTA and its two side files
        check_output_file(path, inputs, example="sim.fa")
    database = load_database(db, release) if db is not None else None
    sim = run_simulation(
        motif,
        n=n,
        length=length,
        motifs_per_seq=motifs_per_seq,
        background=background,
        multi_label=multi_label,
        negatives_fraction=negatives_fraction,
        seed=seed,
        release=release,
        database=database,
    )
    args = ["seqconv", "simulate"] + [a for m in motif for a in ("--motif", m)]
    args += ["--n", n, "--length", length, "--motifs-per-seq", motifs_per_seq]
    args += ["--background", background] + (["--multi-label"] if multi_label else [])
    if negatives_fraction is not None:
        args += ["--negatives-fraction", negatives_fraction]
    args += ["--seed", seed] + (["--db", db] if db is not None else [])
    args += (["--release", release] if release != "JASPAR2024" else []) + ["--out", out]
    command = " ".join(shlex.quote(str(a)) for a in args)  # every setting, defaults included
    files = write_simulation(sim, out, command)
    for note in sim.notes:
        err_console.print(f"note: {note}", highlight=False)
    motifs = ", ".join(f"{m.id} {label}" for m, label in zip(sim.motifs, sim.labels, strict=True))
    err_console.print(
        f"{len(sim.records)} sequences of {length} bp with {len(sim.sites)} planted sites "
        f"({motifs}) written to {files['fasta']}; sites in {files['sites']}, provenance in "
        f"{files['provenance']}",
        highlight=False,
    )


def _simulate_genome(
    motif: list[str],
    out: Path,
    n: int,
    chromosomes: int,
    chrom_length: int,
    seed: int,
    db: Path | None,
    release: str,
) -> None:
    from seqconv.dna.simulate_genome import simulate_genome, write_genome_simulation
    from seqconv.motifs.database import load_database
    from seqconv.outputs import check_output_dir

    check_output_dir(out, [db])
    database = load_database(db, release) if db is not None else None
    sim = simulate_genome(
        motif,
        n_peaks=n,
        chromosomes=chromosomes,
        chrom_length=chrom_length,
        seed=seed,
        release=release,
        database=database,
    )
    args = ["seqconv", "simulate", "--genome"] + [a for m in motif for a in ("--motif", m)]
    args += ["--n", n, "--chromosomes", chromosomes, "--chrom-length", chrom_length]
    args += ["--seed", seed] + (["--db", db] if db is not None else [])
    args += (["--release", release] if release != "JASPAR2024" else []) + ["--out", out]
    command = " ".join(shlex.quote(str(a)) for a in args)  # every setting, defaults included
    files = write_genome_simulation(sim, out, command)
    for note in sim.notes:
        err_console.print(f"note: {note}", highlight=False)
    gc, names = sim.stats["gc"], ", ".join(path.name for path in files.values())
    err_console.print(
        f"{chromosomes} chromosomes of {chrom_length:,} bp (GC {gc['genome']:.3f}, peaks "
        f"{gc['peaks']:.3f}) with {len(sim.peaks)} peaks, {len(sim.sites)} planted sites and "
        f"{len(sim.variants)} variants written to {out}: {names}",
        highlight=False,
    )
