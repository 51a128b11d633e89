"""The genome part of the DNA recipe: BED peaks on a genome to labelled windows, and the files
a genome run adds (``gc.tsv`` and ``gc.png``: the GC distributions of peaks and negatives)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seqconv import rundir
from seqconv.atomic import write_text, write_with
from seqconv.dna.genome_labels import GenomeLabeled, GenomeOptions, load_bed_labeled, median_width
from seqconv.errors import InputError
from seqconv.progress import Reporter, status

# ``options`` below are :class:`seqconv.train.recipes.dna.TrainOptions` (not imported: that module
# imports this one)
TrainOptions = Any

GC_TABLE = rundir.GC_TABLE
GC_PLOT = rundir.GC_PLOT


def check_genome_options(options: TrainOptions) -> None:
    """Refuse combinations of input options that cannot work, before any data is read."""
    if options.bed and options.fasta:
        raise InputError("give --fasta or --bed (with --genome), not both")
    if options.bed and not options.genome:
        raise InputError("--bed needs --genome (the reference FASTA the peaks are on)")
    if options.genome and not options.bed:
        raise InputError("--genome is for --bed peaks; with --fasta leave it out")
    genome_only = {
        "label_column": options.label_column,
        "bigwig": options.bigwig,
        "exclude": options.exclude,
        "flank": options.flank,
    }
    stray = [k for k, v in genome_only.items() if v] if not options.bed else []
    if options.negatives == "genome" and not options.bed:
        stray.append("negatives genome")
    if stray:
        names = ", ".join("--" + k.replace("_", "-") for k in stray)
        raise InputError(f"{names}: only with --bed peaks on a --genome")
    if options.labels and options.bed:
        raise InputError("--labels is a table for FASTA ids; with --bed use --label-column")


def load_genome_data(options: TrainOptions, reporter: Reporter) -> GenomeLabeled:
    """Windows, labels and negatives for ``seqconv train --bed ... --genome ...``."""
    check_genome_options(options)
    length = options.length
    if length is None:
        length = median_width(options.bed)
        reporter.info(
            f"windows of {length} bp (the median interval width) centred on each summit or "
            "centre; set --length to choose"
        )
    genome_options = GenomeOptions(
        bed=options.bed,
        genome=str(options.genome),
        length=length,
        label_column=options.label_column,
        bigwig=options.bigwig,
        bigwig_stat=options.bigwig_stat,
        log1p=options.log1p,
        negatives=options.negatives_used,
        negatives_ratio=options.negatives_ratio,
        flank=options.flank,
        exclude=options.exclude,
        task=options.task,
        seed=options.seed,
    )
    with status("reading peaks and the genome", enabled=not options.quiet):
        loaded = load_bed_labeled(genome_options)
    for note in loaded.data.notes:
        reporter.info(note)
    loaded.data.notes = []
    return loaded


def genome_config(loaded: GenomeLabeled | None) -> dict:
    """The ``genome`` block of ``config.json`` (empty for FASTA runs)."""
    if loaded is None:
        return {}
    return {
        "genome": {
            "sequences": len(loaded.sizes),
            "length": int(sum(loaded.sizes.values())),
            "negatives": loaded.background.summary() if loaded.background else None,
        }
    }


def record_bed_files(options: TrainOptions) -> dict:
    """Provenance of the inputs of a run from peaks: path and SHA-256 of the BED files, the
    genome, bigWig files and ``--exclude`` (``--resume`` checks them before reading them again;
    the genome's hash costs about a second per gigabyte, once)."""
    if not options.bed:
        return {}
    return {
        "bed": [rundir.file_record(p) for p in options.bed],
        "genome": rundir.file_record(options.genome),
        "bigwig": [rundir.file_record(p) for p in options.bigwig],
        "exclude": rundir.file_record(options.exclude) if options.exclude else None,
    }


def write_gc_files(loaded: GenomeLabeled | None, out: Path) -> None:
    """``gc.tsv`` and ``gc.png`` when negatives were drawn from the genome."""
    if loaded is None or loaded.background is None:
        return
    background = loaded.background
    table = background.gc_table()
    write_text(out / GC_TABLE, table.to_csv(sep="\t", index=False, float_format="%.2f"))
    plot_gc(background.positive_gc, background.gc, out / GC_PLOT)


def plot_gc(positive_gc: np.ndarray, negative_gc: np.ndarray, path: Path) -> None:
    """Histograms of the GC content of peaks and of their matched negatives."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    bins = np.linspace(0, 1, 51)
    ax.hist(positive_gc, bins=bins, alpha=0.6, label=f"peaks (n={len(positive_gc):,})")
    ax.hist(
        negative_gc,
        bins=bins,
        histtype="step",
        linewidth=1.5,
        label=f"GC-matched negatives (n={len(negative_gc):,})",
    )
    ax.set_xlabel("GC content of the window")
    ax.set_ylabel("windows")
    ax.set_title("GC content: peaks and genomic negatives")
    ax.legend(fontsize=8)
    fig.tight_layout()
    write_with(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
