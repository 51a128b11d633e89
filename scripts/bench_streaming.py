"""Streaming inference versus recomputing the receptive-field window for every new step.

For each causal zoo model (default settings, a univariate input) and a batch of series, time one
new step through a :class:`seqconv.streaming.Streamer` against running the model offline on the
last ``receptive field`` steps (the cheapest exact alternative), and check that both agree.

    python scripts/bench_streaming.py [--series 8] [--steps 200] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import torch

from seqconv import models
from seqconv.receptive_field import receptive_field
from seqconv.streaming import Streamer

MODELS = {
    "tcn": {},
    "wavenet": {},
    "tdnn": {"causal": True},
}


def per_step_seconds(fn, steps: int) -> float:
    start = time.perf_counter()
    for t in range(steps):
        fn(t)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=8)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"{args.series} series, {args.steps} timed steps, {args.threads} threads")
    print(f"{'model':8} {'RF':>6} {'stream ms/step':>15} {'window ms/step':>15} {'speed-up':>9} "
          f"{'max |diff|':>10}")  # fmt: skip
    for name, kwargs in MODELS.items():
        model = models.build(name, in_channels=1, per_step=True, **kwargs).eval()
        rf = receptive_field(model).size
        total = rf + args.steps
        x = torch.randn(args.series, 1, total)
        stream = Streamer(model)
        with torch.inference_mode():
            stream.step(x[..., :rf])  # warm the buffers with the first window
            streamed = []
            t_stream = per_step_seconds(
                lambda t: streamed.append(stream.step(x[..., rf + t : rf + t + 1])), args.steps
            )
            windowed = []
            t_window = per_step_seconds(
                lambda t: windowed.append(model(x[..., t + 1 : rf + t + 1])[..., -1:]), args.steps
            )
            offline = model(x)[..., rf:]
        diff = max(
            float((torch.cat(streamed, -1) - offline).abs().max()),
            float((torch.cat(windowed, -1) - offline).abs().max()),
        )
        print(f"{name:8} {rf:>6} {1e3 * t_stream:>15.3f} {1e3 * t_window:>15.3f} "
              f"{t_window / t_stream:>8.1f}x {diff:>10.2e}")  # fmt: skip


if __name__ == "__main__":
    main()
