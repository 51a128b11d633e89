"""``seqconv train`` in one call: DNA or time series, new, from a ``--config`` file, or resumed.

The command line only declares options; this module turns the values a user gave into a recipe's
options (one merge with ``--config`` for both recipes), rejects options of the other kind of data,
and runs the recipe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqconv.errors import InputError
from seqconv.models import registry
from seqconv.options import merge_options, parse_key_values
from seqconv.progress import Reporter
from seqconv.runs.rundir import CONFIG, is_series_config, resume_options
from seqconv.train.recipes.dna import TrainOptions
from seqconv.train.recipes.dna import train as train_dna
from seqconv.train.recipes.genome import check_genome_options
from seqconv.train.recipes.option_rules import dna_rules, series_rules
from seqconv.train.recipes.segment import train_segment
from seqconv.train.recipes.series import train_series
from seqconv.train.recipes.series_options import SeriesOptions
from seqconv.train.recipes.series_segment import NEEDS_TARGET
from seqconv.validation import check_fields

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
    "bed",
    "genome",
    "label_column",
    "bigwig",
    "bigwig_stat",
    "log1p",
    "negatives_ratio",
    "flank",
    "exclude",
    "intervals",
    "length",
    "align",
    "reverse_complement",
    "max_shift",
    "valid_chroms",
    "test_chroms",
)


def train(
    given: dict[str, Any],
    config: str | Path | None = None,
    resume: str | Path | None = None,
    quiet: bool = False,
) -> Path:
    """Train from the options a user gave explicitly (command-line names and values).

    Parameters
    ----------
    given
        Explicit options (``fasta``, ``model_option``, ``valid_chroms`` as on the command line).
    config
        A JSON/YAML file of options (or a run's ``config.json``); ``given`` overrides it.
    resume
        A run directory to continue from its last checkpoint (its own options are used).

    Returns
    -------
    Path
        The run directory.
    """
    if resume is not None:
        values = resume_options(resume) | {"quiet": quiet}
        source = str(Path(resume) / CONFIG)
        if values.get("series"):
            values = check_fields(values, series_rules(), source)
            return train_series(SeriesOptions(**values), Reporter(quiet), resume=True)
        values = check_fields(values, dna_rules(), source)
        options = TrainOptions(**values)
        return _dna_recipe(options)(options, Reporter(quiet), resume=True)
    values = _fields(given)
    if given.get("series") is not None or (config and is_series_config(config)):
        _reject(values, DNA_ONLY, "{flags} {verb} not apply to --series", ("does", "do"))
        options = merge_options(SeriesOptions, config, values, series_rules())
        if not options.series:
            raise InputError("give a --series file (or --config with 'series')")
        if options.task == "segment" and not options.target:
            raise InputError(NEEDS_TARGET)
        _check_model(options.model, options.model_options, in_channels=1)
        return train_series(options, Reporter(options.quiet))
    _reject(values, SERIES_ONLY, "{flags} only {verb} to time series: add --series FILE",
            ("applies", "apply"))  # fmt: skip
    options = merge_options(TrainOptions, config, values, dna_rules())
    if not options.fasta and not options.bed:
        raise InputError(
            "give at least one --fasta file, or --bed peaks with --genome (or --config with "
            "'fasta' or 'bed')"
        )
    check_genome_options(options)
    _check_model(options.model, options.model_options, in_channels=4)
    return _dna_recipe(options)(options, Reporter(options.quiet))


def _dna_recipe(options: TrainOptions):
    """Per-sequence labels (``train_dna``) or per-position ones (``--task segment``)."""
    if options.task == "segment" or options.intervals:
        if not options.intervals:
            raise InputError(
                "--task segment needs --intervals FILE (columns id, start, end[, label])"
            )
        if options.task not in (None, "segment"):
            raise InputError(f"--intervals is for --task segment, not --task {options.task}")
        return train_segment
    return train_dna


def _check_model(name: str | None, kwargs: dict[str, Any], in_channels: int) -> None:
    """Model options checked before any data is read (the data sets the input and output
    sizes later: the sizes used here stand in for them). ``None``: the task's default model."""
    if name is not None:
        registry.check(name, **({"in_channels": in_channels, "n_outputs": 2} | kwargs))


def _reject(values: dict, names: tuple[str, ...], message: str, verbs: tuple[str, str]) -> None:
    """Options of the other kind of data: say so instead of ignoring them."""
    stray = [name for name in names if name in values and name != "series"]
    if stray:
        flags = ", ".join("--" + n.replace("_", "-") for n in stray)
        raise InputError(message.format(flags=flags, verb=verbs[len(stray) > 1]))


def _fields(given: dict[str, Any]) -> dict[str, Any]:
    """Command-line values to option fields: model options parsed, lists split, paths as text."""
    out = {k: v for k, v in given.items() if k not in ("config", "resume")}
    if "model_option" in out:
        out["model_options"] = parse_key_values(out.pop("model_option") or [])
    for name in ("valid_chroms", "test_chroms", "target"):
        if isinstance(out.get(name), str):
            out[name] = [c.strip() for c in out[name].split(",") if c.strip()]
    for name in ("fasta", "bed", "bigwig"):
        if name in out:
            out[name] = [str(p) for p in out[name] or []]
    for name in ("labels", "out", "series", "genome", "exclude", "intervals"):
        if out.get(name) is not None:
            out[name] = str(out[name])
    return out
