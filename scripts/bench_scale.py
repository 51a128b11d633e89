"""Peak memory and time of `seqconv train --fasta` and `seqconv predict` at growing read counts.

Reads of 200 bp are generated (half carry a CTCF core, so there is something to learn), written to
a FASTA, and given to the command line in a subprocess whose anonymous resident memory (RssAnon:
what the process allocated, not the file pages it maps) is sampled every 0.1 s, with its total
peak (VmHWM).

Usage: ``python scripts/bench_scale.py --reads 100000 1000000 --time-limit 3m [--keep DIR]``

Prints one row per read count: train seconds, peak anonymous MB, peak RSS MB, store size, and the
same for predict; then the anonymous growth per extra read between consecutive counts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

MOTIF = np.frombuffer(b"CCGCGNGGNGGCAG".replace(b"N", b"A"), dtype=np.uint8)


def write_reads(path: Path, n: int, length: int = 200, seed: int = 0) -> None:
    """``n`` random reads, a CTCF core planted in every other one, in blocks of 100k."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "wb") as handle:
        for start in range(0, n, 100_000):
            m = min(100_000, n - start)
            seqs = letters[rng.integers(0, 4, (m, length))]
            at = rng.integers(0, length - len(MOTIF), m)
            for i in range(0, m, 2):
                seqs[i, at[i] : at[i] + len(MOTIF)] = MOTIF
            lines = [b">r%d\n%s\n" % (start + i, seqs[i].tobytes()) for i in range(m)]
            handle.write(b"".join(lines))


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(command: list[str]) -> dict:
    """Run ``command``; its seconds, peak anonymous and peak total RSS (MB), exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {"anon": 0, "hwm": 0}

    def watch() -> None:
        while process.poll() is None:
            peak["anon"] = max(peak["anon"], status_kb(process.pid, "RssAnon"))
            peak["hwm"] = max(peak["hwm"], status_kb(process.pid, "VmHWM"))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, err = process.communicate()
    watcher.join()
    if process.returncode != 0:
        print(err.decode()[-2000:], file=sys.stderr)
    return {
        "seconds": time.perf_counter() - started,
        "anon_mb": peak["anon"] / 1024,
        "rss_mb": peak["hwm"] / 1024,
        "code": process.returncode,
    }


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reads", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--time-limit", default="3m")
    parser.add_argument("--threads", default="1")
    parser.add_argument("--keep", type=Path, default=None, help="work here (default: temporary)")
    parser.add_argument("--seqconv", default=str(Path(sys.executable).parent / "seqconv"))
    parser.add_argument("--no-predict", action="store_true")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.reads:
            fasta = work / f"reads{n}.fa"
            if not fasta.exists():
                write_reads(fasta, n)
            out = work / f"run{n}"
            train = run([args.seqconv, "train", "--fasta", str(fasta), "--out", str(out),
                         "--force", "--time-limit", args.time_limit, "--threads", args.threads,
                         "--quiet"])  # fmt: skip
            row = {"reads": n, "train": train, "run_mb": folder_mb(out) if out.exists() else 0}
            if not args.no_predict and train["code"] == 0:
                row["predict"] = run([args.seqconv, "predict", "--run", str(out), "--fasta",
                                      str(fasta), "--out", str(work / f"pred{n}.tsv"),
                                      "--threads", args.threads])  # fmt: skip
            rows.append(row)
            print_row(row)
        print_growth(rows)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def print_row(row: dict) -> None:
    t, p = row["train"], row.get("predict")
    text = (
        f"{row['reads']:>11,} reads  train {t['seconds']:7.1f} s  anon {t['anon_mb']:8.1f} MB"
        f"  rss {t['rss_mb']:8.1f} MB  run dir {row['run_mb']:8.1f} MB  exit {t['code']}"
    )
    if p:
        text += (
            f"  |  predict {p['seconds']:7.1f} s  anon {p['anon_mb']:7.1f} MB  rss "
            f"{p['rss_mb']:7.1f} MB  exit {p['code']}"
        )
    print(text, flush=True)


def print_growth(rows: list[dict]) -> None:
    for a, b in zip(rows, rows[1:], strict=False):
        extra = b["reads"] - a["reads"]
        grow = (b["train"]["anon_mb"] - a["train"]["anon_mb"]) * 2**20 / extra
        line = f"{a['reads']:,} -> {b['reads']:,} reads: train anon +{grow:.0f} B per extra read"
        if "predict" in a and "predict" in b:
            grow_p = (b["predict"]["anon_mb"] - a["predict"]["anon_mb"]) * 2**20 / extra
            line += f", predict anon +{grow_p:.0f} B per extra read"
        print(line)


if __name__ == "__main__":
    main()
