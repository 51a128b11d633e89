"""Variant effects: a run's predictions for the reference and the alternative allele of each VCF
variant, in windows centred on it, and their difference.

For a variant whose REF starts at 0-based position ``p``, both inputs are exactly the model
length ``L`` long and the variant starts at index ``L // 2``::

    ref window: genome[p - L//2 : p] + REF + genome[p + len(REF) : ...]   (cut to L)
    alt window: genome[p - L//2 : p] + ALT + genome[p + len(REF) : ...]   (cut to L)

so for an indel the alternative window's right flank shifts (the window is re-centred on the
variant), and both windows are padded with ``N`` past a chromosome end. Both strands are always
averaged (the model's outputs for a window and its reverse complement), whatever the run was
trained with, and predictions are made in fp32 on any device: effects are small differences.

Effects (``<target>_delta``) are ``logit(p_alt) - logit(p_ref)`` (natural log-odds, with
probabilities clipped to ``[1e-6, 1 - 1e-6]``) for classifiers and ``alt - ref`` in the targets'
units for regression. A binary run reports its positive (last) class only; the other class's
log-odds effect is its negative. A profile run reports per track the predicted total count of
each allele over its output window (``<track>_ref``, ``<track>_alt``), their log2 fold change
``log2((1 + alt) / (1 + ref))`` (``<track>_log2fc``) and the Jensen-Shannon divergence of the two
predicted profiles (``<track>_jsd``; :mod:`seqconv.runs.profile_run`).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from seqconv.atomic import atomic_path
from seqconv.core.tasks import reported_targets
from seqconv.dna.encode import ALPHABET, BYTE_TO_CODE
from seqconv.dna.genome import Genome
from seqconv.dna.vcf import Variant, VcfReader, scan_vcf
from seqconv.errors import InputError
from seqconv.files import display_name, local_copy
from seqconv.outputs import check_output_file
from seqconv.progress import size_text, track
from seqconv.rundir import RUN_FILES
from seqconv.runs.dna_run import DnaRun
from seqconv.runs.load import load
from seqconv.validation import Rule, check_value

EPSILON = 1e-6
"""Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` before log-odds are taken."""
MAX_ALLELE = 50
"""Default longest REF or ALT allele scored, in bp (also at most half the model length)."""
MISMATCH = "REF differs from the genome"
PAST_END = "REF past the chromosome end"
MISSING_CHROM = "chromosome not in the genome"
SHOWN = 5


@dataclass
class AlleleWindows:
    """Model inputs for a batch of ``N`` variants.

    Attributes
    ----------
    ref, alt
        ``(N, L)`` uint8 codes, the variant starting at index ``L // 2`` in both.
    matches
        ``(N,)`` bool: the genome holds the VCF's REF (case-insensitive, IUPAC letters as such).
    past_end
        ``(N,)`` bool: REF reaches past the chromosome end.
    genome_ref
        ``(N,)`` the genome's bases under REF, as letters (for messages).
    edge
        ``(N,)`` bool: the windows reach past a chromosome end (padded with ``N``).
    """

    ref: np.ndarray
    alt: np.ndarray
    matches: np.ndarray
    past_end: np.ndarray
    genome_ref: list[str]
    edge: np.ndarray

    def subset(self, rows: np.ndarray) -> AlleleWindows:
        """The windows of ``rows`` (``(M,)`` indices)."""
        return AlleleWindows(
            self.ref[rows], self.alt[rows], self.matches[rows], self.past_end[rows],
            [self.genome_ref[i] for i in rows], self.edge[rows],
        )  # fmt: skip


def allele_windows(genome: Genome, variants: Sequence[Variant], length: int) -> AlleleWindows:
    """Reference and alternative windows of ``length`` bp centred on each variant.

    Every allele must be at most ``length - length // 2`` bp long (the reader's ``max_length``).

    Returns
    -------
    AlleleWindows
        ``(N, length)`` uint8 codes for both alleles, and the REF check.
    """
    half = length // 2
    n = len(variants)
    ref = np.empty((n, length), dtype=np.uint8)
    alt = np.empty((n, length), dtype=np.uint8)
    matches = np.zeros(n, dtype=bool)
    past_end = np.zeros(n, dtype=bool)
    edge = np.zeros(n, dtype=bool)
    genome_ref: list[str] = []
    for i, v in enumerate(variants):
        p, n_ref, n_alt = v.pos - 1, len(v.ref), len(v.alt)
        if n_alt > length - half:
            raise InputError(
                f"line {v.line}: ALT of {n_alt} bp does not fit in half of the model's {length} bp"
            )
        size = genome.sizes[v.chrom]
        # one read covers the reference window and the alternative's shifted right flank
        segment = genome.fetch(v.chrom, p - half, p + n_ref + length - half)
        ref[i] = segment[:length]
        under = segment[half : half + n_ref]
        alt[i, :half] = segment[:half]
        alt[i, half : half + n_alt] = BYTE_TO_CODE[np.frombuffer(v.alt.encode(), dtype=np.uint8)]
        alt[i, half + n_alt :] = segment[half + n_ref : half + n_ref + length - half - n_alt]
        wanted = BYTE_TO_CODE[np.frombuffer(v.ref.encode(), dtype=np.uint8)]
        matches[i] = np.array_equal(under, wanted)
        past_end[i] = p + n_ref > size
        genome_ref.append("".join(ALPHABET[c] for c in under))
        edge[i] = p - half < 0 or p + n_ref + length - half > size
    return AlleleWindows(ref, alt, matches, past_end, genome_ref, edge)


def log_odds(p: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))`` with ``p`` clipped to ``[1e-6, 1 - 1e-6]``, in float64."""
    p = np.clip(np.asarray(p, dtype=np.float64), EPSILON, 1.0 - EPSILON)
    return np.log(p) - np.log1p(-p)


def effect_targets(run: DnaRun) -> list[tuple[int, str]]:
    """``(output column, name)`` of each target reported: the positive (last) class of a binary
    run, every class or target otherwise."""
    names = run.target_names
    return [(names.index(name), name) for name in reported_targets(run.task, names)]


def effect_columns(run: DnaRun) -> list[str]:
    """The output's columns: ``chrom pos id ref alt`` then ``<t>_ref <t>_alt <t>_delta`` per
    reported target."""
    cols = ["chrom", "pos", "id", "ref", "alt"]
    if run.task == "profile":
        from seqconv.runs.profile_run import effect_columns as profile_columns

        return cols + profile_columns(run.target_names)
    for _, name in effect_targets(run):
        cols += [f"{name}_ref", f"{name}_alt", f"{name}_delta"]
    return cols


def predict_alleles(
    run: DnaRun, windows: AlleleWindows, batch_size: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Predictions for both alleles, averaged over both strands, in one pass on the run's device.

    Returns
    -------
    tuple
        ``(N, n_outputs)`` float32 predictions for the reference and the alternative windows
        (calibrated probabilities, or values in the targets' units).
    """
    from seqconv.core.predict import predict
    from seqconv.core.stores import CodesTensor

    n = windows.ref.shape[0]
    if n == 0:
        empty = np.zeros((0, len(run.target_names)), dtype=np.float32)
        return empty, empty
    inputs = CodesTensor(np.concatenate([windows.ref, windows.alt]), run.device)
    outputs = predict(run.model, inputs, batch_size=batch_size, rc_average=True, precision="fp32")
    values = run.values(outputs)
    return values[:n], values[n:]


def effect_table(
    run: DnaRun, variants: Sequence[Variant], ref: np.ndarray, alt: np.ndarray
) -> list[np.ndarray]:
    """The target columns of :func:`effect_columns`: ``<t>_ref``, ``<t>_alt``, ``<t>_delta``.

    Parameters
    ----------
    ref, alt
        ``(N, n_outputs)`` predictions for the two alleles (``(N, T, W)`` expected counts for
        a profile run).
    """
    if run.task == "profile":
        from seqconv.runs.profile_run import profile_effects

        return profile_effects(ref, alt)
    columns = []
    for index, _ in effect_targets(run):
        r, a = ref[:, index].astype(np.float64), alt[:, index].astype(np.float64)
        delta = a - r if run.task == "regression" else log_odds(a) - log_odds(r)
        columns += [r, a, delta]
    return columns


@dataclass
class VariantSummary:
    """What :func:`score_variants` did."""

    scored: int = 0
    records: int = 0
    skipped: Counter = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    missing_chroms: dict[str, int] = field(default_factory=dict)
    edge: int = 0
    seconds: float = 0.0
    max_length: int = MAX_ALLELE
    source: str = "the VCF"

    @property
    def rate(self) -> float:
        """Variants scored per second."""
        return self.scored / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """One line: scored, skipped by reason, variants/s."""
        text = f"scored {self.scored:,} variants ({self.rate:,.0f} variants/s)"
        total = sum(self.skipped.values())
        if total:
            text += f"; skipped {total:,}: {self.reasons()}"
        return text

    def reasons(self) -> str:
        """``2 symbolic ALT (<...>), 1 REF differs from the genome``: the reasons that happened."""
        return ", ".join(f"{n:,} {why}" for why, n in self.skipped.most_common() if n > 0)

    def notes(self) -> list[str]:
        """Details worth a user's attention: missing chromosomes, REF mismatches, edges."""
        out = []
        if not self.records:
            out.append(f"no variant records in {self.source}")
        if self.missing_chroms:
            names = sorted(self.missing_chroms, key=self.missing_chroms.get, reverse=True)
            shown = ", ".join(f"{c} ({self.missing_chroms[c]:,})" for c in names[:8])
            out.append(
                f"skipped the records of {len(names)} chromosome(s) not in the genome: {shown}"
                + (", …" if len(names) > 8 else "")
            )
        n_mismatch = self.skipped.get(MISMATCH, 0) + self.skipped.get(PAST_END, 0)
        if n_mismatch:
            share = n_mismatch / max(n_mismatch + self.scored, 1)
            hint = (
                "; are the VCF and the genome the same assembly?"
                if share > 0.1
                else "; --strict stops at them"
            )
            out.append(
                f"skipped {n_mismatch:,} variants whose REF is not the genome's, e.g. "
                + "; ".join(self.mismatches)
                + hint
            )
        if self.edge:
            out.append(f"{self.edge:,} windows reach past a chromosome end (padded with N)")
        return out


def _batches(reader: VcfReader, batch_size: int) -> Iterator[tuple[list[Variant], list[int]]]:
    """``(variants, record lines)`` in batches of about ``batch_size`` variants, cut between
    records (the progress bar counts record lines)."""
    variants: list[Variant] = []
    lines: list[int] = []
    for record in reader.lines():
        variants.extend(record)
        lines.append(len(lines))
        if len(variants) >= batch_size:
            yield variants, lines
            variants, lines = [], []
    if lines:
        yield variants, lines


def _describe_mismatches(
    variants: Sequence[Variant], windows: AlleleWindows, rows: np.ndarray, sizes: dict[str, int]
) -> list[str]:
    """``chrom:pos (line n) genome X, VCF REF Y`` for up to :data:`SHOWN` records of ``rows``
    (the alleles of one multi-allelic record once)."""
    out: list[str] = []
    seen: set[int] = set()
    for i in rows:
        v = variants[i]
        if v.line in seen:
            continue
        seen.add(v.line)
        if windows.past_end[i]:
            out.append(
                f"{v.chrom}:{v.pos} (line {v.line}) REF {v.ref} is past the end of {v.chrom} "
                f"({sizes[v.chrom]:,} bp)"
            )
        else:
            out.append(
                f"{v.chrom}:{v.pos} (line {v.line}) genome {windows.genome_ref[i]}, VCF REF {v.ref}"
            )
        if len(out) == SHOWN:
            break
    return out


def score_variants(
    run_dir: str | Path,
    vcf: str | Path,
    genome: str | Path,
    out: str | Path | TextIO | None = None,
    batch_size: int = 256,
    strict: bool = False,
    max_length: int = MAX_ALLELE,
    device: str = "cpu",
    progress: bool = True,
) -> VariantSummary:
    """Score every variant of a VCF with a run and write a TSV of effects, streaming.

    Parameters
    ----------
    run_dir
        A DNA run directory.
    vcf
        VCF, plain, gzip or bgzip (``-``: standard input).
    genome
        The reference FASTA (plain or bgzip) the VCF was called against.
    out
        Output TSV (written atomically), an open text stream, or ``None``/``-`` for standard
        output. Columns: see :func:`effect_columns`.
    batch_size
        Variants per batch: ``2 * batch_size`` inputs per forward pass (and as many again for
        the reverse strand).
    strict
        Stop with an :class:`InputError` at a REF that is not the genome's or a chromosome that
        is not in the genome, instead of skipping and counting them.
    max_length
        Longest REF or ALT allele scored (bp); at most half the model length is used.
    device
        ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
    progress
        Show a progress bar (on a terminal).

    Returns
    -------
    VariantSummary
        Counts scored and skipped by reason, REF mismatches, variants per second.

    Raises
    ------
    InputError
        Bad options or files, a malformed VCF line (its number named), no chromosome of the VCF
        in the genome, or (``strict``) a REF mismatch or a missing chromosome.
    """
    batch_size = check_value("batch_size", batch_size, Rule(int, low=1))
    max_length = check_value("max_length", max_length, Rule(int, low=1), "--max-indel")
    if isinstance(out, (str, Path)) or out is None:
        keep = [Path(run_dir) / name for name in RUN_FILES]
        out = check_output_file(out, [vcf, genome], keep=keep, example="effects.tsv")
    run = load(run_dir, device=device)
    if run.config["input"].get("kind") == "series":
        raise InputError(f"{run_dir}: trained on time series; variants need a DNA model")
    _check_batch(batch_size, run.length)
    name = display_name(vcf)
    reference = Genome(genome)
    vcf = local_copy(vcf, "a VCF file")  # read twice: a quick scan first
    scan = scan_vcf(vcf, name)
    present = [c for c in scan.records if c in reference.sizes]
    if strict or (scan.records and not present):
        reference.check_chromosomes(scan.records, name)
    summary = VariantSummary(records=sum(scan.records.values()), source=name)
    summary.max_length = min(max_length, run.length // 2)
    summary.missing_chroms = {c: n for c, n in scan.records.items() if c not in reference.sizes}
    reader = VcfReader(vcf, max_length=summary.max_length, name=name)
    if out is None or not isinstance(out, Path):
        _write(run, reference, reader, out or sys.stdout, batch_size, strict, summary, progress)
    else:
        with atomic_path(out) as tmp, open(tmp, "w") as handle:
            _write(run, reference, reader, handle, batch_size, strict, summary, progress)
    return summary


def _check_batch(batch_size: int, length: int) -> None:
    """A batch's windows (reference and alternative, both strands, one-hot in fp32) must fit in
    a quarter of the machine's memory."""
    from seqconv.dna.genome_labels import memory_bytes

    need = batch_size * 4 * length * (1 + 4 * 4)
    have = memory_bytes()
    if need > have / 4:
        raise InputError(
            f"--batch-size {batch_size:,} with a model of {length:,} bp needs about "
            f"{size_text(need)} per batch, and this machine has {size_text(have)}; use a "
            f"smaller --batch-size (e.g. {max(int(have / 4 / (need / batch_size)), 1):,})"
        )


def _write(
    run: DnaRun,
    genome: Genome,
    reader: VcfReader,
    handle: TextIO,
    batch_size: int,
    strict: bool,
    summary: VariantSummary,
    progress: bool,
) -> None:
    start = time.perf_counter()
    handle.write("\t".join(effect_columns(run)) + "\n")
    batches: Iterable = track(
        _batches(reader, batch_size), summary.records, "scoring variants", progress
    )
    for variants, _ in batches:
        kept = [v for v in variants if v.chrom in genome.sizes]
        if len(kept) < len(variants):
            summary.skipped[MISSING_CHROM] += len(variants) - len(kept)
        windows = allele_windows(genome, kept, run.length)
        bad = np.flatnonzero(~windows.matches)
        if bad.size:
            described = _describe_mismatches(kept, windows, bad, genome.sizes)
            if strict:
                raise InputError(
                    f"{reader.name}: REF does not match the genome {genome.path.name}: "
                    f"{'; '.join(described)}; check that the VCF and the genome are the same "
                    "assembly (without --strict such variants are skipped and counted)"
                )
            summary.mismatches.extend(described[: SHOWN - len(summary.mismatches)])
            for reason, count in ((PAST_END, windows.past_end[bad].sum()),
                                  (MISMATCH, (~windows.past_end[bad]).sum())):  # fmt: skip
                if count:
                    summary.skipped[reason] += int(count)
            good = np.flatnonzero(windows.matches)
            kept = [kept[i] for i in good]
            windows = windows.subset(good)
        summary.edge += int(windows.edge.sum())
        if kept:
            ref, alt = predict_alleles(run, windows, batch_size=2 * batch_size)
            _write_rows(handle, kept, effect_table(run, kept, ref, alt))
        summary.scored += len(kept)
    for reason, n in reader.skipped.items():
        if n:
            summary.skipped[reason] += n
    summary.seconds = time.perf_counter() - start
    if not summary.records:
        raise InputError(f"{reader.name}: no variant records (only header lines); nothing to score")
    if not summary.scored:
        notes = "; ".join(summary.notes())
        raise InputError(
            f"{reader.name}: none of its {summary.records:,} variant record(s) could be scored "
            f"({summary.reasons()}){': ' + notes if notes else ''}"
        )


def _write_rows(handle: TextIO, variants: Sequence[Variant], columns: list[np.ndarray]) -> None:
    """TSV rows, numbers with 6 significant digits."""
    numbers = np.column_stack(columns)
    lines = []
    for v, row in zip(variants, numbers, strict=True):
        values = "\t".join(f"{x:.6g}" for x in row)
        lines.append(f"{v.chrom}\t{v.pos}\t{v.id}\t{v.ref}\t{v.alt}\t{values}\n")
    handle.write("".join(lines))
