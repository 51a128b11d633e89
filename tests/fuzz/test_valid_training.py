"""Valid input never crashes ``seqconv train`` (issue 24, item 8).

Each case draws valid data (every DNA label form, time series of unequal lengths, forecasting,
segmentation, peaks on a genome) and valid option values from the one option table
(:func:`seqconv.option_table.specs` of :class:`~seqconv.train.train_options.TrainOptions`: each
value inside its rule's bounds and choices, checked by the library's own ``check_value``), runs
``seqconv train`` through the command line (flags, or a ``--config`` file), and asserts that the
run ends with weights and exit 0, or with a one-line ``error: ...`` and exit 2: never an internal
error, a traceback, a hang, or exit 0 without ``model.safetensors``.

The data are sized so that the *training* split lands within 2 of a multiple of the batch size
(the library's own split functions say where it lands); :func:`test_training_sizes_hit` checks
that every offset, a lone last row under batch norm, a batch larger than the data and a batch of
one were hit. Models are tiny (``-O``) and runs last one or two epochs, so the file runs in the
default ``pytest`` run.

Everything is seeded: a failure prints its case, its seed, the pytest line that reruns it and the
``seqconv train`` command line. ``SEQCONV_FUZZ_SEED=N`` (and ``SEQCONV_FUZZ_CASES=M``) explore
other draws.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import shlex
import signal
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.splits import random_split
from seqconv.errors import InputError
from seqconv.option_table import fill, specs
from seqconv.series.windows import make_forecast_windows
from seqconv.train.train_options import TrainOptions
from seqconv.validation import check_value

DEFAULT_SEED = 248
SEED = int(os.environ.get("SEQCONV_FUZZ_SEED", DEFAULT_SEED))  # another seed explores further
DNA_KINDS = tuple(
    "files header-classes header-multilabel header-regression table-classes table-multilabel "
    "table-regression shuffled negatives-file coordinates dna-segment genome".split()
)
SERIES_KINDS = tuple(
    "ts-classes ts-regression csv-classes csv-regression long-classes forecast-wide "
    "forecast-steps forecast-ts series-segment".split()
)
KINDS = DNA_KINDS + SERIES_KINDS
# each kind at every offset -2..2 from a multiple of the batch size, and then some
CASES = int(os.environ.get("SEQCONV_FUZZ_CASES", 7 * len(KINDS)))
OFFSETS = (-2, -1, 0, 1, 2)
MAX_STEPS = 120  # training batches per epoch: keeps a run under a second
HANG_SECONDS = 90
TABLE = specs(TrainOptions)
runner = CliRunner()

OUTCOMES: Counter = Counter()
OUTCOMES_BY_CASE: set[int] = set()
HITS: list[dict] = []  # what the runs that trained hit: kind, batch, training size, model

TINY: dict[str, dict[str, Any]] = {  # -O options that make each zoo model small
    "motifnet": {"filters": [4, 4], "kernel_sizes": [5, 3], "pool_size": 4, "hidden": 4},
    "deepbind": {"filters": 4, "kernel_size": 5, "hidden": 4},
    "basset": {
        "filters": [4, 4, 4],
        "kernel_sizes": [5, 3, 3],
        "pool_sizes": [2, 2, 2],
        "hidden": [8],
    },
    "dilated": {"filters": 4, "first_kernel_size": 5, "dilations": [2, 4]},
    "resnet": {"filters": [4, 4, 4], "kernel_sizes": [5, 3, 3]},
    "tcn": {"channels": [4, 4], "kernel_size": 3},
    "inception": {"filters": 4, "depth": 3, "kernel_sizes": [9, 5, 3], "bottleneck": 4},
    "minirocket": {"features": 168},
    "minirocket_hydra": {"features": 168, "groups": 8},
    "tdnn": {"channels": [4, 4], "kernel_sizes": [3, 1], "dilations": [1, 1], "embedding": [4]},
    "wavenet": {
        "residual_channels": 4,
        "gate_channels": 4,
        "skip_channels": 4,
        "layers_per_stack": 3,
        "stacks": 1,
    },
    "unet": {"filters": [4, 8], "kernel_size": 3},
    "dilated_seg": {"filters": 4, "first_kernel_size": 5, "dilations": [2, 4]},
}
MODELS = {  # per profile: the models drawn (None: the profile's default, made tiny too)
    "dna": (
        None,
        None,
        *"motifnet deepbind deepbind basset dilated resnet tcn inception unet".split(),
    ),
    "dna-segment": (None, "unet", "dilated_seg"),
    "series": (
        None,
        None,
        *"minirocket minirocket_hydra resnet inception tcn deepbind tdnn motifnet".split(),
    ),
    "forecast": (None, "tcn", "tcn", "wavenet", "resnet", "tdnn"),
    "series-segment": (None, "unet", "dilated_seg", "dilated_seg"),
}
CHEAP_DEFAULTS = ("minirocket_hydra", "tcn")  # default models that may run at their default size

# How each option of the table gets its values here; every option is drawn or left out on purpose.
DATA_OPTIONS = set(  # drawn with the data they go with
    "fasta labels negatives bed genome label_column intervals series target layout valid_chroms "
    "test_chroms negatives_ratio flank exclude bigwig bigwig_stat log1p task model model_options "
    "batch_size length window levels store out".split()
)
RULE_OPTIONS = set(  # drawn from their rules alone (capped for speed)
    "align horizon stride decode drop_missing_labels normalize missing valid_fraction "
    "test_fraction lr weight_decay lr_patience reverse_complement max_shift seed epochs patience "
    "time_limit device threads precision quiet force val_every".split()
)
LEFT_OUT: dict[str, str] = {  # option -> why no case draws it
    "control": "--task profile only: tests/profile/ trains profile runs with control tracks",
    "stranded": "--task profile only: tests/profile/ covers detected, forced and refused pairs",
    "count_weight": "--task profile only: tests/profile/ checks the loss it weights",
}
CLI_ONLY = {  # given by how a case runs
    "config": "some cases pass part of their options in a --config file",
    "resume": "some runs that trained are resumed with run-control options",
}


# ---------------------------------------------------------------------------- drawing values


def rule_value(
    rng: np.random.Generator,
    name: str,
    data: str,
    low: float | None = None,
    high: float | None = None,
    log: bool = False,
) -> Any:
    """A value of option ``name`` inside its rule for ``data`` (numbers also inside
    ``low``-``high``, which must lie within the rule); edges come up a quarter of the time."""
    rule = TABLE[name].rule_for(data)
    if rule.choices:
        return str(rng.choice(rule.allowed_choices))
    if rule.kind is bool:
        return bool(rng.integers(2))
    lo = rule.low if low is None else max(low, rule.low)
    hi = rule.high if high is None else min(high, rule.high)
    assert lo <= hi, (name, lo, hi)
    if rule.kind is int:
        lo = math.ceil(lo) + (1 if rule.low_open and lo == rule.low else 0)
        value = (
            int(rng.choice([lo, int(hi)])) if rng.random() < 0.25 else int(rng.integers(lo, hi + 1))
        )
    else:
        if rule.low_open and lo == rule.low:
            lo = np.nextafter(lo, np.inf)
        if rng.random() < 0.25:
            value = float(rng.choice([lo, hi]))
        elif log and lo > 0:
            value = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        else:
            value = float(rng.uniform(lo, hi))
    return check_value(name, value, rule)  # the library agrees that it is valid


def text_value(case: Case, name: str) -> str:
    """A value of an option whose rule is any text (its parser says what it reads)."""
    if name == "device":  # "cuda" is valid too, and refused without a GPU (tests/cli)
        return case.pick(["cpu", "auto"])
    if name == "val_every":
        batches = str(rule_value(case.rng, "batch_size", case.data, high=20))
        return case.pick(["epoch", batches, batches, "0.05s", "1m"])
    raise AssertionError(f"no draw for {name}: add one")


class Case:
    """One drawn run: its data files, its options (field names, as a config file holds them)
    and the training size it aims at."""

    def __init__(self, index: int, folder: Path) -> None:
        self.index = index
        self.kind = KINDS[index % len(KINDS)]
        self.offset = OFFSETS[(index // len(KINDS)) % len(OFFSETS)]
        self.rng = np.random.default_rng([SEED, index])
        self.folder = folder
        self.data = "dna" if self.kind in DNA_KINDS else "series"
        self.options: dict[str, Any] = {"out": str(folder / "run")}
        self.aimed: tuple[int, int] | None = None  # (batch size, training size)

    def maybe(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def draw(self, name: str, p: float = 0.5, **bounds: Any) -> None:
        if self.maybe(p):
            self.options[name] = rule_value(self.rng, name, self.data, **bounds)

    def pick(self, values: list | tuple) -> Any:
        return values[int(self.rng.integers(len(values)))]


def draw_training_options(case: Case) -> None:
    """Options of the training loop and run control, from their rules."""
    case.options["epochs"] = rule_value(case.rng, "epochs", case.data, high=2)
    # one thread: on a shared machine a second one spins waiting for a busy core (100x slower)
    case.options["threads"] = rule_value(case.rng, "threads", case.data, high=1)
    case.draw("patience", high=3)
    case.draw("lr_patience", high=3)
    if case.maybe(0.1):
        case.draw("lr", log=True)
    else:
        case.draw("lr", low=1e-4, high=0.1, log=True)
    case.draw("weight_decay", 0.3)
    case.draw("seed")
    case.draw("precision")
    case.draw("quiet", 0.7)
    case.draw("force", 0.2)
    case.draw("drop_missing_labels", 0.2)
    if case.maybe(0.2):  # a number of seconds, or with a unit
        high = case.pick([1e-3, 0.5, 1e9])
        seconds = rule_value(case.rng, "time_limit", case.data, low=1e-6, high=high)
        text = np.format_float_positional(seconds, trim="-")
        case.options["time_limit"] = case.pick([seconds, f"{text}s", "2h"])
    for name in ("device", "val_every"):
        if case.maybe(0.25):
            case.options[name] = text_value(case, name)
    if case.data == "dna":
        case.draw("reverse_complement")
        case.draw("max_shift", high=case.pick([5, 10_000]))
        case.draw("align")
    else:
        case.draw("normalize", 0.4)
        case.draw("missing", 0.3)


def draw_model(case: Case, profile: str) -> None:
    """A zoo model made tiny with ``-O``, or the profile's default model (unnamed; at its
    default size too when that is cheap); runs that end with ``+1`` row favour motifnet, whose
    batch norm cannot take a lone row."""
    choices = MODELS[profile]
    if profile == "dna" and case.offset == 1 and case.maybe(0.5):
        choices = (None, "motifnet")
    name = case.pick(choices)
    default = fill(TrainOptions(levels=case.options.get("levels")), profile).model
    used = name or default
    if name is not None:
        case.options["model"] = name
    if name is None and used in CHEAP_DEFAULTS and case.maybe(0.3):
        return
    tiny = dict(TINY[used])
    if used == "deepbind":
        tiny["kernel_size"] = int(case.rng.integers(2, 9))
    if used == "motifnet" and case.maybe(0.4):
        tiny = {"filters": [4, 4], "hidden": 4}  # its own kernels and pool: needs long inputs
    case.options["model_options"] = tiny


def aim(
    case: Case,
    train_size: Callable[[int], int],
    lo: int,
    hi: int,
    profile: str,
    monotone: bool = True,
    granule: int = 1,
) -> int:
    """Units of data (records, series, steps) in ``lo..hi`` whose training split lands at
    ``case.offset`` from a multiple of the batch size; the batch size is drawn here (1, 2,
    small, near the data size, beyond it) or left to the table's default for ``profile``."""
    mode = case.pick(
        ["one", "two", "small", "small", "near", "near", "beyond", "default", "default"]
    )
    first, last = train_size(lo), train_size(hi)
    if mode == "one":
        batch: Callable[[int], int] = lambda t: 1  # noqa: E731
    elif mode == "two":
        batch = lambda t: 2  # noqa: E731
    elif mode == "small":
        small = rule_value(case.rng, "batch_size", case.data, low=3, high=48)
        batch = lambda t: small  # noqa: E731
    elif mode == "near":
        batch = lambda t: max(1, t - case.offset)  # noqa: E731
    elif mode == "beyond":
        extra = case.pick([1, 2, 7, 65_536])
        batch = lambda t: min(t + extra, 65_536)  # noqa: E731
    else:
        context = {"batch_size": None, "model": case.options.get("model")}
        batch = lambda t: fill(TrainOptions(**context), profile, n_train=t).batch_size  # noqa: E731
    targets = [
        t
        for t in range(max(first, 1), last + 1)
        if t <= MAX_STEPS * batch(t)
        and t % granule == 0
        and ((t - case.offset) % batch(t) == 0 or mode == "beyond" or batch(t) <= 2)
    ]
    if mode == "beyond":  # fewer rows than a batch: a multiple (0) within 2 for 1 or 2 rows
        targets = [t for t in targets if t <= 60]
    if not targets:
        targets = [first]
    sizes = {} if monotone else {n: train_size(n) for n in range(lo, hi + 1)}
    for _ in range(20):
        t = int(case.pick(targets))
        if monotone:  # the fewest units that give at least t training rows
            below, above = lo, hi
            while below < above:
                mid = (below + above) // 2
                below, above = (mid + 1, above) if train_size(mid) < t else (below, mid)
            units = below
        else:
            units = min((n for n, s in sizes.items() if s >= t), default=hi)
        if train_size(units) == t:
            break
    if mode != "default":
        case.options["batch_size"] = check_value(
            "batch_size", batch(train_size(units)), TABLE["batch_size"].rule_for(case.data)
        )
    case.aimed = (batch(train_size(units)), train_size(units))
    return units


def random_train(n: int, valid: float = 0.1, test: float = 0.1) -> int:
    """Training rows of the library's random split of ``n`` groups."""
    split = random_split([str(i) for i in range(n)], None, valid, test, 0)
    return int((split.assignment == "train").sum())


# ---------------------------------------------------------------------------- writing data


def dna(case: Case, n: int, lo: int, hi: int) -> list[str]:
    letters = np.array(list("ACGT") + (["N", "a", "c", "g", "t"] if case.maybe(0.3) else []))
    lengths = case.rng.integers(lo, hi + 1, n)
    return ["".join(letters[case.rng.integers(0, len(letters), k)]) for k in lengths]


def write_fasta(case: Case, name: str, headers: list[str], seqs: list[str]) -> str:
    """FASTA (wrapped or not, CRLF line ends or not), FASTQ, or either gzipped."""
    form = case.pick(["fasta", "fasta", "fasta", "wrapped", "crlf", "fastq", "gzip"])
    lines = []
    for header, seq in zip(headers, seqs, strict=True):
        if form == "fastq":
            lines += [f"@{header}", seq, "+", "I" * len(seq)]
        elif form == "wrapped":
            lines += [f">{header}"] + [seq[i : i + 10] for i in range(0, len(seq), 10)]
        else:
            lines += [f">{header}", seq]
    text = "\r\n".join(lines) + "\r\n" if form == "crlf" else "\n".join(lines) + "\n"
    path = case.folder / (name.replace(".fa", ".fq") if form == "fastq" else name)
    if form == "gzip":
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return str(path)


def class_names(case: Case, k: int) -> list[str]:
    return case.pick(
        [
            ["c" + str(i) for i in range(k)],
            ["bound", "unbound", "TF_x", "weak", "strong", "other"][:k],
        ]
    )


def missing_rows(case: Case, n: int) -> np.ndarray:
    """Rows whose label goes missing: a few, when the case drops missing labels (the training
    size then moves off its aim)."""
    if not case.options.get("drop_missing_labels") or not case.maybe(0.7):
        return np.zeros(n, dtype=bool)
    case.aimed = None
    return case.rng.random(n) < 0.05


def spread(case: Case, n: int, k: int) -> np.ndarray:
    """``n`` class indices over ``k`` classes, every class present where ``n`` allows."""
    labels = np.arange(n) % k
    case.rng.shuffle(labels)
    return labels


def dna_case(case: Case) -> None:
    kind, rng = case.kind, case.rng
    lo = int(rng.integers(8, 40))
    hi = lo + int(rng.choice([0, 10, 60]))
    profile = "dna-segment" if kind == "dna-segment" else "dna"
    draw_model(case, profile)
    if case.maybe(0.4):
        case.options["length"] = rule_value(rng, "length", "dna", high=case.pick([12, 64, 200]))
    if case.maybe(0.3):  # encoded-sequence stores: the case's own, or one all cases share
        case.options["store"] = str(case.pick([case.folder, case.folder.parent]) / "store")
    rows = 2 if kind == "shuffled" else 1
    if kind == "genome":
        return genome_case(case)
    if kind == "coordinates":
        return coordinates_case(case, lo, hi)
    n = aim(case, lambda g: rows * random_train(g), 3, 2000 // rows, profile, granule=rows)
    k = min(int(rng.integers(2, 7)), n)
    seqs = dna(case, n, lo, hi)
    ids = [f"r{i}" for i in range(n)]
    task = None
    if kind == "files":
        names, labels = class_names(case, k), spread(case, n, k)
        case.options["fasta"] = [
            write_fasta(
                case,
                f"{names[c]}.fa",
                [i for i, y in zip(ids, labels, strict=True) if y == c],
                [s for s, y in zip(seqs, labels, strict=True) if y == c],
            )
            for c in range(k)
        ]
        task = case.pick([None, "binary" if k == 2 else "multiclass"])
    elif kind.startswith("header"):
        if kind == "header-classes":
            names = class_names(case, k)
            values = [names[c] for c in spread(case, n, k)]
            task = case.pick([None, "binary" if k == 2 else "multiclass"])
        elif kind == "header-multilabel":
            names = class_names(case, k)
            values = [",".join(n_ for n_ in names if rng.random() < 0.4) for _ in range(n)]
            values[0] = ",".join(names[:2])
            task = case.pick([None, "multilabel"])
        else:
            values = [f"{v:.3f}" for v in rng.normal(0.5, 0.3, n)]
            task = case.pick([None, "regression"])
        extra = case.pick(["", " peak", " score=3"])
        headers = [f"{i}{extra} label={v}" for i, v in zip(ids, values, strict=True)]
        words = ["NaN", "NA", "inf"] if kind == "header-multilabel" else ["", "NaN", "N/A", "-inf"]
        for row in np.flatnonzero(missing_rows(case, n)):
            headers[row] = f"{ids[row]}{extra}" + case.pick([""] + [f" label={w}" for w in words])
        case.options["fasta"] = [write_fasta(case, "labelled.fa", headers, seqs)]
    elif kind.startswith("table"):
        if kind == "table-classes":
            names = class_names(case, k)
            table = pd.DataFrame({"id": ids, "label": [names[c] for c in spread(case, n, k)]})
        elif kind == "table-multilabel":
            table = pd.DataFrame(
                {"id": ids} | {f"t{j}": (rng.random(n) < 0.4).astype(int) for j in range(k)}
            )
            table.iloc[0, 1:3] = 1
            task = case.pick([None, "multilabel"])
        else:
            table = pd.DataFrame(
                {"id": ids}
                | {f"y{j}": rng.normal(size=n).round(3) for j in range(int(rng.integers(1, 4)))}
            )
            task = case.pick([None, "regression"])
        table = table.sample(frac=1, random_state=int(rng.integers(1000))).astype(str)
        for row in np.flatnonzero(missing_rows(case, n)):
            table.iloc[row, int(rng.integers(1, table.shape[1]))] = case.pick(["", "NA", "nan"])
        path = case.folder / case.pick(["labels.tsv", "labels.csv"])
        table.to_csv(path, sep="\t" if path.suffix == ".tsv" else ",", index=False)
        case.options["labels"] = str(path)
        case.options["fasta"] = [write_fasta(case, "seqs.fa", ids, seqs)]
    elif kind == "shuffled":
        case.options["fasta"] = [write_fasta(case, "peaks.fa", ids, seqs)]
        negatives = case.pick([None, None, "shuffle", "shuffle", "none"])  # none: refused
        if negatives:
            case.options["negatives"] = negatives
        task = case.pick([None, "binary"])
    elif kind == "negatives-file":
        half = max(n // 2, 1)
        case.options["fasta"] = [write_fasta(case, "pos.fa", ids[:half], seqs[:half])]
        case.options["negatives"] = write_fasta(case, "neg.fa", ids[half:], seqs[half:])
    else:  # dna-segment: intervals on the records
        rows_ = []
        for i, s in zip(ids, seqs, strict=True):
            for _ in range(int(rng.integers(0, 3))):
                start = int(rng.integers(0, max(len(s) - 3, 1)))
                rows_.append((i, start, min(start + int(rng.integers(1, 8)), len(s))))
        table = pd.DataFrame(rows_ or [(ids[0], 0, 2)], columns=["id", "start", "end"])
        table.to_csv(case.folder / "sites.tsv", sep="\t", index=False)
        case.options["intervals"] = str(case.folder / "sites.tsv")
        case.options["fasta"] = [write_fasta(case, "seqs.fa", ids, seqs)]
        task = case.pick([None, "segment"])
    if task:
        case.options["task"] = task


def coordinates_case(case: Case, lo: int, hi: int) -> None:
    """Ids with coordinates: whole chromosomes held out (chr7; chr8, chr9 by default)."""
    rng = case.rng
    n_train = aim(case, lambda n: n, 1, 1500, "dna")
    held = {
        "chr7": int(rng.integers(1, 30)),
        "chr8": int(rng.integers(1, 30)),
        "chr9": int(rng.integers(0, 30)),
    }
    chroms = [f"chr{c}" for c in rng.choice([1, 2, 3, 4, 5, 6, 10, 11, "X"], n_train).tolist()]
    for chrom, count in held.items():
        chroms += [chrom] * count
    if case.maybe(0.3):  # explicit held-out chromosomes
        case.options["valid_chroms"] = ["chr7"]
        case.options["test_chroms"] = case.pick([["chr8"], ["chr8", "chr9"]])
    labels = spread(case, len(chroms), 2)
    seqs = dna(case, len(chroms), lo, hi)
    files = []
    for c, name in enumerate(["bound", "unbound"]):
        ids = [
            f"{ch}:{100 * i}-{100 * i + len(s)}"
            for i, (ch, s, y) in enumerate(zip(chroms, seqs, labels, strict=True))
            if y == c
        ]
        files.append(
            write_fasta(
                case, f"{name}.fa", ids, [s for s, y in zip(seqs, labels, strict=True) if y == c]
            )
        )
    case.options["fasta"] = files


def genome_case(case: Case) -> None:
    """Peaks (BED or narrowPeak; one file, or one per class) on a small genome, against
    GC-matched genomic windows (outside --exclude regions) or with labels from a BED column."""
    rng = case.rng
    chroms = {f"chr{i}": int(rng.integers(3_000, 8_000)) for i in range(1, 10)}
    narrow, lines, rows = case.maybe(0.3), [], []
    for name, size in chroms.items():
        seq = "".join(np.array(list("ACGT"))[rng.integers(0, 4, size)])
        lines += [f">{name}"] + [seq[i : i + 60] for i in range(0, size, 60)]
        for start in rng.choice(np.arange(0, size - 200, 250), int(rng.integers(2, 8)), False):
            row = f"{name}\t{start}\t{start + 100}\t{case.pick(['a', 'b', 'a,b'])}\t"
            row += f"{int(rng.integers(1, 1000))}" + ("\t.\t5\t-1\t-1\t40" if narrow else "")
            rows.append(row)
    (case.folder / "g.fa").write_text("\n".join(lines) + "\n")
    files = int(case.pick([1, 1, 1, 2]))
    beds = [case.folder / f"{name}.bed" for name in ["peaks", "other"][:files]]
    for i, bed in enumerate(beds):
        bed.write_text("\n".join(rows[i::files]) + "\n")
    case.options |= {"bed": [str(b) for b in beds], "genome": str(case.folder / "g.fa")}
    case.options.setdefault("length", int(rng.integers(20, 150)))
    case.draw("negatives_ratio", 0.5, high=3)
    case.draw("flank", 0.3, high=500)
    if case.maybe(0.3):
        (case.folder / "exclude.bed").write_text("chr1\t0\t500\nchr2\t100\t900\n")
        case.options["exclude"] = str(case.folder / "exclude.bed")
    if files == 1 and case.maybe(0.3):
        case.options["bigwig"] = [
            bigwig(case, chroms, f"s{i}.bw") for i in range(case.pick([1, 2]))
        ]
        case.draw("bigwig_stat")
        case.draw("log1p")
    elif files == 1 and case.maybe(0.3):
        case.options["label_column"] = case.pick(["name", "score", "4"])
    elif files == 1 and case.maybe(0.3):
        case.options["negatives"] = case.pick(["genome", "shuffle"])
    bs = rule_value(rng, "batch_size", "dna", high=64)
    case.options["batch_size"] = bs  # sizes follow the genome draw: recorded, not aimed


def bigwig(case: Case, chroms: dict[str, int], name: str) -> str:
    """A signal track over the genome, in steps of 50 bp."""
    import pyBigWig

    path = case.folder / name
    handle = pyBigWig.open(str(path), "w")
    handle.addHeader(list(chroms.items()))
    for chrom, size in chroms.items():
        values = (case.rng.random(size // 50) * 10).round(2).tolist()
        handle.addEntries(chrom, 0, values=values, span=50, step=50)
    handle.close()
    return str(path)


def series_case(case: Case) -> None:
    kind, rng = case.kind, case.rng
    lo = int(rng.integers(6, 30))
    hi = lo + int(rng.choice([0, 5, 40]))
    channels = int(case.pick([1, 1, 2]))
    if kind.startswith("forecast"):
        return forecast_case(case, lo, hi, channels)
    if kind == "series-segment":
        return segment_case(case, lo, hi, channels)
    draw_model(case, "series")
    case.draw("valid_fraction", 0.3, high=case.pick([0.3, 0.99]))
    case.draw("test_fraction", 0.3, high=case.pick([0.3, 0.99]))
    regression = kind.endswith("regression")

    def train_size(n: int) -> int:
        given = {k: case.options.get(k) for k in ("valid_fraction", "test_fraction", "model")}
        o = fill(TrainOptions(**given), "series", n_series=n)
        if o.valid_fraction + o.test_fraction >= 1:
            return n
        return random_train(n, o.valid_fraction, o.test_fraction)

    deep = case.options.get("model") not in (None, "minirocket", "minirocket_hydra")
    n = aim(case, train_size, 3, 400 if deep else 1200, "series")
    k = min(int(rng.integers(2, 7)), n)
    names = class_names(case, k)
    labels = (
        [f"{v:.3f}" for v in rng.normal(size=n)]
        if regression
        else [names[c] for c in spread(case, n, k)]
    )
    lengths = rng.integers(lo, hi + 1, n)
    series = [rng.normal(size=(channels, m)).cumsum(axis=1).round(4) for m in lengths]
    if case.maybe(0.25):  # missing values inside series (--missing says what to do)
        for x in series:
            x[:, 1:-1][rng.random(x[:, 1:-1].shape) < 0.05] = np.nan
    if not kind.startswith("ts"):
        for row in np.flatnonzero(missing_rows(case, n)):
            labels[row] = case.pick(["", "NaN"])
    if kind.startswith("ts"):
        head = [
            "@problemName fuzz",
            "@timeStamps false",
            "@missing true",
            f"@univariate {'true' if channels == 1 else 'false'}",
            f"@dimensions {channels}",
            "@equalLength false",
            "@targetLabel true" if regression else f"@classLabel true {' '.join(names)}",
            "@data",
        ]
        body = [
            ":".join(",".join("?" if np.isnan(v) else str(v) for v in row) for row in x) + f":{y}"
            for x, y in zip(series, labels, strict=True)
        ]
        path = case.folder / "fuzz_TRAIN.ts"
        path.write_text("\n".join(head + body) + "\n")
        tasks = (
            ["regress", "regression"]
            if regression
            else ["classify", "classification", "binary" if k == 2 else "multiclass"]
        )
        if case.maybe(0.5):
            case.options["task"] = case.pick(tasks)
    elif kind.startswith("csv"):
        column = case.pick(["y", "label"])
        rows = [
            {"id": f"s{i}", column: y} | {f"t{j}": v for j, v in enumerate(x[0])}
            for i, (x, y) in enumerate(zip(series, labels, strict=True))
        ]
        path = case.folder / "fuzz.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        if column == "y" or case.maybe(0.5):
            case.options["target"] = [column]
    else:  # long: id, time, value, label
        rows = [
            (f"s{i}", t, v, y)
            for i, (x, y) in enumerate(zip(series, labels, strict=True))
            for t, v in enumerate(x[0])
        ]
        path = case.folder / "fuzz_long.csv"
        pd.DataFrame(rows, columns=["id", "time", "value", "label"]).to_csv(path, index=False)
        case.options["target"] = ["label"]
        if case.maybe(0.5):
            case.options["layout"] = "long"
    case.options["series"] = str(path)


def forecast_case(case: Case, lo: int, hi: int, channels: int) -> None:
    rng, kind = case.rng, case.kind
    if case.maybe(0.25):
        case.options["levels"] = rule_value(rng, "levels", "series", high=64)
    draw_model(case, "forecast")
    if case.options.get("model") == "wavenet" or "levels" in case.options:
        channels = 1  # levels are univariate
    case.draw("horizon", 0.5, high=6)
    case.draw("stride", 0.4, high=4)
    case.draw("decode", 0.3)
    if case.maybe(0.5):
        case.options["window"] = rule_value(rng, "window", "series", high=24)
    case.draw("valid_fraction", 0.3, low=0.05, high=0.4)
    case.draw("test_fraction", 0.3, high=0.4)
    others = (
        []
        if kind == "forecast-steps"
        else [int(x) for x in rng.integers(60, 160, int(rng.integers(0, 3)))]
    )

    def train_size(last: int) -> int:
        lengths = [*others, last]
        given = {
            k: case.options.get(k)
            for k in ("window", "levels", "valid_fraction", "test_fraction", "model")
        }
        o = fill(TrainOptions(**given), "forecast", shortest=min(lengths))
        if o.valid_fraction + o.test_fraction >= 1:
            return 0
        try:
            windows = make_forecast_windows(
                lengths,
                o.window,
                case.options.get("horizon", 1),
                case.options.get("stride", 1),
                o.valid_fraction,
                o.test_fraction,
            )
        except InputError:  # no training windows
            return 0
        return windows.counts()["train"]

    last = aim(case, train_size, 20, 400, "forecast", monotone=False)
    lengths = [*others, last]
    values = [rng.normal(size=(channels, m)).cumsum(axis=1).round(3) for m in lengths]
    if kind == "forecast-steps":
        frame = pd.DataFrame(
            {"time": np.arange(last)} | {f"v{c}": values[0][c] for c in range(channels)}
        )
        path = case.folder / "steps.csv"
        frame.to_csv(path, index=False)
        if case.maybe(0.5):
            case.options["layout"] = "steps"
        if case.maybe(0.5):
            case.options["task"] = "forecast"
        if channels == 2 and case.maybe(0.5):
            case.options["target"] = ["v1"]
    elif kind == "forecast-wide" and channels == 1:
        rows = [
            {"id": f"s{i}"} | {f"t{j}": v for j, v in enumerate(x[0])} for i, x in enumerate(values)
        ]
        path = case.folder / "wide.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        case.options["task"] = "forecast"
    else:
        head = [
            "@problemName fc",
            "@univariate " + ("true" if channels == 1 else "false"),
            f"@dimensions {channels}",
            "@equalLength false",
            "@classLabel false",
            "@data",
        ]
        body = [":".join(",".join(map(str, row)) for row in x) for x in values]
        path = case.folder / "fc.ts"
        path.write_text("\n".join(head + body) + "\n")
        case.options["task"] = "forecast"
    case.options["series"] = str(path)


def segment_case(case: Case, lo: int, hi: int, channels: int) -> None:
    rng = case.rng
    draw_model(case, "series-segment")
    case.draw("valid_fraction", 0.3, low=0.05, high=0.4)
    case.draw("test_fraction", 0.3, high=0.3)

    def train_size(n: int) -> int:
        given = {k: case.options.get(k) for k in ("valid_fraction", "test_fraction")}
        o = fill(TrainOptions(**given), "series-segment")
        return random_train(n, o.valid_fraction, o.test_fraction)

    n = aim(case, train_size, 3, 300, "series-segment")
    parts = []
    for i, m in enumerate(rng.integers(lo, hi + 1, n)):
        event = (rng.random(m) < 0.3).astype(int)
        parts.append(
            pd.DataFrame(
                {"id": f"s{i}", "time": np.arange(m), "event": event}
                | {f"x{c}": rng.normal(size=m).round(3) for c in range(channels)}
            )
        )
    path = case.folder / "steps.csv"
    pd.concat(parts).to_csv(path, index=False)
    case.options |= {"series": str(path), "task": "segment", "target": ["event"]}


# ---------------------------------------------------------------------------- running


def command_line(case: Case) -> list[str]:
    """``seqconv train`` arguments for the case: flags, or part of them in a ``--config`` file."""
    options = dict(case.options)
    args = ["train"]
    if case.maybe(0.15):
        in_file = {k: v for k, v in options.items() if case.maybe(0.7)}
        in_file.setdefault("out", options["out"])
        (case.folder / "options.json").write_text(json.dumps(in_file))
        args += ["--config", str(case.folder / "options.json")]
        options = {k: v for k, v in options.items() if k not in in_file}
    for name, value in options.items():
        spec, flag = TABLE[name], TABLE[name].flag(name)
        if spec.cli is bool:
            pair = spec.flags[0].split("/") if spec.flags and "/" in spec.flags[0] else None
            if pair:
                args.append(pair[0] if value else pair[1])
            elif value:
                args.append(flag)
        elif isinstance(value, dict):
            for key, v in value.items():
                text = str(v).lower()
                if isinstance(v, list):  # one item: JSON, or it reads as a number
                    text = ",".join(map(str, v)) if len(v) > 1 else json.dumps(v)
                args += [case.pick(["-O", "--model-option"]), f"{key}={text}"]
        elif spec.cli == list[Path]:  # a flag per file
            for path in value:
                args += [flag, path]
        elif isinstance(value, list):
            args += [flag, ",".join(value)]
        else:
            args += [flag, str(value)]
    return args


class Hang(BaseException):
    """Raised by the alarm: passes the command's own error handling."""


def _alarm(signum, frame):  # noqa: ARG001
    raise Hang


def run_case(case: Case) -> None:
    """Train; after some runs that trained, resume them with run-control options."""
    out = Path(case.options["out"])
    if run(case, command_line(case), out) and case.maybe(0.15):
        again: dict[str, Any] = {"threads": 1}
        caps = {"epochs": 3, "patience": 3, "time_limit": case.pick([1e-3, 1e9])}
        for name, spec in TABLE.items():  # the options --resume accepts, from the table
            if spec.resume and name not in again and (name == "epochs" or case.maybe(0.3)):
                text = spec.rule_for(case.data).kind is str and not spec.rule_for(case.data).choices
                again[name] = (
                    text_value(case, name)
                    if text
                    else rule_value(case.rng, name, case.data, high=caps.get(name))
                )
        args = ["train", "--resume", str(out)]
        for name, value in again.items():
            flag = TABLE[name].flag(name)
            args += [flag] if value is True else [] if value is False else [flag, str(value)]
        run(case, args, out, "resumed")


def run(case: Case, args: list[str], out: Path, what: str = "trained") -> bool:
    """Run ``seqconv train args``; assert weights and exit 0 or a one-line error and exit 2.
    Returns whether it trained."""
    env = f"SEQCONV_FUZZ_SEED={SEED} " if SEED != DEFAULT_SEED else ""
    where = (
        f"case {case.index} ({case.kind}, seed {SEED}); reproduce: {env}pytest "
        f"'tests/fuzz/test_valid_training.py::test_valid_input_trains_or_is_refused"
        f"[{case.index}]'\n  seqconv {shlex.join(args)}"
    )
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        result = runner.invoke(app, args)
    except Hang:
        pytest.fail(f"no end after {HANG_SECONDS} s: {where}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    output, code = result.output, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"exception escaped: {where}\n{trace}")
    assert "Traceback" not in output, f"traceback: {where}\n{output}"
    if code == 0:
        assert (out / "model.safetensors").is_file(), f"exit 0 without weights: {where}\n{output}"
        if what == "trained":
            record_hit(case, out)
        OUTCOMES[what] += 1
        return True
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert code == 2, f"exit {code}: {where}\n{output}"
    assert lines and lines[-1].startswith("error: "), f"no error line: {where}\n{output}"
    assert sum(line.startswith(("error:", "internal error")) for line in lines) == 1, where
    OUTCOMES["refused"] += 1
    OUTCOMES[f"refused: {lines[-1][7:60]}"] += 1
    return False


def record_hit(case: Case, out: Path) -> None:
    config = json.loads((out / "config.json").read_text())
    split, batch = config["split"], config["train"]["batch_size"]
    counts = split.get("counts", split)
    HITS.append(
        {
            "kind": case.kind,
            "batch": int(batch),
            "train": int(counts["train"]),
            "model": config["model"]["name"],
            "aimed": case.aimed,
        }
    )


@pytest.mark.parametrize("index", range(CASES))
def test_valid_input_trains_or_is_refused(index, tmp_path):
    case = Case(index, tmp_path)
    draw_training_options(case)
    dna_case(case) if case.data == "dna" else series_case(case)
    run_case(case)
    OUTCOMES_BY_CASE.add(index)


def test_every_option_is_drawn_or_left_out_on_purpose():
    """A new option of the table joins the fuzzing (or says here why not)."""
    assert set(TABLE) == DATA_OPTIONS | RULE_OPTIONS | set(LEFT_OUT) | set(CLI_ONLY)
    assert len(DATA_OPTIONS) + len(RULE_OPTIONS) + len(LEFT_OUT) + len(CLI_ONLY) == len(TABLE)
    assert {name for name, spec in TABLE.items() if spec.cli_only} == set(CLI_ONLY)
    assert set(TINY) <= set(TABLE["model"].rule_for("dna").allowed_choices)


def test_training_sizes_hit():
    """The runs above trained at every offset from a multiple of the batch size, with a lone
    last row under batch norm, with a batch larger than the data and with batches of one."""
    if len(OUTCOMES_BY_CASE) < CASES:
        pytest.skip("runs with the whole file")
    print(
        f"\n{CASES} cases: {OUTCOMES['trained']} trained, {OUTCOMES['resumed']} resumed, "
        f"{OUTCOMES['refused']} refused:"
    )
    for key, count in sorted(OUTCOMES.items()):
        if key.startswith("refused: "):
            print(f"  {count} x {key}")
    assert OUTCOMES["trained"] >= CASES * 0.6
    spread_ = [h for h in HITS if h["batch"] >= 5 and h["train"] >= h["batch"] - 2]
    for offset in OFFSETS:
        assert any((h["train"] - offset) % h["batch"] == 0 for h in spread_), offset
    assert any(h["train"] % h["batch"] == 1 and h["model"] == "motifnet" for h in spread_)
    assert any(h["train"] < h["batch"] for h in HITS)
    assert any(h["batch"] == 1 for h in HITS)
    assert {h["kind"] for h in HITS} == set(KINDS)
    missed = [h for h in HITS if h["aimed"] and h["aimed"] != (h["batch"], h["train"])]
    assert len(missed) <= len(HITS) // 10, missed[:5]
