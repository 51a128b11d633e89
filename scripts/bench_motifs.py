"""Motif recovery on the Koo & Eddy (2019) design: train with seqconv's defaults, name the motifs.

Simulates (or reads) 200 bp sequences with 1-5 of 12 planted JASPAR motifs (multi-label), trains
through the same path as ``seqconv train`` with the defaults, finds motifs as ``seqconv motifs``
does (``--method filters``: first-layer filter PFMs; ``--method seqlets``: attribution patterns per
target), and counts how many of the 12 motifs a matched motif recovers (best match at q < 0.05,
supported by the shuffled control, is the planted motif or one of its TF family). Controls, on the
same data: the same architecture untrained, and the trained motifs' PFMs column-shuffled.

    python scripts/bench_motifs.py [--n 20000] [--method seqlets] [--out runs/koo_eddy]

A kept ``--out`` with a trained run in it is reused (only the motifs are found again).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import torch

KOO_EDDY = (
    "MA0151.1 MA0466.2 MA0477.1 MA0062.2 MA0496.1 MA0058.3 MA0052.3 MA0502.1 MA0079.3 "
    "MA0083.3 MA0137.3 MA0095.2"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="simulated sequences")
    parser.add_argument("--fasta", default=None, help="use this simulated FASTA instead")
    parser.add_argument("--model", default=None, help="zoo model [default: seqconv's default]")
    parser.add_argument("--epochs", type=int, default=None, help="[default: seqconv's]")
    parser.add_argument("--patience", type=int, default=None, help="[default: seqconv's]")
    parser.add_argument(
        "-O", "--model-option", action="append", default=[], metavar="KEY=VALUE",
        help="model option, as seqconv train -O (e.g. first_activation=exp)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--method", default="filters", choices=("filters", "seqlets"))
    parser.add_argument("--out", default=None, help="keep the run here (default: temporary)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    import seqconv
    from seqconv.dna.fasta import read_fasta_codes
    from seqconv.dna.simulate import simulate, write_simulation
    from seqconv.models import build
    from seqconv.motifs.compare import annotate_motifs, column_shuffled
    from seqconv.motifs.database import fetch_jaspar, jaspar_database
    from seqconv.motifs.recovery import recovery
    from seqconv.options import parse_key_values
    from seqconv.train.recipes.dna import TrainOptions, train

    planted = [fetch_jaspar(i) for i in KOO_EDDY]
    db = jaspar_database()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.out or tmp)
        fasta = Path(args.fasta) if args.fasta else base / "koo_eddy.fa"
        if not args.fasta and not fasta.exists():
            base.mkdir(parents=True, exist_ok=True)
            sim = simulate(planted, n=args.n, length=200, motifs_per_seq=(1, 5),
                           multi_label=True, seed=args.seed)  # fmt: skip
            write_simulation(sim, fasta, "scripts/bench_motifs.py")
        start = time.perf_counter()
        given = {"epochs": args.epochs, "patience": args.patience}
        options = TrainOptions(fasta=[str(fasta)], model=args.model, seed=args.seed,
                               model_options=parse_key_values(args.model_option),
                               out=str(base / "run"), quiet=True,
                               **{k: v for k, v in given.items() if v is not None})  # fmt: skip
        run_dir = base / "run"
        if not (run_dir / "model.safetensors").exists():
            run_dir = train(options)
        seconds = time.perf_counter() - start
        run = seqconv.load(run_dir)
        codes = read_fasta_codes(fasta, run.length, run.align).codes

        torch.manual_seed(args.seed + 1)
        fresh = build(run.config["model"]["name"], **run.config["model"]["kwargs"]).eval()
        found = time.perf_counter()
        trained_pfms = motifs_of(run, run.model, codes, args.method)
        found = time.perf_counter() - found
        untrained_pfms = motifs_of(run, fresh, codes, args.method)
        results = {
            "trained": trained_pfms,
            "untrained (same architecture)": untrained_pfms,
            f"trained {args.method}, column-shuffled": column_shuffled(
                trained_pfms, 1, seed=args.seed + 2
            ),
        }
        test = run.config["result"]["test"]
        best, ran = run.config["result"]["best_epoch"], run.config["result"]["epochs_run"]
        scores = ", ".join(f"{k} {v:.3f}" for k, v in test.items())
        kwargs = run.config["model"]["kwargs"]
        name = run.config["model"]["name"]
        print(f"{name} {kwargs}: trained in {seconds:.0f} s, {ran} epochs, best epoch {best}; "
              f"test {scores}")  # fmt: skip
        print(f"{args.method}: {len(trained_pfms)} motifs in {found:.0f} s; recovered of the 12 "
              "Koo & Eddy motifs (best match at q < 0.05, shuffled control):")  # fmt: skip
        for name, pfms in results.items():
            if not pfms:
                print(f"  {name:36s} 0/12  (no motifs found)")
                continue
            annotation = annotate_motifs(pfms, db)
            found = recovery(annotation, planted)
            missing = sorted(set(KOO_EDDY) - set(found.recovered))
            any_match = recovery(annotation, planted, any_match=True)
            print(f"  {name:36s} {found}  (missing: {', '.join(missing) or 'none'}; "
                  f"{len(pfms)} motifs; by any match at q < 0.05: {any_match}; by the planted "
                  f"matrix itself: {found.n_same_matrix}/12)")  # fmt: skip
            if name == "trained" and args.method == "seqlets":
                columns = ["query", "target_name", "q", "control_p", "information", "matched"]
                table = annotation.best[columns].copy()
                table.insert(1, "explains", [m.name for m in pfms])
                print(table.to_string(index=False, float_format="%.3g"))


def motifs_of(run, model, codes, method: str) -> list:
    """The PFMs ``seqconv motifs --method METHOD`` would annotate, with its defaults.

    For filters, the influence floor of the report is applied too (filters the model hardly uses
    are not named); an untrained model's filters are all kept (it has no meaningful influence).
    """
    from seqconv.core.tasks import is_classification, link
    from seqconv.motifs.filters import extract_filter_motifs
    from seqconv.motifs.influence import filter_influence
    from seqconv.motifs.seqlets import seqlet_motifs

    if method == "seqlets":
        found = seqlet_motifs(model, codes, run.target_names, is_classification(run.task))
        return [p.motif for p in found.patterns]
    extraction = extract_filter_motifs(model, codes)
    if model is not run.model:
        return [m.to_motif() for m in extraction.motifs]
    infl = filter_influence(model, codes[:2000], means=extraction.means,
                            output_transform=lambda t: link(run.task, t)).influence  # fmt: skip
    relative = infl / infl.max()
    return [m.to_motif() for m in extraction.motifs if relative[m.filter] >= 0.02]


if __name__ == "__main__":
    main()
