"""Do occlusion and ISM point at the planted sites? For each target of a run trained on simulated
data, the sequences of the held-out split that carry that target's planted site: the fraction whose
occlusion peak, whose ISM peak, and whose both peaks lie inside a planted site of the target.

    python scripts/check_occlusion.py --run runs/demo --fasta data/demo/train.fa \\
        --sites data/demo/train.sites.tsv [--per-target 40] [--window 10]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--fasta", required=True)
    parser.add_argument("--sites", required=True, help="the simulation's .sites.tsv")
    parser.add_argument("--per-target", type=int, default=40)
    parser.add_argument("--window", type=int, default=10)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    import seqconv
    from seqconv.dna.fasta import read_fasta_codes
    from seqconv.motifs.attribution import ism, ism_importance
    from seqconv.motifs.occlusion import occlusion

    run = seqconv.load(args.run)
    data = read_fasta_codes(args.fasta, run.length)
    sites = pd.read_csv(args.sites, sep="\t")
    split = pd.read_csv(f"{args.run}/split.tsv", sep="\t")
    held = set(split[split["split"] == "test"]["id"])
    rng = np.random.default_rng(0)
    totals = np.zeros(4, dtype=int)
    for k, target in enumerate(run.target_names):
        ids = sorted(set(sites[(sites["motif"] == target) & sites["id"].isin(held)]["id"]))
        if not ids:
            continue
        ids = list(rng.choice(ids, size=min(args.per_target, len(ids)), replace=False))
        codes = data.codes[[data.ids.index(i) for i in ids]]
        occ = occlusion(run.model, codes, target=k, window=args.window, baseline="shuffle")
        imap = ism_importance(ism(run.model, codes, target=k), codes).sum(1)
        counts = np.zeros(4, dtype=int)
        for n, rid in enumerate(ids):
            own = sites[(sites["id"] == rid) & (sites["motif"] == target)]

            def inside(p: int, own: pd.DataFrame = own) -> bool:
                return bool(((own["start"] <= p) & (p < own["end"])).any())

            o, i = inside(int(np.argmax(occ[n]))), inside(int(np.argmax(imap[n])))
            counts += [1, o, i, o and i]
        totals += counts
        print(f"{target:12s} {counts[0]:4d} sequences: occlusion peak in a site {counts[1]}, "
              f"ISM peak {counts[2]}, both {counts[3]}")  # fmt: skip
    n = max(totals[0], 1)
    print(f"{'all':12s} {totals[0]:4d} sequences: occlusion {totals[1] / n:.3f}, ISM "
          f"{totals[2] / n:.3f}, both {totals[3] / n:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
