"""From a time-series file to a complete run directory: the job behind ``seqconv train --series``.

Classification and regression (labels from a ``.ts`` file or a table's ``--target`` column) train
on whole series; forecasting (:mod:`seqconv.train.recipes.forecast`) trains on windows split by
time. The run directory is the same as for DNA: ``config.json`` (with ``"input": {"kind":
"series", ...}`` holding the normaliser and missing-value policy applied again at prediction time),
``model.safetensors``, ``checkpoint.safetensors``, ``history.csv``, ``split.tsv``,
``metrics.json`` and plots.

Defaults (no tuning needed; Fawaz et al. 2019's ResNet protocol where it fits):

* classification and regression: ``resnet`` (Wang et al. 2017), Adam (no weight decay) at
  ``lr = 1e-3``, batch ``clip(n_train / 10, 4, 64)``, up to 1,500 epochs, learning rate halved
  after 50 epochs without a better monitored loss, early stopping after 200; series
  z-normalised one by one (the UCR convention), missing values interpolated.
* what is monitored: with fewer than 1,000 series (most UCR/UEA training files), every series
  trains and the training loss is monitored, as in Fawaz et al.'s protocol; a held-out part of a
  few dozen series makes early stopping follow noise (measured on ItalyPowerDemand, seeds 0-2:
  holding out a stratified 20 % gave 96.3 / 91.6 / 96.3 % test accuracy, the seed-1 run keeping
  its epoch-4 weights because one confidently misclassified validation series raised the
  validation loss ever after; monitoring the training loss gave 96.4 / 96.1 / 96.2 %). From
  1,000 series on, a stratified 20 % is held out and its loss monitored. ``--valid-fraction``
  overrides either way; the ``_TEST`` file is for ``seqconv evaluate``.
* forecasting: see :mod:`seqconv.train.recipes.forecast`.
"""

from __future__ import annotations

import dataclasses
import json
import platform
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqconv.atomic import write_json, write_with
from seqconv.errors import InputError
from seqconv.models.masking import enable_masks, padding_side
from seqconv.progress import Reporter
from seqconv.runs.metrics import compute_metrics
from seqconv.runs.series_stores import SeriesTensor
from seqconv.runs.tasks import TargetScaler, is_classification, link, target_tensor
from seqconv.series.data import SeriesData, read_series
from seqconv.series.normalize import MISSING_POLICIES, NORM_MODES, Normalizer, encode_values
from seqconv.train.distributed import Distributed
from seqconv.train.loop import FitResult, FitSettings, predict_outputs
from seqconv.train.plots import plot_classification_curves, plot_history, plot_regression
from seqconv.train.recipes.dna import TrainOptions, fit_run, sha256

CONFIG = "config.json"
TASK_ALIASES = {
    "classify": "classify",
    "classification": "classify",
    "binary": "classify",
    "multiclass": "classify",
    "regress": "regress",
    "regression": "regress",
    "forecast": "forecast",
}
DEFAULT_MODEL = {"classify": "resnet", "regress": "resnet", "forecast": "tcn", "levels": "wavenet"}
SMALL_DATA = 1000
"""Below this many series every series trains and the training loss is monitored (Fawaz et al.)."""


@dataclass
class SeriesOptions:
    """Every option of ``seqconv train --series``; a run's ``config.json`` repeats the run.

    ``None`` means "the default for the task" (see the module docstring); the run's
    ``config.json`` stores the values actually used.

    Attributes
    ----------
    series
        ``.ts``, CSV/TSV or Parquet file (wide or long; see :mod:`seqconv.series.data`).
    target
        Table label/target column(s); forecasting: the channels to forecast.
    layout
        Table layout: ``wide``, ``long`` or ``steps`` (:mod:`seqconv.series.data`); ``None``
        detects it.
    task
        ``classify``, ``regress`` or ``forecast`` (also ``binary``, ``multiclass``,
        ``regression``); default: ``forecast`` when ``window`` is given, else from the labels.
    model, model_options
        Zoo model and keyword arguments (``in_channels``/``n_outputs`` are set for you).
    window, horizon, stride
        Forecasting: input steps, steps to forecast, steps between training windows.
    levels, decode
        Forecasting with a softmax over ``levels`` mu-law levels (``wavenet``'s default, 256;
        ``0`` for point forecasts) and how a forecast is read from it: ``mean`` (the expected
        value, least squared error) or ``argmax`` (the most likely level).
    normalize, missing
        z-normalisation (``series``, ``channel`` fitted on the training split, ``none``) and
        missing-value policy (``zero``, ``ffill``, ``interpolate``, ``error``).
    valid_fraction, test_fraction
        Held out (stratified for classes; the end of each series for forecasting).
    epochs, batch_size, lr, weight_decay, patience, lr_patience
        Training (Adam when ``weight_decay`` is 0).
    """

    series: str = ""
    target: list[str] | None = None
    layout: str | None = None
    task: str | None = None
    model: str | None = None
    model_options: dict[str, Any] = field(default_factory=dict)
    window: int | None = None
    horizon: int = 1
    stride: int = 1
    levels: int | None = None
    decode: str = "mean"
    normalize: str | None = None
    missing: str | None = None
    valid_fraction: float | None = None
    test_fraction: float | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float = 1e-3
    weight_decay: float = 0.0
    patience: int | None = None
    lr_patience: int | None = None
    device: str = "auto"
    precision: str = "auto"
    seed: int = 0
    out: str | None = None
    quiet: bool = False

    from_file = classmethod(TrainOptions.from_file.__func__)  # type: ignore[attr-defined]

    def fit_settings(self) -> FitSettings:
        """Training settings (call after the task defaults are filled in)."""
        return FitSettings(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            lr=self.lr,
            weight_decay=self.weight_decay,
            patience=int(self.patience),
            lr_patience=int(self.lr_patience),
            precision=self.precision,
            rc_average=False,
            seed=self.seed,
            monitor="val_loss",
        )


def task_kind(options: SeriesOptions) -> str:
    """``classify``, ``regress``, ``forecast`` or ``None`` (decided by the labels)."""
    if options.task is None:
        return "forecast" if options.window is not None else None
    if options.task not in TASK_ALIASES:
        raise InputError(
            f"unknown task {options.task!r} for series; use classify, regress or forecast"
        )
    return TASK_ALIASES[options.task]


def fill_defaults(options: SeriesOptions, kind: str, n_train: int) -> SeriesOptions:
    """A copy of ``options`` with every ``None`` replaced by the default for ``kind``."""
    o = dataclasses.replace(options, model_options=dict(options.model_options))
    if kind == "forecast":
        from seqconv.train.recipes.forecast import fill_forecast_defaults

        return fill_forecast_defaults(o, n_train)
    o.model = o.model or DEFAULT_MODEL[kind]
    o.normalize = o.normalize or "series"
    o.missing = o.missing or "interpolate"
    if o.valid_fraction is None:
        o.valid_fraction = 0.0 if n_train < SMALL_DATA else 0.2
    o.test_fraction = 0.0 if o.test_fraction is None else o.test_fraction
    o.epochs = o.epochs or 1500
    o.batch_size = o.batch_size or int(np.clip(n_train // 10, 4, 64))
    o.patience = o.patience or 200
    o.lr_patience = o.lr_patience or 50
    return o


def check_options(o: SeriesOptions) -> None:
    if o.normalize not in NORM_MODES:
        raise InputError(f"--normalize must be one of {', '.join(NORM_MODES)}, not {o.normalize!r}")
    if o.missing not in MISSING_POLICIES:
        raise InputError(
            f"--missing must be one of {', '.join(MISSING_POLICIES)}, not {o.missing!r}"
        )
    for name in ("valid_fraction", "test_fraction"):
        value = getattr(o, name)
        if not 0 <= value < 1:
            raise InputError(f"--{name.replace('_', '-')} must lie in [0, 1), not {value}")
    if o.valid_fraction + o.test_fraction >= 1:
        raise InputError("--valid-fraction and --test-fraction must sum below 1")
    if o.decode not in ("mean", "argmax"):
        raise InputError(f"--decode must be mean or argmax, not {o.decode!r}")


def read_training_series(options: SeriesOptions, kind: str | None) -> SeriesData:
    """The training file; table label columns are read unless forecasting."""
    path = Path(options.series)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    target = None if kind == "forecast" else options.target
    data = read_series(path, target=target if target else None, layout=options.layout)
    if len(data) == 0:
        raise InputError(f"{path}: no series")
    return data


def stratified_split(
    n: int,
    strata: np.ndarray | None,
    valid_fraction: float,
    test_fraction: float,
    seed: int,
) -> np.ndarray:
    """``(n,)`` ``train``/``valid``/``test`` by random stratified sampling (at least one of each
    class with two or more members goes to each held-out part asked for)."""
    rng = np.random.default_rng(seed)
    assignment = np.full(n, "train", dtype=object)
    if strata is None:
        groups = [np.arange(n)]
    else:
        groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    for rows in groups:
        rows = rng.permutation(rows)
        k = len(rows)
        n_test = int(round(test_fraction * k))
        n_valid = int(round(valid_fraction * k))
        if strata is not None and k >= 3:
            n_test = max(n_test, 1) if test_fraction > 0 else 0
            n_valid = max(n_valid, 1) if valid_fraction > 0 else 0
        n_test, n_valid = min(n_test, k - 1), min(n_valid, max(k - 1 - n_test, 0))
        assignment[rows[:n_test]] = "test"
        assignment[rows[n_test : n_test + n_valid]] = "valid"
    return assignment.astype(str)


def default_run_dir(options: SeriesOptions) -> Path:
    stem = Path(options.series).name.split(".")[0] or "series"
    base = Path("runs") / f"{stem}-{options.model}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def build_series_model(name: str, kwargs: dict, in_channels: int, n_outputs: int):
    from seqconv.models import build

    kwargs = dict(kwargs)
    kwargs.update(in_channels=in_channels, n_outputs=n_outputs)
    return build(name, **kwargs)


def provenance(options: SeriesOptions) -> dict:
    """Versions, time, command line, and the options with absolute paths (for ``--config``)."""
    import seqconv

    repeat = dataclasses.asdict(options)
    repeat["series"] = str(Path(options.series).resolve())
    if repeat["out"]:
        repeat["out"] = str(Path(repeat["out"]).resolve())
    return {
        "seqconv_version": seqconv.__version__,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": sys.argv,
        "options": repeat,
    }


def data_summary(options: SeriesOptions, data: SeriesData) -> dict:
    return {
        "series": {"path": str(Path(options.series).resolve()), "sha256": sha256(options.series)},
        "records": len(data),
        "channels": list(data.channels),
        "lengths": {"min": int(data.lengths.min()), "max": int(data.lengths.max())},
        "missing": {k: int(v) for k, v in data.missing_counts().items()},
        "layout": options.layout,
    }


def train_series(
    options: SeriesOptions, reporter: Reporter | None = None, resume: bool = False
) -> Path:
    """Train on a time-series file and write a run directory.

    Parameters
    ----------
    options
        See :class:`SeriesOptions`.
    reporter
        Where progress goes.
    resume
        Continue the interrupted run in ``options.out``.

    Returns
    -------
    Path
        The run directory.
    """
    reporter = reporter or Reporter(quiet=options.quiet)
    kind = task_kind(options)
    data = read_training_series(options, kind)
    for note in data.notes:
        reporter.info(note)
    if kind is None and data.labels is None and len(data) == 1:
        kind = "forecast"  # one unlabelled series cannot be classified: forecasting is meant
        reporter.info("one series without labels: forecasting it (--task forecast)")
    if kind == "forecast":
        from seqconv.train.recipes.forecast import train_forecast

        return train_forecast(options, data, reporter, resume)
    return _train_labelled(options, data, kind, reporter, resume)


def _train_labelled(
    options: SeriesOptions, data: SeriesData, kind: str | None, reporter: Reporter, resume: bool
) -> Path:
    dist = Distributed.from_environment(options.device)
    if not dist.is_main:
        reporter = Reporter(quiet=True)
    device = dist.device(options.device)
    forced = {"classify": "multiclass", "regress": "regression"}.get(kind or "")
    targets, names, task = data.targets(forced)
    if task == "multilabel":
        raise InputError(
            f"{data.source}: multi-label series are not supported; use one label per series"
        )
    kind = "regress" if task == "regression" else "classify"
    strata = targets if is_classification(task) else None
    o = fill_defaults(options, kind, len(data))
    check_options(o)
    assignment = stratified_split(len(data), strata, o.valid_fraction, o.test_fraction, o.seed)
    train_idx, valid_idx = (np.flatnonzero(assignment == s) for s in ("train", "valid"))
    monitor_training = o.valid_fraction == 0
    if monitor_training:  # Fawaz et al.: train on everything, monitor the training loss
        valid_idx = train_idx
    elif len(valid_idx) == 0:
        raise InputError(
            f"{data.source}: {len(data)} series leave none for validation; add series or raise "
            "--valid-fraction"
        )
    if is_classification(task) and np.unique(targets[train_idx]).size < 2:
        raise InputError(f"{data.source}: the training split holds a single class")
    n_train = len(train_idx)
    o.batch_size = options.batch_size or int(np.clip(n_train // 10, 4, 64))
    torch.manual_seed(o.seed)

    model = build_series_model(o.model, o.model_options, data.n_channels, len(names))
    side = padding_side(model)
    enable_masks(model)
    model = model.to(device)
    if o.normalize == "channel":
        normalizer = Normalizer.fit(
            data.values[train_idx], "channel", channels=data.channels
        )  # NaN padding and missing values are skipped
    else:
        normalizer = Normalizer(o.normalize, channels=list(data.channels))
    encoded = encode_values(
        data.values, data.lengths, normalizer, o.missing, None, side, data.ids, data.source
    )
    if encoded.missing.total:
        reporter.info(encoded.missing.describe(data.channels))
    scaler = None
    fit_targets = targets
    if task == "regression":
        scaler = TargetScaler.fit(targets[train_idx])
        fit_targets = scaler.scale(targets)

    counts = {s: int((assignment == s).sum()) for s in ("train", "valid", "test")}
    lengths = (
        f"{int(data.lengths.min())}-{int(data.lengths.max())}"
        if not data.equal_length
        else str(data.max_length)
    )
    reporter.info(
        f"{len(data):,} series of {data.n_channels} channel(s), {lengths} steps, task {task} "
        f"({', '.join(names[:8])}{'…' if len(names) > 8 else ''}); model {o.model}; split "
        f"train {counts['train']}, validation {counts['valid']}, test {counts['test']}"
    )
    out = Path(o.out) if o.out else default_run_dir(o)
    config = {
        **provenance(o),
        "model": model.build_config,
        "input": {
            "kind": "series",
            "channels": list(data.channels),
            "normalize": normalizer.to_dict(),
            "missing": o.missing,
            "pad_side": side,
            "mask": True,
            "length": int(data.max_length),
        },
        "task": task,
        "target_names": names,
        "target_scaler": scaler.to_dict() if scaler else None,
        "data": data_summary(o, data) | {"label_columns": list(data.label_names)},
        "split": {
            "method": "stratified" if strata is not None else "random",
            **counts,
            "monitor": "training loss" if monitor_training else "validation loss",
            "file": "split.tsv",
        },
        "train": dataclasses.asdict(o.fit_settings()),
    }
    if resume:
        previous = json.loads((out / CONFIG).read_text())
        config["created"] = previous.get("created", config["created"])
    if dist.is_main:
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / CONFIG, config)
        frame = pd.DataFrame({"id": data.ids, "split": assignment})
        write_with(out / "split.tsv", lambda tmp: frame.to_csv(tmp, sep="\t", index=False))
        reporter.info(f"run directory: {out}")

    inputs = SeriesTensor(encoded.x, encoded.mask, device)
    result = fit_run(
        out,
        reporter,
        model,
        inputs,
        target_tensor(task, fit_targets),
        task,
        train_idx,
        valid_idx,
        o.fit_settings(),
        target_names=names,
        resume=resume,
        distributed=dist,
    )
    if dist.is_main:
        held = "test" if counts["test"] else "train" if monitor_training else "valid"
        index = np.flatnonzero(assignment == held)
        outputs = predict_outputs(model, inputs, index, 512, False, o.precision)
        predictions = link(task, outputs).numpy()
        if scaler is not None:
            predictions = scaler.unscale(predictions)
        finish(out, config, result, task, targets[index], predictions, names, held, o.seed,
               reporter)  # fmt: skip
    dist.barrier()
    dist.close()
    return out


def finish(
    out: Path,
    config: dict,
    result: FitResult,
    task: str,
    truth: np.ndarray,
    predictions: np.ndarray,
    names: list[str],
    held: str,
    seed: int,
    reporter: Reporter,
    extra: dict | None = None,
) -> dict:
    """Held-out metrics and plots; the result summary in config.json."""
    metric_task = "regression" if task == "forecast" else task
    metrics = compute_metrics(metric_task, truth, predictions, names, seed=seed)
    metrics["split"] = held
    if extra:
        metrics["summary"].update(extra)
    write_json(out / "metrics.json", metrics)
    plot_history(result.history, out / "learning_curves.png")
    if metric_task == "regression":
        plot_regression(truth, predictions, names, out / "test_scatter.png")
    else:
        plot_classification_curves(task, truth, predictions, names, out / "roc_pr.png")
    config["result"] = {
        "best_epoch": result.best_epoch,
        "monitor": result.monitor,
        "best_val_loss": -result.best_score,
        "epochs_run": len(result.history),
        "stopped_early": result.stopped_early,
        held: metrics["summary"],
    }
    write_json(out / CONFIG, config)
    summary = ", ".join(f"{k} {v:.4g}" for k, v in metrics["summary"].items())
    label = {"test": "test", "valid": "validation (no test split)"}.get(
        held, "training data (nothing held out)"
    )
    reporter.info(f"best epoch {result.best_epoch}; {label}, {len(truth):,}: {summary}")
    return metrics


def resume_series_options(run_dir: str | Path) -> SeriesOptions:
    """The options of an interrupted series run, to continue it with ``resume=True``."""
    run_dir = Path(run_dir)
    if not (run_dir / "checkpoint.safetensors").is_file():
        raise InputError(f"{run_dir}: no checkpoint to resume from (it stopped before epoch 1)")
    options = SeriesOptions(**SeriesOptions.from_file(run_dir / CONFIG))
    options.out = str(run_dir)
    return options


def is_series_config(path: str | Path) -> bool:
    """Whether an options file (or a run's config.json) describes a series run."""
    try:
        data = json.loads(Path(path).read_text()) if str(path).endswith(".json") else None
    except (OSError, json.JSONDecodeError):
        return False
    if data is None:
        try:
            import yaml

            data = yaml.safe_load(Path(path).read_text())
        except Exception:  # noqa: BLE001 - the DNA path reports unreadable files
            return False
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("input"), dict) and data["input"].get("kind") == "series":
        return True
    options = data.get("options", data)
    return isinstance(options, dict) and bool(options.get("series"))


__all__ = [
    "SeriesOptions",
    "is_series_config",
    "resume_series_options",
    "stratified_split",
    "train_series",
]
