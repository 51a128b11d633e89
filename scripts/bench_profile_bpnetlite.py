"""bpnet-lite's side of ``scripts/bench_profile.py``: run with the Python of a venv that has
bpnet-lite (and its torch); seqconv is not imported here.

Trains bpnet-lite's ``BPNet`` as its ``bpnet fit`` command does by default (64 filters, 8
layers, batch 64, Adam at 1e-3 with ReduceLROnPlateau, jitter 128, reverse complements,
negatives at a ratio of 0.333, the count loss weight from the training peaks), for a given
number of epochs, then predicts the test peaks with both strands averaged (as ``bpnet
evaluate``) and writes ``predictions.npz`` (``logits``, ``logcounts``, ``observed``) and
``timing.json`` into ``--out``.

Usage: ``python bench_profile_bpnetlite.py --peaks P --negatives N --genome G --signals A B
--test T --train-chroms ... --valid-chroms ... --out-window W --epochs E --out DIR``
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peaks", required=True)
    parser.add_argument("--negatives", required=True)
    parser.add_argument("--genome", required=True)
    parser.add_argument("--signals", nargs="+", required=True)
    parser.add_argument("--test", required=True, help="narrowPeak of the peaks to predict")
    parser.add_argument("--train-chroms", nargs="+", required=True)
    parser.add_argument("--valid-chroms", nargs="+", required=True)
    parser.add_argument("--out-window", type=int, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    from bpnetlite.bpnet import BPNet
    from bpnetlite.io import PeakGenerator
    from tangermeme.io import extract_loci
    from tangermeme.predict import predict

    n_layers = 8
    trimming = 47 + sum(2**i for i in range(1, n_layers + 1))  # bpnet-lite's, 557
    in_window = args.out_window + 2 * trimming
    ignore = list("QWERYUIOPSDFHJKLZXVBNM")
    os.makedirs(args.out, exist_ok=True)
    started = time.perf_counter()
    training = PeakGenerator(
        peaks=args.peaks, negatives=args.negatives, sequences=args.genome, signals=args.signals,
        chroms=args.train_chroms, in_window=in_window, out_window=args.out_window,
        max_jitter=128, negative_ratio=0.333, reverse_complement=True, summits=True,
        random_state=args.seed, batch_size=64,
    )  # fmt: skip
    valid = extract_loci(loci=args.peaks, sequences=args.genome, signals=args.signals,
                         chroms=args.valid_chroms, in_window=in_window,
                         out_window=args.out_window, max_jitter=0, summits=True,
                         ignore=ignore)  # fmt: skip
    weight = training.dataset.peak_signals.sum(axis=-1).mean(axis=(0, 1)).item()
    read_seconds = time.perf_counter() - started
    model = BPNet(n_filters=64, n_layers=n_layers, n_outputs=len(args.signals),
                  n_control_tracks=0, count_loss_weight=weight, trimming=trimming,
                  name=os.path.join(args.out, "bpnet"), verbose=False)  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=5,
                                                           threshold=1e-4, min_lr=1e-4)  # fmt: skip
    started = time.perf_counter()
    model.fit(training, optimizer, scheduler, X_valid=valid[0], y_valid=valid[1],
              max_epochs=args.epochs, batch_size=64, device="cpu", early_stopping=None)  # fmt: skip
    fit_seconds = time.perf_counter() - started
    best = torch.load(os.path.join(args.out, "bpnet.torch"), weights_only=False)
    X, y = extract_loci(loci=args.test, sequences=args.genome, signals=args.signals,
                        in_window=in_window, out_window=args.out_window, max_jitter=0,
                        summits=True, ignore=ignore)  # fmt: skip
    logits, logcounts = predict(best, X, batch_size=64, device="cpu")
    rc_logits, rc_logcounts = predict(best, torch.flip(X, dims=(-1, -2)), batch_size=64,
                                      device="cpu")  # fmt: skip
    logits = (logits + torch.flip(rc_logits, dims=(-1, -2))) / 2  # as bpnet evaluate does
    logcounts = (logcounts + rc_logcounts) / 2
    np.savez(os.path.join(args.out, "predictions.npz"), logits=logits.numpy(),
             logcounts=logcounts.numpy(), observed=y.numpy())  # fmt: skip
    with open(os.path.join(args.out, "timing.json"), "w") as handle:
        json.dump({"read_seconds": read_seconds, "fit_seconds": fit_seconds,
                   "epochs": args.epochs, "count_loss_weight": weight,
                   "in_window": in_window}, handle)  # fmt: skip


if __name__ == "__main__":
    main()
