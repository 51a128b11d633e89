"""`seqconv attribute`: ISM, gradient x input and occlusion maps of a trained run."""

from __future__ import annotations

from pathlib import Path

from seqconv.cli.app import app, err_console
from seqconv.cli.common import (
    BED,
    FASTA,
    GENOME,
    HEAD,
    RUN,
    RUNS_ON,
    SEED,
    out_folder,
    start_threads,
    with_help,
)
from seqconv.cli.generate import command
from seqconv.option_table import Spec
from seqconv.validation import Rule

OPTIONS = {
    "run": RUN,
    "fasta": with_help(FASTA, "Sequences to explain."),
    "bed": BED,
    "genome": GENOME,
    "out": out_folder("<run>/attributions"),
    "target": Spec("Class or target to explain (default: the last (the positive class); "
                   "profile runs: total).", Rule(str, optional=True), metavar="NAME"),
    "head": HEAD,
    "top": Spec("Logos for this many top-scoring sequences.", Rule(int, 0, 1_000_000),
                default=10, metavar="N", cli=int),
    "method": Spec(
        "ism: in-silico mutagenesis (3 x length passes per sequence); gradient: gradient x "
        "input (one pass); occlusion: output drop when a sliding window is hidden (about "
        "length x --shuffles / --stride passes). Repeat to combine (default: ism and "
        "gradient).",
        Rule(list), default=[], flags=("--method",), metavar="METHOD", cli=list[str],
    ),
    "ism": Spec("In-silico mutagenesis (--no-ism drops it from the methods).", Rule(bool),
                default=True, flags=("--ism/--no-ism",), cli=bool),
    "window": Spec("occlusion: positions hidden at once (1 to the sequence length).",
                   Rule(int), default=10, metavar="W", cli=int),
    "stride": Spec("occlusion: step between window starts (1 to --window).", Rule(int),
                   default=1, metavar="N", cli=int),
    "baseline": Spec(
        "occlusion: what replaces the window: shuffle (the same window of "
        "dinucleotide-shuffled copies of the sequence) or zero (all-zero one-hot, as padding).",
        Rule(str), default="shuffle", metavar="KIND",
    ),
    "shuffles": Spec("occlusion: shuffled copies averaged per window (shuffle baseline).",
                     Rule(int), default=4, metavar="N", cli=int),
    "seed": with_help(SEED, "occlusion: seed of the shuffled copies."),
    **RUNS_ON,
}  # fmt: skip


def attribute(
    run: Path,
    fasta: Path | None,
    bed: Path | None,
    genome: Path | None,
    out: Path | None,
    target: str | None,
    head: str | None,
    top: int,
    method: list[str],
    ism: bool,
    window: int,
    stride: int,
    baseline: str,
    shuffles: int,
    seed: int,
    device: str,
    threads: int | None,
) -> None:
    """Attribution maps (ISM, gradient x input, occlusion), with logos of the top sequences.

    Writes attributions.npz (the maps, predictions and settings) and logos/<rank>_<id>.png, one
    row per method. Occlusion scores a position by the mean drop of the output when a window
    covering it is hidden, on ISM's scale (positive: the bases raise the output).
    """
    from seqconv.motifs.attribution import check_methods, write_attributions
    from seqconv.motifs.occlusion import OcclusionSettings
    from seqconv.outputs import check_output_dir
    from seqconv.runs.commands import load_with_sequences
    from seqconv.runs.profile_run import explained_outputs

    run_dir = run
    folder = check_output_dir(out or Path(run_dir) / "attributions", [fasta, bed, genome])
    methods = check_methods(method, ism)
    occlusion = OcclusionSettings(window, stride, baseline, shuffles, seed)
    if "occlusion" in methods:
        occlusion = occlusion.checked()  # the window against the length once it is known
    start_threads(threads)
    trained, data = load_with_sequences(
        run_dir, [fasta] if fasta else [], device, [bed] if bed else [], genome
    )
    model, names, default = explained_outputs(trained, head)
    index = _output_index(names, target or default)
    write_attributions(
        model, data.codes, data.ids, folder, target=index, top=top, device=trained.device,
        show_progress=True, target_name=names[index], methods=methods,
        occlusion_settings=occlusion,
    )  # fmt: skip
    err_console.print(
        f"{', '.join(methods)} attributions for {len(data.ids):,} sequences ({names[index]}) "
        f"in {folder}",
        highlight=False,
    )


def _output_index(names: list[str], target: str | None) -> int:
    """The column of ``target`` (default: the last)."""
    from seqconv.errors import InputError

    if target is None:
        return len(names) - 1
    if target not in names:
        raise InputError(f"unknown target {target!r}; the model's: {', '.join(names)}")
    return names.index(target)


command(
    app,
    OPTIONS,
    attribute,
    epilog="Example: seqconv attribute --run runs/peaks-motifnet --fasta some.fa --top 5 "
    "--method ism --method occlusion --window 10",
)
