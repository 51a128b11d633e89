"""`seqconv attribute`: ISM, gradient x input and occlusion maps of a trained run."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.cli.common import (
    bed_option,
    device_option,
    genome_option,
    require_run,
    run_alias,
    run_option,
    start_threads,
    threads_option,
)


@app.command(
    no_args_is_help=True,
    epilog="Example: seqconv attribute --run runs/peaks-motifnet --fasta some.fa --top 5 "
    "--method ism --method occlusion --window 10",
)
@friendly_errors
def attribute(
    run: Path | None = run_option(),
    model: Path | None = run_alias(),
    fasta: Path | None = typer.Option(
        None, "--fasta", "-f", metavar="FILE", help="Sequences to explain."
    ),
    bed: Path | None = bed_option(),
    genome: Path | None = genome_option(),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Output folder (default: <run>/attributions)."
    ),
    target: str | None = typer.Option(
        None,
        metavar="NAME",
        help="Class or target to explain (default: the last (the positive class)).",
    ),
    top: int = typer.Option(10, metavar="N", help="Logos for this many top-scoring sequences."),
    method: list[str] = typer.Option(
        [],
        "--method",
        metavar="METHOD",
        help="ism: in-silico mutagenesis (3 x length passes per sequence); gradient: gradient x "
        "input (one pass); occlusion: output drop when a sliding window is hidden (about "
        "length x --shuffles / --stride passes). Repeat to combine (default: ism and "
        "gradient).",
    ),
    ism: bool = typer.Option(
        True, metavar="", help="In-silico mutagenesis (--no-ism drops it from the methods)."
    ),
    window: int = typer.Option(
        10, metavar="W", help="occlusion: positions hidden at once (1 to the sequence length)."
    ),
    stride: int = typer.Option(
        1, metavar="N", help="occlusion: step between window starts (1 to --window)."
    ),
    baseline: str = typer.Option(
        "shuffle",
        metavar="KIND",
        help="occlusion: what replaces the window: shuffle (the same window of "
        "dinucleotide-shuffled copies of the sequence) or zero (all-zero one-hot, as padding).",
    ),
    shuffles: int = typer.Option(
        4, metavar="N", help="occlusion: shuffled copies averaged per window (shuffle baseline)."
    ),
    seed: int = typer.Option(0, metavar="N", help="occlusion: seed of the shuffled copies."),
    device: str = device_option(),
    threads: int | None = threads_option(),
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
    from seqconv.validation import Rule, check_value

    run_dir = require_run(run, model)
    folder = check_output_dir(out or Path(run_dir) / "attributions", [fasta, bed, genome])
    check_value("top", top, Rule(int, low=0))
    methods = check_methods(method, ism)
    occlusion = OcclusionSettings(window, stride, baseline, shuffles, seed)
    if "occlusion" in methods:
        occlusion = occlusion.checked()  # the window against the length once it is known
    start_threads(threads)
    trained, data = load_with_sequences(
        run_dir, [fasta] if fasta else [], device, [bed] if bed else [], genome
    )
    names = trained.target_names
    index = trained.target_index(target)
    write_attributions(
        trained.model, data.codes, data.ids, folder, target=index, top=top, device=trained.device,
        show_progress=True, target_name=names[index], methods=methods,
        occlusion_settings=occlusion,
    )  # fmt: skip
    err_console.print(
        f"{', '.join(methods)} attributions for {len(data.ids):,} sequences ({names[index]}) "
        f"in {folder}",
        highlight=False,
    )
