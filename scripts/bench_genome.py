"""Peaks on a genome: which negatives teach a model binding rather than composition?

Simulates a genome with GC-rich isochores whose peaks carry a planted motif (``seqconv simulate
--genome``), trains seqconv's default model three times on the same peaks, against

* GC-matched genomic windows (``--negatives genome``, the default),
* dinucleotide-shuffled peaks (``--negatives shuffle``),
* genomic windows drawn uniformly outside the peaks (a second BED file as the other class),

and scores all three on one test set: the held-out peaks (chr8, chr9) against GC-matched genomic
windows from the same chromosomes (the first run's test split). Then scores the simulated variants
(motif-destroying SNVs against SNVs elsewhere in the same peaks) with ``seqconv variants`` and
times ``seqconv scan``.

    python scripts/bench_genome.py [--motif CTCF] [--peaks 2000] [--chrom-length 1000000]
        [--out /tmp/bench_genome]

A kept ``--out`` reuses the simulation and finished runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def seqconv(*args) -> None:
    """Run a seqconv command (the installed CLI of this interpreter), stopping on failure."""
    command = [sys.executable, "-m", "seqconv", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-3000:]}")


def uniform_background(sim: Path, peaks: pd.DataFrame, length: int, n: int, seed: int) -> Path:
    """``n`` genomic windows outside every peak (± ``length``), with < 1 % N, drawn uniformly."""
    from seqconv.dna.genome import Genome, gc_fraction

    genome = Genome(sim / "genome.fa")
    rng = np.random.default_rng(seed)
    names = list(genome.sizes)
    weights = np.array([genome.sizes[c] for c in names], dtype=float)
    rows: list[tuple[str, int]] = []
    while len(rows) < n:
        chrom = names[rng.choice(len(names), p=weights / weights.sum())]
        start = int(rng.integers(0, genome.sizes[chrom] - length))
        near = peaks[(peaks.chrom == chrom) & (peaks.end + length > start)
                     & (peaks.start - length < start + length)]  # fmt: skip
        _, n_frac = gc_fraction(genome.fetch(chrom, start, start + length)[None])
        if near.empty and n_frac[0] <= 0.01:
            rows.append((chrom, start))
    path = sim / "uniform_background.bed"
    path.write_text("".join(f"{c}\t{s}\t{s + length}\n" for c, s in rows))
    return path


def test_auroc(run_dir: Path, test: pd.DataFrame, genome: Path) -> float:
    """auROC of a run's peak probability on the shared test windows."""
    from sklearn.metrics import roc_auc_score

    import seqconv
    from seqconv.dna.genome import Genome

    run = seqconv.load(run_dir)
    g = Genome(genome)
    codes, _ = g.windows(test["chrom"], test["start"].to_numpy(), run.length)
    peaks = [i for i, name in enumerate(run.target_names) if name == "peaks"][0]
    return float(roc_auc_score(test["is_peak"], run.predict_codes(codes)[:, peaks]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--motif", default="CTCF")
    parser.add_argument("--peaks", type=int, default=2000)
    parser.add_argument("--chrom-length", type=int, default=1_000_000)
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="/tmp/bench_genome")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    out = Path(args.out)
    sim = out / "sim"
    if not (sim / "genome.fa").exists():
        seqconv("simulate", "--genome", "--motif", args.motif, "--n", args.peaks,
                "--chrom-length", args.chrom_length, "--seed", args.seed, "--out", sim)  # fmt: skip
    peaks_bed = sim / "peaks.narrowPeak"
    peaks = pd.read_csv(peaks_bed, sep="\t", header=None, usecols=[0, 1, 2])
    peaks.columns = ["chrom", "start", "end"]
    common = ["--genome", sim / "genome.fa", "--length", args.length, "--seed", args.seed,
              "--quiet"]  # fmt: skip
    runs = {
        "GC-matched genomic (default)": (out / "run_genome", ["--bed", peaks_bed]),
        "dinucleotide-shuffled peaks": (
            out / "run_shuffle",
            ["--bed", peaks_bed, "--negatives", "shuffle"],
        ),
        "uniform genomic": (
            out / "run_uniform",
            [
                "--bed",
                peaks_bed,
                "--bed",
                uniform_background(sim, peaks, args.length, len(peaks), args.seed),
            ],
        ),  # fmt: skip
    }
    seconds = {}
    for name, (run_dir, extra) in runs.items():
        if not (run_dir / "model.safetensors").exists():
            start = time.perf_counter()
            seqconv("train", *extra, *common, "--out", run_dir, "--force")
            seconds[name] = time.perf_counter() - start

    split = pd.read_csv(out / "run_genome" / "split.tsv", sep="\t")
    test = split[split["split"] == "test"].copy()
    coords = test["id"].str.extract(r"^(?P<chrom>[^:]+):(?P<start>\d+)-(?P<end>\d+)$")
    test = test.assign(chrom=coords["chrom"], start=coords["start"].astype(int),
                       is_peak=(test["source"] != "background").astype(int))  # fmt: skip
    gc = pd.read_csv(out / "run_genome" / "gc.tsv", sep="\t")
    genome_bp = sum(pd.read_csv(sim / "genome.fa.fai", sep="\t", header=None)[1])
    print(f"simulated {len(peaks):,} peaks with {args.motif} on {genome_bp:,} bp; windows of "
          f"{args.length} bp")  # fmt: skip
    mids = (gc["gc_low"] + gc["gc_high"]) / 2
    for col in ("positives", "negatives"):
        print(f"  mean GC of {col}: {np.average(mids, weights=gc[col]):.3f}")
    print(f"shared test set: {int(test.is_peak.sum())} held-out peaks vs "
          f"{int((1 - test.is_peak).sum())} GC-matched windows (chr8, chr9)")  # fmt: skip
    print(f"{'negatives':32s} {'test auROC':>10s} {'train s':>8s}")
    for name, (run_dir, _) in runs.items():
        auroc = test_auroc(run_dir, test, sim / "genome.fa")
        took = f"{seconds[name]:.0f}" if name in seconds else "kept"
        print(f"{name:32s} {auroc:10.3f} {took:>8s}")

    effects = out / "effects.tsv"
    start = time.perf_counter()
    seqconv("variants", "--model", out / "run_genome", "--vcf", sim / "variants.vcf",
            "--genome", sim / "genome.fa", "--out", effects)  # fmt: skip
    took = time.perf_counter() - start
    table = pd.read_csv(effects, sep="\t")
    vcf = pd.read_csv(sim / "variants.vcf", sep="\t", comment="#", header=None,
                      usecols=[2, 7], names=["id", "info"])  # fmt: skip
    table = table.merge(vcf, on="id")
    snv = table[table["info"].str.contains("EFFECT=") & (table.ref.str.len() == 1)
                & (table.alt.str.len() == 1)]  # fmt: skip
    destroys = snv["info"].str.contains("EFFECT=destroys")
    delta = [c for c in table.columns if c.endswith("_delta")][-1]
    from sklearn.metrics import roc_auc_score

    auroc = roc_auc_score(destroys, -snv[delta])
    counts = f"{int(destroys.sum())} vs {int((~destroys).sum())}"
    print(f"variants: {len(table):,} scored in {took:.1f} s (with start-up; "
          f"{len(table) / took:,.0f} variants/s); motif-destroying vs elsewhere SNVs ranked by "
          f"-{delta}: auROC {auroc:.3f} ({counts})")  # fmt: skip

    start = time.perf_counter()
    seqconv("scan", "--model", out / "run_genome", "--genome", sim / "genome.fa",
            "--stride", 50, "--out", out / "scan.bedgraph")  # fmt: skip
    took = time.perf_counter() - start
    bases = sum(pd.read_csv(sim / "genome.fa.fai", sep="\t", header=None)[1])
    print(
        f"scan: {bases:,} bp at stride 50 in {took:.1f} s with start-up "
        f"({bases / took:,.0f} bp/s, {bases / 50 / took:,.0f} windows/s)"
    )


if __name__ == "__main__":
    main()
