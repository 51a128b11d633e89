"""Training throughput: seqconv's loop against a bare PyTorch loop and a per-sample loader.

For the same model, batch size, optimizer and data (random 200 bp sequences, binary labels), in one
run, it measures sequences per second of

* ceiling: a bare loop over a pre-encoded float one-hot tensor ``(N, 4, L)`` (index, forward,
  backward, step; nothing else);
* seqconv: :func:`seqconv.train.loop.fit` over device-resident uint8 codes with batch-wise one-hot
  on the device, with and without its default augmentation (reverse complement, +-3 bp shifts);
* per-sample: a ``Dataset`` that one-hot encodes each string in ``__getitem__`` with numpy, batched
  by a ``DataLoader`` (no workers: they oversubscribe small CPUs).

Prints throughputs and ratios; asserts nothing about time. On a GPU: ``--device cuda``.
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import numpy as np
import torch
from torch import nn

import seqconv
from seqconv.core.stores import Augment, CodesTensor
from seqconv.core.tasks import loss_function
from seqconv.models import build
from seqconv.train.loop import FitSettings, fit


def make_data(n: int, length: int, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, (n, length)).astype(np.uint8)
    labels = rng.integers(0, 2, n)
    return seqconv.decode_dna(codes), codes, labels


def new_model(name: str, device: torch.device, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return build(name, in_channels=4, n_outputs=2).to(device)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_loop(name: str, codes: np.ndarray, labels: np.ndarray, batch: int, epochs: int,
              device: torch.device) -> float:  # fmt: skip
    """The ceiling: nothing but index, forward, backward, step over a pre-encoded tensor."""
    x = seqconv.one_hot(codes).to(device)
    y = torch.as_tensor(labels, device=device)
    model = new_model(name, device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loss_fn = loss_function("binary")
    model.train()
    seen = 0
    sync(device)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(y), device=device)
        for i in range(0, len(y) - batch + 1, batch):
            idx = order[i : i + batch]
            loss = loss_fn(model(x[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            seen += batch
    sync(device)
    return seen / (time.perf_counter() - start)


class OneHotStrings(torch.utils.data.Dataset):
    """What most peers do: encode each sequence string when it is asked for."""

    def __init__(self, seqs: list[str], labels: np.ndarray) -> None:
        self.seqs, self.labels = seqs, labels

    def __len__(self) -> int:
        return len(self.seqs)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        arr = np.frombuffer(self.seqs[i].encode(), dtype=np.uint8)
        onehot = np.stack([arr == ord(b) for b in "ACGT"]).astype(np.float32)
        return torch.from_numpy(onehot), int(self.labels[i])


def per_sample_loader(name: str, seqs: list[str], labels: np.ndarray, batch: int, epochs: int,
                      device: torch.device) -> float:  # fmt: skip
    loader = torch.utils.data.DataLoader(
        OneHotStrings(seqs, labels), batch_size=batch, shuffle=True, drop_last=True,
        pin_memory=device.type == "cuda",
    )  # fmt: skip
    model = new_model(name, device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loss_fn = loss_function("binary")
    model.train()
    seen = 0
    sync(device)
    start = time.perf_counter()
    for _ in range(epochs):
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            seen += len(y)
    sync(device)
    return seen / (time.perf_counter() - start)


def seqconv_fit(name: str, codes: np.ndarray, labels: np.ndarray, batch: int, epochs: int,
                device: torch.device, augment: bool, precision: str) -> float:  # fmt: skip
    """seqconv's own loop; its history reports training-phase throughput (validation excluded)."""
    store = CodesTensor(codes, device, Augment(augment, 3 if augment else 0))
    model = new_model(name, device)
    n = len(labels)
    settings = FitSettings(epochs=epochs, batch_size=batch, patience=epochs + 1,
                           precision=precision, rc_average=False)  # fmt: skip
    result = fit(model, store, torch.as_tensor(labels), "binary", np.arange(n),
                 np.arange(min(n, 256)), settings)  # fmt: skip
    return float(np.mean([row["train_seq_per_s"] for row in result.history]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="deepbind", help="comma-separated zoo models")
    parser.add_argument("--n", type=int, default=10_000, help="training sequences")
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for torch")
    parser.add_argument("--precision", default="fp32", help="fp32 or bf16 (seqconv and ceiling)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    seqs, codes, labels = make_data(args.n, args.length)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"{args.n:,} x {args.length} bp, batch {args.batch_size}, {args.epochs} epochs, {where}, "
          f"{args.threads} threads, torch {torch.__version__}")  # fmt: skip
    for name in args.models.split(","):
        params = sum(p.numel() for p in new_model(name, torch.device("cpu")).parameters())
        bare_loop(name, codes[:2048], labels[:2048], args.batch_size, 1, device)  # warm-up
        common = (codes, labels, args.batch_size, args.epochs, device)
        runs = {
            "ceiling": partial(bare_loop, name, *common),
            "plain": partial(seqconv_fit, name, *common, False, args.precision),
            "augmented": partial(seqconv_fit, name, *common, True, args.precision),
            "peers": partial(per_sample_loader, name, seqs, labels, args.batch_size, args.epochs,
                             device),
        }  # fmt: skip
        # Interleaved rounds, best of each: a shared machine's load then hits all sides alike.
        best = dict.fromkeys(runs, 0.0)
        for _ in range(args.rounds):
            for key, run in runs.items():
                best[key] = max(best[key], run())
        ceiling, ours_plain, ours_aug, peers = (best[k] for k in runs)
        print(f"\n{name} ({params:,} parameters), best of {args.rounds} interleaved rounds")
        print(f"  bare loop over pre-encoded one-hot (ceiling) {ceiling:10,.0f} seq/s")
        print(f"  seqconv fit, no augmentation                 {ours_plain:10,.0f} seq/s")
        print(f"  seqconv fit, RC + shift augmentation         {ours_aug:10,.0f} seq/s")
        print(f"  per-sample one-hot Dataset + DataLoader       {peers:10,.0f} seq/s")
        print(f"  ratio seqconv / ceiling:      {ours_plain / ceiling:.2f}x (augmented "
              f"{ours_aug / ceiling:.2f}x)")  # fmt: skip
        print(f"  ratio seqconv / per-sample:   {ours_plain / peers:.2f}x (augmented "
              f"{ours_aug / peers:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
