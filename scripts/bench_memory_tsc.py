"""Peak memory of ``seqconv train --series`` on many series: writes N labelled series of L steps
(two classes: a bump or a dip at a random place, in noise) to a ``.ts`` file, trains the default
model on it in a child process and prints the child's peak resident memory (``ru_maxrss`` of
``resource.getrusage(RUSAGE_CHILDREN)``, the figure ``/usr/bin/time -v`` reports), the time and
the memory per series.

    python scripts/bench_memory_tsc.py                       # 200,000 series of 150 steps
    python scripts/bench_memory_tsc.py --n 20000 -- --arch multirocket_hydra

Arguments after ``--`` go to ``seqconv train``. The target of issue 27: 200,000 series of 150
steps within 3 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def write_series(path: Path, n: int, length: int, seed: int = 0, block: int = 10_000) -> None:
    """``n`` two-class series of ``length`` steps as a UCR ``.ts`` file, written in blocks."""
    rng = np.random.default_rng(seed)
    head = (f"@problemName memory\n@univariate true\n@equalLength true\n@seriesLength {length}\n"
            "@classLabel true bump dip\n@data\n")  # fmt: skip
    steps = np.arange(length)
    with path.open("w") as handle:
        handle.write(head)
        for start in range(0, n, block):
            b = min(block, n - start)
            labels = rng.integers(0, 2, b)
            centre = rng.integers(length // 5, 4 * length // 5, b)[:, None]
            shape = np.exp(-0.5 * ((steps[None] - centre) / (length / 30)) ** 2)
            values = rng.normal(0, 0.5, (b, length)) + np.where(labels[:, None], -1, 1) * shape
            rows = [",".join(f"{v:.3f}" for v in row) + (":dip" if y else ":bump")
                    for row, y in zip(values, labels, strict=True)]  # fmt: skip
            handle.write("\n".join(rows) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="series (default: %(default)s)")
    parser.add_argument("--length", type=int, default=150, help="steps (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="seqconv --threads")
    parser.add_argument("--limit-gb", type=float, default=3.0, help="the target (GB)")
    parser.add_argument("extra", nargs="*", help="after --: seqconv train options")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="seqconv-memory-") as tmp:
        data = Path(tmp) / "many_TRAIN.ts"
        started = time.perf_counter()
        write_series(data, args.n, args.length)
        print(f"wrote {args.n:,} series of {args.length} steps ({data.stat().st_size / 1e6:.0f}"
              f" MB) in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        command = [sys.executable, "-m", "seqconv", "train", "--series", str(data), "--out",
                   str(Path(tmp) / "run"), "--threads", str(args.threads), "--device", "cpu",
                   *args.extra]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # kB on Linux
    verdict = "within" if peak <= args.limit_gb * 1e9 else "ABOVE"
    print(
        f"exit {result.returncode}; train {seconds:.0f} s; peak RSS {peak / 1e9:.2f} GB "
        f"({peak / args.n / 1e3:.1f} kB per series), {verdict} the {args.limit_gb:g} GB target"
    )
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
