"""Dinucleotide-shuffle throughput of seqconv and tangermeme, and whether each is uniform.

    OMP_NUM_THREADS=1 python scripts/bench_shuffle.py [--baseline HEAD] [--repeats 3]

Times, on random ACGT sequences of 200 bp (10,000 of them) and 1 kbp (2,000), best of --repeats
after one warm-up call:

* seqconv's ``shuffle_rows`` (uint8 codes in and out);
* with ``--baseline REV``, ``shuffle_rows`` of ``seqconv/dna/shuffle.py`` as of git revision REV;
* tangermeme's ``dinucleotide_shuffle`` (one-hot in and out, ``n=1``, one thread; the one-hot input
  is built beforehand), and its numba kernel ``_fast_shuffle`` alone (int32 codes in and out).

tangermeme's first call compiles its numba kernels (or loads them from numba's cache); that is
timed separately. Then each draws 60 shuffles per sequence of the 78 that share the first letter
and dinucleotide counts of ACAGTCATGACT, and prints the chi-square p-value against uniform.

tangermeme is not a seqconv dependency: run this with an environment that has it, e.g.

    python3 -m venv /tmp/tmenv && /tmp/tmenv/bin/pip install torch==2.13.0 tangermeme
    /tmp/tmenv/bin/pip install -e . --no-deps && /tmp/tmenv/bin/python scripts/bench_shuffle.py
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy, torch and numba read it
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from seqconv.dna.shuffle import shuffle_rows  # noqa: E402

SIZES = ((200, 10_000), (1_000, 2_000))  # (length, sequences)
UNIFORM_CASE = "ACAGTCATGACT"
ACGT = np.frombuffer(b"ACGT", dtype=np.uint8)


def trails(seq: str) -> list[str]:
    """Every sequence with the first letter and dinucleotide counts of ``seq``."""
    left = Counter(zip(seq[:-1], seq[1:], strict=True))
    found: list[str] = []

    def extend(path: list[str]) -> None:
        if len(path) == len(seq):
            found.append("".join(path))
        for a, b in list(left):
            if a == path[-1] and left[a, b]:
                left[a, b] -= 1
                extend([*path, b])
                left[a, b] += 1

    extend([seq[0]])
    return found


def uniformity_p(shuffled: list[str], seq: str = UNIFORM_CASE) -> float:
    """Chi-square p-value of ``shuffled`` against uniform over the trails of ``seq``."""
    every = trails(seq)
    counts = Counter(shuffled)
    if not set(counts) <= set(every):
        return 0.0  # a shuffle that changed the dinucleotides
    observed = np.array([counts[t] for t in every], dtype=float)
    expected = observed.sum() / len(every)
    stat, dof = float(((observed - expected) ** 2 / expected).sum()), len(every) - 1
    try:
        from scipy.stats import chi2

        return float(chi2.sf(stat, dof))
    except ImportError:  # Wilson-Hilferty: chi-square to normal, ample for this many categories
        z = ((stat / dof) ** (1 / 3) - (1 - 2 / (9 * dof))) / math.sqrt(2 / (9 * dof))
        return 0.5 * math.erfc(z / math.sqrt(2))


def best_seconds(call: Callable[[], object], repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def baseline_shuffle(rev: str) -> Callable:
    """``shuffle_rows`` of seqconv/dna/shuffle.py at git revision ``rev``."""
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(
        ["git", "show", f"{rev}:seqconv/dna/shuffle.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "shuffle_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("shuffle_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.shuffle_rows


class Tangermeme:
    """tangermeme's public dinucleotide shuffle and its numba kernel, on seqconv's ACGT codes."""

    def __init__(self) -> None:
        import torch
        from tangermeme import ersatz

        torch.set_num_threads(1)
        self.torch, self.ersatz = torch, ersatz
        start = time.perf_counter()
        self.public(np.zeros((2, 50), dtype=np.uint8))
        self.kernel(np.zeros((2, 50), dtype=np.uint8))
        self.first_call_s = time.perf_counter() - start

    def one_hot(self, codes: np.ndarray):
        """``(N, L)`` codes 0-3 as a float32 ``(N, 4, L)`` tensor."""
        return self.torch.from_numpy(np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1).copy())

    def public(self, codes: np.ndarray, x=None, n: int = 1) -> np.ndarray:
        """``(N, n, L)`` codes from ``dinucleotide_shuffle`` (``x``: the one-hot, if built)."""
        x = self.one_hot(codes) if x is None else x
        out = self.ersatz.dinucleotide_shuffle(x, n=n, random_state=0)
        return out.argmax(dim=2).numpy()

    def kernel(self, codes: np.ndarray) -> np.ndarray:
        idxs = codes.astype(np.int32)
        out = np.empty((len(codes), 1, codes.shape[1]), dtype=np.int32)
        seeds = np.arange(len(codes), dtype=np.int32)
        self.ersatz._fast_shuffle(idxs, 5, 1, seeds, out)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="also time shuffle.py at git REV")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    baseline = baseline_shuffle(args.baseline) if args.baseline else None
    try:
        tm = Tangermeme()
        print(f"tangermeme: first call (numba compile or cache load) {tm.first_call_s:.1f} s")
    except ImportError:
        tm = None
        print("tangermeme is not installed here: timing seqconv alone (see the docstring)")

    header = f"{'length':>6} {'seqs':>6} {'seqconv':>10}"
    header += f" {'baseline':>10}" if baseline else ""
    header += f" {'tangermeme':>11} {'tm kernel':>10} {'x tm':>6} {'x kernel':>8}" if tm else ""
    reps = args.repeats
    print(f"\nsequences per second (best of {reps})\n{header}")
    rng = np.random.default_rng(0)
    for length, n in SIZES:
        codes = rng.integers(0, 4, (n, length)).astype(np.uint8)
        ours = n / best_seconds(lambda c=codes: shuffle_rows(c, np.random.default_rng(1)), reps)
        line = f"{length:>6} {n:>6} {ours:>10,.0f}"
        if baseline:
            before = n / best_seconds(lambda c=codes: baseline(c, np.random.default_rng(1)), reps)
            line += f" {before:>10,.0f}"
        if tm:
            x = tm.one_hot(codes)
            public = n / best_seconds(lambda c=codes, x=x: tm.public(c, x), reps)
            kernel = n / best_seconds(lambda c=codes: tm.kernel(c), reps)
            line += (
                f" {public:>11,.0f} {kernel:>10,.0f} {ours / public:>6.1f} {ours / kernel:>8.1f}"
            )
        print(line)

    n_draws = 60 * len(trails(UNIFORM_CASE))
    print(
        f"\nuniformity: {n_draws} shuffles of {UNIFORM_CASE} ({len(trails(UNIFORM_CASE))} orders)"
    )
    row = np.frombuffer(UNIFORM_CASE.encode(), dtype=np.uint8)
    shuffled = shuffle_rows(np.tile(row, (n_draws, 1)), np.random.default_rng(0))
    print(
        f"  seqconv     chi-square p = {uniformity_p([r.tobytes().decode() for r in shuffled]):.3g}"
    )
    if tm:
        codes = np.searchsorted(ACGT, row)[None]
        drawn = tm.public(codes, n=n_draws)[0]
        p = uniformity_p([ACGT[r].tobytes().decode() for r in drawn])
        print(f"  tangermeme  chi-square p = {p:.3g}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
