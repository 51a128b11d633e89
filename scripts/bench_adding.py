"""The adding problem (Bai, Kolter & Koltun 2018) with seqconv's ``tcn`` and training loop.

Each input has two channels of ``T`` steps: random values uniform in [0, 1], and a marker channel
that is 0 except at two random steps; the target is the sum of the two marked values. Predicting
the mean (1.0) scores an MSE of 1/6 = 0.167; Bai et al. report a TCN reaching ~6e-5 at T = 600.
Data are generated as in locuslab/TCN ``adding_problem/utils.py``; the model is trained with
:func:`seqconv.train.loop.fit` (Adam, early stopping on the validation MSE, learning rate halved
on plateaus) and the test MSE is printed.

    python scripts/bench_adding.py [--length 600] [--train 16000] [--epochs 8] [--threads 1]

The default network is Bai et al.'s adding-problem TCN (8 levels of 30 channels, kernel 7, weight
normalisation, receptive field 3,061); ``--channels 24x6`` trains a smaller one (receptive field
757, about twice as fast on a CPU).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from seqconv import models
from seqconv.train.loop import FitSettings, fit, predict_outputs
from seqconv.train.progress import Reporter
from seqconv.train.series_batches import SeriesTensor


def adding_data(n: int, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``(n, 2, length)`` inputs and ``(n, 1)`` targets of the adding problem."""
    x = np.zeros((n, 2, length), dtype=np.float32)
    x[:, 0] = rng.random((n, length), dtype=np.float32)
    first = rng.integers(0, length, n)
    second = (first + rng.integers(1, length, n)) % length  # a different step
    rows = np.arange(n)
    x[rows, 1, first] = 1.0
    x[rows, 1, second] = 1.0
    y = (x[rows, 0, first] + x[rows, 0, second]).reshape(n, 1)
    return x, y


def parse_channels(text: str) -> list[int]:
    """``"30x8"`` -> eight levels of 30; ``"32,32,64"`` -> as listed."""
    if "x" in text:
        width, levels = text.split("x")
        return [int(width)] * int(levels)
    return [int(c) for c in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--length", type=int, default=600)
    parser.add_argument("--train", type=int, default=16000)
    parser.add_argument("--valid", type=int, default=1000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--channels", default="30x8")
    parser.add_argument("--kernel-size", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=4e-3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    n = args.train + args.valid + args.test
    x, y = adding_data(n, args.length, rng)
    index = np.arange(n)
    train, valid, test = np.split(index, [args.train, args.train + args.valid])
    model = models.build(
        "tcn",
        in_channels=2,
        n_outputs=1,
        channels=parse_channels(args.channels),
        kernel_size=args.kernel_size,
    )
    settings = FitSettings(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=0.0,
        patience=3,
        lr_patience=1,
        rc_average=False,
        seed=args.seed,
    )
    inputs = SeriesTensor(x)
    trivial = float(np.mean((y[test] - 1.0) ** 2))
    print(
        f"adding problem T={args.length}: train {args.train}, validation {args.valid}, test "
        f"{args.test}; tcn channels {model.build_config['kwargs']['channels']}, kernel "
        f"{args.kernel_size}; {torch.get_num_threads()} thread(s)",
        flush=True,
    )
    started = time.perf_counter()
    result = fit(
        model,
        inputs,
        torch.from_numpy(y),
        "regression",
        train,
        valid,
        settings,
        reporter=Reporter(),
    )
    seconds = time.perf_counter() - started
    predictions = predict_outputs(model, inputs, test, 256, rc_average=False).numpy()
    mse = float(np.mean((predictions - y[test]) ** 2))
    print(
        f"test MSE {mse:.5f} (trivial predictor {trivial:.4f}; target < 0.01: "
        f"{'reached' if mse < 0.01 else 'NOT reached'}); best epoch {result.best_epoch} of "
        f"{len(result.history)}; {seconds / 60:.1f} min training",
        flush=True,
    )


if __name__ == "__main__":
    main()
