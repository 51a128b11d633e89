"""Variants from a VCF file (plain, gzip or bgzip), streamed line by line with constant memory.

Only the first five columns are read (``CHROM POS ID REF ALT``); samples, filters and INFO are
ignored. A multi-allelic record becomes one :class:`Variant` per alternative allele. Alleles that
cannot be scored as a sequence are skipped and counted by reason: symbolic alleles (``<DEL>``),
the spanning deletion ``*``, breakends (``A[chr2:10[``, ``.A``), a missing ALT (``.``) and alleles
longer than ``max_length``. A line that is not VCF stops with an :class:`InputError` naming the
file and the line number.

>>> reader = VcfReader("calls.vcf.gz", max_length=50)          # doctest: +SKIP
>>> for line_variants in reader.lines(): ...                     # doctest: +SKIP
>>> reader.skipped                                               # doctest: +SKIP
Counter({'symbolic ALT (<...>)': 3})
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from seqconv.errors import InputError
from seqconv.files import display_name, open_input

ALLELE = re.compile(r"[ACGTRYSWKMBDHVN]+", re.IGNORECASE)
"""What a sequence allele may hold: nucleotides and IUPAC codes, either case."""
SYMBOLIC = "symbolic ALT (<...>)"
SPANNING = "spanning deletion (ALT *)"
BREAKEND = "breakend ALT"
MISSING = "no ALT (.)"
SAME = "ALT equals REF"
LONG = "allele longer than {} bp"
KIND = "a VCF file (plain, gzip or bgzip)"


class Variant(NamedTuple):
    """One alternative allele of a VCF record.

    ``pos`` is 1-based, as in the VCF; ``ref`` and ``alt`` are upper case; ``line`` is the line
    number in the file (for messages).
    """

    chrom: str
    pos: int
    id: str
    ref: str
    alt: str
    line: int


class VcfScan(NamedTuple):
    """What a first quick pass over a VCF finds: record lines per chromosome and allele count."""

    records: Counter
    alleles: int


def _skip_reason(ref: str, alt: str, max_length: int) -> str | None:
    """Why ``alt`` cannot be scored as a sequence, or None when it can."""
    if alt.startswith("<"):
        return SYMBOLIC
    if alt == "*":
        return SPANNING
    if alt == ".":
        return MISSING
    if "[" in alt or "]" in alt or alt.startswith(".") or alt.endswith("."):
        return BREAKEND
    if max(len(ref), len(alt)) > max_length:
        return LONG.format(max_length)
    return None


class VcfReader:
    """Stream the variants of a VCF file.

    Parameters
    ----------
    path
        VCF, plain or gzip/bgzip-compressed (detected from its bytes); ``-`` for standard input.
    max_length
        Longest REF or ALT allele scored (in bp); longer ones are skipped and counted.
    name
        How messages name the file (default: ``path``; a spooled copy of a stream names the
        stream).

    Attributes
    ----------
    skipped
        Alleles skipped so far, by reason.
    records
        Record lines read so far.
    """

    def __init__(self, path: str | Path, max_length: int = 50, name: str | None = None) -> None:
        if max_length < 1:
            raise InputError(f"the longest allele must be at least 1 bp, not {max_length}")
        self.path = path
        self.name = name or display_name(path)
        self.max_length = max_length
        self.skipped: Counter = Counter()
        self.records = 0

    def __iter__(self) -> Iterator[Variant]:
        for variants in self.lines():
            yield from variants

    def lines(self) -> Iterator[list[Variant]]:
        """The scorable variants of each record line, one list per line (empty when every
        allele of the line was skipped)."""
        for number, fields in _records(self.path, self.name):
            chrom, pos, vid, ref, alts = self._parse(fields, number)
            self.records += 1
            variants = []
            for alt in alts.split(","):
                alt_upper = alt.upper()
                reason = _skip_reason(ref, alt_upper, self.max_length)
                if reason is None and not ALLELE.fullmatch(alt_upper):
                    raise InputError(
                        f"{self.name}, line {number}: ALT allele {alt!r} is neither a sequence "
                        "(A, C, G, T, N, IUPAC codes) nor symbolic (<DEL>, *, a breakend)"
                    )
                if reason is None and alt_upper == ref:
                    reason = SAME
                if reason is not None:
                    self.skipped[reason] += 1
                    continue
                variants.append(Variant(chrom, pos, vid, ref, alt_upper, number))
            yield variants

    def _parse(self, fields: list[str], number: int) -> tuple[str, int, str, str, str]:
        where = f"{self.name}, line {number}"
        chrom, pos_text, vid, ref, alts = fields[:5]
        if not chrom:
            raise InputError(f"{where}: empty CHROM column")
        try:
            pos = int(pos_text)
        except ValueError:
            raise InputError(
                f"{where}: POS {pos_text!r} is not a whole number (columns: CHROM POS ID REF ALT "
                "..., separated by tabs)"
            ) from None
        if pos < 1:
            raise InputError(f"{where}: POS {pos} is not a 1-based position (>= 1)")
        ref = ref.upper()
        if not ALLELE.fullmatch(ref):
            raise InputError(
                f"{where}: REF {fields[3]!r} is not a sequence of bases (A, C, G, T, N, IUPAC)"
            )
        if not alts:
            raise InputError(f"{where}: empty ALT column (a missing ALT is written '.')")
        return chrom, pos, vid, ref, alts


def _records(path: str | Path, name: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, tab-separated fields)`` of each record line (headers and blank lines
    skipped); lines with fewer than five columns are refused here."""
    seen_any = False
    with open_input(path, KIND) as handle:
        for number, raw in enumerate(handle, start=1):
            seen_any = True
            if raw.startswith(b"#") or not raw.strip():
                continue
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                raise InputError(
                    f"{name}, line {number}: not UTF-8 text; is this a binary file rather than "
                    "a VCF?"
                ) from None
            fields = line.split("\t")
            if len(fields) < 5:
                words = line.split()
                hint = ""
                if line.startswith((">", "@")):
                    hint = "; this looks like a FASTA/FASTQ file, not a VCF"
                elif "\t" not in line and len(words) >= 5 and words[1].isdigit():
                    hint = "; VCF columns are separated by tabs, not spaces"
                raise InputError(
                    f"{name}, line {number}: {len(fields)} column(s), expected at least 5 "
                    f"(CHROM POS ID REF ALT){hint}"
                )
            yield number, fields
    if not seen_any:
        raise InputError(f"{name}: empty file, expected {KIND}")


def scan_vcf(path: str | Path, name: str | None = None) -> VcfScan:
    """Count record lines per chromosome and alternative alleles, reading only the first five
    columns: a quick first pass (parsing is far cheaper than scoring) that finds chromosomes
    missing from a genome before any work and gives progress bars their total.

    ``path`` must be readable twice: pass a regular file, or the result of
    :func:`seqconv.files.local_copy` for a stream.
    """
    records: Counter = Counter()
    alleles = 0
    for _, fields in _records(path, name or display_name(path)):
        records[fields[0]] += 1
        alleles += fields[4].count(",") + 1
    return VcfScan(records, alleles)
