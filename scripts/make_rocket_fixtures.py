"""Reference features of aeon's MultiRocket and Hydra transforms on fixed kernels, for the
exactness tests of ``seqconv.models.multirocket`` and ``seqconv.models.hydra``.

Run once in a Python that has aeon (and torch), not the project's environment:

    ENV/bin/python scripts/make_rocket_fixtures.py --out tests/fixtures/rocket

It writes ``multirocket_uni.npz``, ``multirocket_multi.npz``, ``hydra_uni.npz`` and
``hydra_multi.npz``: the input series, every fitted parameter (dilations, biases, channel
subsets, Hydra's kernels and channel draws) and aeon's features. The series are integers, so
that every convolution is exact in float32 and float64 alike and a comparison with a bias
cannot flip with the order of a sum.

aeon 1.6's MultiRocket convolves the first difference with its left taps one step off (its
transform loop sets ``end = n_timepoints - padding`` from the undifferenced length), so the
reference for the difference's features is aeon's own loop for the base series applied to the
differenced series with the difference's parameters: the paper's operator on ``diff(X)``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def multirocket(X: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    from aeon.transformations.collection.convolution_based import MultiRocket
    from aeon.transformations.collection.convolution_based._multirocket import (
        _transform_multi,
        _transform_uni,
    )

    t = MultiRocket(n_kernels=84 * 6, random_state=seed).fit(X)
    aeon = t.transform(X)
    X = X.astype(np.float32)
    X1 = np.diff(X, 1)
    out = {"x": X, "aeon": aeon}
    if X.shape[1] == 1:
        (d0, f0, b0), (d1, f1, b1) = t.parameter, t.parameter1
        two = X[:, 0], X1[:, 0]
        base = _transform_uni(*two, t.parameter, t.parameter1, 4, t._indices, seed)
        xd = X1[:, 0]
        diff = _transform_uni(xd, np.diff(xd, 1), t.parameter1, t.parameter1, 4, t._indices,
                              seed)  # fmt: skip
    else:
        c0, i0, d0, f0, b0 = t.parameter
        c1, i1, d1, f1, b1 = t.parameter1
        out.update(channels0=c0, indices0=i0, channels1=c1, indices1=i1)
        base = _transform_multi(X, X1, t.parameter, t.parameter1, 4, t._indices, seed)
        # aeon transforms the difference with the base series' channel subsets
        diff = _transform_multi(X1, np.diff(X1, 1), (c0, i0, d1, f1, b1), t.parameter1, 4,
                                t._indices, seed)  # fmt: skip
    half = base.shape[1] // 2
    assert np.array_equal(base[:, :half], aeon[:, :half])
    out["expected"] = np.concatenate([base[:, :half], diff[:, : diff.shape[1] // 2]], axis=1)
    out.update(dilations0=d0, per0=f0, biases0=b0, dilations1=d1, per1=f1, biases1=b1)
    return out


def hydra(X: np.ndarray, seed: int, groups: int) -> dict[str, np.ndarray]:
    from aeon.transformations.collection.convolution_based import HydraTransformer

    t = HydraTransformer(n_groups=groups, random_state=seed).fit(X)
    h = t._hydra
    out = {"x": X.astype(np.float32), "aeon": t.transform(X)}
    out["weights"] = h.W.numpy()  # (dilations, 2, k * g / 2, 1, 9)
    out["dilations"] = h.dilations.numpy()
    out["channels"] = np.stack([i.numpy() for i in h.idx])  # (dilations, 2, g / 2, per)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("tests/fixtures/rocket"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    uni = rng.integers(-8, 9, size=(6, 1, 40)).cumsum(-1).astype(np.float64)
    multi = rng.integers(-8, 9, size=(5, 3, 33)).cumsum(-1).astype(np.float64)
    for name, data in (
        ("multirocket_uni", multirocket(uni, 1)),
        ("multirocket_multi", multirocket(multi, 2)),
        ("hydra_uni", hydra(uni, 3, 16)),
        ("hydra_multi", hydra(multi, 4, 16)),
    ):
        np.savez_compressed(args.out / f"{name}.npz", **data)
        print(name, {k: v.shape for k, v in data.items()})


if __name__ == "__main__":
    main()
