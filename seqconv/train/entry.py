"""``seqconv train`` in one call: DNA or time series, new, from a ``--config`` file, or resumed.

The options a user gave (by field name, as a config file holds them) become one checked
:class:`~seqconv.train.train_options.TrainOptions`: a config file's values, overridden by the
command line's; or, with ``--resume``, the run's own options with the run-control ones given now.
Nothing given is silently ignored: options of the other kind of data, and data or model options
given with ``--resume``, are refused by name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from seqconv.errors import InputError
from seqconv.models import registry
from seqconv.option_table import specs
from seqconv.options import read_options_file
from seqconv.progress import Reporter
from seqconv.rundir import CONFIG, read_config, resume_options
from seqconv.rundir.inputs import verify_data
from seqconv.threads import set_threads
from seqconv.train.recipes.dna import train as train_dna
from seqconv.train.recipes.genome import check_genome_options
from seqconv.train.recipes.segment import train_segment
from seqconv.train.recipes.series import train_series
from seqconv.train.recipes.series_segment import NEEDS_TARGET
from seqconv.train.train_options import TrainOptions, check_options


def train_from_options(given: dict[str, Any]) -> Path:
    """Train from the options a user gave (field names; ``config`` and ``resume`` included).

    Returns
    -------
    Path
        The run directory.
    """
    given = dict(given)
    config, resume = given.pop("config", None), given.pop("resume", None)
    if resume is not None:
        if config is not None:
            raise InputError(
                "--resume continues a run with its own options: leave out --config (to repeat "
                "a run in a new folder: --config RUN/config.json --out NEW)"
            )
        return train(resumed_options(resume, given), resume=True)
    return train(new_options(given, config))


def new_options(given: dict[str, Any], config: str | Path | None = None) -> TrainOptions:
    """The options of a new run: ``config``'s values (a JSON/YAML file, or a run's
    ``config.json``), overridden by ``given``; both checked before any data is read."""
    from_file = read_options_file(config) if config is not None else {}
    series = given.get("series") or from_file.get("series")
    data = "series" if series else "dna"
    values = check_options(from_file, data, str(config)) if config is not None else {}
    values.update(check_options(given, data))
    options = TrainOptions(**values)
    if data == "series":
        if options.task == "segment" and not options.target:
            raise InputError(NEEDS_TARGET)
    elif not options.fasta and not options.bed:
        raise InputError(
            "give at least one --fasta file, or --bed peaks with --genome, or --series (or "
            "--config with 'fasta', 'bed' or 'series')"
        )
    else:
        from seqconv.train.recipes.profile import check_profile_options  # matplotlib: DNA only

        check_genome_options(options)
        check_profile_options(options)
    _check_model(options.model, options.model_options, in_channels=4 if data == "dna" else 1)
    return options


def resumed_options(run_dir: str | Path, given: dict[str, Any]) -> TrainOptions:
    """The options of the interrupted run ``run_dir`` with the run-control options in ``given``
    applied; any other option given is refused by name. The data files the options name are
    checked against ``config.json`` first (:func:`seqconv.rundir.inputs.verify_data`; ``--force``
    resumes on files that changed)."""
    source = str(Path(run_dir) / CONFIG)
    stored = resume_options(run_dir)
    data = "series" if stored.get("series") else "dna"
    stored = check_options(stored, data, source)
    given = check_options(given, data)
    table = specs(TrainOptions)
    fixed = [table[name].flag(name) for name in given if not table[name].resume]
    if fixed:
        allowed = ", ".join(spec.flag(n) for n, spec in table.items() if spec.resume)
        raise InputError(
            f"{', '.join(fixed)} cannot change when a run is resumed: they shape its data or "
            f"model. Resume with run-control options only ({allowed}), or train a new run with "
            f"--config {source} --out NEW_DIR and the changed options"
        )
    stored.update(given)
    verify_data(run_dir, read_config(run_dir), stored, bool(stored.get("force")), _announce)
    _model_of_segment_runs(stored, run_dir)
    return TrainOptions(**stored)


def _announce(message: str) -> None:
    from seqconv.progress import console

    console.print(message, highlight=False)


def _model_of_segment_runs(stored: dict[str, Any], run_dir: str | Path) -> None:
    """seqconv 0.2 stored ``motifnet`` as the model of DNA segment runs, which trained ``unet``:
    the model that ``config.json`` built is the one to continue."""
    if stored.get("task") == "segment" and not stored.get("series"):
        built = read_config(run_dir).get("model")
        if isinstance(built, dict) and isinstance(built.get("name"), str):
            stored["model"] = built["name"]


def train(options: TrainOptions, resume: bool = False) -> Path:
    """Run the recipe of ``options`` (threads set first) into its run directory."""
    set_threads(options.threads)
    recipe: Callable[..., Path]
    if options.data == "series":
        recipe = train_series
    else:
        recipe = _dna_recipe(options)
    return recipe(options, Reporter(options.quiet), resume=resume)


def _dna_recipe(options: TrainOptions) -> Callable[..., Path]:
    """Per-sequence labels (``train_dna``), per-position ones (``--task segment``) or counts
    per base (``--task profile``)."""
    if options.task == "profile":
        from seqconv.train.recipes.profile import train_profile

        return train_profile
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
