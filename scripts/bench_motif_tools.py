"""Timings and controls of the motif tools on the Koo & Eddy (2019) design, without training.

Simulates the 12 JASPAR motifs of Koo & Eddy (200 bp, 1-5 planted per sequence, multi-label) and
times, on this machine:

* memelite's first Tomtom call (``--cold``: in a fresh numba cache, i.e. the one-time compile)
  and its first call with the cache warm;
* PFM extraction of 64 first-layer filters over N x 200 bp;
* Tomtom of 64 filter PFMs against JASPAR 2024 CORE vertebrates, alone and with the 50
  column-shuffled copies per filter of the shuffled control.

and reports how many of the 12 motifs are recovered by (a) an oracle whose first 12 filters are
the motifs' log-odds PWMs (plus 52 random filters), (b) an untrained model (64 random filters),
(c) the oracle's filter PFMs column-shuffled. The trained-model figure is scripts/bench_motifs.py.

    python scripts/bench_motif_tools.py [--n 10000] [--cold]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
from torch import nn

KOO_EDDY = (
    "MA0151.1 MA0466.2 MA0477.1 MA0062.2 MA0496.1 MA0058.3 MA0052.3 MA0502.1 MA0079.3 "
    "MA0083.3 MA0137.3 MA0095.2"
).split()

_COLD = """
import time, numpy as np
t = time.perf_counter()
from seqconv.motifs.cache import import_tomtom
tomtom = import_tomtom()
t1 = time.perf_counter()
rng = np.random.default_rng(0)
q = [np.ascontiguousarray(rng.dirichlet(np.ones(4), 10).T) for _ in range(4)]
tomtom(q, [np.ascontiguousarray(rng.dirichlet(np.ones(4), 12).T) for _ in range(30)])
print(f"{t1 - t:.1f} {time.perf_counter() - t1:.1f}")
"""


def first_call(cache_dir: str | None) -> tuple[float, float]:
    """(import, first call) seconds of tomtom in a fresh process."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run(
        [sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, check=True
    )
    imported, called = out.stdout.split()[-2:]
    return float(imported), float(called)


def pwm_filters(motifs, n_random: int, width: int = 19, seed: int = 0) -> nn.Conv1d:
    from seqconv.motifs.motif import ppm_from_counts

    conv = nn.Conv1d(4, len(motifs) + n_random, width, padding=width // 2)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * 0.5)
        conv.bias.zero_()
        for f, m in enumerate(motifs):
            conv.weight[f].zero_()
            start = (width - m.width) // 2
            log_odds = np.log2(ppm_from_counts(m.counts, 1.0) / 0.25)
            conv.weight[f, :, start : start + m.width] = torch.as_tensor(log_odds)
    return conv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="simulated sequences")
    parser.add_argument("--cold", action="store_true", help="also time the numba compile")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from seqconv.dna.simulate import simulate
    from seqconv.motifs.compare import annotate_motifs, column_shuffled, compare_motifs
    from seqconv.motifs.database import fetch_jaspar, jaspar_database
    from seqconv.motifs.filters import extract_filter_motifs
    from seqconv.motifs.recovery import recovery

    rows = []
    if args.cold:
        with tempfile.TemporaryDirectory() as fresh:
            imported, called = first_call(fresh)
        rows.append(("tomtom first call, empty numba cache (compile)", called))
    imported, called = first_call(None)
    rows.append(("tomtom first call, numba cache warm", called))
    rows.append(("import seqconv (torch) + memelite + numba", imported))

    t = time.perf_counter()
    db = jaspar_database()
    rows.append((f"load {db.source}", time.perf_counter() - t))
    planted = [fetch_jaspar(i) for i in KOO_EDDY]
    t = time.perf_counter()
    sim = simulate(planted, n=args.n, length=200, motifs_per_seq=(1, 5), multi_label=True, seed=0)
    rows.append((f"simulate {args.n} x 200 bp", time.perf_counter() - t))
    codes = sim.codes()

    oracle = nn.Sequential(pwm_filters(planted, 52), nn.ReLU(), nn.MaxPool1d(4))
    t = time.perf_counter()
    extraction = extract_filter_motifs(oracle, codes)
    rows.append((f"PFMs of 64 filters (k=19) over {args.n} x 200 bp", time.perf_counter() - t))
    queries = [m.to_motif() for m in extraction.motifs]

    compare_motifs(queries[:2], db)  # numba warm in this process
    t = time.perf_counter()
    compare_motifs(queries, db)
    rows.append((f"tomtom {len(queries)} filters vs {len(db)} motifs", time.perf_counter() - t))
    t = time.perf_counter()
    result = annotate_motifs(queries, db)
    rows.append(("... with the 50-copy shuffled control", time.perf_counter() - t))
    found = {"oracle (12 PWM + 52 random filters)": result}
    control = result.control

    torch.manual_seed(1)
    untrained = nn.Sequential(nn.Conv1d(4, 64, 19, padding=9), nn.ReLU())
    random_pfms = [m.to_motif() for m in extract_filter_motifs(untrained, codes).motifs]
    found["untrained (64 random filters)"] = annotate_motifs(random_pfms, db)
    shuffled = column_shuffled(queries[:12], 1, seed=5)
    found["oracle PFMs column-shuffled"] = annotate_motifs(shuffled, db)

    print(f"{'operation':60s} seconds")
    for name, seconds in rows:
        print(f"{name:60s} {seconds:7.2f}")
    print(
        f"\nshuffled control (oracle): {control.real_matched} filters matched, "
        f"{control.expected_false:.2f} per set of shuffled copies would be, "
        f"empirical FDR {control.fdr:.2f}"
    )
    print("\nrecovered of the 12 Koo & Eddy motifs (best match / any match at q < 0.05):")
    for name, annotation in found.items():
        best, anywhere = recovery(annotation, planted), recovery(annotation, planted, None, True)
        missing = sorted(set(KOO_EDDY) - set(best.recovered))
        print(f"  {name:40s} {best} / {anywhere}  (best match misses: {', '.join(missing)})")


if __name__ == "__main__":
    main()
