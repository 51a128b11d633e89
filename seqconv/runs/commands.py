"""``seqconv predict`` and ``seqconv evaluate`` on files: load the run, check that the input is
the kind of data it was trained on, predict or score, write the output."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seqconv.dna.fasta import EncodedFasta, read_fasta_codes
from seqconv.errors import InputError
from seqconv.outputs import check_output_file, same_file
from seqconv.rundir import EVALUATION, RUN_FILES, write_evaluation
from seqconv.runs.evaluate import evaluate
from seqconv.runs.load import load
from seqconv.runs.run import Run
from seqconv.runs.series_run import SeriesRun
from seqconv.validation import Rule, check_value


def load_for(run_dir: str | Path, series: bool, device: str = "cpu") -> Run:
    """Load a run and check it was trained on series (``series``) or on DNA."""
    run = load(run_dir, device=device)
    if series and not isinstance(run, SeriesRun):
        raise InputError(f"{run_dir}: trained on DNA sequences; use --fasta, not --series")
    if not series and isinstance(run, SeriesRun):
        raise InputError(f"{run_dir}: trained on time series; use --series, not --fasta")
    return run


def _one_source(fasta: object, series: object) -> bool:
    if bool(fasta) == (series is not None):
        raise InputError("give either --fasta (DNA) or --series (time series)")
    return series is not None


def _run_files(run_dir: str | Path, but: str | None = None) -> list[Path]:
    """A run's own files, which no output may replace (``but`` one that a command rewrites)."""
    return [Path(run_dir) / name for name in RUN_FILES if name != but]


def _per_position_file(
    path: str | Path | None, inputs: list, out: Path | None, run_dir: str | Path, example: str
) -> Path | None:
    """``--per-position``, checked as an output that is neither an input nor ``--out``."""
    if path is None:
        return None
    if out is not None and same_file(path, out):
        raise InputError(f"--per-position {path} is also --out; give it another name ({example})")
    return check_output_file(
        path, inputs, option="--per-position", keep=_run_files(run_dir), example=example
    )


def predict_file(
    run_dir: str | Path,
    fasta: str | Path | None = None,
    series: str | Path | None = None,
    out: str | Path | None = None,
    batch_size: int = 512,
    device: str = "cpu",
    per_position: str | Path | None = None,
    precision: str | None = None,
) -> int:
    """Predictions for a FASTA/FASTQ or series file, as a TSV to ``out`` (standard output when
    ``None`` or ``-``; DNA streams with constant memory). Returns the number of records.
    ``per_position``: for segment runs, an ``.npz`` of every probability too. ``precision``:
    ``fp32``, ``bf16`` or ``auto``; default the precision the run was trained in.

    ``out`` and ``batch_size`` are checked before the run is loaded: ``out`` may not be the
    input, a file of the run, or a folder.
    """
    is_series = _one_source(fasta, series)
    batch_size = check_value("batch_size", batch_size, Rule(int, low=1))
    out = check_output_file(
        out, [fasta, series], keep=_run_files(run_dir), example="predictions.tsv"
    )
    per_position = _per_position_file(per_position, [fasta, series], out, run_dir, "positions.npz")
    run = load_for(run_dir, is_series, device)
    source = series if is_series else fasta
    return run.predict_file(source, out, batch_size, precision, per_position, progress=True)


def predict_bed_file(
    run_dir: str | Path,
    bed: str | Path,
    genome: str | Path | None,
    out: str | Path | None = None,
    batch_size: int = 512,
    device: str = "cpu",
    notes: list[str] | None = None,
    per_position: str | Path | None = None,
) -> int:
    """Predictions for BED regions on a genome, as a TSV to ``out`` (standard output when
    ``None`` or ``-``). Returns the number of regions; what was skipped goes to ``notes``.
    ``per_position``: for profile runs, the ``.npz`` of every region's profile."""
    from seqconv.runs.genome_predict import write_predict_bed

    if genome is None:
        raise InputError("--bed needs --genome (the reference FASTA the regions are on)")
    batch_size = check_value("batch_size", batch_size, Rule(int, low=1))
    out = check_output_file(out, [bed, genome], keep=_run_files(run_dir), example="predictions.tsv")
    per_position = _per_position_file(per_position, [bed, genome], out, run_dir, "profiles.npz")
    run = load_for(run_dir, False, device)
    if run.task == "profile":
        from seqconv.runs.profile_outputs import write_predict_bed_profiles

        return write_predict_bed_profiles(run, bed, genome, out, per_position, batch_size, notes)
    if per_position is not None:
        raise InputError(
            f"--per-position with --bed is for profile runs; {run_dir} is {run.task} (segment "
            "runs: give --fasta)"
        )
    return write_predict_bed(run, bed, genome, out, batch_size, notes)


def evaluate_files(
    run_dir: str | Path,
    fasta: list[str | Path] | None = None,
    labels: str | Path | None = None,
    negatives: str | None = None,
    series: str | Path | None = None,
    out: str | Path | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    device: str = "cpu",
) -> tuple[dict, Path]:
    """Metrics of a run on labelled files, written to ``out`` (default ``<run>/evaluation.json``;
    a folder: ``evaluation.json`` in it). ``out`` and ``n_bootstrap`` are checked first.

    Returns
    -------
    tuple
        The metrics (see :func:`seqconv.core.metrics.compute_metrics`) and where they were written.
    """
    is_series = _one_source(fasta, series)
    n_bootstrap = check_value("bootstrap", n_bootstrap, Rule(int, low=0))
    seed = check_value("seed", seed, Rule(int, low=0))
    target = Path(out or run_dir)
    if target.is_dir():
        target = target / EVALUATION
    inputs = [*(fasta or []), labels, negatives, series]
    check_output_file(target, inputs, keep=_run_files(run_dir, but=EVALUATION), example=EVALUATION)
    run = load_for(run_dir, is_series, device)
    if run.task in ("segment", "profile"):
        raise InputError(
            f"{run_dir}: seqconv evaluate does not score {run.task} runs yet; their held-out "
            "scores are in metrics.json"
        )
    if isinstance(run, SeriesRun):
        metrics = run.evaluate(series, n_bootstrap, seed)
    else:
        metrics = evaluate(run, fasta, labels, negatives, n_bootstrap, seed)
    return metrics, write_evaluation(target, metrics)


def evaluate_bed_files(
    run_dir: str | Path,
    bed: Sequence[str | Path],
    genome: str | Path | None,
    given: dict[str, Any],
    out: str | Path | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    device: str = "cpu",
    notes: list[str] | None = None,
) -> tuple[dict, Path]:
    """Metrics of a DNA run on peaks on a genome, labelled as in training from peaks
    (:func:`seqconv.runs.evaluate.evaluate_bed`), written like :func:`evaluate_files`.

    Parameters
    ----------
    given
        The label and negative options given (``label_column``, ``bigwig``, ``bigwig_stat``,
        ``log1p``, ``negatives``, ``negatives_ratio``, ``flank``, ``exclude``); ``None`` (or
        empty) takes the run's training value. Training files used again (``exclude``,
        ``bigwig``) are checked against their SHA-256 in ``config.json`` first.
    """
    from seqconv.dna.genome_labels import NEGATIVE_KINDS, GenomeOptions
    from seqconv.rundir import read_config
    from seqconv.rundir.inputs import verify_data
    from seqconv.runs.evaluate import evaluate_bed

    if genome is None:
        raise InputError("--bed needs --genome (the reference FASTA the peaks are on)")
    n_bootstrap = check_value("bootstrap", n_bootstrap, Rule(int, low=0))
    seed = check_value("seed", seed, Rule(int, low=0))
    target = Path(out or run_dir)
    if target.is_dir():
        target = target / EVALUATION
    inputs = [*bed, genome, given.get("exclude"), *(given.get("bigwig") or [])]
    check_output_file(target, inputs, keep=_run_files(run_dir, but=EVALUATION), example=EVALUATION)
    config = read_config(run_dir)
    trained = config.get("options") if isinstance(config.get("options"), dict) else {}
    chosen = {k: v for k, v in given.items() if v not in (None, [])}
    reused = {k: trained[k] for k in ("exclude", "bigwig") if k not in chosen and trained.get(k)}
    verify_data(run_dir, config, reused, announce=(notes if notes is not None else []).append)
    picked = {**{k: trained.get(k) for k in given}, **chosen}
    negatives = picked.get("negatives")
    if negatives is None or (negatives not in NEGATIVE_KINDS and "negatives" not in chosen):
        data = config.get("data") if isinstance(config.get("data"), dict) else {}
        negatives = data.get("negatives") if data.get("negatives") in NEGATIVE_KINDS else "genome"
    run = load_for(run_dir, False, device)
    if run.task in ("segment", "profile"):
        raise InputError(
            f"{run_dir}: seqconv evaluate does not score {run.task} runs yet; their held-out "
            "scores are in metrics.json"
        )
    if picked.get("bigwig") and run.task != "regression":
        raise InputError(
            f"--bigwig is for runs that regress on signal; {run_dir} is a {run.task} run "
            f"({', '.join(run.target_names[:8])}): leave --bigwig out"
        )
    options = GenomeOptions(
        bed=[str(p) for p in bed], genome=str(genome), length=run.length,
        label_column=picked.get("label_column"), bigwig=picked.get("bigwig") or [],
        bigwig_stat=picked.get("bigwig_stat") or "mean", log1p=bool(picked.get("log1p")),
        negatives=negatives, negatives_ratio=picked.get("negatives_ratio") or 1.0,
        flank=picked.get("flank"), exclude=picked.get("exclude"), seed=seed,
    )  # fmt: skip
    if notes is not None and reused:
        shown = {k: " ".join(v) if isinstance(v, list) else v for k, v in reused.items()}
        notes.append(f"as in training: {', '.join(f'--{k} {v}' for k, v in shown.items())}")
    metrics = evaluate_bed(run, options, n_bootstrap, seed, notes)
    return metrics, write_evaluation(target, metrics)


def load_with_sequences(
    run_dir: str | Path,
    fasta: str | Path | Sequence[str | Path],
    device: str = "cpu",
    bed: Sequence[str | Path] = (),
    genome: str | Path | None = None,
):
    """A DNA run and the sequences of one or more FASTA files encoded for it (padded/trimmed to
    its length), or of BED intervals on a genome (windows of its length centred on them).

    Returns
    -------
    tuple
        The :class:`~seqconv.runs.run.Run` and an :class:`~seqconv.dna.fasta.EncodedFasta`
        (``ids``, ``(N, L)`` uint8 ``codes``; several files one after the other).
    """
    files = [fasta] if isinstance(fasta, (str, Path)) else list(fasta)
    if bool(files) == bool(bed):
        raise InputError("give --fasta files or --bed files (with --genome)")
    if bed and genome is None:
        raise InputError("--bed needs --genome (the reference FASTA the regions are on)")
    run = load_for(run_dir, False, device)
    if bed:
        from seqconv.dna.genome_labels import encode_bed

        return run, encode_bed(bed, genome, run.length)  # type: ignore[arg-type]
    parts = [read_fasta_codes(f, run.length, run.align) for f in files]  # type: ignore[arg-type]
    if len(parts) == 1:
        return run, parts[0]
    return run, EncodedFasta(
        [i for p in parts for i in p.ids],
        [d for p in parts for d in p.descriptions],
        np.concatenate([p.codes for p in parts]),
        np.concatenate([p.lengths for p in parts]),
    )
