"""`seqconv simulate`: FASTA with planted JASPAR motifs, labels in the headers, sites beside it;
with ``--genome``, a small genome whose peaks carry the motifs, with variants in the peaks."""

from __future__ import annotations

from pathlib import Path

from seqconv.cli.app import app, err_console
from seqconv.cli.common import PATH, SEED, with_help
from seqconv.cli.generate import command
from seqconv.errors import InputError
from seqconv.option_table import Spec, command_line
from seqconv.validation import Rule

FASTA, GENOME = ("fasta",), ("genome",)
BOTH = FASTA + GENOME
OPTIONS = {
    "genome": Spec(
        "Simulate a genome (isochores, repeats, gaps) with peaks carrying the motifs and "
        "variants in them: genome.fa, peaks.narrowPeak, variants.vcf, sites.tsv in --out.",
        Rule(bool), default=False, flags=("--genome",), data=BOTH, cli=bool,
    ),
    "profiles": Spec(
        "With --genome: also stranded footprints over the planted sites, as counts per base "
        "(footprints.plus.bw, footprints.minus.bw) and their expected values "
        "(expected.plus.bw, expected.minus.bw: the ceiling for a model): data for --task profile.",
        Rule(bool), default=False, flags=("--profiles",), data=GENOME, cli=bool,
    ),
    "motif": Spec(
        "JASPAR id (MA0079.3, any version; MA0079: latest) or TF name (latest CORE version); "
        "repeat for several.",
        Rule(list), flags=("--motif", "-m"), metavar="ID|NAME", data=BOTH, cli=list[str],
        required="give at least one --motif ID|NAME (e.g. --motif CTCF)",
    ),
    "n": Spec("Number of sequences; with --genome, number of peaks.", Rule(int, 1, 10_000_000),
              default=2000, flags=("--n",), metavar="N", data=BOTH, cli=int),
    "chromosomes": Spec("With --genome: number of chromosomes (chr1..chrN).",
                        Rule(int, 1, 1000), default=10, metavar="N", data=GENOME, cli=int),
    "chrom_length": Spec("With --genome: length of each chromosome.",
                         Rule(int, 1, 1_000_000_000), default=1_000_000, metavar="BP",
                         data=GENOME, cli=int),
    "length": Spec("Length of every sequence.", Rule(int, 1, 1_000_000), default=200,
                   metavar="N", data=FASTA, cli=int),
    "motifs_per_seq": Spec("Motif instances per motif-carrying sequence, LOW-HIGH (uniform).",
                           Rule(str), default="1-3", metavar="LOW-HIGH", data=FASTA),
    "background": Spec("'uniform', or a FASTA whose sequences are dinucleotide-shuffled.",
                       Rule(str), default="uniform", metavar="FILE", data=FASTA),
    "multi_label": Spec("Label each sequence with every planted motif (a,b,c).", Rule(bool),
                        default=False, flags=("--multi-label",), data=FASTA, cli=bool),
    "negatives_fraction": Spec(
        "Fraction of background-only sequences (default: 0.5 for one motif without "
        "--multi-label, else 0).",
        Rule(float, 0, 1, optional=True), metavar="X", data=FASTA, cli=float,
    ),
    "seed": with_help(SEED, "Random seed: the same seed gives the same file.", data=BOTH),
    "db": Spec("Look motifs up in this MEME/JASPAR/TRANSFAC file instead of JASPAR.", PATH,
               metavar="FILE", data=BOTH, cli=Path),
    "release": Spec("JASPAR release for ids and names.", Rule(str), default="JASPAR2024",
                    metavar="NAME", data=BOTH),
    "out": Spec("FASTA to write (e.g. data/sim.fa); with --genome, the folder to write.", PATH,
                flags=("--out", "-o"), metavar="PATH", data=BOTH, cli=Path,
                required="give the file to write: --out data/sim.fa (with --genome, a folder)"),
}  # fmt: skip


def simulate(given: set[str], **values: object) -> None:
    """Simulate sequences with planted motifs (Koo & Eddy 2019 design) for tests and demos.

    Writes OUT (FASTA with label= headers), OUT's stem + .sites.tsv (every planted site: id,
    motif, start, end, strand) and + .json (the exact command, settings and motifs).

    With --genome: a genome of --chromosomes x --chrom-length bp (isochores, repeats, gaps) with
    --n peaks carrying the motifs, written into the folder OUT: genome.fa, peaks.narrowPeak,
    variants.vcf (SNVs that destroy a planted site and SNVs elsewhere in the same peaks),
    sites.tsv, isochores.bed and simulation.json; with --profiles also stranded footprints of
    the sites as bigWig counts (footprints.plus.bw, footprints.minus.bw), their expected values
    (expected.*.bw) and profiles.json.
    """
    mode = "genome" if values["genome"] else "fasta"
    wrong = [OPTIONS[n].flag(n) for n in OPTIONS if n in given and mode not in OPTIONS[n].data]
    if wrong:
        many = len(wrong) > 1
        if mode == "genome":
            raise InputError(
                f"{', '.join(wrong)} {'do' if many else 'does'} not apply with --genome"
            )
        raise InputError(f"{', '.join(wrong)} {'apply' if many else 'applies'} only with --genome")
    # every setting of this mode, defaults included: the command that makes the same files
    used = {n: v for n, v in values.items() if mode in OPTIONS[n].data}
    args = command_line("simulate", OPTIONS, used)
    if mode == "genome":
        _simulate_genome(args, **used)  # type: ignore[arg-type]
    else:
        _simulate_fasta(args, **used)  # type: ignore[arg-type]


def _simulate_fasta(
    command: str,
    motif: list[str],
    out: Path,
    n: int,
    length: int,
    motifs_per_seq: str,
    background: str,
    multi_label: bool,
    negatives_fraction: float | None,
    seed: int,
    db: Path | None,
    release: str,
    genome: bool,
) -> None:
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
    command: str,
    motif: list[str],
    out: Path,
    n: int,
    chromosomes: int,
    chrom_length: int,
    seed: int,
    db: Path | None,
    release: str,
    genome: bool,
    profiles: bool,
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
    files = write_genome_simulation(sim, out, command)
    if profiles:
        from seqconv.dna.simulate_profiles import simulate_profiles, write_profile_tracks

        prof = simulate_profiles(sim, seed=seed)
        written = write_profile_tracks(prof, out, command)
        files.update({k: v for k, v in written.items() if k != "provenance"})
    for note in sim.notes:
        err_console.print(f"note: {note}", highlight=False)
    gc, names = sim.stats["gc"], ", ".join(path.name for path in files.values())
    err_console.print(
        f"{chromosomes} chromosomes of {chrom_length:,} bp (GC {gc['genome']:.3f}, peaks "
        f"{gc['peaks']:.3f}) with {len(sim.peaks)} peaks, {len(sim.sites)} planted sites and "
        f"{len(sim.variants)} variants written to {out}: {names}",
        highlight=False,
    )


command(
    app,
    OPTIONS,
    simulate,
    epilog="Example: seqconv simulate --motif CTCF --motif REST --n 2000 --out data/sim.fa"
    "\n\nExample: seqconv simulate --genome --motif CTCF --n 2000 --out data/genome"
    "\n\nExample: seqconv simulate --genome --profiles --motif CTCF --out data/footprints",
)
