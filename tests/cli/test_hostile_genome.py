"""Hostile and careless inputs to the genome commands (``train --bed``, ``predict --bed``,
``scan``, ``variants``, ``evaluate --bed``, ``--resume`` of runs, segment tables): every one gets
one clear line (exit 2) or a valid result with what was skipped counted (exit 0) — never a
traceback, an internal error, a hang, an empty file passed off as a result, or a changed input.

The sibling of ``test_hostile_inputs.py`` (FASTA, tables, options). Each case is a function
``(ws, tmp, mp) -> argv`` or ``(argv, check)``, registered with its exit code and a pattern its
output must match; ``mp`` is pytest's ``monkeypatch`` (bounds scaled down to a tiny genome).
Every input file of a case is hashed before and after it runs: nothing a user gave may change
(indexes rebuilt beside a genome are seqconv's own). Run with ``SEQCONV_CORPUS_LOG=FILE`` to
write the table of ``docs/bad_inputs.md`` again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "genome"))
from genome_fixtures import rewrite, write_genome, write_peaks  # noqa: E402

from seqconv.cli import app  # noqa: E402

runner = CliRunner()
TINY = ["--arch", "deepbind", "-O", "filters=8", "-O", "kernel_size=12", "-O", "hidden=8",
        "--batch-size", "32", "--epochs", "1", "--quiet"]  # fmt: skip
LENGTH = 100
CHROMS = {f"chr{i}": 20_000 for i in range(1, 10)}
CASES = []
TRAINED = r"\A"
"""The pattern of a valid run (the runner checks that config.json and the model were written)."""


def case(code: int, pattern: str):
    """Register a case: its exit ``code`` and a regex its output must match."""

    def register(build):
        CASES.append(pytest.param(build, code, pattern, id=build.__name__))
        return build

    return register


def invoke(*args, stdin: str | None = None):
    result = runner.invoke(app, [str(a) for a in args], input=stdin)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


def write_fasta(path: Path, seqs: dict[str, str], width: int = 60, newline: str = "\n") -> Path:
    lines = []
    for name, seq in seqs.items():
        lines.append(f">{name}")
        lines.extend(seq[i : i + width] for i in range(0, len(seq), width))
    path.write_text(newline.join(lines) + newline)
    return path


def bgzip(source: Path, target: Path) -> Path:
    from Bio import bgzf

    with bgzf.BgzfWriter(str(target), "wb") as out:
        out.write(source.read_bytes())
    return target


def write_bigwig(path: Path, fill=None, value=None) -> Path:
    """A bigWig over CHROMS: random signal, or ``value`` everywhere; ``fill(values)`` edits it."""
    import pyBigWig

    rng = np.random.default_rng(5)
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader(list(CHROMS.items()))
    for chrom, size in CHROMS.items():
        values = rng.random(size // 50) if value is None else np.full(size // 50, value)
        if fill is not None:
            values = fill(values)
        bw.addEntries(chrom, 0, values=values.astype(float).tolist(), span=50, step=50)
    bw.close()
    return path


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> SimpleNamespace:
    """A tiny genome (9 chromosomes of 20 kb), peaks on it, a run trained from them, a VCF, a
    bigWig and a bgzip copy; read-only for the cases (they copy what they change)."""
    root = tmp_path_factory.mktemp("genome_ws")
    w = SimpleNamespace(root=root)
    seqs = write_genome(root / "g.fa", CHROMS, seed=7)
    w.peaks, w.seqs = write_peaks(root / "peaks.narrowPeak", seqs, n=90)
    w.genome = rewrite(root / "g.fa", w.seqs)
    w.bed = root / "regions.bed"
    w.bed.write_text("chr8\t1000\t1200\nchr8\t15000\t15200\nchr9\t500\t700\n")
    w.run = root / "run"
    result = invoke("train", "--bed", w.peaks, "--genome", w.genome, "--length", LENGTH,
                    "--out", w.run, *TINY)  # fmt: skip
    assert result.exit_code == 0, result.output
    w.reference = root / "reference.tsv"
    assert invoke("predict", "--run", w.run, "--bed", w.bed, "--genome", w.genome,
                  "--out", w.reference).exit_code == 0  # fmt: skip
    w.vcf = root / "v.vcf"
    w.vcf.write_text(vcf_text(w.seqs, [("chr8", 15101, "v1"), ("chr9", 600, "v2")]))
    w.bigwig = write_bigwig(root / "signal.bw")
    peak_lines = w.peaks.read_text().splitlines()
    w.bed_lines = lambda: ["\t".join(line.split("\t")[:3]) for line in peak_lines]
    return w


def vcf_text(seqs: dict[str, str], sites, alt: str | None = None) -> str:
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    for chrom, pos, vid in sites:
        ref = seqs[chrom][pos - 1]
        lines.append(
            f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt or ('A' if ref != 'A' else 'C')}\t.\t.\t."
        )
    return "\n".join(lines) + "\n"


def genome_copy(ws, tmp, name: str = "g.fa") -> Path:
    """A private copy of the genome (indexed on first use)."""
    return Path(shutil.copy(ws.genome, tmp / name))


def predict(ws, tmp, genome=None, bed=None, *extra):
    return ["predict", "--run", ws.run, "--bed", bed or ws.bed, "--genome", genome or ws.genome,
            "--out", tmp / "p.tsv", *extra]  # fmt: skip


def train(ws, tmp, *extra, bed=None, genome=None):
    return ["train", "--bed", bed or ws.peaks, "--genome", genome or ws.genome, "--length",
            LENGTH, "--out", tmp / "r", *TINY, *extra]  # fmt: skip


def same_as_reference(ws, tmp):
    def check():
        got = pd.read_csv(tmp / "p.tsv", sep="\t")
        want = pd.read_csv(ws.reference, sep="\t")
        assert got["id"].tolist() == want["id"].tolist()
        np.testing.assert_allclose(got["peaks"], want["peaks"], atol=1e-5)

    return check


def nothing_written(path: Path):
    def check():
        assert not path.exists(), f"{path} was written"

    return check


def edited_genome(ws, tmp, edit, name: str = "g.fa") -> Path:
    """The genome with ``edit(seqs)`` applied (a dict of chromosome to sequence)."""
    seqs = dict(ws.seqs)
    edit(seqs)
    return write_fasta(tmp / name, seqs)


def bed_file(tmp: Path, text: str, name: str = "x.bed") -> Path:
    path = tmp / name
    path.write_text(text)
    return path


# --- the genome FASTA --------------------------------------------------------------------------


@case(2, r"missing.fa: no such genome file")
def genome_missing(ws, tmp, mp):
    return predict(ws, tmp, genome=tmp / "missing.fa")


@case(2, r"is a directory, expected a genome FASTA")
def genome_is_a_directory(ws, tmp, mp):
    return predict(ws, tmp, genome=tmp)


@case(2, r"empty.fa: empty file, expected a genome FASTA")
def genome_empty_file(ws, tmp, mp):
    (tmp / "empty.fa").write_text("")
    return predict(ws, tmp, genome=tmp / "empty.fa")


@case(2, r"pipe.fa: a pipe \(FIFO\), but a genome is read at random .*save the stream to a file")
def genome_from_a_fifo(ws, tmp, mp):
    os.mkfifo(tmp / "pipe.fa")  # nobody writes: the command must not wait for a writer
    return predict(ws, tmp, genome=tmp / "pipe.fa")


@case(2, r"pipe.fa: a pipe \(FIFO\)")
def scan_genome_from_a_fifo(ws, tmp, mp):
    os.mkfifo(tmp / "pipe.fa")
    return ["scan", "--run", ws.run, "--genome", tmp / "pipe.fa", "--out", tmp / "t.bedgraph"]


@case(2, r"plain gzip, which cannot be read at random; recompress it with bgzip")
def genome_plain_gzip(ws, tmp, mp):
    (tmp / "g.fa.gz").write_bytes(gzip.compress(ws.genome.read_bytes()))
    return predict(ws, tmp, genome=tmp / "g.fa.gz")


@case(0, r"3 predictions written")
def genome_bgzip(ws, tmp, mp):
    return predict(ws, tmp, bgzip(ws.genome, tmp / "g.fa.gz")), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def genome_bgzip_named_bgz(ws, tmp, mp):
    return predict(ws, tmp, bgzip(ws.genome, tmp / "g.fa.bgz")), same_as_reference(ws, tmp)


@case(2, r"compressed with bgzip, but its name does not end in .gz; rename it")
def genome_bgzip_without_gz_name(ws, tmp, mp):
    return predict(ws, tmp, bgzip(ws.genome, tmp / "g.fa"))


@case(2, r"named .gz but not compressed")
def genome_named_gz_not_compressed(ws, tmp, mp):
    return predict(ws, tmp, Path(shutil.copy(ws.genome, tmp / "g.fa.gz")))


@case(0, r"g.fa.fai did not describe g.fa .*rebuilt it")
def genome_stale_index_other_line_width(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))  # indexes it
    write_fasta(genome, ws.seqs, width=70)
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"g.fa.fai did not describe g.fa .*rebuilt it")
def genome_stale_index_same_width_other_order(ws, tmp, mp):
    """The silent case: the same line width, chromosomes in another order, the index newer."""
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    write_fasta(genome, dict(reversed(list(ws.seqs.items()))))
    os.utime(genome, (1, 1))  # the FASTA looks older than its index
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"g.fa.fai did not describe g.fa .*rebuilt it")
def genome_stale_index_one_chromosome_longer(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    write_fasta(genome, {**ws.seqs, "chr1": ws.seqs["chr1"] + "ACGT" * 30})
    os.utime(genome, (1, 1))
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"did not describe g.fa .*rebuilt it")
def genome_foreign_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    other = write_genome(tmp / "other.fa", {"chrA": 5000, "chrB": 7000})
    assert other
    invoke("predict", "--run", ws.run, "--bed", bed_file(tmp, "chrA\t0\t100\n", "a.bed"),
           "--genome", tmp / "other.fa", "--out", tmp / "o.tsv")  # fmt: skip
    shutil.copy(tmp / "other.fa.fai", tmp / "g.fa.fai")
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"did not describe g.fa .*rebuilt it")
def genome_index_garbage(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    (tmp / "g.fa.fai").write_text("this is not\tan index\n")
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"did not describe g.fa .*rebuilt it")
def genome_index_truncated(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    lines = (tmp / "g.fa.fai").read_text().splitlines()
    (tmp / "g.fa.fai").write_text("\n".join(lines[:4]) + "\n")
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"did not describe g.fa .*rebuilt it")
def genome_index_empty(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    (tmp / "g.fa.fai").write_text("")
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"did not describe g.fa.gz .*rebuilt it")
def genome_bgzip_rewritten_after_indexing(ws, tmp, mp):
    genome = bgzip(ws.genome, tmp / "g.fa.gz")
    invoke(*predict(ws, tmp, genome))
    bgzip(write_fasta(tmp / "wide.fa", ws.seqs, width=80), genome)
    os.utime(genome, (1, 1))
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"did not describe g.fa.gz .*rebuilt it")
def genome_bgzip_stale_gzi(ws, tmp, mp):
    """The .fai still fits (same text), the .gzi is another compression's."""
    genome = bgzip(ws.genome, tmp / "g.fa.gz")
    invoke(*predict(ws, tmp, genome))
    from Bio import bgzf

    with bgzf.BgzfWriter(str(genome), "wb", compresslevel=1) as out:  # other block sizes
        data = ws.genome.read_bytes()
        for i in range(0, len(data), 1000):
            out.write(data[i : i + 1000])
            out.flush()
    os.utime(genome, (1, 1))
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(2, r"g.fa.fai.*(is a directory|cannot)")
def genome_index_is_a_directory(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    (tmp / "g.fa.fai").mkdir()
    return predict(ws, tmp, genome)


@case(2, r"does not describe .* cannot be rebuilt here \(permission denied\); rebuild it with "
         r"samtools faidx")  # fmt: skip
def genome_stale_index_in_a_read_only_folder(ws, tmp, mp):
    if os.geteuid() == 0:
        pytest.skip("root writes in read-only folders")
    folder = tmp / "ro"
    folder.mkdir()
    genome = genome_copy(ws, folder)
    invoke(*predict(ws, tmp, genome))
    write_fasta(genome, ws.seqs, width=70)
    folder.chmod(0o555)
    return predict(ws, tmp, genome), lambda: folder.chmod(0o755)


@case(2, r"garbage.fa, line 1: not a FASTA header \('>name'\) where the first sequence should "
         r"begin; is this a FASTA file\?")  # fmt: skip
def genome_binary_garbage(ws, tmp, mp):
    (tmp / "garbage.fa").write_bytes(bytes(range(256)) * 50)
    return predict(ws, tmp, genome=tmp / "garbage.fa")


@case(2, r"reads.fq, line 1: not a FASTA header .*is this a FASTA file\?")
def genome_is_fastq(ws, tmp, mp):
    (tmp / "reads.fq").write_text("@r1\nACGT\n+\nIIII\n")
    return predict(ws, tmp, genome=tmp / "reads.fq")


@case(2, r"ragged.fa, line 6: a line of another width inside >chr1 .*rewrap it")
def genome_ragged_line_widths(ws, tmp, mp):
    lines = ws.genome.read_text().splitlines()
    lines[5] = lines[5][:30]
    (tmp / "ragged.fa").write_text("\n".join(lines) + "\n")
    return predict(ws, tmp, genome=tmp / "ragged.fa")


@case(2, r"dup.fa: the chromosome name 'chr8' occurs twice")
def genome_duplicate_chromosome(ws, tmp, mp):
    text = ws.genome.read_text()
    (tmp / "dup.fa").write_text(text + ">chr8\nACGTACGT\n")
    return predict(ws, tmp, genome=tmp / "dup.fa")


@case(0, r"3 predictions written")
def genome_windows_line_endings(ws, tmp, mp):
    genome = write_fasta(tmp / "crlf.fa", ws.seqs, newline="\r\n")
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def genome_soft_masked_lowercase(ws, tmp, mp):
    genome = write_fasta(tmp / "lower.fa", {k: v.lower() for k, v in ws.seqs.items()})
    return predict(ws, tmp, genome), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def genome_without_final_newline(ws, tmp, mp):
    (tmp / "nonl.fa").write_text(ws.genome.read_text().rstrip("\n"))
    return predict(ws, tmp, tmp / "nonl.fa"), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def genome_with_descriptions_and_comments(ws, tmp, mp):
    text = ws.genome.read_text().replace(">chr8", ">chr8 assembled chromosome 8 len=20000")
    (tmp / "desc.fa").write_text(";a comment before the first record\n" + text)
    return predict(ws, tmp, tmp / "desc.fa"), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def genome_with_iupac_and_odd_letters(ws, tmp, mp):
    def edit(seqs):
        seqs["chr1"] = "RYKM*-" * 10 + seqs["chr1"][60:]

    return predict(ws, tmp, edited_genome(ws, tmp, edit)), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def genome_with_an_empty_record(ws, tmp, mp):
    (tmp / "e.fa").write_text(">chr0\n" + ws.genome.read_text())
    return predict(ws, tmp, tmp / "e.fa"), same_as_reference(ws, tmp)


@case(2, r"loop.fa: cannot follow it .*a symbolic link loop\?")
def genome_symlink_loop(ws, tmp, mp):
    os.symlink(tmp / "loop.fa", tmp / "loop.fa")
    return predict(ws, tmp, genome=tmp / "loop.fa")


@case(0, r"3 predictions written")
def genome_through_a_symlink(ws, tmp, mp):
    (tmp / "link").mkdir()
    os.symlink(genome_copy(ws, tmp), tmp / "link" / "g.fa")
    return predict(ws, tmp, tmp / "link" / "g.fa"), same_as_reference(ws, tmp)


@case(2, r"2 chromosome name\(s\) not in the genome g.fa: 8, 9 .*add the 'chr' prefix")
def genome_names_without_chr(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "8\t100\t300\n9\t100\t300\n"))


@case(2, r"not in the genome ens.fa: chr8 .*drop the 'chr' prefix")
def genome_names_with_chr_against_ensembl(ws, tmp, mp):
    genome = write_fasta(tmp / "ens.fa", {k[3:]: v for k, v in ws.seqs.items()})
    return predict(ws, tmp, genome, bed_file(tmp, "chr8\t100\t300\n"))


@case(2, r"not in the genome g.fa: chr_8 .*did you mean 'chr8'\?")
def genome_name_typo(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr_8\t100\t300\n"))


@case(0, r"note: g.fa.fai did not describe")
def variants_on_a_stale_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    write_fasta(genome, ws.seqs, width=50)
    return ["variants", "--run", ws.run, "--vcf", ws.vcf, "--genome", genome, "--out",
            tmp / "e.tsv"]  # fmt: skip


@case(0, r"note: g.fa.fai did not describe")
def scan_on_a_stale_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    write_fasta(genome, ws.seqs, width=50)
    return ["scan", "--run", ws.run, "--genome", genome, "--regions", ws.bed, "--out",
            tmp / "t.bedgraph"]  # fmt: skip


@case(0, r"note: g.fa.fai did not describe")
def train_on_a_stale_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    write_fasta(genome, ws.seqs, width=50)
    return train(ws, tmp, genome=genome)


# --- BED and narrowPeak files --------------------------------------------------------------------


@case(2, r"missing.bed: no such file")
def bed_missing(ws, tmp, mp):
    return predict(ws, tmp, bed=tmp / "missing.bed")


@case(2, r"is a directory, expected a BED file")
def bed_is_a_directory(ws, tmp, mp):
    return predict(ws, tmp, bed=tmp)


@case(2, r"x.bed: no intervals \(empty, or only header/track lines\)")
def bed_empty(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, ""))


@case(2, r"x.bed: no intervals")
def bed_only_track_and_comment_lines(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "track name=x\nbrowser position chr1\n# c\n\n"))


@case(2, r"x.bed, line 2: a BED line needs at least 3 columns")
def bed_two_columns(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t100\t300\nchr8\t400\n"))


@case(2, r"x.bed, line 1: start 'abc' is not a non-negative integer")
def bed_start_not_a_number(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\tabc\t300\n"))


@case(2, r"x.bed, line 1: start '-5' is not a non-negative integer")
def bed_negative_start(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t-5\t300\n"))


@case(2, r"x.bed, line 2: end 100 is not after start 300 \(BED is 0-based, half-open\)")
def bed_end_before_start(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t1\t30\nchr8\t300\t100\n"))


@case(2, r"x.bed, line 1: end 300 is not after start 300")
def bed_zero_length_interval(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t300\t300\n"))


@case(2, r"x.bed, line 1: start '100.5' is not a non-negative integer")
def bed_fractional_coordinate(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t100.5\t300\n"))


@case(2, r"x.bed, line 1: end '1e20' is not a non-negative integer \(at most")
def bed_astronomical_coordinate(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t100\t1e20\n"))


@case(2, r"x.bed, line 1: start 'start' is not a position: a header line\? start it with '#'")
def bed_header_line_without_hash(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chrom\tstart\tend\nchr8\t100\t300\n"))


@case(2, r"bin.bed, line 1: not UTF-8 text")
def bed_binary_garbage(ws, tmp, mp):
    (tmp / "bin.bed").write_bytes(b"\xff\xfe\x00\x01chr8\t1\t5\n")
    return predict(ws, tmp, bed=tmp / "bin.bed")


@case(0, r"3 predictions written")
def bed_gzipped(ws, tmp, mp):
    (tmp / "r.bed.gz").write_bytes(gzip.compress(ws.bed.read_bytes()))
    return predict(ws, tmp, bed=tmp / "r.bed.gz"), same_as_reference(ws, tmp)


@case(2, r"cut.bed.gz: corrupt or truncated gzip data")
def bed_gzip_truncated(ws, tmp, mp):
    data = gzip.compress(ws.peaks.read_bytes())
    (tmp / "cut.bed.gz").write_bytes(data[: len(data) // 2])
    return predict(ws, tmp, bed=tmp / "cut.bed.gz")


@case(0, r"3 predictions written")
def bed_spaces_instead_of_tabs(ws, tmp, mp):
    bed = bed_file(tmp, ws.bed.read_text().replace("\t", "  "))
    return predict(ws, tmp, bed=bed), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def bed_windows_line_endings(ws, tmp, mp):
    bed = bed_file(tmp, ws.bed.read_text().replace("\n", "\r\n"))
    return predict(ws, tmp, bed=bed), same_as_reference(ws, tmp)


@case(0, r"3 predictions written")
def bed_with_a_byte_order_mark(ws, tmp, mp):
    bed = bed_file(tmp, "\ufeff" + ws.bed.read_text())
    return predict(ws, tmp, bed=bed), same_as_reference(ws, tmp)


@case(0, r"^id\tbackground\tpeaks\tprediction")
def bed_from_standard_input(ws, tmp, mp):
    return ["predict", "--run", ws.run, "--bed", "-", "--genome", ws.genome]


@case(0, r"3 predictions written")
def bed_from_a_fifo(ws, tmp, mp):
    fifo = tmp / "pipe.bed"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as handle:
            handle.write(ws.bed.read_bytes())

    threading.Thread(target=feed, daemon=True).start()
    return predict(ws, tmp, bed=fifo), same_as_reference(ws, tmp)


@case(2, r"x.bed: all 2 intervals start past the end of their chromosome \(line 1: "
         r"chr8:900000, the chromosome has 20,000 bp\); is g.fa the genome")  # fmt: skip
def bed_every_interval_past_the_end(ws, tmp, mp):
    bed = bed_file(tmp, "chr8\t900000\t900200\nchr9\t800000\t800100\n")
    return predict(ws, tmp, bed=bed), nothing_written(tmp / "p.tsv")


@case(0, r"1 interval\(s\) of .*x.bed start past the end .*line 2: chr8:90000.*skipped")
def bed_some_intervals_past_the_end(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t1000\t1200\nchr8\t90000\t90100\n"))


@case(0, r"1 windows reach past a chromosome end: padded with N")
def bed_window_past_the_end_is_padded_and_counted(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t1000\t1200\nchr8\t19990\t20000\n"))


@case(0, r"1 windows reach past a chromosome end: padded with N")
def bed_window_at_position_zero(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t0\t10\n"))


@case(0, r"1 windows are entirely unknown bases \(N")
def bed_region_in_an_assembly_gap(ws, tmp, mp):
    def edit(seqs):
        seqs["chr8"] = seqs["chr8"][:5000] + "N" * 2000 + seqs["chr8"][7000:]

    return predict(ws, tmp, edited_genome(ws, tmp, edit), bed_file(tmp, "chr8\t5900\t6000\n"))


@case(0, r"4 predictions written")
def bed_duplicate_lines(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, ws.bed.read_text() + "chr8\t1000\t1200\n"))


@case(0, r"3 predictions written")
def bed_lines_with_different_column_counts(ws, tmp, mp):
    text = "chr8\t1000\t1200\tp1\t5\t+\nchr8\t15000\t15200\nchr9\t500\t700\tp3\n"
    return predict(ws, tmp, bed=bed_file(tmp, text)), same_as_reference(ws, tmp)


@case(2, r"loop.bed: cannot follow it .*a symbolic link loop\?")
def bed_symlink_loop(ws, tmp, mp):
    os.symlink(tmp / "loop.bed", tmp / "loop.bed")
    return predict(ws, tmp, bed=tmp / "loop.bed")


@case(2, r"x.narrowPeak, line 91: 4 columns, but this is a narrowPeak file \(10 columns; the 10th "
         r"is the summit's offset")  # fmt: skip
def narrowpeak_last_line_with_4_columns(ws, tmp, mp):
    bed = bed_file(tmp, ws.peaks.read_text() + "chr1\t100\t300\tx\n", "x.narrowPeak")
    return predict(ws, tmp, bed=bed), nothing_written(tmp / "p.tsv")


@case(2, r"x.narrowPeak, line 2: summit offset 'top' is not a position inside the peak")
def narrowpeak_summit_not_a_number(ws, tmp, mp):
    rows = "chr8\t1000\t1200\tp\t5\t.\t1\t1\t1\t100\nchr8\t2000\t2200\tp\t5\t.\t1\t1\t1\ttop\n"
    return predict(ws, tmp, bed=bed_file(tmp, rows, "x.narrowPeak"))


@case(2, r"x.narrowPeak, line 1: summit offset '500' is not a position inside the peak \(0 to 199")
def narrowpeak_summit_past_the_peak(ws, tmp, mp):
    rows = "chr8\t1000\t1200\tp\t5\t.\t1\t1\t1\t500\n"
    return predict(ws, tmp, bed=bed_file(tmp, rows, "x.narrowPeak"))


@case(2, r"x.narrowPeak, line 1: summit offset '-7' is not a position")
def narrowpeak_summit_negative(ws, tmp, mp):
    rows = "chr8\t1000\t1200\tp\t5\t.\t1\t1\t1\t-7\n"
    return predict(ws, tmp, bed=bed_file(tmp, rows, "x.narrowPeak"))


@case(0, r"2 predictions written")
def narrowpeak_summits_place_the_windows(ws, tmp, mp):
    rows = "chr8\t1000\t1200\tp\t5\t.\t1\t1\t1\t-1\nchr8\t14900\t15400\tp\t5\t.\t1\t1\t1\t200\n"
    bed = bed_file(tmp, rows, "x.narrowPeak")

    def check():  # the summit at 15100 and the centre of 1000-1200: the reference's windows
        got = pd.read_csv(tmp / "p.tsv", sep="\t")["peaks"].to_numpy()
        want = pd.read_csv(ws.reference, sep="\t")["peaks"].to_numpy()[:2]
        np.testing.assert_allclose(got, want, atol=1e-5)

    return predict(ws, tmp, bed=bed), check


@case(0, r"1 predictions written")
def narrowpeak_columns_in_a_bed_file(ws, tmp, mp):
    rows = "chr8\t14900\t15400\tp\t5\t.\t1\t1\t1\t200\n"
    bed = bed_file(tmp, rows, "peaks.bed")

    def check():
        got = pd.read_csv(tmp / "p.tsv", sep="\t")["peaks"].iloc[0]
        assert got == pytest.approx(pd.read_csv(ws.reference, sep="\t")["peaks"].iloc[1], abs=1e-5)

    return predict(ws, tmp, bed=bed), check


@case(0, r"3 predictions written")
def narrowpeak_name_on_a_bed6_file(ws, tmp, mp):
    text = "".join(f"{line}\tp\t0\t+\n" for line in ws.bed.read_text().splitlines())
    return predict(ws, tmp, bed=bed_file(tmp, text, "x.narrowPeak")), same_as_reference(ws, tmp)


@case(2, r"x.bed: 1 chromosome name\(s\) not in the genome g.fa: chrUn_1")
def bed_unknown_chromosome(ws, tmp, mp):
    return predict(ws, tmp, bed=bed_file(tmp, "chr8\t1\t100\nchrUn_1\t1\t100\n"))


# --- predict --bed: outputs and options ----------------------------------------------------------


@case(2, r"--out .*g.fa.fai would replace .*g.fa.fai, the index of the input file")
def predict_out_onto_the_genome_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    before = (tmp / "g.fa.fai").read_bytes()

    def check():
        assert (tmp / "g.fa.fai").read_bytes() == before

    args = predict(ws, tmp, genome)
    args[args.index("--out") + 1] = tmp / "g.fa.fai"
    return args, check


@case(2, r"--out .*g.fa.gz.gzi would replace .*, the index of the input file")
def predict_out_onto_the_bgzip_index(ws, tmp, mp):
    genome = bgzip(ws.genome, tmp / "g.fa.gz")
    args = predict(ws, tmp, genome)
    args[args.index("--out") + 1] = tmp / "g.fa.gz.gzi"
    return args


@case(2, r"--out .*g.fa.fai would replace")
def predict_out_onto_an_index_not_built_yet(ws, tmp, mp):
    args = predict(ws, tmp, genome_copy(ws, tmp))
    args[args.index("--out") + 1] = tmp / "g.fa.fai"
    return args


@case(2, r"--out .*x.bed is the input file")
def predict_out_onto_the_bed(ws, tmp, mp):
    bed = bed_file(tmp, ws.bed.read_text())
    args = predict(ws, tmp, bed=bed)
    args[args.index("--out") + 1] = bed
    return args


@case(2, r"--out .*g.fa is the input file")
def predict_out_onto_the_genome(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    args = predict(ws, tmp, genome)
    args[args.index("--out") + 1] = genome
    return args


@case(2, r"--bed needs --genome")
def predict_bed_without_genome(ws, tmp, mp):
    return ["predict", "--run", ws.run, "--bed", ws.bed]


@case(2, r"--genome is for --bed regions; give --bed FILE")
def predict_genome_without_bed(ws, tmp, mp):
    return ["predict", "--run", ws.run, "--genome", ws.genome, "--fasta", ws.genome]


@case(2, r"give one of --fasta, --bed \(with --genome\) or --series")
def predict_bed_and_fasta(ws, tmp, mp):
    return [*predict(ws, tmp), "--fasta", ws.genome]


@case(2, r"--batch-size must be an integer >= 1")
def predict_bed_batch_size_zero(ws, tmp, mp):
    return [*predict(ws, tmp), "--batch-size", "0"]


@case(0, r"3 predictions written")
def predict_bed_batch_size_one(ws, tmp, mp):
    return [*predict(ws, tmp), "--batch-size", "1"], same_as_reference(ws, tmp)


# --- train --bed: labels, negatives and their bounds ---------------------------------------------


@case(2, r"--bed needs --genome")
def train_bed_without_genome(ws, tmp, mp):
    return ["train", "--bed", ws.peaks, *TINY]


@case(2, r"--genome is for --bed peaks; with --fasta leave it out")
def train_genome_without_bed(ws, tmp, mp):
    return ["train", "--fasta", ws.genome, "--genome", ws.genome, *TINY]


@case(2, r"give --fasta or --bed \(with --genome\), not both")
def train_bed_and_fasta(ws, tmp, mp):
    return [*train(ws, tmp), "--fasta", ws.genome]


@case(2, r"--negatives-ratio 1000 asks for 90,000 genomic negatives of 100 bp, but outside the "
         r"peaks there is room for about [\d,]+ side by side .*use --negatives-ratio [\d.]+ "
         r"or less")  # fmt: skip
def train_negatives_ratio_beyond_the_genome(ws, tmp, mp):
    return train(ws, tmp, "--negatives-ratio", "1000")


@case(2, r"--negatives-ratio 0.001 x 90 peaks rounds to no genomic negative, and peaks alone "
         r"are one class: use a larger --negatives-ratio")  # fmt: skip
def train_negatives_ratio_rounding_to_none(ws, tmp, mp):
    return train(ws, tmp, "--negatives-ratio", "0.001")


@case(2, r"--negatives-ratio must be a number > 0 and <= 1,000, not 0.0")
def train_negatives_ratio_zero(ws, tmp, mp):
    return train(ws, tmp, "--negatives-ratio", "0")


@case(2, r"--negatives-ratio must be a number > 0 and <= 1,000, not -1.0")
def train_negatives_ratio_negative(ws, tmp, mp):
    return train(ws, tmp, "--negatives-ratio", "-1")


@case(2, r"--negatives-ratio must be a number > 0 .*not nan")
def train_negatives_ratio_nan(ws, tmp, mp):
    return train(ws, tmp, "--negatives-ratio", "nan")


@case(2, r"--negatives-ratio must be a number > 0 and <= 1,000, not 1000000.0")
def train_negatives_ratio_a_million(ws, tmp, mp):
    return train(ws, tmp, "--negatives-ratio", "1e6")


@case(2, r"no 100 bp window for a negative lies outside the peaks: the peaks ± 10,000,000 bp "
         r"\(--flank\) cover 100% of g.fa; use a smaller --flank")  # fmt: skip
def train_flank_covering_the_genome(ws, tmp, mp):
    return train(ws, tmp, "--flank", "10000000")


@case(2, r"--flank must be an integer >= 0 and <= 100,000,000, not 1000000000")
def train_flank_beyond_its_bound(ws, tmp, mp):
    return train(ws, tmp, "--flank", "1000000000")


@case(2, r"--flank must be an integer >= 0")
def train_flank_negative(ws, tmp, mp):
    return train(ws, tmp, "--flank", "-10")


@case(0, TRAINED)
def train_flank_zero(ws, tmp, mp):
    return train(ws, tmp, "--flank", "0")


@case(2, r"--exclude 100% ?; --exclude names regions no negative may touch \(a blacklist\), not "
         r"the regions to draw from")  # fmt: skip
def train_exclude_covering_the_genome(ws, tmp, mp):
    text = "".join(f"{c}\t0\t{n}\n" for c, n in CHROMS.items())
    return train(ws, tmp, "--exclude", bed_file(tmp, text, "all.bed"))


@case(2, r"--exclude .*black.bed: 2 chromosome name\(s\) not in the genome g.fa: 1, 2 .*'chr' "
         r"prefix")  # fmt: skip
def train_exclude_with_other_chromosome_names(ws, tmp, mp):
    return train(ws, tmp, "--exclude", bed_file(tmp, "1\t0\t100\n2\t0\t100\n", "black.bed"))


@case(0, TRAINED)
def train_exclude_naming_chromosomes_the_genome_lacks(ws, tmp, mp):
    """A blacklist of the full assembly on a subset genome: fine."""
    return train(ws, tmp, "--exclude", bed_file(tmp, "chr8\t0\t100\nchrY\t0\t1000\n", "b.bed"))


@case(2, r"nope.bed: no such file")
def train_exclude_missing(ws, tmp, mp):
    return train(ws, tmp, "--exclude", tmp / "nope.bed")


@case(2, r"--length 1,000,000: windows longer than every chromosome of g.fa \(the longest has "
         r"20,000 bp\)")  # fmt: skip
def train_length_longer_than_every_chromosome(ws, tmp, mp):
    args = train(ws, tmp)
    args[args.index("--length") + 1] = "1000000"
    return args


@case(2, r"--length must be an integer >= 1")
def train_length_zero(ws, tmp, mp):
    args = train(ws, tmp)
    args[args.index("--length") + 1] = "0"
    return args


@case(2, r"90 windows of 100 bp \(with their negatives\) need about 18.0 kB of memory, and this "
         r"machine has 10.0 kB")  # fmt: skip
def train_windows_beyond_the_memory(ws, tmp, mp):
    mp.setattr("seqconv.dna.genome_labels.memory_bytes", lambda: 10_000)
    return train(ws, tmp)


@case(2, r"--negatives 'bogus' with --bed: use genome")
def train_negatives_unknown_kind(ws, tmp, mp):
    return train(ws, tmp, "--negatives", "bogus")


@case(2, r"one BED file and no labels: use --negatives genome")
def train_negatives_none_with_one_bed(ws, tmp, mp):
    return train(ws, tmp, "--negatives", "none")


@case(0, TRAINED)
def train_negatives_shuffle(ws, tmp, mp):
    return train(ws, tmp, "--negatives", "shuffle")


@case(0, TRAINED)
def train_label_column_name(ws, tmp, mp):
    text = "".join(f"{r}\tgroup{i % 2}\t5\n" for i, r in enumerate(ws.bed_lines()))
    return train(ws, tmp, "--label-column", "name", bed=bed_file(tmp, text))


@case(2, r"x.bed, line 3: the name column \(column 4\) is empty \('.' or missing\) on 2 line")
def train_label_column_empty_cells(ws, tmp, mp):
    rows = [f"{r}\t{'.' if i in (2, 5) else 'a' if i % 2 else 'b'}" for i, r in
            enumerate(ws.bed_lines())]  # fmt: skip
    return train(ws, tmp, "--label-column", "name", bed=bed_file(tmp, "\n".join(rows) + "\n"))


@case(2, r"x.bed, line 4: the name column \(column 4\) is empty \('.' or missing\)")
def train_label_column_missing_on_some_lines(ws, tmp, mp):
    rows = [f"{r}\t{'a' if i % 2 else 'b'}" if i != 3 else r for i, r in
            enumerate(ws.bed_lines())]  # fmt: skip
    return train(ws, tmp, "--label-column", "name", bed=bed_file(tmp, "\n".join(rows) + "\n"))


@case(2, r"x.bed: has no name column \(column 4\)")
def train_label_column_on_a_bed3(ws, tmp, mp):
    return train(ws, tmp, "--label-column", "name",
                 bed=bed_file(tmp, "\n".join(ws.bed_lines()) + "\n"))  # fmt: skip


@case(2, r"--label-column '9': use name, score, or a column number 4-6")
def train_label_column_out_of_range(ws, tmp, mp):
    return train(ws, tmp, "--label-column", "9")


@case(2, r"x.bed, line 2: the score column holds 'inf'; a label is a class name or a finite number")
def train_label_column_infinite_score(ws, tmp, mp):
    rows = [f"{r}\tp\t{'inf' if i == 1 else i / 7}" for i, r in enumerate(ws.bed_lines())]
    return train(ws, tmp, "--label-column", "score", bed=bed_file(tmp, "\n".join(rows) + "\n"))


@case(2, r"give --label-column or --bigwig, not both")
def train_label_column_and_bigwig(ws, tmp, mp):
    return train(ws, tmp, "--label-column", "name", "--bigwig", ws.bigwig)


@case(2, r"several --bed files are the classes: --label-column and --bigwig need one --bed")
def train_several_beds_and_a_label_column(ws, tmp, mp):
    return [*train(ws, tmp, "--label-column", "name"), "--bed", ws.bed]


@case(2, r"two BED files share the name \['peaks', 'peaks'\]")
def train_two_beds_with_one_stem(ws, tmp, mp):
    (tmp / "b").mkdir()
    other = Path(shutil.copy(ws.peaks, tmp / "b" / "peaks.bed"))
    return [*train(ws, tmp), "--bed", other]


@case(0, TRAINED)
def train_two_beds_as_classes(ws, tmp, mp):
    lines = ws.peaks.read_text().splitlines()
    a = bed_file(tmp, "\n".join(lines[::2]) + "\n", "a.narrowPeak")
    b = bed_file(tmp, "\n".join(lines[1::2]) + "\n", "b.narrowPeak")
    return ["train", "--bed", a, "--bed", b, "--genome", ws.genome, "--length", LENGTH,
            "--out", tmp / "r", *TINY]  # fmt: skip


@case(2, r"signal.bw: the signal at chr\d:\d+ is inf; a bigWig for training holds finite numbers")
def train_bigwig_with_infinity(ws, tmp, mp):
    def fill(values):
        values[200:] = np.inf
        return values

    return train(ws, tmp, "--bigwig", write_bigwig(tmp / "signal.bw", fill=fill))


@case(2, r"nan.bw: no signal under any of the \d+ windows \(every base uncovered or NaN\)")
def train_bigwig_all_nan(ws, tmp, mp):
    return train(ws, tmp, "--bigwig", write_bigwig(tmp / "nan.bw", value=np.nan))


@case(2, r"flat.bw: every window has the same mean signal \(2\): nothing to learn")
def train_bigwig_constant(ws, tmp, mp):
    return train(ws, tmp, "--bigwig", write_bigwig(tmp / "flat.bw", value=2.0))


@case(2, r"fake.bw: not a bigWig file")
def train_bigwig_not_a_bigwig(ws, tmp, mp):
    return train(ws, tmp, "--bigwig", bed_file(tmp, "chr1\t0\t10\t1.0\n", "fake.bw"))


@case(2, r"nobw.bw: no such bigWig file")
def train_bigwig_missing(ws, tmp, mp):
    return train(ws, tmp, "--bigwig", tmp / "nobw.bw")


@case(2, r"other.bw: no signal for chromosome\(s\) chr1, chr2")
def train_bigwig_other_chromosome_names(ws, tmp, mp):
    import pyBigWig

    bw = pyBigWig.open(str(tmp / "other.bw"), "w")
    bw.addHeader([("1", 20_000)])
    bw.addEntries("1", 0, values=[1.0] * 10, span=50, step=50)
    bw.close()
    return train(ws, tmp, "--bigwig", tmp / "other.bw")


@case(2, r"neg.bw: --log1p needs non-negative signal")
def train_bigwig_log1p_of_negative_signal(ws, tmp, mp):
    return train(ws, tmp, "--bigwig", write_bigwig(tmp / "neg.bw", fill=lambda v: v - 5),
                 "--log1p")  # fmt: skip


@case(0, r"windows have no signal in sparse.bw \(uncovered or NaN\): their target is 0")
def train_bigwig_partly_uncovered(ws, tmp, mp):
    def fill(values):
        values[: len(values) * 3 // 4] = np.nan
        return values

    args = train(ws, tmp, "--bigwig", write_bigwig(tmp / "sparse.bw", fill=fill))
    return [a for a in args if a != "--quiet"]


@case(0, TRAINED)
def train_bigwig(ws, tmp, mp):
    return train(ws, tmp, "--bigwig", ws.bigwig)


@case(0, r"skipped 10 window\(s\) of .*peaks.narrowPeak that are more than 50% unknown bases "
         r"\(N\) in the genome \(first: line \d+, chr3:")  # fmt: skip
def train_peaks_on_an_all_n_chromosome(ws, tmp, mp):
    def edit(seqs):
        seqs["chr3"] = "N" * len(seqs["chr3"])

    args = train(ws, tmp, genome=edited_genome(ws, tmp, edit))
    return [a for a in args if a != "--quiet"]


@case(2, r"every window is mostly unknown bases \(N\) in n.fa .*is this the genome the peaks")
def train_every_peak_on_n(ws, tmp, mp):
    genome = write_fasta(tmp / "n.fa", {k: "N" * len(v) for k, v in ws.seqs.items()})
    return train(ws, tmp, genome=genome)


@case(2, r"found no window of 100 bp outside the peaks .*at most 1% N .*--negatives shuffle")
def train_genome_unknown_outside_the_peaks(ws, tmp, mp):
    def edit(seqs):  # nothing but the peaks is known
        known = {c: np.zeros(len(s), dtype=bool) for c, s in seqs.items()}
        for line in ws.bed_lines():
            chrom, start, end = line.split("\t")
            known[chrom][int(start) : int(end)] = True
        for chrom, seq in seqs.items():
            seqs[chrom] = "".join(b if k else "N" for b, k in zip(seq, known[chrom], strict=True))

    return train(ws, tmp, genome=edited_genome(ws, tmp, edit))


@case(2, r"x.bed: all 1 intervals start past the end of their chromosome")
def train_bed_past_every_end(ws, tmp, mp):
    return train(ws, tmp, bed=bed_file(tmp, "chr8\t70000\t70100\n"))


@case(2, r"the (validation|test) split \(\d+ sequence\(s\) on its chromosomes\) holds only "
         r"class 'background': its scores would be undefined")  # fmt: skip
def train_peaks_on_one_chromosome(ws, tmp, mp):
    lines = [line for line in ws.peaks.read_text().splitlines() if line.startswith("chr1\t")]
    return train(ws, tmp, bed=bed_file(tmp, "\n".join(lines) + "\n", "one.narrowPeak"))


@case(0, TRAINED)
def train_force_over_an_earlier_genome_run(ws, tmp, mp):
    shutil.copytree(ws.run, tmp / "r")
    assert (tmp / "r" / "gc.png").is_file()
    return train(ws, tmp, "--force")


@case(2, r"holds a run of deepbind .*use --force to replace it")
def train_over_an_earlier_genome_run_without_force(ws, tmp, mp):
    shutil.copytree(ws.run, tmp / "r")
    return train(ws, tmp)


@case(2, r"--out .*g.fa.fai is a file, not a run directory")
def train_out_onto_the_genome_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    args = train(ws, tmp, genome=genome)
    args[args.index("--out") + 1] = tmp / "g.fa.fai"
    return args


# --- scan ----------------------------------------------------------------------------------------


def scan(ws, tmp, *extra, genome=None, regions=None):
    args = ["scan", "--run", ws.run, "--genome", genome or ws.genome, "--out", tmp / "t.bedgraph"]
    if regions is not None:
        args += ["--regions", regions]
    return [*args, *extra]


def track(tmp: Path, name: str = "t.bedgraph") -> pd.DataFrame:
    return pd.read_csv(tmp / name, sep="\t", skiprows=1, header=None,
                       names=["chrom", "start", "end", "value"])  # fmt: skip


@case(2, r"--stride must be an integer >= 1")
def scan_stride_zero(ws, tmp, mp):
    return scan(ws, tmp, "--stride", "0")


@case(2, r"--stride must be an integer >= 1 and <= 10,000,000, not 100000000")
def scan_stride_beyond_its_bound(ws, tmp, mp):
    return scan(ws, tmp, "--stride", "100000000")


@case(0, r"--stride 10,000,000 is wider than the model's 100 bp window: each bin is scored from "
         r"the 100 bp at its centre only")  # fmt: skip
def scan_stride_wider_than_every_chromosome(ws, tmp, mp):
    def check():  # one bin per chromosome, scored at its middle: never an all-N window
        rows = track(tmp)
        assert rows["end"].tolist() == [20_000] * 9
        bed = bed_file(tmp, "chr8\t0\t20000\n", "whole.bed")
        invoke(*predict(ws, tmp, bed=bed))
        got = pd.read_csv(tmp / "p.tsv", sep="\t")["peaks"].iloc[0]
        assert rows.loc[rows["chrom"] == "chr8", "value"].iloc[0] == pytest.approx(got, abs=1e-5)

    return scan(ws, tmp, "--stride", "10000000"), check


@case(0, r"2 bins of 50 bp \(30 bp\) scanned")
def scan_regions_narrower_than_the_stride(ws, tmp, mp):
    regions = bed_file(tmp, "chr8\t1000\t1020\nchr8\t5000\t5010\n", "narrow.bed")

    def check():  # each bin is the region itself, centred as predict --bed centres it
        invoke(*predict(ws, tmp, bed=regions))
        got = pd.read_csv(tmp / "p.tsv", sep="\t")["peaks"].to_numpy()
        np.testing.assert_allclose(track(tmp)["value"].to_numpy(), got, atol=1e-5)

    return scan(ws, tmp, "--stride", "50", regions=regions), check


@case(2, r"--stride 1: 180,000 bins would take about [\d.,]+ (days|hours) here \([\d,]+ windows/s "
         r"on cpu\), more than a day; use --stride \d+")  # fmt: skip
def scan_stride_one_over_the_whole_genome(ws, tmp, mp):
    """The day that bounds a scan, scaled down to this tiny genome (a second per 100 bins)."""
    mp.setattr("seqconv.runs.scan_bounds.MAX_SECONDS", 86_400 * 10 / 180_000)
    mp.setattr("seqconv.runs.scan_bounds.windows_per_second", lambda run, n: 1.0)
    return scan(ws, tmp, "--stride", "1", "--device", "cpu"), nothing_written(tmp / "t.bedgraph")


@case(0, r"bins of 1 bp")
def scan_stride_one_over_a_small_region(ws, tmp, mp):
    return scan(ws, tmp, "--stride", "1", regions=bed_file(tmp, "chr8\t1000\t1300\n", "s.bed"))


@case(2, r"--stride 1: 180,000 bins would need about [\d.]+ MB of tracks in .*, which has 1.0 MB "
         r"free; use --stride 10 ")  # fmt: skip
def scan_onto_a_full_disk(ws, tmp, mp):
    mp.setattr("seqconv.runs.scan_bounds.free_bytes", lambda folder: 1_000_000)
    return scan(ws, tmp, "--stride", "1"), nothing_written(tmp / "t.bedgraph")


@case(2, r"--out .*t.txt: use a .bedgraph \(or .bg\) or .bw \(bigWig\) file name")
def scan_out_of_another_kind(ws, tmp, mp):
    args = scan(ws, tmp)
    args[args.index("--out") + 1] = tmp / "t.txt"
    return args


@case(2, r"--out .*r.bedgraph is the input file")
def scan_out_onto_the_regions(ws, tmp, mp):
    regions = bed_file(tmp, ws.bed.read_text(), "r.bedgraph")
    args = scan(ws, tmp, regions=regions)
    args[args.index("--out") + 1] = regions
    return args


@case(2, r"x.bed, line 2: chr8:19000-25000 ends past the chromosome \(20,000 bp\)")
def scan_regions_past_the_end(ws, tmp, mp):
    return scan(ws, tmp, regions=bed_file(tmp, "chr8\t0\t100\nchr8\t19000\t25000\n"))


@case(2, r"x.bed: 1 chromosome name\(s\) not in the genome g.fa: chrM")
def scan_regions_unknown_chromosome(ws, tmp, mp):
    return scan(ws, tmp, regions=bed_file(tmp, "chrM\t0\t100\n"))


@case(2, r"x.bed: no intervals")
def scan_regions_empty(ws, tmp, mp):
    return scan(ws, tmp, regions=bed_file(tmp, "# nothing\n"))


@case(0, r"80 bins not written: their windows are all N \(assembly gaps\)")
def scan_over_an_assembly_gap(ws, tmp, mp):
    def edit(seqs):
        seqs["chr8"] = seqs["chr8"][:4000] + "N" * 4100 + seqs["chr8"][8100:]

    regions = bed_file(tmp, "chr8\t3000\t9000\n", "gap.bed")

    def check():
        rows = track(tmp)
        assert len(rows) == 120 - 80 and not ((rows["start"] >= 4050) & (rows["end"] <= 8050)).any()

    return scan(ws, tmp, genome=edited_genome(ws, tmp, edit), regions=regions), check


@case(0, r"bins of 50 bp")
def scan_to_bigwig(ws, tmp, mp):
    args = scan(ws, tmp, regions=ws.bed)
    args[args.index("--out") + 1] = tmp / "t.bw"
    return args


@case(2, r"(unknown target|not a target|target).*'nope'")
def scan_unknown_target(ws, tmp, mp):
    return scan(ws, tmp, "--target", "nope", regions=ws.bed)


# --- variants ------------------------------------------------------------------------------------


def variants(ws, tmp, vcf, *extra, genome=None):
    return ["variants", "--run", ws.run, "--vcf", vcf, "--genome", genome or ws.genome, "--out",
            tmp / "e.tsv", *extra]  # fmt: skip


def vcf_file(tmp: Path, body: str, name: str = "x.vcf") -> Path:
    path = tmp / name
    path.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n" + body)
    return path


@case(2, r"x.vcf: none of its 2 variant record\(s\) could be scored \(1 REF differs from the "
         r"genome, 1 symbolic ALT \(<...>\)\)")  # fmt: skip
def variants_none_scorable(ws, tmp, mp):
    ref = ws.seqs["chr8"][1000]
    wrong = "A" if ref != "A" else "C"
    vcf = vcf_file(tmp, f"chr8\t1001\tv1\t{wrong}\tG\nchr8\t1101\tv2\tC\t<DEL>\n")
    return variants(ws, tmp, vcf), nothing_written(tmp / "e.tsv")


@case(0, r"scored 1 variants .*skipped 1: 1 symbolic ALT \(<...>\) to")
def variants_summary_lists_only_what_happened(ws, tmp, mp):
    ref = ws.seqs["chr8"][1000]
    vcf = vcf_file(tmp, f"chr8\t1001\tv1\t{ref}\tG\nchr8\t1101\tv2\tC\t<DEL>\n")

    def check():
        assert "0 REF" not in " ".join(invoke(*variants(ws, tmp, vcf)).output.split())

    return variants(ws, tmp, vcf), check


@case(2, r"x.vcf: no variant records \(only header lines\); nothing to score")
def variants_header_only(ws, tmp, mp):
    return variants(ws, tmp, vcf_file(tmp, "")), nothing_written(tmp / "e.tsv")


@case(2, r"empty.vcf: empty file, expected a VCF")
def variants_empty_file(ws, tmp, mp):
    (tmp / "empty.vcf").write_text("")
    return variants(ws, tmp, tmp / "empty.vcf")


@case(2, r"--out .*g.fa.fai would replace .*, the index of the input file")
def variants_out_onto_the_genome_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    args = variants(ws, tmp, ws.vcf, genome=genome)
    args[args.index("--out") + 1] = tmp / "g.fa.fai"
    return args


@case(2, r"--out .*x.vcf.gz.tbi would replace")
def variants_out_onto_the_vcf_index(ws, tmp, mp):
    vcf = tmp / "x.vcf.gz"
    vcf.write_bytes(gzip.compress(ws.vcf.read_bytes()))
    args = variants(ws, tmp, vcf)
    args[args.index("--out") + 1] = tmp / "x.vcf.gz.tbi"
    return args


@case(2, r"--out .*v.vcf is the input file")
def variants_out_onto_the_vcf(ws, tmp, mp):
    vcf = Path(shutil.copy(ws.vcf, tmp / "v.vcf"))
    args = variants(ws, tmp, vcf)
    args[args.index("--out") + 1] = vcf
    return args


@case(2, r"x.vcf: 1 chromosome name\(s\) not in the genome g.fa: 8 .*add the 'chr' prefix")
def variants_every_chromosome_unknown(ws, tmp, mp):
    return variants(ws, tmp, vcf_file(tmp, "8\t1001\tv1\tA\tG\n"))


@case(0, r"skipped the records of 1 chromosome\(s\) not in the genome: chrUn \(1\)")
def variants_some_chromosomes_unknown(ws, tmp, mp):
    ref = ws.seqs["chr8"][1000]
    return variants(ws, tmp, vcf_file(tmp, f"chr8\t1001\tv1\t{ref}\tG\nchrUn\t5\tv2\tA\tG\n"))


@case(2, r"x.vcf, line 3: POS 'abc' is not a whole number")
def variants_pos_not_a_number(ws, tmp, mp):
    return variants(ws, tmp, vcf_file(tmp, "chr8\tabc\tv1\tA\tG\n"))


@case(2, r"x.vcf, line 3: POS 0 is not a 1-based position")
def variants_pos_zero(ws, tmp, mp):
    return variants(ws, tmp, vcf_file(tmp, "chr8\t0\tv1\tA\tG\n"))


@case(2, r"x.vcf, line 3: 1 column\(s\), expected at least 5 .*separated by tabs, not spaces")
def variants_spaces_instead_of_tabs(ws, tmp, mp):
    return variants(ws, tmp, vcf_file(tmp, "chr8 1001 v1 A G\n"))


@case(2, r"a.fa, line 1: 1 column\(s\), expected at least 5 .*looks like a FASTA")
def variants_fasta_given_as_vcf(ws, tmp, mp):
    (tmp / "a.fa").write_text(">s\nACGT\n")
    return variants(ws, tmp, tmp / "a.fa")


@case(2, r"bin.vcf, line 1: not UTF-8 text")
def variants_binary_garbage(ws, tmp, mp):
    (tmp / "bin.vcf").write_bytes(b"\xff\xfe\x00garbage\n")
    return variants(ws, tmp, tmp / "bin.vcf")


@case(2, r"x.vcf, line 3: REF 'XYZ' is not a sequence of bases")
def variants_ref_not_bases(ws, tmp, mp):
    return variants(ws, tmp, vcf_file(tmp, "chr8\t1001\tv1\tXYZ\tG\n"))


@case(0, r"skipped 1 variants whose REF is not the genome's, e.g. chr8:20000 \(line 4\) REF \w+ "
         r"is past the end of chr8")  # fmt: skip
def variants_ref_past_the_chromosome_end(ws, tmp, mp):
    ref = ws.seqs["chr8"][1000]
    return variants(ws, tmp, vcf_file(tmp, f"chr8\t1001\tv1\t{ref}\tG\nchr8\t20000\tv2\tACGT\tA\n"))


@case(2, r"REF does not match the genome g.fa: chr8:1001 \(line 3\) genome \w, VCF REF \w")
def variants_strict_mismatch(ws, tmp, mp):
    ref = ws.seqs["chr8"][1000]
    return variants(ws, tmp, vcf_file(tmp, f"chr8\t1001\tv1\t{'A' if ref != 'A' else 'C'}\tG\n"),
                    "--strict")  # fmt: skip


@case(2, r"--max-indel must be an integer >= 1")
def variants_max_indel_zero(ws, tmp, mp):
    return variants(ws, tmp, ws.vcf, "--max-indel", "0")


@case(0, r"^chrom\tpos\tid\tref\talt")
def variants_from_standard_input(ws, tmp, mp):
    return ["variants", "--run", ws.run, "--vcf", "-", "--genome", ws.genome]


@case(0, r"scored 2 variants")
def variants_gzipped(ws, tmp, mp):
    (tmp / "v.vcf.gz").write_bytes(gzip.compress(ws.vcf.read_bytes()))
    return variants(ws, tmp, tmp / "v.vcf.gz")


@case(2, r"give the variants and their genome: --vcf FILE --genome FILE")
def variants_without_genome(ws, tmp, mp):
    return ["variants", "--run", ws.run, "--vcf", ws.vcf]


@case(2, r"--batch-size 1,000,000,000 with a model of 100 bp needs about [\d.,]+ TB per batch")
def variants_batch_beyond_the_memory(ws, tmp, mp):
    return variants(ws, tmp, ws.vcf, "--batch-size", "1000000000")


# --- evaluate --bed ----------------------------------------------------------------------------


def evaluate(ws, tmp, *extra, bed=None):
    return ["evaluate", "--run", ws.run, "--bed", bed or ws.peaks, "--genome", ws.genome,
            "--out", tmp / "e.json", "--bootstrap", "20", *extra]  # fmt: skip


@case(0, r"90 GC-matched genomic negatives for 90 peaks")
def evaluate_peaks_against_gc_matched_negatives(ws, tmp, mp):
    def check():
        metrics = json.loads((tmp / "e.json").read_text())
        assert metrics["n"] == 180 and metrics["negatives"]["negatives"] == 90

    return evaluate(ws, tmp), check


@case(0, r"against 90 dinucleotide-shuffled copies")
def evaluate_peaks_against_shuffled_copies(ws, tmp, mp):
    return evaluate(ws, tmp, "--negatives", "shuffle")


@case(0, r"GC-matched genomic negatives for 3 peaks")
def evaluate_other_peaks_named_otherwise(ws, tmp, mp):
    """New peaks in a file of another name: its windows are the run's positive class."""
    return evaluate(ws, tmp, bed=bed_file(tmp, ws.bed.read_text(), "new_peaks.bed"))


@case(2, r"--bed needs --genome")
def evaluate_bed_without_genome(ws, tmp, mp):
    return ["evaluate", "--run", ws.run, "--bed", ws.peaks]


@case(2, r"give --bed \(with --genome\) or --fasta/--series, not both")
def evaluate_bed_and_fasta(ws, tmp, mp):
    return [*evaluate(ws, tmp), "--fasta", ws.genome]


@case(2, r"--genome: only with --bed peaks on a --genome")
def evaluate_genome_without_bed(ws, tmp, mp):
    return ["evaluate", "--run", ws.run, "--fasta", ws.genome, "--genome", ws.genome]


@case(2, r"--negatives-ratio 100 asks for 9,000 genomic negatives")
def evaluate_negatives_beyond_the_genome(ws, tmp, mp):
    return evaluate(ws, tmp, "--negatives-ratio", "100")


@case(2, r"--flank must be an integer >= 0")
def evaluate_flank_negative(ws, tmp, mp):
    return evaluate(ws, tmp, "--flank", "-1")


@case(2, r"record 'chr8:1050-1150' has the label 'lost', which the model does not know \(its "
         r"classes: background, peaks\)")  # fmt: skip
def evaluate_label_column_with_unknown_classes(ws, tmp, mp):
    bed = bed_file(tmp, "chr8\t1000\t1200\tlost\nchr8\t15000\t15200\tpeaks\n")
    return evaluate(ws, tmp, "--label-column", "name", bed=bed)


@case(2, r"two.bed: all 1 intervals start past the end")
def evaluate_bed_past_every_end(ws, tmp, mp):
    return evaluate(ws, tmp, bed=bed_file(tmp, "chr8\t90000\t90100\n", "two.bed"))


@case(2, r"--out .*g.fa.fai would replace")
def evaluate_out_onto_the_genome_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    args = evaluate(ws, tmp)
    args[args.index("--genome") + 1] = genome
    args[args.index("--out") + 1] = tmp / "g.fa.fai"
    return args


@case(
    2, r"--bigwig is for runs that regress on signal; .*run is a binary run \(background, peaks\)"
)
def evaluate_bigwig_on_a_classifier(ws, tmp, mp):
    return evaluate(ws, tmp, "--bigwig", ws.bigwig)


def bigwig_run(ws, tmp) -> Path:
    signal = Path(shutil.copy(ws.bigwig, tmp / "signal.bw"))
    result = invoke(*train(ws, tmp, "--bigwig", signal))
    assert result.exit_code == 0, result.output
    return tmp / "r"


@case(0, r"as in training: --bigwig \S*signal.bw")
def evaluate_signal_run_on_its_training_signal(ws, tmp, mp):
    run = bigwig_run(ws, tmp)
    args = evaluate(ws, tmp, bed=bed_file(tmp, ws.bed.read_text(), "new.bed"))
    args[args.index("--run") + 1] = run
    return args


@case(2, r"signal.bw: changed since the run was trained")
def evaluate_signal_run_on_a_changed_signal(ws, tmp, mp):
    run = bigwig_run(ws, tmp)
    write_bigwig(tmp / "signal.bw", value=3.0)
    args = evaluate(ws, tmp)
    args[args.index("--run") + 1] = run
    return args


# --- --resume: the run's data files against config.json --------------------------------------


def resumable(ws, tmp, genome: Path | None = None) -> Path:
    """A copy of the run whose data files are private copies (recorded in its config.json)."""
    peaks = Path(shutil.copy(ws.peaks, tmp / "peaks.narrowPeak"))
    genome = genome or genome_copy(ws, tmp)
    result = invoke("train", "--bed", peaks, "--genome", genome, "--length", LENGTH,
                    "--out", tmp / "run", *TINY)  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp / "run"


@case(0, TRAINED)
def resume_on_unchanged_data(ws, tmp, mp):
    return ["train", "--resume", resumable(ws, tmp), "--epochs", "2", "--quiet"]


@case(2, r"peaks.narrowPeak: changed since the run was trained \(its SHA-256 differs from the one "
         r"in .*config.json\); restore it, train a new run, or add --force")  # fmt: skip
def resume_on_changed_peaks(ws, tmp, mp):
    run = resumable(ws, tmp)
    peaks = tmp / "peaks.narrowPeak"
    peaks.write_text("\n".join(peaks.read_text().splitlines()[:-5]) + "\n")
    return ["train", "--resume", run, "--epochs", "2", "--quiet"]


@case(0, r"warning: .*peaks.narrowPeak changed since the run was trained .*resuming on it as it is "
         r"now \(--force\)")  # fmt: skip
def resume_on_changed_peaks_with_force(ws, tmp, mp):
    run = resumable(ws, tmp)
    peaks = tmp / "peaks.narrowPeak"
    peaks.write_text("\n".join(peaks.read_text().splitlines()[:-5]) + "\n")
    return ["train", "--resume", run, "--epochs", "2", "--force", "--quiet"]


@case(2, r"g.fa: changed since the run was trained")
def resume_on_a_changed_genome(ws, tmp, mp):
    run = resumable(ws, tmp)
    write_fasta(tmp / "g.fa", {**ws.seqs, "chr9": ws.seqs["chr9"][::-1]})
    return ["train", "--resume", run, "--epochs", "2", "--quiet"]


@case(2, r"peaks.narrowPeak: the run's --bed file is gone \(moved or deleted\)")
def resume_without_its_peaks(ws, tmp, mp):
    run = resumable(ws, tmp)
    (tmp / "peaks.narrowPeak").unlink()
    return ["train", "--resume", run, "--epochs", "2", "--quiet"]


@case(2, r"config.json: options name /etc/passwd as --genome, but the run was not trained on it")
def resume_with_a_system_file_in_config(ws, tmp, mp):
    run = resumable(ws, tmp)
    config = json.loads((run / "config.json").read_text())
    config["options"]["genome"] = "/etc/passwd"
    (run / "config.json").write_text(json.dumps(config))

    def check():
        output = invoke("train", "--resume", run, "--epochs", "2").output
        assert "root:" not in output and "line 1" not in output

    return ["train", "--resume", run, "--epochs", "2", "--quiet"], check


@case(2, r"config.json: options name .*/elsewhere.bed as --bed, but the run was not trained on it")
def resume_with_another_bed_in_config(ws, tmp, mp):
    run = resumable(ws, tmp)
    config = json.loads((run / "config.json").read_text())
    config["options"]["bed"] = [str(bed_file(tmp, "chr8\t1\t100\n", "elsewhere.bed"))]
    (run / "config.json").write_text(json.dumps(config))
    return ["train", "--resume", run, "--epochs", "2", "--quiet"]


# --- per-position tables: --task segment ---------------------------------------------------------


def steps_table(tmp: Path, change=None) -> Path:
    rng = np.random.default_rng(2)
    rows = []
    for i in range(24):
        x = rng.normal(size=60)
        event = np.zeros(60, dtype=int)
        event[20:30] = 1
        x[20:30] += 3
        rows.append(pd.DataFrame({"id": f"s{i}", "time": np.arange(60), "x": x, "event": event}))
    table = pd.concat(rows, ignore_index=True)
    if change is not None:
        change(table)
    table.to_csv(tmp / "steps.csv", index=False)
    return tmp / "steps.csv"


SEGMENT = ["--task", "segment", "--target", "event", "--epochs", "1", "--quiet",
           "-O", "filters=8", "-O", "dilations=[2,4]"]  # fmt: skip


@case(2, r"steps.csv: 1 series holds infinite values: 's3'")
def segment_steps_table_with_infinity(ws, tmp, mp):
    def change(table):
        table.loc[3 * 60 + 5, "x"] = np.inf

    return ["train", "--series", steps_table(tmp, change), *SEGMENT, "--out", tmp / "r"]


@case(2, r"steps.csv: label column\(s\) 'event' hold no 1 in any of 24 series: there is nothing "
         r"to find")  # fmt: skip
def segment_label_column_all_zero(ws, tmp, mp):
    def change(table):
        table["event"] = 0

    return ["train", "--series", steps_table(tmp, change), *SEGMENT, "--out", tmp / "r"]


@case(0, r"24 predictions written")
def segment_series_per_position_npz(ws, tmp, mp):
    table = steps_table(tmp)
    assert invoke("train", "--series", table, *SEGMENT, "--out", tmp / "r").exit_code == 0

    def check():
        with np.load(tmp / "pp.npz") as saved:
            assert saved["probabilities"].shape[0] == 24

    return ["predict", "--run", tmp / "r", "--series", table, "--out", tmp / "p.tsv",
            "--per-position", tmp / "pp.npz"], check  # fmt: skip


@case(2, r"i.tsv: no intervals, only the header")
def segment_intervals_header_only(ws, tmp, mp):
    fasta = write_fasta(tmp / "s.fa", {f"s{i}": ws.seqs["chr1"][i * 100 : i * 100 + 100]
                                       for i in range(30)})  # fmt: skip
    (tmp / "i.tsv").write_text("id\tstart\tend\n")
    return ["train", "--fasta", fasta, "--intervals", tmp / "i.tsv", "--task", "segment",
            "--epochs", "1", "--quiet", "--out", tmp / "r"]  # fmt: skip


# --- motifs and attribution from peaks -----------------------------------------------------------


@case(2, r"x.bed: all 1 intervals start past the end")
def attribute_bed_past_every_end(ws, tmp, mp):
    return ["attribute", "--run", ws.run, "--bed", bed_file(tmp, "chr8\t90000\t90100\n"),
            "--genome", ws.genome, "--out", tmp / "a"]  # fmt: skip


@case(2, r"x.bed: 1 chromosome name\(s\) not in the genome")
def attribute_bed_unknown_chromosome(ws, tmp, mp):
    return ["attribute", "--run", ws.run, "--bed", bed_file(tmp, "chrQ\t1\t100\n"),
            "--genome", ws.genome, "--out", tmp / "a"]  # fmt: skip


@case(2, r"--out .*g.fa.fai would replace .*, the index of the input file")
def attribute_out_onto_the_genome_index(ws, tmp, mp):
    genome = genome_copy(ws, tmp)
    invoke(*predict(ws, tmp, genome))
    return ["attribute", "--run", ws.run, "--bed", ws.bed, "--genome", genome,
            "--out", tmp / "g.fa.fai"]  # fmt: skip


# --- the runner ----------------------------------------------------------------------------------


def _digests(paths) -> dict[Path, str]:
    out = {}
    for path in paths:
        path = Path(path)
        if path.is_file() and not path.name.endswith((".fai", ".gzi")) and path.stat().st_size:
            out[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _inputs(args: list) -> list[Path]:
    """The files a command was given, outputs aside."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("--out", "-o", "--per-position"):
            skip = True
            continue
        path = Path(str(a))
        if path.is_absolute() and path.is_file():
            out.append(path)
    return out


@pytest.mark.parametrize(("build", "code", "pattern"), CASES)
def test_genome_input_gets_a_clear_answer(build, code, pattern, ws, tmp_path, monkeypatch):
    built = build(ws, tmp_path, monkeypatch)
    args, check = built if isinstance(built, tuple) else (built, None)
    stdin = None
    if "-" in [str(a) for a in args]:
        stdin = (ws.vcf if "variants" in args else ws.bed).read_text()
    before = _digests(_inputs(args))
    result = runner.invoke(app, [str(a) for a in args], input=stdin)
    output = result.output
    assert "internal error" not in output and "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{output}") from result.exception
    assert result.exit_code == code, output
    assert re.search(pattern, " ".join(output.split()) if code else output, re.MULTILINE), output
    assert _digests(before) == before, "an input changed"
    if code == 2:
        assert len([line for line in output.splitlines() if line.startswith("error:")]) == 1
    if os.environ.get("SEQCONV_CORPUS_LOG"):  # the table of cases and answers in the docs
        lines = [line for line in output.splitlines() if line.strip()] or ["(no output)"]
        answer = next((line for line in lines if line.startswith("error:")), None)
        if answer is None:
            answer = next((line for line in lines if re.search(pattern, line)), lines[-1])
        with open(os.environ["SEQCONV_CORPUS_LOG"], "a") as log:
            log.write(f"{build.__name__}\t{code}\t{answer.replace(str(tmp_path), 'TMP')}\n")
    if pattern == TRAINED:
        words = [str(a) for a in args]
        out = Path(words[words.index("--out" if "--out" in words else "--resume") + 1])
        assert (out / "config.json").is_file() and (out / "model.safetensors").is_file()
    if check is not None:
        check()


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 150
