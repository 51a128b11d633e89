"""VCF reading: records split per allele, unscorable alleles skipped and counted by reason,
compressed input, and malformed lines named by number."""

from __future__ import annotations

import gzip

import pytest

from seqconv.dna.vcf import (
    BREAKEND,
    MISSING,
    SAME,
    SPANNING,
    SYMBOLIC,
    Variant,
    VcfReader,
    scan_vcf,
)
from seqconv.errors import InputError

HEADER = (
    "##fileformat=VCFv4.2\n"
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)
RECORDS = [
    "chr1\t10\trs1\tA\tG\t50\tPASS\tDP=3",
    "chr1\t20\t.\tc\tt,A\t.\t.\t.",  # lower case, multi-allelic
    "chr1\t30\tdel\tACGT\tA\t.\t.\t.",
    "chr2\t5\tsv\tA\t<DEL>\t.\t.\tSVTYPE=DEL",
    "chr2\t6\tstar\tA\tT,*\t.\t.\t.",
    "chr2\t7\tbnd\tA\tA[chr1:100[\t.\t.\t.",
    "chr2\t8\tsbnd\tA\t.A\t.\t.\t.",
    "chr2\t9\tmono\tA\t.\t.\t.\t.",
    "chr2\t11\tlong\tA\t" + "A" * 60 + "\t.\t.\t.",
    "chr2\t12\tsame\tA\tA\t.\t.\t.",
]


def write_vcf(path, lines, header=HEADER, compress=False):
    text = header + "".join(line + "\n" for line in lines)
    if compress:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_records_are_split_per_allele_and_unscorable_alleles_counted(tmp_path):
    reader = VcfReader(write_vcf(tmp_path / "v.vcf", RECORDS), max_length=50)
    variants = list(reader)
    assert [(v.chrom, v.pos, v.id, v.ref, v.alt) for v in variants] == [
        ("chr1", 10, "rs1", "A", "G"),
        ("chr1", 20, ".", "C", "T"),
        ("chr1", 20, ".", "C", "A"),
        ("chr1", 30, "del", "ACGT", "A"),
        ("chr2", 6, "star", "A", "T"),
    ]
    assert variants[0].line == 4 and variants[2].line == 5  # header lines count
    assert reader.skipped == {
        SYMBOLIC: 1, SPANNING: 1, BREAKEND: 2, MISSING: 1, "allele longer than 50 bp": 1, SAME: 1,
    }  # fmt: skip
    assert reader.records == len(RECORDS)


def test_lines_yield_one_list_per_record(tmp_path):
    reader = VcfReader(write_vcf(tmp_path / "v.vcf", RECORDS[:2] + RECORDS[3:4]))
    assert [len(vs) for vs in reader.lines()] == [1, 2, 0]


@pytest.mark.parametrize("suffix", [".vcf.gz", ".vcf"])  # gzip found from the bytes, not the name
def test_gzip_input(tmp_path, suffix):
    path = write_vcf(tmp_path / f"v{suffix}", RECORDS[:3], compress=True)
    assert [v.alt for v in VcfReader(path)] == ["G", "T", "A", "A"]
    scan = scan_vcf(path)
    assert scan.records == {"chr1": 3} and scan.alleles == 4


def test_bgzip_input(tmp_path):
    bgzf = pytest.importorskip("Bio.bgzf")
    text = (HEADER + "".join(line + "\n" for line in RECORDS[:3])).encode()
    with bgzf.BgzfWriter(str(tmp_path / "v.vcf.gz"), "wb") as out:
        out.write(text[:40])  # several BGZF blocks
        out.flush()
        out.write(text[40:])
    assert len(list(VcfReader(tmp_path / "v.vcf.gz"))) == 4


def test_scan_counts_records_per_chromosome(tmp_path):
    scan = scan_vcf(write_vcf(tmp_path / "v.vcf", RECORDS))
    assert scan.records == {"chr1": 3, "chr2": 7}
    assert scan.alleles == 12


def test_a_file_without_header_is_read(tmp_path):
    path = write_vcf(tmp_path / "v.vcf", RECORDS[:1], header="")
    assert list(VcfReader(path)) == [Variant("chr1", 10, "rs1", "A", "G", 1)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("chr1\t10\trs1\tA", "line 4: 4 column(s), expected at least 5 (CHROM POS ID REF ALT)"),
        ("chr1 10 rs1 A G 50", "separated by tabs, not spaces"),
        ("chr1\tten\trs1\tA\tG", "line 4: POS 'ten' is not a whole number"),
        ("chr1\t0\trs1\tA\tG", "line 4: POS 0 is not a 1-based position"),
        ("chr1\t10\trs1\tA-\tG", "line 4: REF 'A-' is not a sequence of bases"),
        ("chr1\t10\trs1\tA\tG<", "line 4: ALT allele 'G<' is neither a sequence"),
        ("chr1\t10\trs1\tA\t", "line 4: empty ALT column"),
        ("\t10\trs1\tA\tG", "line 4: empty CHROM column"),
    ],
)
def test_malformed_lines_name_the_file_and_line(tmp_path, line, message):
    path = write_vcf(tmp_path / "bad.vcf", [line])
    with pytest.raises(InputError) as caught:
        list(VcfReader(path))
    assert str(caught.value).startswith(f"{path}, line 4: ")
    assert message in str(caught.value)


def test_binary_and_empty_files_are_refused(tmp_path):
    (tmp_path / "empty.vcf").write_text("")
    with pytest.raises(InputError, match="empty file, expected a VCF"):
        list(VcfReader(tmp_path / "empty.vcf"))
    (tmp_path / "bin.vcf").write_bytes(b"chr1\t1\t.\tA\tG\xff\xfe\n")
    with pytest.raises(InputError, match="line 1: not UTF-8 text"):
        list(VcfReader(tmp_path / "bin.vcf"))
    with pytest.raises(InputError, match="no such file"):
        list(VcfReader(tmp_path / "missing.vcf"))
