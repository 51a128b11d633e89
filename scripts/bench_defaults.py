"""Which zoo model makes the best default? Train each with seqconv's defaults and compare.

Each model is trained through the same path as ``seqconv train`` (defaults for everything but the
model) on one labelled data set, and the held-out test metrics, epochs and time are printed as a
table. Data sets are given as FASTA files, exactly like ``seqconv train --fasta``:

    python scripts/bench_defaults.py --fasta oct4.fa --fasta mafk.fa --models deepbind,basset

Real 200 bp ChIP-seq peaks (Oct4 and MafK, human) ship inside the ``janggu`` wheel; extract them
with ``python scripts/fetch_janggu_peaks.py DIR``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import seqconv
from seqconv.train.recipes.dna import TrainOptions, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fasta", action="append", required=True)
    parser.add_argument("--labels", default=None)
    parser.add_argument("--models", default="deepbind,motifnet,dilated,basset")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="keep the runs here (default: temporary)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.out or tmp)
        for name in args.models.split(","):
            options = TrainOptions(
                fasta=args.fasta, labels=args.labels, model=name, epochs=args.epochs,
                seed=args.seed, out=str(base / name), quiet=True,
            )  # fmt: skip
            start = time.perf_counter()
            run_dir = train(options)
            seconds = time.perf_counter() - start
            result = json.loads((run_dir / "config.json").read_text())["result"]
            params = sum(p.numel() for p in seqconv.load(run_dir).model.parameters())
            summary = ", ".join(f"{k} {v:.3f}" for k, v in result["test"].items())
            print(f"{name:<10} {params:>10,} parameters  {summary}; best epoch "
                  f"{result['best_epoch']}/{result['epochs_run']}; {seconds:.0f} s",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
