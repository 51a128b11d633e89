"""UCR accuracy of `--arch resnet` through the command line, against Fawaz et al. 2019 (ResNet).

For each data set: ``seqconv train --series data/ucr/<name>_TRAIN.ts --arch resnet`` (nothing
else but the output folder; the default model is MiniRocket, benchmarked by
``scripts/bench_tsc.py``), then ``seqconv evaluate --model RUN --series
data/ucr/<name>_TEST.ts``; prints
the test accuracy, the published ResNet accuracy, the target (published less one point), the
epochs run and the wall time.

    python scripts/bench_ucr.py [--datasets GunPoint,ItalyPowerDemand] [--seeds 0] [--threads 1]

``--threads`` sets ``OMP_NUM_THREADS`` for the commands (on a CPU shared with other jobs one
thread is several times faster than two); extra arguments after ``--`` go to ``seqconv train``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = {"GunPoint": 0.991, "ItalyPowerDemand": 0.963}  # Fawaz et al. 2019, ResNet, mean


def seqconv(args: list[str], env: dict) -> None:
    command = [sys.executable, "-m", "seqconv", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="GunPoint,ItalyPowerDemand")
    parser.add_argument("--data", default=str(ROOT / "data" / "ucr"))
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (--seed of train)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--runs", default=None, help="keep the run directories here")
    parser.add_argument("extra", nargs="*", help="after --: more seqconv train options")
    args = parser.parse_args()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    runs = Path(args.runs or tempfile.mkdtemp(prefix="seqconv-ucr-"))
    header = f"{'data set':18} {'seed':>4} {'accuracy':>9} {'ResNet':>7} {'target':>7} {'ok':>3} "
    print(header + f"{'epochs':>6} {'best':>5} {'train s':>8} {'eval s':>7}", flush=True)
    for name in args.datasets.split(","):
        for seed in [int(s) for s in args.seeds.split(",")]:
            run = runs / f"{name}-seed{seed}"
            train = Path(args.data) / f"{name}_TRAIN.ts"
            test = Path(args.data) / f"{name}_TEST.ts"
            started = time.perf_counter()
            seqconv(["train", "--series", str(train), "--out", str(run), "--seed", str(seed),
                     "--arch", "resnet", "--quiet", *args.extra], env)  # fmt: skip
            trained = time.perf_counter()
            seqconv(["evaluate", "--model", str(run), "--series", str(test), "--bootstrap",
                     "200"], env)  # fmt: skip
            evaluated = time.perf_counter()
            accuracy = json.loads((run / "evaluation.json").read_text())["summary"]["accuracy"]
            result = json.loads((run / "config.json").read_text())["result"]
            published = PUBLISHED.get(name, float("nan"))
            target = published - 0.01
            print(
                f"{name:18} {seed:>4} {accuracy:>9.4f} {published:>7.3f} {target:>7.3f} "
                f"{'yes' if accuracy >= target else 'NO':>3} {result['epochs_run']:>6} "
                f"{result['best_epoch']:>5} {trained - started:>8.0f} {evaluated - trained:>7.1f}",
                flush=True,
            )
    print(f"runs in {runs}")


if __name__ == "__main__":
    main()
