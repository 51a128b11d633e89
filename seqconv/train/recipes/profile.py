"""``seqconv train --bed peaks --genome g.fa --bigwig plus.bw --bigwig minus.bw --task profile``:
counts per base of each track (BPNet, chromBPNet).

The output window is ``--length`` bp (default: the peaks' median width) centred on each summit;
the input is wider by the model's receptive field minus one (from
:func:`seqconv.rf.receptive_field`), read from the genome. Windows move by up to ``--max-shift``
bp (the jitter; default 128, at most a quarter of the window), half are reverse-complemented
(stranded pairs swapped), and GC-matched background windows join at ``--negatives-ratio`` (0.1)
per peak, their counts only in the loss. The loss is :class:`~seqconv.core.profiles.ProfileLoss`
with ``λ`` as bpnet-lite sets it; the run is scored as bpnet-lite scores one, on the peaks of the
held-out chromosomes (:mod:`seqconv.core.profile_metrics`), and draws the best, median and worst
of them (``test_profiles.png``).
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqconv import rundir
from seqconv.core.predict import predict
from seqconv.core.profile_metrics import profile_scores, region_scores
from seqconv.core.profile_store import ProfileStore
from seqconv.core.profiles import count_weight_default, expected_counts, log_counts, profile_logits
from seqconv.dna.profile_data import ProfileRequest, load_profile_windows, median_peak_width
from seqconv.dna.profile_signal import choose_strands, track_names, units_of
from seqconv.dna.splits import make_split
from seqconv.errors import InputError, SeqconvError
from seqconv.models import registry
from seqconv.models.protocol import is_profile
from seqconv.option_table import fill
from seqconv.progress import Reporter, status
from seqconv.rf.receptive_field import receptive_field
from seqconv.rundir.profile_plots import PROFILE_PLOT, plot_profile_examples
from seqconv.train.loop import FitResult
from seqconv.train.recipes.common import HeldOut, Job, RunContext, fit_settings, train_run
from seqconv.train.recipes.genome import record_bed_files
from seqconv.train.train_options import TrainOptions

PROFILE_ONLY = ("control", "stranded", "count_weight")
OUTLIER_FACTOR = 1.2
"""Training peaks with more than this times the 99th percentile of total counts are left out
(bpnet-lite's ``PeakGenerator``: a few extreme peaks would dominate the counts loss)."""


def check_profile_options(options: TrainOptions) -> None:
    """Refuse options that cannot go with ``--task profile`` (or that need it), before any data
    is read."""
    if options.task != "profile":
        given = [n for n in PROFILE_ONLY if getattr(options, n) not in (None, [], False)]
        if options.stranded is False:
            given.append("unstranded")
        if given:
            flags = ", ".join("--" + n.replace("_", "-") for n in given)
            raise InputError(f"{flags}: only with --task profile (counts per base of --bigwig "
                             "tracks)")  # fmt: skip
        return
    if options.fasta or not options.bed or not options.genome:
        raise InputError(
            "--task profile reads peaks on a genome: --bed peaks.narrowPeak --genome g.fa "
            "--bigwig track.bw (not --fasta)"
        )
    if not options.bigwig:
        raise InputError(
            "--task profile needs the tracks to predict: --bigwig FILE (repeat for each track; "
            "a plus/minus pair is one stranded experiment)"
        )
    stray = {"--labels": options.labels, "--label-column": options.label_column,
             "--intervals": options.intervals, "--log1p": options.log1p,
             "--bigwig-stat": options.bigwig_stat != "mean"}  # fmt: skip
    wrong = [flag for flag, value in stray.items() if value]
    if wrong:
        raise InputError(f"{', '.join(wrong)}: not with --task profile (it predicts every base's "
                         "counts of the --bigwig tracks)")  # fmt: skip
    if options.negatives not in (None, "genome", "none"):
        raise InputError(
            f"--negatives {options.negatives}: --task profile takes genome (GC-matched "
            "background windows, the default) or none"
        )


def train_profile(options: TrainOptions, reporter: Reporter | None = None,
                  resume: bool = False) -> Path:  # fmt: skip
    """Train a profile model; see the module docstring. Returns the run directory."""
    reporter = reporter or Reporter(options.quiet)
    check_profile_options(options)
    length = options.length
    if length is None:
        length = median_peak_width(options.bed)
        reporter.info(f"output window of {length} bp (the peaks' median width) centred on each "
                      "summit; set --length to choose")  # fmt: skip
    options = dataclasses.replace(options, length=length)
    options = fill(options, "dna-profile", length=length)
    return train_run(options, lambda ctx: prepare(options, ctx), reporter, resume)


def _announce_pairs(names: list[str], partners: list[int], what: str, reporter: Reporter) -> None:
    pairs = [f"{names[i]} / {names[j]}" for i, j in enumerate(partners) if j > i]
    if pairs:
        reporter.info(f"stranded {what}: {'; '.join(pairs)} (reverse complements swap them; "
                      "--unstranded to treat them apart)")  # fmt: skip


def build_profile_model(options: TrainOptions, n_tracks: int, n_control: int,
                        strands: list[int]) -> torch.nn.Module:  # fmt: skip
    """The zoo model of ``options`` for ``n_tracks`` tracks (a profile model: e.g. bpnet);
    a foreign trunk (``-O trunk=NAME``) cropped by its own receptive field."""
    name = str(options.model)
    accepted = registry.defaults(name)
    kwargs: dict[str, Any] = dict(options.model_options) | {"in_channels": 4,
                                                            "n_outputs": n_tracks}  # fmt: skip
    if "n_control" in accepted:
        kwargs["n_control"] = n_control
    elif n_control:
        raise InputError(f"--control: --arch {name} takes no control tracks; use bpnet")
    if "strands" in accepted:
        kwargs["strands"] = strands
    elif strands != list(range(n_tracks)):
        raise InputError(f"--arch {name} cannot read stranded pairs back; use bpnet or "
                         "--unstranded")  # fmt: skip
    if kwargs.get("trunk") and "trunk_crop" not in options.model_options:
        kwargs["trunk_crop"] = _trunk_crop(str(kwargs["trunk"]), kwargs.get("trunk_options") or {})
    model = registry.build(name, **kwargs)
    if not is_profile(model):
        raise InputError(
            f"--arch {name} predicts {'a label per position' if registry.builds_dense(name) else 'one row per sequence'}; "  # noqa: E501
            "--task profile needs a profile model (counts per base and in total), e.g. bpnet "
            "(-O trunk=NAME puts another zoo model's trunk under its heads)"
        )
    return model


def _trunk_crop(trunk: str, trunk_options: dict) -> int:
    """Bases to crop at each end of a length-keeping trunk so that no output sees padding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rf = receptive_field(registry.build(trunk, **({"in_channels": 4} | trunk_options)))
    except SeqconvError as exc:
        raise InputError(f"-O trunk={trunk}: {exc}") from None
    half = (rf.size - 1) // 2
    if rf.jump != 1 or rf.offset != -half or (rf.size - 1) % 2:
        raise InputError(
            f"-O trunk={trunk}: its outputs are not centred on their inputs (receptive field "
            f"{rf.size}, offset {rf.offset}); choose one that is"
        )
    return half


def input_length(model: torch.nn.Module, width: int, n_control: int) -> tuple[int, int]:
    """The input length that gives an output window of ``width`` bases, and the receptive
    field; refused for models whose outputs are not one per base of unpadded input."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rf = receptive_field(model)
    except SeqconvError as exc:
        raise InputError(f"--task profile: the receptive field is not computable ({exc})") from None
    length = width + rf.size - 1
    device = next(model.parameters()).device
    with torch.no_grad():
        out = model(torch.zeros(1, 4 + n_control, length, device=device))
    if rf.jump != 1 or rf.offset != 0 or out.shape[-1] != width + 1:
        raise InputError(
            f"--task profile: the model gives {out.shape[-1] - 1} bases for an input of {length} "
            f"(receptive field {rf.size}, offset {rf.offset}), not the {width} asked for: a "
            "profile model uses unpadded layers that keep the resolution (bpnet)"
        )
    return length, int(rf.size)


def _drop_outliers(counts: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, int]:
    """Training rows without the peaks whose total counts are extreme; how many were left out."""
    totals = counts[train].sum(axis=(1, 2))
    if len(totals) < 100:
        return train, 0
    limit = OUTLIER_FACTOR * np.quantile(totals, 0.99)
    keep = totals <= limit
    return train[keep], int((~keep).sum())


def prepare(options: TrainOptions, ctx: RunContext) -> Job:
    """Read peaks, tracks and background windows; build the model; describe the run."""
    reporter, device = ctx.reporter, ctx.device
    width, jitter = int(options.length), int(options.max_shift)
    names = track_names(options.bigwig)
    partners = choose_strands(options.bigwig, options.stranded, "--bigwig")
    control_partners = (
        choose_strands(options.control, options.stranded, "--control") if options.control else []
    )
    _announce_pairs(names, partners, "tracks", reporter)
    model = build_profile_model(options, len(names), len(options.control), partners).to(device)
    length, rf_size = input_length(model, width, len(options.control))
    reporter.info(f"output {width} bp, input {length:,} bp (receptive field {rf_size:,} bp), "
                  f"jitter ±{jitter} bp")  # fmt: skip
    request = ProfileRequest(
        options.bed, str(options.genome), options.bigwig, options.control, width, length,
        jitter, options.negatives or "genome", float(options.negatives_ratio), options.flank,
        options.exclude, options.seed, partners, control_partners,
    )  # fmt: skip
    with status("reading peaks, tracks and the genome", enabled=not options.quiet):
        data = load_profile_windows(request)
    for note in data.notes:
        reporter.info(note)
    split = make_split(data.ids, None, options.valid_chroms, options.test_chroms,
                       seed=options.seed)  # fmt: skip
    peaks = data.is_peak
    train = np.intersect1d(split.indices("train"), np.flatnonzero(peaks))
    centre = data.counts[..., jitter : jitter + width]
    kept, dropped = _drop_outliers(centre, train)
    train_rows = np.union1d(kept, np.setdiff1d(split.indices("train"), train))
    if dropped:
        reporter.info(f"{dropped} training peak(s) with more than {OUTLIER_FACTOR} x the 99th "
                      "percentile of total counts left out (as bpnet-lite)")  # fmt: skip
    weight = options.count_weight
    source = "given"
    if weight is None:
        weight, source = count_weight_default(torch.as_tensor(centre[kept])), "bpnet-lite"
    counts = split.counts()
    reporter.info(
        f"{int(peaks.sum()):,} peaks and {int((~peaks).sum()):,} background windows, "
        f"{len(names)} track(s); split {split.method}: train {counts['train']:,}, validation "
        f"{counts['valid']:,}, test {counts['test']:,}; loss: profile NLL + {weight:.4g} x counts "
        f"MSE ({'bpnet-lite: mean total count per track of the training peaks' if source == 'bpnet-lite' else '--count-weight'})"  # noqa: E501
    )
    inputs = ProfileStore(data.codes, data.counts, peaks.astype(np.float32), data.control,
                          jitter, partners, control_partners, device,
                          options.reverse_complement)  # fmt: skip
    targets = inputs.centre_targets()
    settings = dataclasses.replace(fit_settings(options), monitor="val_loss", count_weight=weight)
    units = units_of(partners)
    shown: dict[str, Any] = {}

    def held_out(_: FitResult) -> HeldOut:
        rows = np.intersect1d(split.indices("test"), np.flatnonzero(peaks))
        which = "test"
        if len(rows) == 0:
            rows, which = np.intersect1d(split.indices("valid"), np.flatnonzero(peaks)), "valid"
        outputs = predict(model, inputs, rows, 2 * settings.batch_size,
                          options.reverse_complement, options.precision)  # fmt: skip
        observed = centre[rows]
        logits, totals = profile_logits(outputs).numpy(), log_counts(outputs).numpy()
        scores = profile_scores(logits, totals, observed, names, units, seed=options.seed)
        expected = expected_counts(outputs).numpy()
        shown.update(ids=[data.ids[i] for i in rows], observed=observed, expected=expected,
                     pearson=region_scores(logits, observed)["pearson"].mean(axis=1))  # fmt: skip
        return HeldOut("profile", observed, expected, names, which, unit="peaks", metrics=scores)

    def write_files(out: Path) -> None:
        if shown and len(shown["ids"]):
            plot_profile_examples(out / PROFILE_PLOT, shown["ids"], shown["observed"],
                                  shown["expected"], shown["pearson"], names, units)  # fmt: skip

    config = _config(options, model, length, width, jitter, names, partners, control_partners,
                     units, weight, source, dropped, data, split, rf_size, settings)  # fmt: skip
    source_column = np.where(peaks, "peak", "background")
    return Job(
        options=options, model=model, inputs=inputs, targets=targets, task="profile",
        train_index=train_rows, valid_index=split.indices("valid"), settings=settings,
        target_names=names, config=config,
        split=pd.DataFrame({"id": data.ids, "split": split.assignment, "source": source_column}),
        held_out=held_out, write_files=write_files,
    )  # fmt: skip


def _config(options, model, length, width, jitter, names, partners, control_partners, units,
            weight, source, dropped, data, split, rf_size, settings) -> dict:  # fmt: skip
    """The profile run's part of ``config.json``."""
    peaks = int(data.is_peak.sum())
    files = record_bed_files(options)
    files["control"] = [rundir.file_record(p) for p in options.control]
    return {
        "model": model.build_config,
        "input": {"kind": "dna", "length": length, "align": "center", "channels": "ACGT"},
        "task": "profile",
        "target_names": names,
        "target_scaler": None,
        "profile": {
            "width": width,
            "jitter": jitter,
            "strands": partners,
            "units": units,
            "control": track_names(options.control) if options.control else [],
            "control_strands": control_partners,
            "count_weight": weight,
            "count_weight_from": source,
            "outlier_peaks_left_out": dropped,
        },
        "data": files | {"peaks": peaks, "background_windows": len(data.ids) - peaks},
        "genome": {
            "sequences": len(data.sizes),
            "length": int(sum(data.sizes.values())),
            "negatives": data.background.summary() if data.background is not None else None,
        },
        "split": {**split.describe(), "file": rundir.SPLIT},
        "receptive_field": {"size": rf_size, "jump": 1.0},
        "train": dataclasses.asdict(settings)
        | {"reverse_complement": options.reverse_complement, "max_shift": jitter},
    }
