"""`seqconv variants`: effects of VCF variants on a trained run's predictions, streamed to a TSV."""

from __future__ import annotations

from pathlib import Path

from seqconv.cli.app import app, err_console
from seqconv.cli.common import (
    GENOME,
    OUT_TABLE,
    PATH,
    RUN,
    RUNS_ON,
    batch_size,
    start_threads,
    with_help,
)
from seqconv.cli.generate import command
from seqconv.option_table import Spec
from seqconv.validation import Rule

OPTIONS = {
    "run": RUN,
    "vcf": Spec("VCF of variants (plain, gzip or bgzip; '-': standard input).", PATH,
                flags=("--vcf",), metavar="FILE", cli=Path),
    "genome": with_help(
        GENOME, "Reference FASTA the VCF was called against (plain or bgzip; indexed on first "
        "use).", flags=("--genome", "-g"), metavar="FILE",
    ),
    "out": OUT_TABLE,
    "strict": Spec(
        "Stop at a REF that is not the genome's or a chromosome not in the genome (default: "
        "skip and count them).",
        Rule(bool), default=False, flags=("--strict",), cli=bool,
    ),
    "max_indel": Spec(
        "Longest REF or ALT allele scored (at most half the model length); longer are skipped.",
        Rule(int, 0, 10_000_000), default=50, metavar="BP", cli=int,
    ),
    "batch_size": batch_size(256, "Variants per batch (2N inputs per forward pass)."),
    **RUNS_ON,
}  # fmt: skip


def variants(
    run: Path,
    vcf: Path | None,
    genome: Path | None,
    out: Path | None,
    strict: bool,
    max_indel: int,
    batch_size: int,
    device: str,
    threads: int | None,
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

    run_dir = run
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


command(
    app,
    OPTIONS,
    variants,
    epilog=(
        "Example: seqconv variants --run runs/peaks-motifnet --vcf calls.vcf.gz "
        "--genome hg38.fa --out effects.tsv"
    ),
)
