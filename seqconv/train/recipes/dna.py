"""From FASTA files to a complete run directory: the job behind ``seqconv train --fasta``.

Reads and labels the sequences, splits them, builds the model, trains it, and writes the run
directory: ``config.json``, ``model.safetensors``, ``checkpoint.safetensors``, ``history.csv``,
``split.tsv``, ``metrics.json`` and plots.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import sys
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqconv.atomic import write_json, write_with
from seqconv.dna.fasta import fasta_lengths
from seqconv.dna.labels import LabeledSequences, load_labeled
from seqconv.dna.splits import Split, make_split
from seqconv.errors import InputError, SeqconvError
from seqconv.progress import Reporter
from seqconv.runs.metrics import compute_metrics, headline_metric
from seqconv.runs.stores import Augment, CodesTensor
from seqconv.runs.tasks import TargetScaler, is_classification, link, target_tensor
from seqconv.train.distributed import Distributed
from seqconv.train.loop import FitResult, FitSettings, fit, predict_outputs
from seqconv.train.plots import plot_classification_curves, plot_history, plot_regression

CONFIG = "config.json"
DEFAULT_MODEL = "motifnet"


@dataclass
class TrainOptions:
    """Every option of ``seqconv train``; a JSON/YAML file of these names repeats a run.

    Attributes
    ----------
    fasta
        FASTA/FASTQ files (one per class, or one with ``label=`` headers or a label table).
    labels
        Optional TSV/CSV table: ``id`` plus one column per target.
    negatives
        With one unlabelled file: ``"shuffle"`` (dinucleotide-shuffled copies), a FASTA path, or
        ``"none"``.
    model, model_options
        Zoo model name and keyword arguments (``in_channels``/``n_outputs`` are set for you).
    length, align
        Pad/trim every sequence to ``length`` (``None``: their common length, or the median length
        when they differ).
    task
        Override the task inferred from the labels.
    valid_chroms, test_chroms
        Held-out chromosomes for ids with coordinates (defaults: chr7; chr8, chr9).
    out
        Run directory (default ``runs/<first fasta stem>-<model>``, numbered if it exists).
    """

    fasta: list[str] = field(default_factory=list)
    labels: str | None = None
    negatives: str = "shuffle"
    model: str = DEFAULT_MODEL
    model_options: dict[str, Any] = field(default_factory=dict)
    length: int | None = None
    align: str = "center"
    task: str | None = None
    epochs: int = 30
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-2
    patience: int = 5
    reverse_complement: bool = True
    max_shift: int = 3
    valid_chroms: list[str] | None = None
    test_chroms: list[str] | None = None
    device: str = "auto"
    precision: str = "auto"
    seed: int = 0
    out: str | None = None
    quiet: bool = False

    @classmethod
    def from_file(cls, path: str | Path) -> dict[str, Any]:
        """Read options from a JSON or YAML file (a run's ``config.json`` works too)."""
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as exc:
            raise InputError(f"{path}: cannot read the config file ({exc.strerror})") from None
        try:
            if path.suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
            raise InputError(f"{path}: not valid JSON/YAML ({exc})") from None
        if isinstance(data, dict) and "options" in data and "model" in data:
            data = data["options"]  # a run's config.json
        if not isinstance(data, dict):
            raise InputError(f"{path}: expected a mapping of option names to values")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"{path}: unknown options {unknown}; known: {sorted(known)}")
        return data

    def fit_settings(self) -> FitSettings:
        return FitSettings(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            patience=self.patience,
            precision=self.precision,
            rc_average=self.reverse_complement,
            seed=self.seed,
        )


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file (provenance in config.json)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def choose_length(paths: list[str], reporter: Reporter) -> int:
    """The common length of all sequences, or their median length (announced) when they differ."""
    lengths = np.concatenate([fasta_lengths(p) for p in paths])
    if lengths.size == 0:
        raise InputError(f"no sequences in {', '.join(paths)}")
    if (lengths == lengths[0]).all():
        return int(lengths[0])
    length = int(np.median(lengths))
    reporter.info(
        f"sequences are {lengths.min()}-{lengths.max()} bp long: centring and padding/trimming all "
        f"to the median, {length} bp (set --length to choose)"
    )
    return length


def default_run_dir(options: TrainOptions) -> Path:
    stem = Path(options.fasta[0]).name.split(".")[0] if options.fasta else "run"
    base = Path("runs") / f"{stem}-{options.model}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def build_model(options: TrainOptions, n_outputs: int) -> torch.nn.Module:
    """The zoo model for ``options`` with the right input and output sizes."""
    from seqconv.models import build

    kwargs = dict(options.model_options)
    kwargs.update(in_channels=4, n_outputs=n_outputs)
    return build(options.model, **kwargs)


def check_receptive_field(model: torch.nn.Module, length: int, reporter: Reporter) -> dict:
    """Warn when the model sees more than the input; return size and jump for the config."""
    from seqconv.rf.receptive_field import receptive_field

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rf = receptive_field(model, input_length=length)
    except SeqconvError as exc:
        reporter.info(f"[yellow]note:[/] receptive field not computed ({exc})")
        return {}
    if rf.size > length:
        reporter.info(
            f"[yellow]warning:[/] the model's receptive field ({rf.size} bp) exceeds the input "
            f"length ({length} bp): its outer layers see mostly padding; use a longer --length or "
            "a smaller model"
        )
    return {"size": int(rf.size), "jump": float(rf.jump)}


def fit_run(out: Path, reporter: Reporter, *args: Any, **kwargs: Any) -> FitResult:
    """:func:`~seqconv.train.loop.fit` into the run directory ``out``; interrupted (Ctrl-C), it
    says how to continue before re-raising."""
    try:
        return fit(*args, out_dir=out, reporter=reporter, **kwargs)
    except KeyboardInterrupt:
        reporter.info(f"interrupted: continue with  seqconv train --resume {out}")
        raise


def train(options: TrainOptions, reporter: Reporter | None = None, resume: bool = False) -> Path:
    """Train a model on FASTA data and write a run directory.

    Parameters
    ----------
    options
        See :class:`TrainOptions`.
    reporter
        Where progress goes (``Reporter(quiet=True)`` for none).
    resume
        Continue the interrupted run in ``options.out`` from its last checkpoint.

    Returns
    -------
    Path
        The run directory.
    """
    dist = Distributed.from_environment(options.device)
    reporter = reporter or Reporter(quiet=options.quiet or not dist.is_main)
    if not dist.is_main:
        reporter = Reporter(quiet=True)
    device = dist.device(options.device)
    torch.manual_seed(options.seed)

    length = options.length or choose_length(options.fasta, reporter)
    data = load_labeled(
        options.fasta,
        labels=options.labels,
        negatives=options.negatives,
        length=length,
        align=options.align,  # type: ignore[arg-type]
        task=options.task,
        seed=options.seed,
    )
    for note in data.notes:
        reporter.info(note)
    strata = data.targets if is_classification(data.task) else None
    split = make_split(
        data.groups, strata, options.valid_chroms, options.test_chroms, seed=options.seed
    )
    _check_split(split, data)
    counts = split.counts()
    reporter.info(
        f"{len(data):,} sequences of {length} bp, task {data.task} "
        f"({', '.join(data.target_names[:8])}{'…' if data.n_outputs > 8 else ''}); split "
        f"{split.method}: train {counts['train']:,}, validation {counts['valid']:,}, "
        f"test {counts['test']:,}"
    )

    scaler = None
    targets = data.targets
    if data.task == "regression":
        scaler = TargetScaler.fit(targets[split.indices("train")])
        targets = scaler.scale(targets)

    model = build_model(options, data.n_outputs).to(device)
    rf = check_receptive_field(model, length, reporter)
    out = Path(options.out) if options.out else default_run_dir(options)
    out = Path(dist.broadcast(str(out)))
    config = run_config(options, data, split, length, rf, model, scaler)
    if resume:
        previous = json.loads((out / CONFIG).read_text())
        config["created"] = previous.get("created", config["created"])
    if dist.is_main:
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / CONFIG, config)
        _write_split(out / "split.tsv", data, split)
        reporter.info(f"run directory: {out}")
    dist.barrier()

    inputs = CodesTensor(
        data.codes,
        device,
        Augment(options.reverse_complement, options.max_shift),
    )
    result = fit_run(
        out,
        reporter,
        model,
        inputs,
        target_tensor(data.task, targets),
        data.task,
        split.indices("train"),
        split.indices("valid"),
        options.fit_settings(),
        target_names=data.target_names,
        resume=resume,
        distributed=dist,
    )
    if dist.is_main:
        finish_run(out, config, model, inputs, data, split, result, scaler, options, reporter)
    dist.barrier()
    dist.close()
    return out


def run_config(
    options: TrainOptions,
    data: LabeledSequences,
    split: Split,
    length: int,
    rf: dict,
    model: torch.nn.Module,
    scaler: TargetScaler | None,
) -> dict:
    """Everything needed to rebuild the model and its encoding, plus provenance."""
    import seqconv

    files = [{"path": str(Path(p).resolve()), "sha256": sha256(p)} for p in options.fasta]
    repeat = dataclasses.asdict(options)
    # Absolute paths, so that --config/--resume work from any folder.
    repeat["fasta"] = [str(Path(p).resolve()) for p in options.fasta]
    for name in ("labels", "out"):
        if repeat[name]:
            repeat[name] = str(Path(repeat[name]).resolve())
    if repeat["negatives"] not in ("shuffle", "none"):
        repeat["negatives"] = str(Path(repeat["negatives"]).resolve())
    return {
        "seqconv_version": seqconv.__version__,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": sys.argv,
        "model": model.build_config,
        "input": {"kind": "dna", "length": length, "align": options.align, "channels": "ACGT"},
        "task": data.task,
        "target_names": data.target_names,
        "target_scaler": scaler.to_dict() if scaler else None,
        "data": {
            "fasta": files,
            "labels": (
                {"path": str(Path(options.labels).resolve()), "sha256": sha256(options.labels)}
                if options.labels
                else None
            ),
            "negatives": options.negatives if len(options.fasta) == 1 else None,
            "records": len(data),
            "class_counts": data.class_counts(),
        },
        "split": {**split.describe(), "file": "split.tsv"},
        "receptive_field": rf,
        "train": dataclasses.asdict(options.fit_settings())
        | {"reverse_complement": options.reverse_complement, "max_shift": options.max_shift},
        "options": repeat,
    }


def finish_run(
    out: Path,
    config: dict,
    model: torch.nn.Module,
    inputs: CodesTensor,
    data: LabeledSequences,
    split: Split,
    result: FitResult,
    scaler: TargetScaler | None,
    options: TrainOptions,
    reporter: Reporter,
) -> dict:
    """Test-set metrics and plots; the result summary in config.json."""
    test = split.indices("test")
    outputs = predict_outputs(
        model, inputs, test, 512, options.reverse_complement, options.precision
    )
    predictions = link(data.task, outputs).numpy()
    truth = data.targets[test]
    if scaler is not None:
        predictions = scaler.unscale(predictions)
    metrics = compute_metrics(data.task, truth, predictions, data.target_names, seed=options.seed)
    metrics["split"] = "test"
    write_json(out / "metrics.json", metrics)
    plot_history(result.history, out / "learning_curves.png")
    if data.task == "regression":
        plot_regression(truth, predictions, data.target_names, out / "test_scatter.png")
    else:
        plot_classification_curves(
            data.task, truth, predictions, data.target_names, out / "roc_pr.png"
        )
    config["result"] = {
        "best_epoch": result.best_epoch,
        "monitor": result.monitor,
        "best_score": abs(result.best_score),
        "epochs_run": len(result.history),
        "stopped_early": result.stopped_early,
        "test": metrics["summary"],
    }
    write_json(out / CONFIG, config)
    name = headline_metric(data.task)
    summary = ", ".join(f"{k} {v:.3f}" for k, v in metrics["summary"].items())
    reporter.info(
        f"best epoch {result.best_epoch}; test ({len(test):,} sequences): {summary}"
        if name in metrics["summary"]
        else f"best epoch {result.best_epoch}"
    )
    return metrics


def resume_options(run_dir: str | Path) -> TrainOptions:
    """The options of an interrupted run, to continue it with :func:`train` (``resume=True``)."""
    run_dir = Path(run_dir)
    config_path = run_dir / CONFIG
    if not config_path.is_file():
        raise InputError(f"{run_dir}: not a run directory (no {CONFIG})")
    if not (run_dir / "checkpoint.safetensors").is_file():
        raise InputError(f"{run_dir}: no checkpoint to resume from (it stopped before epoch 1)")
    options = TrainOptions(**TrainOptions.from_file(config_path))
    options.out = str(run_dir)
    return options


def _check_split(split: Split, data: LabeledSequences) -> None:
    counts = split.counts()
    empty = [name for name, n in counts.items() if n == 0]
    if empty:
        raise InputError(
            f"the {' and '.join(empty)} split is empty ({counts}); add sequences or choose "
            "--valid-chroms/--test-chroms that occur in the ids"
        )
    if is_classification(data.task):
        present = np.unique(data.targets[split.indices("train")])
        if present.size < 2:
            raise InputError("the training split holds a single class; check the labels")


def _write_split(path: Path, data: LabeledSequences, split: Split) -> None:
    frame = pd.DataFrame({"id": data.ids, "split": split.assignment, "source": data.sources})
    write_with(path, lambda tmp: frame.to_csv(tmp, sep="\t", index=False))
