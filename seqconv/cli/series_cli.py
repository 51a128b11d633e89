"""The ``--series`` side of ``seqconv train | predict | evaluate``: options in, library calls."""

from __future__ import annotations

import sys
from pathlib import Path

from seqconv.cli.options import parse_key_values
from seqconv.errors import InputError

SERIES_ONLY = (
    "series",
    "target",
    "window",
    "horizon",
    "stride",
    "levels",
    "decode",
    "normalize",
    "missing",
    "valid_fraction",
    "test_fraction",
    "layout",
)
DNA_ONLY = (
    "fasta",
    "labels",
    "negatives",
    "length",
    "align",
    "reverse_complement",
    "max_shift",
    "valid_chroms",
    "test_chroms",
)


def wants_series(given: dict, config: Path | None, resume: Path | None) -> bool:
    """Whether ``seqconv train`` was asked for a time-series run."""
    from seqconv.train.recipes.series import is_series_config

    if given.get("series") is not None:
        return True
    if resume is not None:
        return is_series_config(Path(resume) / "config.json")
    return config is not None and is_series_config(config)


def check_no_series_options(given: dict) -> None:
    """Series options given without ``--series``: say so instead of ignoring them."""
    stray = [name for name in SERIES_ONLY if name in given and name != "series"]
    if stray:
        flags = ", ".join("--" + n.replace("_", "-") for n in stray)
        verb = "applies" if len(stray) == 1 else "apply"
        raise InputError(f"{flags} only {verb} to time series: add --series FILE")


def train(given: dict, config: Path | None, resume: Path | None, quiet: bool) -> Path:
    """Run ``seqconv train --series`` with the options the user gave explicitly."""
    from seqconv.progress import Reporter
    from seqconv.train.recipes.series import SeriesOptions, resume_series_options, train_series

    if resume is not None:
        options = resume_series_options(resume)
        options.quiet = quiet
        return train_series(options, Reporter(quiet), resume=True)
    stray = [name for name in DNA_ONLY if name in given]
    if stray:
        flags = ", ".join("--" + n.replace("_", "-") for n in stray)
        raise InputError(f"{flags} {'does' if len(stray) == 1 else 'do'} not apply to --series")
    values: dict = SeriesOptions.from_file(config) if config else {}
    values.update(_to_options(given))
    for name in ("config", "resume"):
        values.pop(name, None)
    if not values.get("series"):
        raise InputError("give a --series file (or --config with 'series')")
    options = SeriesOptions(**values)
    return train_series(options, Reporter(options.quiet))


def _to_options(given: dict) -> dict:
    out = dict(given)
    if "model_option" in out:
        out["model_options"] = parse_key_values(out.pop("model_option") or [])
    if out.get("target") is not None:
        out["target"] = [c.strip() for c in str(out["target"]).split(",") if c.strip()]
    for name in ("series", "out"):
        if out.get(name) is not None:
            out[name] = str(out[name])
    return out


def predict(run_dir: Path, series: Path, out: Path | None, device: str) -> None:
    """``seqconv predict --series``: a TSV of predictions (or forecasts) per series."""
    import seqconv
    from seqconv.cli.app import err_console

    run = _series_run(seqconv.load(run_dir, device=device), run_dir)
    table = run.predict_series(series, out)
    if out is None:
        table.to_csv(sys.stdout, sep="\t", index=False, float_format="%.6g")
    else:
        err_console.print(f"{len(table):,} predictions written to {out}")


def evaluate(run_dir: Path, series: Path, out: Path | None, bootstrap: int, seed: int,
             device: str) -> dict:  # fmt: skip
    """``seqconv evaluate --series``: metrics against the file's labels (or future values)."""
    import seqconv
    from seqconv.atomic import write_json

    run = _series_run(seqconv.load(run_dir, device=device), run_dir)
    metrics = run.evaluate(series, bootstrap, seed)
    write_json(out or Path(run_dir) / "evaluation.json", metrics)
    return metrics


def _series_run(run, run_dir: Path):
    from seqconv.runs.series import SeriesRun

    if not isinstance(run, SeriesRun):
        raise InputError(f"{run_dir}: trained on DNA sequences; use --fasta, not --series")
    return run
