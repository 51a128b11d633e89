"""`seqconv variants`: effects of VCF variants on a trained run's predictions, streamed to a TSV."""

from __future__ import annotations

from pathlib import Path

import typer

from seqconv.cli.app import app, err_console, friendly_errors
from seqconv.cli.common import (
    device_option,
    require_run,
    run_alias,
    run_option,
    start_threads,
    threads_option,
)


@app.command(
    no_args_is_help=True,
    epilog=(
        "Example: seqconv variants --run runs/peaks-motifnet --vcf calls.vcf.gz "
        "--genome hg38.fa --out effects.tsv"
    ),
)
@friendly_errors
def variants(
    run: Path | None = run_option(),
    model: Path | None = run_alias(),
    vcf: Path | None = typer.Option(
        None,
        "--vcf",
        metavar="FILE",
        help="VCF of variants (plain, gzip or bgzip; '-': standard input).",
    ),
    genome: Path | None = typer.Option(
        None,
        "--genome",
        "-g",
        metavar="FILE",
        help="Reference FASTA the VCF was called against (plain or bgzip; indexed on first use).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE", help="Output TSV (default, or '-': standard output)."
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        metavar="",
        help="Stop at a REF that is not the genome's or a chromosome not in the genome "
        "(default: skip and count them).",
    ),
    max_indel: int = typer.Option(
        50,
        metavar="BP",
        help="Longest REF or ALT allele scored (at most half the model length); longer are "
        "skipped.",
    ),
    batch_size: int = typer.Option(
        256, metavar="N", help="Variants per batch (2N inputs per forward pass)."
    ),
    device: str = device_option(),
    threads: int | None = threads_option(),
) -> None:
    """Score variants: the model's prediction for the reference and the alternative allele.

    Each variant is scored in a window of the model's length starting at its centre (indels
    re-centred), both strands averaged. Columns: chrom, pos, id, ref, alt, then per target
    <target>_ref, <target>_alt and <target>_delta. For classifiers ref/alt are probabilities and
    delta is logit(p_alt) - logit(p_ref) (natural log-odds, p clipped to [1e-6, 1-1e-6]); a binary
    model reports its positive class only. For regression delta is alt - ref. Multi-allelic
    records are split; REF is checked against the genome; symbolic alleles, breakends and long
    indels are skipped and counted.
    """
    from seqconv.errors import InputError
    from seqconv.runs.variants import score_variants

    run_dir = require_run(run, model)
    if vcf is None or genome is None:
        raise InputError("give the variants and their genome: --vcf FILE --genome FILE")
    start_threads(threads)
    summary = score_variants(
        run_dir, vcf, genome, out, batch_size, strict, max_indel, device, progress=True
    )
    for note in summary.notes():
        err_console.print(f"note: {note}", highlight=False)
    where = f" to {out}" if out is not None and str(out) != "-" else ""
    err_console.print(f"{summary.line()}{where}", highlight=False)
