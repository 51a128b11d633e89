"""Ingest benchmark: FASTA -> uint8 codes, against Biopython's bare parse, and one-hot throughput.

Writes a FASTA of 200,000 x 200 bp (wrapped at 60 columns, ``chr:start-end label=1`` headers) to a
temporary folder, then times, in one run and best of ``--repeats``:

* seqconv's full ingest (parse + validate + encode to codes): ``seqconv.read_fasta_codes``;
* Biopython's ``SimpleFastaParser`` parsing the same file, nothing else (the reference);
* seqconv's ``read_fasta`` streaming string records;
* ``seqconv.one_hot`` from codes: the whole array into fresh memory (which pays the page faults of
  640 MB), into a reused ``out=`` tensor, and in training-size batches.

Prints throughputs and ratios; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from Bio.SeqIO.FastaIO import SimpleFastaParser

import seqconv


def write_fasta(path: Path, n: int, length: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "wb") as handle:
        for start in range(0, n, 10_000):
            rows = letters[rng.integers(0, 4, (min(10_000, n - start), length))]
            chunks = []
            for i, row in enumerate(rows, start):
                seq = row.tobytes()
                wrapped = b"\n".join(seq[j : j + 60] for j in range(0, length, 60))
                chunks.append(b">chr1:%d-%d label=1\n%s\n" % (i * 300, i * 300 + length, wrapped))
            handle.write(b"".join(chunks))


def best_of(repeats: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def biopython_parse(path: Path) -> int:
    with open(path) as handle:
        return sum(1 for _ in SimpleFastaParser(handle))


def one_hot_batches(codes: torch.Tensor, batch: int) -> None:
    for start in range(0, codes.shape[0], batch):
        seqconv.one_hot(codes[start : start + batch])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="sequences")
    parser.add_argument("--length", type=int, default=200, help="bases per sequence")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1024, help="batch size for batched one-hot")
    args = parser.parse_args()
    torch.set_num_threads(min(2, torch.get_num_threads()))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.fa"
        write_fasta(path, args.n, args.length)
        mb = path.stat().st_size / 1e6
        print(f"file: {args.n:,} x {args.length} bp, {mb:.1f} MB (wrapped at 60 columns)")
        biopython_parse(path)  # warm the page cache
        t_bio = best_of(args.repeats, lambda: biopython_parse(path))
        t_ours = best_of(args.repeats, lambda: seqconv.read_fasta_codes(path))
        t_records = best_of(args.repeats, lambda: sum(1 for _ in seqconv.read_fasta(path)))
        codes = torch.from_numpy(seqconv.read_fasta_codes(path).codes)

    t_full = best_of(args.repeats, lambda: seqconv.one_hot(codes))
    buffer = torch.empty(codes.shape[0], 4, codes.shape[1])
    t_reuse = best_of(args.repeats, lambda: seqconv.one_hot(codes, out=buffer))
    t_batch = best_of(args.repeats, lambda: one_hot_batches(codes, args.batch))
    bases = codes.numel() / 1e6
    rows = [
        ("Biopython SimpleFastaParser (parse only)", mb / t_bio, "MB/s"),
        ("seqconv read_fasta_codes (parse+encode)", mb / t_ours, "MB/s"),
        ("seqconv read_fasta (string records)", mb / t_records, "MB/s"),
        ("seqconv one_hot, whole array (fresh memory)", bases / t_full, "Mbp/s"),
        ("seqconv one_hot, whole array into out=", bases / t_reuse, "Mbp/s"),
        (f"seqconv one_hot, batches of {args.batch}", bases / t_batch, "Mbp/s"),
    ]
    for name, value, unit in rows:
        print(f"{name:<44} {value:8.1f} {unit}")
    print(f"ratio full ingest / SimpleFastaParser parse: {t_bio / t_ours:.2f}x")
    print(f"ratio read_fasta records / SimpleFastaParser: {t_bio / t_records:.2f}x")


if __name__ == "__main__":
    main()
