"""The run directory, and the one owner of its ``config.json``.

A run directory is the unit of exchange between training and everything after it::

    config.json             what rebuilds the model and its encoding, provenance, the result,
                            the SHA-256 of model.safetensors
    model.safetensors       the best weights
    checkpoint.safetensors  the last epoch's state, for --resume
    history.csv             one row per epoch
    split.tsv               train / valid / test of every record
    store/                  the encoded training sequences (FASTA runs; reused by --resume)
    metrics.json            held-out metrics; evaluation.json from seqconv evaluate
    *.png                   learning curves, ROC/PR curves or a regression scatter
    gc.tsv, gc.png          runs from peaks: the GC content of peaks and genomic negatives

This module alone writes and reads ``config.json``: training recipes :func:`start` and
:func:`finish` a run through it, and every reader (``seqconv.load``, ``--resume``, ``--config``)
calls :func:`read_config`. ``config.json`` carries a ``format`` version; runs of seqconv 0.1 have
none and read as format 0, which differs from format 1 only in the ``result`` block.

``config.json``'s ``weights`` block records the SHA-256 of ``model.safetensors`` each time training
rewrites it (:func:`write_weights`), and :func:`verify_weights` checks it when a run is loaded or
resumed. Two files cannot be replaced in one rename, so while the weights are being replaced
``weights.sha256_next`` holds the new hash beside the old one: a run killed at any moment still
verifies. Runs without a ``weights`` block (seqconv 0.1) load unchecked.

>>> default_run_dir("peaks", "motifnet", root="/nonexistent").name
'peaks-motifnet'
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqconv.atomic import atomic_path, write_json, write_with
from seqconv.errors import InputError, SeqconvError
from seqconv.files import absolute, local_copy
from seqconv.options import read_options_file
from seqconv.version import __version__

FORMAT = 2
"""Version of the ``config.json`` layout this seqconv writes (0.1 wrote none: format 0). Format 2
stores every model keyword argument, defaults included; formats 0-1 stored only those given."""

CHANGED_DEFAULTS: dict[str, dict[str, Any]] = {"motifnet": {"filters": [30, 128]}}
"""Model defaults as they were when runs of formats 0-1 were written, where they have changed
since: such a run's model is rebuilt with them."""
CONFIG = "config.json"
WEIGHTS = "model.safetensors"
CHECKPOINT = "checkpoint.safetensors"
HISTORY = "history.csv"
SPLIT = "split.tsv"
METRICS = "metrics.json"
EVALUATION = "evaluation.json"
RELIABILITY = "reliability.png"
STORE = "store"
"""The folder of a run's encoded training sequences (:mod:`seqconv.dna.store`)."""
PROFILE_PLOT = "test_profiles.png"
"""A profile run: observed and predicted profiles of its best, median and worst test peaks."""
PLOTS = ("learning_curves.png", "roc_pr.png", "test_scatter.png", RELIABILITY, PROFILE_PLOT)
GC_TABLE = "gc.tsv"
GC_PLOT = "gc.png"
"""A run trained from peaks against GC-matched genomic negatives: both GC distributions."""
RUN_FILES = (CONFIG, WEIGHTS, CHECKPOINT, HISTORY, SPLIT, METRICS, EVALUATION, *PLOTS, GC_TABLE,
             GC_PLOT)  # fmt: skip
"""Every file that training and ``seqconv evaluate`` write in a run directory."""
REQUIRED = ("model", "task", "target_names", "input")


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file (provenance in config.json)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_record(path: str | Path) -> dict[str, str]:
    """Provenance of an input file: its absolute path and SHA-256."""
    return {"path": str(absolute(path)), "sha256": sha256(local_copy(path))}


def run_dir_name(stem: str, model: str) -> str:
    """``<stem>-<model>``: the name of a default run directory before numbering."""
    return f"{stem or 'run'}-{model}"


def default_run_dir(stem: str, model: str, root: str | Path = "runs") -> Path:
    """``runs/<stem>-<model>``, numbered (``-2``, ``-3``, ...) when it exists already."""
    base = Path(root) / run_dir_name(stem, model)
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def provenance(options: dict[str, Any]) -> dict[str, Any]:
    """The head of a new ``config.json``: format, versions, time, command line, and the options
    that repeat the run (``--config``)."""
    import torch

    return {
        "format": FORMAT,
        "seqconv_version": __version__,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": sys.argv,
        "options": options,
    }


def read_config(run_dir: str | Path, required: tuple[str, ...] = REQUIRED) -> dict[str, Any]:
    """A run directory's ``config.json``, with a clear error when it is missing or broken.

    ``required`` names the keys it must hold (a trained run's, by default).
    """
    path = Path(run_dir)
    if not path.is_dir():
        raise InputError(f"{path}: no such run directory")
    config_path = path / CONFIG
    if not config_path.is_file():
        raise InputError(
            f"{path}: not a run directory (no {CONFIG}); give the folder that seqconv train wrote"
        )
    try:
        config = json.loads(config_path.read_text())
    except json.JSONDecodeError as exc:
        raise SeqconvError(f"{config_path}: corrupt ({exc})") from None
    if not isinstance(config, dict):
        raise SeqconvError(f"{config_path}: not a seqconv run configuration")
    for key in required:
        if key not in config:
            raise SeqconvError(f"{config_path}: missing {key!r}; is this a seqconv run?")
    version = config.get("format", 0)
    if not isinstance(version, int) or version > FORMAT:
        raise SeqconvError(
            f"{config_path}: format {version!r} is not one this seqconv reads (up to {FORMAT}); "
            "written by a newer seqconv? upgrade it"
        )
    return config


def model_spec(run_dir: str | Path) -> tuple[str, dict[str, Any]]:
    """The zoo name and keyword arguments of a run's model (``config.json``'s ``model``)."""
    config = read_config(run_dir, required=("model",))
    path = Path(run_dir) / CONFIG
    spec = config["model"]
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise SeqconvError(f'{path}: expected {{"model": {{"name": ..., "kwargs": {{...}}}}}}')
    kwargs = spec.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise SeqconvError(f"{path}: model kwargs must be an object, got {type(kwargs).__name__}")
    if config.get("format", 0) < 2:  # only the given arguments were stored
        kwargs = {**CHANGED_DEFAULTS.get(spec["name"], {}), **kwargs}
    return spec["name"], kwargs


def is_series_config(path: str | Path) -> bool:
    """Whether an options file (or a run's ``config.json``, through its ``options``) describes a
    time-series run."""
    try:
        options = read_options_file(path)
    except InputError:  # the caller reports unreadable files
        return False
    return bool(options.get("series"))


def resume_options(run_dir: str | Path) -> dict[str, Any]:
    """The options of an interrupted run (to continue it).

    A run stopped before its first checkpoint starts again from epoch 1 (the training recipe
    says so); its ``config.json`` must be readable all the same.
    """
    run_dir = Path(run_dir)
    config = read_config(run_dir)
    options = config.get("options")
    if not isinstance(options, dict):
        raise SeqconvError(f"{run_dir / CONFIG}: no 'options' to resume the run with")
    options = dict(options)
    options["out"] = str(run_dir)
    return options


def _write_table(path: Path, table: pd.DataFrame | Iterable[pd.DataFrame]) -> None:
    """A TSV from one frame or from frames of consecutive rows (bounded memory)."""
    parts = [table] if isinstance(table, pd.DataFrame) else table
    with open(path, "w") as handle:
        for i, part in enumerate(parts):
            part.to_csv(handle, sep="\t", index=False, header=i == 0)


def start(
    out: Path,
    config: dict[str, Any],
    split: pd.DataFrame | Iterable[pd.DataFrame],
    resume: bool = False,
) -> None:
    """Create the run directory and write ``config.json`` and ``split.tsv`` (``split``: one
    frame, or frames of consecutive rows).

    On ``resume`` the run keeps its original creation time and the recorded hash of its weights,
    which are checked first; ``resumed`` lists each resumption with the options it changed
    (``{name: [before, after]}``).
    """
    if resume and (out / CONFIG).is_file():
        previous = read_config(out)
        before = previous.get("options") if isinstance(previous.get("options"), dict) else {}
        changed = {
            name: [before.get(name), value]
            for name, value in config.get("options", {}).items()
            if before.get(name) != value
        }
        earlier = previous.get("resumed") if isinstance(previous.get("resumed"), list) else []
        config["resumed"] = [*earlier, {"time": config["created"], "changed": changed}]
        config["created"] = previous.get("created", config["created"])
        if (out / WEIGHTS).is_file():
            verify_weights(out, previous)
            config["weights"] = {"file": WEIGHTS, "sha256": sha256(out / WEIGHTS)}
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / CONFIG, config)
    write_with(out / SPLIT, lambda tmp: _write_table(tmp, split))


def write_weights(out: Path, writer: Callable[[Path], None]) -> None:
    """Write ``out/model.safetensors`` atomically (``writer`` fills a temporary file) and record
    its SHA-256 in ``config.json`` (when the folder has one).

    The new hash is recorded beside the old one before the rename and alone after it, so that
    the file on disk matches ``config.json`` whenever the process is killed.
    """
    config_path = out / CONFIG
    config = json.loads(config_path.read_text()) if config_path.is_file() else None
    with atomic_path(out / WEIGHTS) as tmp:
        writer(tmp)
        digest = sha256(tmp)
        if config is not None:
            record = config.get("weights") if isinstance(config.get("weights"), dict) else {}
            config["weights"] = {"file": WEIGHTS, "sha256": record.get("sha256", digest)}
            config["weights"]["sha256_next"] = digest
            write_json(config_path, config)
    if config is not None:
        config["weights"] = {"file": WEIGHTS, "sha256": digest}
        write_json(config_path, config)


def verify_weights(run_dir: str | Path, config: dict[str, Any]) -> None:
    """Check ``model.safetensors`` against the SHA-256 recorded in ``config.json``.

    Runs without a record (seqconv 0.1, or stopped before their first weights) pass unchecked.

    Raises
    ------
    SeqconvError
        When the file's hash is not the recorded one.
    """
    record = config.get("weights")
    if record is None:
        return
    path = Path(run_dir) / WEIGHTS
    accepted = (
        {record.get("sha256"), record.get("sha256_next")} - {None}
        if isinstance(record, dict)
        else set()
    )
    if not accepted or not all(isinstance(h, str) for h in accepted):
        raise SeqconvError(
            f'{Path(run_dir) / CONFIG}: "weights" must be {{"file": ..., "sha256": "<hex>"}}, '
            f"got {record!r}"
        )
    if sha256(path) not in accepted:
        raise SeqconvError(
            f"{path}: SHA-256 differs from {CONFIG} (the file changed or is corrupt); restore it "
            "from a copy, or train the run again"
        )


def finish(
    out: Path,
    config: dict[str, Any],
    result: dict[str, Any],
    task: str,
    truth: np.ndarray,
    predictions: np.ndarray,
    names: list[str],
    held: str,
    seed: int = 0,
    extra: dict[str, float] | None = None,
    calibration: dict[str, Any] | None = None,
    scored: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Held-out metrics (``metrics.json``), plots, and the result block of ``config.json``.

    Parameters
    ----------
    result
        ``best_epoch``, ``monitor``, ``best_score`` (the monitored value; a loss is positive),
        ``epochs_run`` (epochs done, a fraction when training stopped within one),
        ``validations``, ``steps``, ``best_step``, ``stopped_early``, ``stopped_by`` (what ended
        training: ``patience``, ``time limit``, ``epochs`` or ``fitted``) and ``history`` (a row
        per validation).
    task
        The metrics' task (forecasts are scored as regression).
    truth, predictions
        ``(M, T)`` held-out targets and predictions (``(M,)`` class indices for classes).
    held
        Which rows were scored: ``test``, ``valid`` or ``train``.
    extra
        More summary values (e.g. forecast scores).
    calibration
        The fitted calibration with its scores before and after (``metrics.json``'s
        ``calibration``); ``predictions`` are already calibrated.
    scored
        Metrics computed by the recipe (profile runs), written instead of the task's standard
        ones; the recipe draws its own figures.
    """
    from seqconv.core.metrics import compute_metrics
    from seqconv.rundir.plots import plot_classification_curves, plot_history, plot_regression

    metrics = scored if scored is not None else compute_metrics(task, truth, predictions, names,
                                                                seed=seed)  # fmt: skip
    metrics["split"] = held
    if extra:
        metrics["summary"].update(extra)
    if calibration is not None:
        from seqconv.core.metrics import DEFINITIONS

        metrics["calibration"] = calibration
        metrics["definitions"]["calibration"] = DEFINITIONS["calibration"]
    write_json(out / METRICS, metrics)
    if len(result["history"]) > 1:  # a closed-form fit (one row) has no curve to show
        plot_history(result["history"], out / "learning_curves.png", result.get("best_epoch"))
    if scored is not None:
        pass
    elif task == "regression":
        plot_regression(truth, predictions, names, out / "test_scatter.png")
    else:
        plot_classification_curves(task, truth, predictions, names, out / "roc_pr.png")
    config["result"] = {k: v for k, v in result.items() if k != "history"} | {
        "held_out": held,
        held: metrics["summary"],
    }
    if (out / WEIGHTS).is_file():  # the final best weights: recorded here too, whoever wrote them
        config["weights"] = {"file": WEIGHTS, "sha256": sha256(out / WEIGHTS)}
    write_json(out / CONFIG, config)
    return metrics


def write_evaluation(path: str | Path, metrics: dict[str, Any]) -> Path:
    """Write ``seqconv evaluate``'s metrics (default: ``<run>/evaluation.json``)."""
    path = Path(path)
    if path.is_dir():
        path = path / EVALUATION
    write_json(path, metrics)
    return path
