"""``seqconv.load``: a run directory back to a model that predicts, without unpickling anything.

The weights are checked against the SHA-256 that ``config.json`` records, and ``config.json``
against the weights (task, target names, model), so that an edited or mixed-up run stops with a
message instead of predicting under the wrong names.

>>> run = seqconv.load("runs/peaks-motifnet")            # doctest: +SKIP
>>> run.predict(["ACGT" * 50])                           # doctest: +SKIP
array([[0.03, 0.97]], dtype=float32)
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from torch import nn

from seqconv.core.device import resolve_device
from seqconv.core.weights import load_weights
from seqconv.errors import InputError, SeqconvError
from seqconv.models import build
from seqconv.models.protocol import build_config_of
from seqconv.models.registry import get
from seqconv.rundir import CONFIG, WEIGHTS, model_spec, read_config, verify_weights
from seqconv.runs.dna_run import DnaRun
from seqconv.runs.run import Run
from seqconv.runs.series_run import load_series_run

TASKS = ("binary", "multiclass", "multilabel", "regression", "forecast", "segment", "profile")
"""The tasks a run can have been trained for."""


def load(path: str | Path, device: str = "cpu") -> Run:
    """Load a run directory: rebuild the model from ``config.json``, weights from safetensors.

    Parameters
    ----------
    path
        Directory written by ``seqconv train`` (any seqconv version).
    device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.

    Returns
    -------
    Run
        A :class:`~seqconv.runs.dna_run.DnaRun` or a :class:`~seqconv.runs.series_run.SeriesRun`
        (one ``predict`` and ``predict_file`` signature for both).

    Raises
    ------
    SeqconvError
        When ``config.json`` is broken or does not match the weights, or the weights are not the
        file training wrote (SHA-256).
    """
    path = Path(path)
    config = read_config(path)
    weights = path / WEIGHTS
    if not weights.is_file():
        raise InputError(f"{path}: no {WEIGHTS} (training stopped before its first epoch ended?)")
    check_config(path, config)
    verify_weights(path, config)
    name, kwargs = model_spec(path)
    try:
        model = build(name, **kwargs)
    except SeqconvError as exc:
        raise SeqconvError(f"{path / CONFIG}: {exc}") from None
    load_weights(model, weights)
    check_outputs(path, config, model)
    target = resolve_device(device)
    if config["input"].get("kind") == "series":
        return load_series_run(path, config, model.to(target), target)
    if task_of(config) == "profile":
        from seqconv.runs.profile_run import ProfileRun

        return ProfileRun(path, config, model.to(target), target)
    return DnaRun(path, config, model.to(target), target)


def task_of(config: dict[str, Any]) -> str:
    """The task of a run's ``config.json``."""
    return str(config.get("task"))


def check_config(path: Path, config: dict[str, Any]) -> None:
    """``config.json``'s task, target names and input block, before the model is built."""
    where = path / CONFIG
    task = config["task"]
    if task not in TASKS:
        raise SeqconvError(f"{where}: unknown task {task!r}; expected one of {', '.join(TASKS)}")
    names = config["target_names"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise SeqconvError(
            f"{where}: target_names must be a non-empty list of names, got {names!r}"
        )
    if len(set(names)) != len(names):
        raise SeqconvError(f"{where}: target_names repeats a name: {names!r}")
    if not isinstance(config["input"], dict):
        raise SeqconvError(f"{where}: input must be an object, got {config['input']!r}")
    scaler = config.get("target_scaler")
    if isinstance(scaler, dict) and len(scaler.get("mean") or []) != len(names):
        raise SeqconvError(
            f"{where}: target_scaler has {len(scaler.get('mean') or [])} mean(s) for "
            f"{len(names)} target_names"
        )


def check_outputs(path: Path, config: dict[str, Any], model: nn.Module) -> None:
    """The model's number of outputs (its ``n_outputs``) against ``target_names``.

    Quantised forecasters output one score per level, not per target: not compared.
    """
    if config["task"] == "forecast" and (config.get("forecast") or {}).get("levels"):
        return
    spec = build_config_of(model) or {"name": "", "kwargs": {}}
    n_outputs = spec["kwargs"].get("n_outputs", _default_outputs(spec["name"]))
    names = config["target_names"]
    if isinstance(n_outputs, int) and n_outputs != len(names):
        raise SeqconvError(
            f"{path / CONFIG}: {len(names)} target_names ({', '.join(names[:8])}) but the model "
            f"in {WEIGHTS} has {n_outputs} outputs; config.json does not belong to these weights"
        )


def _default_outputs(name: str) -> Any:
    try:
        parameter = inspect.signature(get(name)).parameters.get("n_outputs")
    except (SeqconvError, TypeError, ValueError):
        return None
    return None if parameter is None else parameter.default
