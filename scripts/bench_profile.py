"""Base-resolution profiles: seqconv's default profile run against bpnet-lite, on the same
simulated footprints, for the same number of epochs, with the simulator's expected counts as the
ceiling (the oracle).

1. ``seqconv simulate --genome --profiles``: a genome whose peaks carry CTCF sites, stranded
   footprint counts (``footprints.plus.bw``, ``footprints.minus.bw``) and their expected values.
2. seqconv: ``seqconv train --task profile`` with its defaults (bpnet, 9 layers; early stopping
   off so that both train the same epochs).
3. bpnet-lite: ``scripts/bench_profile_bpnetlite.py`` in its own venv (``--bpnet-python``;
   ``python3 -m venv V && V/bin/pip install bpnet-lite torch``), its ``bpnet fit`` defaults
   (8 layers), GC-matched negatives drawn here.
4. Every model scored on the same test peaks (chr8 and chr9, inside both tools' windows) by
   :func:`seqconv.core.profile_metrics.profile_scores`, bpnet-lite's definitions: the median
   per-region profile Pearson, the counts Pearson (both strands' total), the median JSD.

It prints the scores, the time per epoch, the ratios to the oracle and the load average it ran
under; ``results.json`` in ``--out`` keeps them. Timings are wall clock on a shared machine.

Usage: ``python scripts/bench_profile.py [--epochs 12] [--peaks 2000] [--length 300]
[--bpnet-python /tmp/bpnetvenv/bin/python] [--out /tmp/bench_profile]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

TEST_CHROMS = ("chr8", "chr9")
VALID_CHROMS = ("chr7",)
BPNET_LITE_TRIM = 557
"""bpnet-lite's trimming with 8 layers: its input is the output plus twice this."""


def simulate(out: Path, peaks: int, chrom_length: int, seed: int) -> None:
    from seqconv.dna.simulate_genome import simulate_genome, write_genome_simulation
    from seqconv.dna.simulate_profiles import simulate_profiles, write_profile_tracks

    sim = simulate_genome(["MA0139.2"], n_peaks=peaks, chromosomes=10,
                          chrom_length=chrom_length, seed=seed)  # fmt: skip
    write_genome_simulation(sim, out)
    write_profile_tracks(simulate_profiles(sim, seed=seed), out)


def test_peaks(out: Path, width: int, seqconv_input: int) -> Path:
    """The narrowPeak of test peaks whose input windows lie inside their chromosome for both
    tools (so that neither pads)."""
    from seqconv.dna.genome import Genome

    sizes = Genome(out / "genome.fa").sizes
    peaks = pd.read_csv(out / "peaks.narrowPeak", sep="\t", header=None)
    summit = peaks[1] + peaks[9]
    half = max(seqconv_input, width + 2 * BPNET_LITE_TRIM) // 2 + 1
    inside = (summit - half >= 0) & (summit + half <= peaks[0].map(sizes))
    test = peaks[peaks[0].isin(TEST_CHROMS) & inside]
    path = out / "test.narrowPeak"
    test.to_csv(path, sep="\t", header=False, index=False)
    return path


def negatives(out: Path, width: int, seed: int) -> Path:
    """GC-matched genomic windows for bpnet-lite (as many as peaks; it samples a third)."""
    from seqconv.dna.background import gc_matched_background
    from seqconv.dna.bed import centred_starts, read_bed
    from seqconv.dna.genome import Genome, gc_fraction

    genome = Genome(out / "genome.fa")
    peaks = read_bed(out / "peaks.narrowPeak")
    codes, _ = genome.windows(peaks["chrom"], centred_starts(peaks, width), width)
    gc, _ = gc_fraction(codes)
    drawn = gc_matched_background(genome, peaks, gc, width, ratio=1.0, flank=width, seed=seed)
    path = out / "negatives.bed"
    table = pd.DataFrame({"chrom": drawn.chroms, "start": drawn.starts,
                          "end": drawn.starts + width})  # fmt: skip
    table.to_csv(path, sep="\t", header=False, index=False)
    return path


def observed_and_oracle(out: Path, test: Path, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Observed counts and the simulator's expected counts ``(N, 2, W)`` of the test peaks."""
    from seqconv.dna.profile_signal import Tracks

    peaks = pd.read_csv(test, sep="\t", header=None)
    chroms, starts = peaks[0].to_numpy(), (peaks[1] + peaks[9]).to_numpy() - width // 2
    arrays = []
    for kind in ("footprints", "expected"):
        files = [out / f"{kind}.{s}.bw" for s in ("plus", "minus")]
        with Tracks(files) as tracks:
            arrays.append(tracks.read(chroms, starts, width))
    return arrays[0], arrays[1]


def seqconv_side(out: Path, width: int, epochs: int, threads: int, extra: list[str],
                 name: str) -> dict:  # fmt: skip
    """Train seqconv's default profile run; its predictions on the test peaks and its times."""
    run = out / name
    args = ["train", "--bed", out / "peaks.narrowPeak", "--genome", out / "genome.fa",
            "--bigwig", out / "footprints.plus.bw", "--bigwig", out / "footprints.minus.bw",
            "--task", "profile", "--length", width, "--epochs", epochs, "--patience", epochs,
            "--threads", threads, "--out", run, "--force", "--quiet", *extra]  # fmt: skip
    started = time.perf_counter()
    _seqconv(args)
    seconds = time.perf_counter() - started
    npz = out / f"{name}.npz"
    _seqconv(["predict", "--run", run, "--bed", out / "test.narrowPeak", "--genome",
              out / "genome.fa", "--out", out / f"{name}.tsv", "--per-position", npz])  # fmt: skip
    expected = np.load(npz)["profiles"].astype(np.float64)
    history = pd.read_csv(run / "history.csv")
    config = json.loads((run / "config.json").read_text())
    return {
        "logits": np.log(expected + 1e-12),
        "log_counts": np.log1p(expected.sum(-1)),
        "seconds": seconds,
        "epoch_seconds": float(history["seconds"].median()),
        "input": config["input"]["length"],
    }


def _seqconv(args: list) -> None:
    command = [sys.executable, "-m", "seqconv", *[str(a) for a in args]]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"seqconv {args[0]} failed:\n{done.stdout}\n{done.stderr}")


def bpnet_lite_side(out: Path, python: str, width: int, epochs: int, threads: int,
                    seed: int) -> dict:  # fmt: skip
    """bpnet-lite's fit in its own venv; its predictions and times."""
    folder = out / "bpnet-lite"
    chroms = [f"chr{i}" for i in range(1, 11)]
    train = [c for c in chroms if c not in TEST_CHROMS + VALID_CHROMS]
    command = [python, str(Path(__file__).with_name("bench_profile_bpnetlite.py")),
               "--peaks", str(out / "peaks.narrowPeak"), "--negatives", str(out / "negatives.bed"),
               "--genome", str(out / "genome.fa"), "--signals", str(out / "footprints.plus.bw"),
               str(out / "footprints.minus.bw"), "--test", str(out / "test.narrowPeak"),
               "--train-chroms", *train, "--valid-chroms", *VALID_CHROMS,
               "--out-window", str(width), "--epochs", str(epochs), "--threads", str(threads),
               "--seed", str(seed), "--out", str(folder)]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"bpnet-lite failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    saved = np.load(folder / "predictions.npz")
    timing = json.loads((folder / "timing.json").read_text())
    total = saved["logcounts"][:, 0].astype(np.float64)  # its one count: both strands
    log_counts = np.stack([total, np.zeros_like(total)], axis=1)  # the pair's total is this
    return {"logits": saved["logits"].astype(np.float64), "log_counts": log_counts,
            "observed": saved["observed"], "seconds": seconds,
            "epoch_seconds": timing["fit_seconds"] / epochs,
            "input": timing["in_window"]}  # fmt: skip


def scores(logits: np.ndarray, log_counts: np.ndarray, observed: np.ndarray) -> dict:
    from seqconv.core.profile_metrics import profile_scores

    names = ["plus", "minus"]
    return profile_scores(logits, log_counts, observed, names, [[0, 1]], n_bootstrap=0)["summary"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_profile"))
    parser.add_argument("--peaks", type=int, default=2000)
    parser.add_argument("--chrom-length", type=int, default=500_000)
    parser.add_argument("--length", type=int, default=300, help="output window (both tools)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bpnet-python", default="/tmp/bpnetvenv/bin/python")
    parser.add_argument("--skip-bpnet-lite", action="store_true")
    parser.add_argument(
        "--mean-head",
        action="store_true",
        help="also train seqconv with BPNet's mean-pooled counts head",
    )
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    if not (out / "expected.minus.bw").is_file():
        simulate(out, args.peaks, args.chrom_length, args.seed)
    from seqconv.models import build
    from seqconv.rf.receptive_field import receptive_field

    seqconv_input = args.length + receptive_field(build("bpnet", n_outputs=2)).size - 1
    test = test_peaks(out, args.length, seqconv_input)
    negatives(out, args.length, args.seed)
    observed, expected = observed_and_oracle(out, test, args.length)
    rows = {"oracle (simulator)": scores(np.log(expected + 1e-12),
                                         np.log1p(expected.sum(-1)), observed)}  # fmt: skip
    timing: dict[str, tuple[float, float, int]] = {}
    sides = [("seqconv (bpnet default)", "seqconv", [])]
    if args.mean_head:
        sides.append(("seqconv, counts_pool=mean", "seqconv-mean", ["-O", "counts_pool=mean"]))
    for label, name, extra in sides:
        side = seqconv_side(out, args.length, args.epochs, args.threads, extra, name)
        rows[label] = scores(side["logits"], side["log_counts"], observed)
        timing[label] = (side["epoch_seconds"], side["seconds"], side["input"])
    if not args.skip_bpnet_lite:
        side = bpnet_lite_side(out, args.bpnet_python, args.length, args.epochs, args.threads,
                               args.seed)  # fmt: skip
        if not np.allclose(side["observed"], observed):
            raise SystemExit("bpnet-lite read other counts for the test peaks: windows differ")
        rows["bpnet-lite (bpnet fit defaults)"] = scores(side["logits"], side["log_counts"],
                                                         observed)  # fmt: skip
        timing["bpnet-lite (bpnet fit defaults)"] = (side["epoch_seconds"], side["seconds"],
                                                     side["input"])  # fmt: skip
    load_after = os.getloadavg()
    oracle = rows["oracle (simulator)"]
    print(f"\n{len(observed)} test peaks ({', '.join(TEST_CHROMS)}), output {args.length} bp, "
          f"{args.epochs} epochs each, {args.threads} threads")  # fmt: skip
    head = (f"{'model':34} {'profile r':>9} {'/oracle':>7} {'counts r':>8} {'/oracle':>7} "
            f"{'JSD':>6} {'input':>6} {'s/epoch':>8} {'train s':>8}")  # fmt: skip
    print(head)
    for label, s in rows.items():
        epoch, total, width = timing.get(label, (float("nan"), float("nan"), 0))
        print(f"{label:34} {s['profile_pearson']:9.3f} "
              f"{s['profile_pearson'] / oracle['profile_pearson']:7.2f} "
              f"{s['counts_pearson']:8.3f} {s['counts_pearson'] / oracle['counts_pearson']:7.2f} "
              f"{s['profile_jsd']:6.3f} {width or '':>6} {epoch:8.1f} {total:8.0f}")  # fmt: skip
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    results = {"rows": rows, "timing": timing, "epochs": args.epochs, "length": args.length,
               "test_peaks": len(observed), "load_before": load_before,
               "load_after": load_after}  # fmt: skip
    (out / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
