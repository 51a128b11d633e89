"""``seqconv.load``: a run directory back to a model that predicts, without unpickling anything.

>>> run = seqconv.load("runs/peaks-motifnet")            # doctest: +SKIP
>>> run.predict(["ACGT" * 50])                           # doctest: +SKIP
array([[0.03, 0.97]], dtype=float32)
"""

from __future__ import annotations

from pathlib import Path

from seqconv.errors import InputError
from seqconv.models import build
from seqconv.runs.device import resolve_device
from seqconv.runs.run import Run
from seqconv.runs.rundir import WEIGHTS, read_config
from seqconv.runs.series import load_series_run
from seqconv.runs.weights import load_weights


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
        A :class:`~seqconv.runs.series.SeriesRun` for time-series runs.
    """
    path = Path(path)
    config = read_config(path)
    weights = path / WEIGHTS
    if not weights.is_file():
        raise InputError(f"{path}: no {WEIGHTS} (training stopped before its first epoch ended?)")
    model = build(config["model"]["name"], **config["model"]["kwargs"])
    load_weights(model, weights)
    target = resolve_device(device)
    if config["input"].get("kind") == "series":
        return load_series_run(path, config, model.to(target), target)
    return Run(path, config, model.to(target), target)
