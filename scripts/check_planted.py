"""Planted TGACTCA (AP-1) and CACGTG (E-box), as a new user would try them: train with the defaults,
run ``seqconv motifs``, and check that both motifs are named by family and nothing else is.

Two designs: two FASTA files as classes (one motif each), and one 3-class file (AP1, EBOX,
background). Each goes through the command line (``seqconv simulate``, ``train``, ``motifs``).
Judged on the motif clusters ``seqconv motifs`` reports: a planted motif is found when a cluster's
structural class is bZIP (TGACTCA) or bHLH (CACGTG); any other cluster is a false call. Names of
single members from other classes inside a planted cluster are listed too (JASPAR's BNC2, a zinc
finger, has an AP-1-like matrix).

    python scripts/check_planted.py [--n 2000] [--seeds 0 1 2] [--method filters] [--out DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

"""
CONSENSUS = {"AP1": "TGACTCA", "EBOX": "CACGTG"}
PLANTED_CLASS = {"AP1": "leucine zipper", "EBOX": "helix-loop-helix"}


def meme_file(path: Path, purity: float = 0.91) -> Path:
    """The two consensus motifs, each column ``purity`` on its base (the rest spread evenly)."""
    rest = (1 - purity) / 3
    text = MEME
    for name, consensus in CONSENSUS.items():
        text += f"MOTIF {name} {name}\nletter-probability matrix: alength= 4 w= {len(consensus)}\n"
        for base in consensus:
            text += " ".join(f"{purity if b == base else rest:.4f}" for b in "ACGT") + "\n"
        text += "\n"
    path.write_text(text)
    return path


def seqconv(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "seqconv", *args], check=True)


def check(folder: Path, fastas: list[Path], seed: int, method: str) -> dict:
    run = folder / "run"
    start = time.perf_counter()
    if not (run / "model.safetensors").exists():  # a kept --out is reused: motifs only
        train = ["train", "--out", str(run), "--seed", str(seed), "--quiet"]
        for fasta in fastas:
            train += ["--fasta", str(fasta)]
        seqconv(*train)
    trained = time.perf_counter() - start
    out = folder / f"motifs-{method}"
    motifs = ["motifs", "--run", str(run), "--out", str(out), "--method", method]
    for fasta in fastas:
        motifs += ["--fasta", str(fasta)]
    printed = subprocess.run(
        [sys.executable, "-m", "seqconv", *motifs], check=True, capture_output=True, text=True
    ).stderr
    table = pd.read_csv(out / "motifs.tsv", sep="\t", keep_default_na=False)
    matched = table[table["matched"].astype(str) == "True"]
    clusters = pd.read_csv(out / "clusters.tsv", sep="\t", keep_default_na=False)
    planted = "|".join(PLANTED_CLASS.values())
    kind = clusters["tf_class"] + " " + clusters["label"]
    found = {n: bool(kind.str.contains(c, case=False).any()) for n, c in PLANTED_CLASS.items()}
    false = clusters[~kind.str.contains(planted, case=False)]
    odd = matched[~matched["tf_class"].str.contains(planted, case=False)]
    summary = printed[printed.find("matched at") :].strip()
    return {
        "seed": seed,
        "train_s": round(trained),
        "AP1 (bZIP)": found["AP1"],
        "EBOX (bHLH)": found["EBOX"],
        "matched": len(matched),
        "clusters": len(clusters),
        "false clusters": ", ".join(false["label"]) or "none",
        "other names in planted clusters": ", ".join(sorted(set(odd["best_name"]))) or "none",
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="sequences per file")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--method", default="filters", help="seqconv motifs --method")
    parser.add_argument("--out", default=None, help="keep everything here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.out or tmp)
        base.mkdir(parents=True, exist_ok=True)
        db = meme_file(base / "planted.meme")
        for seed in args.seeds:
            folder = base / f"seed{seed}"
            sim = ["simulate", "--db", str(db), "--n", str(args.n), "--seed", str(seed)]
            files = []
            for k, name in enumerate(CONSENSUS):
                fasta = folder / "two_files" / f"{name}.fa"
                if not fasta.exists():
                    seqconv(*sim[:-1], str(seed * 10 + k), "-m", name, "--out", str(fasta),
                            "--negatives-fraction", "0")  # fmt: skip
                files.append(fasta)
            table = folder / "three_class" / "planted.fa"
            if not table.exists():
                seqconv(*sim, "-m", "AP1", "-m", "EBOX", "--negatives-fraction", "0.34",
                        "--out", str(table))  # fmt: skip
            for design, fastas in (("two files", files), ("3-class", [table])):
                sub = table.parent if design == "3-class" else files[0].parent
                row = {"design": design, **check(sub, fastas, seed, args.method)}
                print(f"seed {seed}, {design}: {row['summary']}", flush=True)
                rows.append(row)
    frame = pd.DataFrame(rows).drop(columns="summary")
    print(frame.to_string(index=False))


if __name__ == "__main__":
    main()
