"""Streaming inference versus recomputing the receptive-field window for every new step.

For each causal zoo model (default settings, a univariate input) and a batch of series, time one
new step through a :class:`seqconv.rf.streaming.Streamer` against running the model offline on the
last ``receptive field`` steps (the cheapest exact alternative), and check that both agree.

    python scripts/bench_streaming.py [--series 8] [--steps 200] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import torch

from seqconv import models
from seqconv.rf.receptive_field import receptive_field
from seqconv.rf.streaming import Streamer

MODELS = {
    "tcn": {},
    "wavenet": {},
    "tdnn": {"causal": True},
}


def timed(fn, steps: int) -> tuple[float, torch.Tensor]:
    """Mean seconds per call of ``fn(t)`` for ``t < steps``, and the outputs concatenated."""
    outputs = []
    start = time.perf_counter()
    for t in range(steps):
        outputs.append(fn(t))
    return (time.perf_counter() - start) / steps, torch.cat(outputs, dim=-1)


def bench(name: str, kwargs: dict, n_series: int, steps: int) -> str:
    model = models.build(name, in_channels=1, per_step=True, **kwargs).eval()
    rf = receptive_field(model).size
    x = torch.randn(n_series, 1, rf + steps)
    stream = Streamer(model)
    with torch.inference_mode():
        stream.step(x[..., :rf])  # the first window fills the buffers
        t_stream, streamed = timed(lambda t: stream.step(x[..., rf + t : rf + t + 1]), steps)
        t_window, windowed = timed(lambda t: model(x[..., t + 1 : rf + t + 1])[..., -1:], steps)
        offline = model(x)[..., rf:]
    diff = max(float((streamed - offline).abs().max()), float((windowed - offline).abs().max()))
    return (
        f"{name:8} {rf:>6} {1e3 * t_stream:>15.3f} {1e3 * t_window:>15.3f} "
        f"{t_window / t_stream:>8.1f}x {diff:>10.2e}"
    )


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
        print(bench(name, kwargs, args.series, args.steps), flush=True)


if __name__ == "__main__":
    main()
