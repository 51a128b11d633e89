"""The adding problem (Bai, Kolter & Koltun 2018) with seqconv's ``tcn`` and training loop.

Each input has two channels of ``T`` steps: random values uniform in [0, 1], and a marker channel
that is 0 except at two random steps; the target is the sum of the two marked values. Predicting
the mean (1.0) scores an MSE of 1/6 = 0.167; Bai et al. report a TCN reaching ~6e-5 at T = 600.
Data are generated as in locuslab/TCN ``adding_problem/utils.py``; the model is trained with
:func:`seqconv.train.loop.fit` (Adam, early stopping on the validation MSE, learning rate halved
on plateaus) and the test MSE at T = 600 is printed.

How it is trained, and why (measured on a shared 2-core CPU, one thread, batch 32):

* inputs are z-normalised per channel with training statistics, as ``seqconv train --series``
  does (the marker channel then stands out at ~17);
* the TCN has 6 levels of 24 channels, kernel 7 (receptive field 757 >= 600), without weight
  normalisation: with weight normalisation (and N(0, 0.01) initial weights), or with raw inputs,
  it stayed on the 0.167 plateau for the 1,500 steps tried at T = 200;
* a curriculum (Bai's own advice for this task, locuslab/TCN issue #30): first T = 200 (leaves
  the plateau after ~500 steps), then T = 600 with the same weights (a convolutional network is
  length-agnostic). Started at T = 600 directly, the plateau lasted beyond 1,400 steps.

    python scripts/bench_adding.py [--length 600] [--warmup-length 200] [--threads 1]

``--warmup-length 0`` trains at T = 600 from the start; ``--channels 30x8 --weight-norm`` is Bai
et al.'s configuration.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from seqconv import models
from seqconv.core.predict import predict
from seqconv.core.series_stores import SeriesTensor
from seqconv.progress import Reporter
from seqconv.series.normalize import Normalizer
from seqconv.train.loop import FitSettings, fit


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


def stage(
    model: torch.nn.Module,
    length: int,
    args: argparse.Namespace,
    normalizer: Normalizer | None,
    rng: np.random.Generator,
    epochs: int,
) -> tuple[Normalizer, SeriesTensor, np.ndarray, np.ndarray, float]:
    """Train on fresh data of ``length`` steps; return what the test needs and the minutes."""
    n = args.train + args.valid + args.test
    x, y = adding_data(n, length, rng)
    train, valid, test = np.split(np.arange(n), [args.train, args.train + args.valid])
    normalizer = normalizer or Normalizer.fit(x[train], "channel", channels=["value", "marker"])
    inputs = SeriesTensor(normalizer.transform(x)[0])
    settings = FitSettings(
        epochs=epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=0.0,
        patience=2,
        lr_patience=1,
        rc_average=False,
        seed=args.seed,
    )
    print(f"T={length}: train {args.train}, validation {args.valid}", flush=True)
    started = time.perf_counter()
    result = fit(
        model, inputs, torch.from_numpy(y), "regression", train, valid, settings,
        reporter=Reporter(),
    )  # fmt: skip
    minutes = (time.perf_counter() - started) / 60
    print(f"T={length}: best epoch {result.best_epoch}, validation MSE "
          f"{-result.best_score:.5f}, {minutes:.1f} min", flush=True)  # fmt: skip
    return normalizer, inputs, y, test, minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--length", type=int, default=600)
    parser.add_argument("--warmup-length", type=int, default=200)
    parser.add_argument("--train", type=int, default=8000)
    parser.add_argument("--valid", type=int, default=1000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--channels", default="24x6")
    parser.add_argument("--kernel-size", type=int, default=7)
    parser.add_argument("--weight-norm", action="store_true")
    parser.add_argument("--warmup-epochs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = models.build(
        "tcn",
        in_channels=2,
        n_outputs=1,
        channels=parse_channels(args.channels),
        kernel_size=args.kernel_size,
        weight_norm=args.weight_norm,
    )
    kwargs = model.build_config["kwargs"]
    print(f"adding problem; tcn {kwargs}; {torch.get_num_threads()} thread(s)", flush=True)
    # the normaliser of the final length, used for the warm-up too (same marker magnitude)
    probe, _ = adding_data(args.train, args.length, np.random.default_rng(args.seed + 1))
    normalizer = Normalizer.fit(probe, "channel", channels=["value", "marker"])
    minutes = 0.0
    if args.warmup_length:
        *_, spent = stage(model, args.warmup_length, args, normalizer, rng, args.warmup_epochs)
        minutes += spent
    _, inputs, y, test, spent = stage(model, args.length, args, normalizer, rng, args.epochs)
    minutes += spent
    predictions = predict(model, inputs, test, 256).numpy()
    mse = float(np.mean((predictions - y[test]) ** 2))
    trivial = float(np.mean((y[test] - 1.0) ** 2))
    print(
        f"test MSE at T={args.length}: {mse:.5f} (trivial predictor {trivial:.4f}; target < 0.01 "
        f"{'reached' if mse < 0.01 else 'NOT reached'}); {minutes:.1f} min training",
        flush=True,
    )


if __name__ == "__main__":
    main()
