"""Measure seqconv's thread policy: training throughput with torch's default threads, one thread
and :func:`seqconv.threads.default_threads`, on an idle machine and beside CPU-burning processes.

Trains motifnet (binary, random 200-bp sequences) through :func:`seqconv.train.loop.fit` in a
fresh subprocess per setting, so each starts with torch's own default thread count, and prints
training sequences per second (the mean of ``train_seq_per_s`` over the epochs) and the ratio
to torch's default.

    python scripts/bench_threads.py [--n 2000] [--epochs 2] [--burners 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

_CHILD = r"""
import json, sys
import numpy as np, torch
from seqconv.threads import default_threads, set_threads
from seqconv.models.registry import build
from seqconv.core.stores import CodesTensor
from seqconv.train.loop import FitSettings, fit

setting, n, length, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
policy = default_threads()
if setting == "one":
    set_threads(1)
elif setting == "policy":
    set_threads(policy)
threads = torch.get_num_threads()
rng = np.random.default_rng(0)
codes = rng.integers(0, 4, (n, length), dtype=np.uint8)
targets = torch.as_tensor(rng.integers(0, 2, (n, 1)), dtype=torch.float32)
torch.manual_seed(0)
model = build("motifnet", n_outputs=1)
index = np.arange(n)
cut = int(0.9 * n)
result = fit(model, CodesTensor(codes), targets, "binary", index[:cut], index[cut:],
             FitSettings(epochs=epochs, patience=epochs + 1, batch_size=128))
rates = [row["train_seq_per_s"] for row in result.history]
print(json.dumps({"threads": threads, "policy": policy, "rates": rates}))
"""


def _run(setting: str, args: argparse.Namespace) -> dict:
    command = [sys.executable, "-c", _CHILD, setting, str(args.n), str(args.length)]
    out = subprocess.run(command + [str(args.epochs)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(label: str, args: argparse.Namespace) -> dict[str, float]:
    rates: dict[str, float] = {}
    for setting in ("torch", "one", "policy"):
        runs = [_run(setting, args) for _ in range(args.repeats)]
        # The first epoch pays for warm-up; the best repeat is the least disturbed by others.
        rate = max(statistics.mean(r["rates"][1:] or r["rates"]) for r in runs)
        rates[setting] = rate
        print(
            f"{label:<22} {setting:<7} threads {runs[0]['threads']:>2} "
            f"(policy said {runs[0]['policy']}, load {os.getloadavg()[0]:.2f})  {rate:8,.0f} seq/s",
            flush=True,
        )
    base = rates["torch"]
    print(
        f"{label:<22} ratios to torch's default: one {rates['one'] / base:.2f}, "
        f"policy {rates['policy'] / base:.2f}",
        flush=True,
    )
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="sequences (90%% trained on)")
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--burners", type=int, default=2, help="CPU-burning processes")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--settle", type=float, default=20.0, help="seconds for the load average")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores; load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    _measure("no burners", args)
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.burners)
    ]
    try:
        # The policy reads the 1-minute load average, which needs time to see the burners.
        time.sleep(args.settle)
        _measure(f"{args.burners} busy processes", args)
    finally:
        for p in burners:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
