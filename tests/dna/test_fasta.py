import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seqconv
from seqconv.dna import fasta as fasta_module
from seqconv.dna.fasta import iter_fasta_codes, read_fasta_codes
from tests.conftest import write_fasta


def test_wrapped_crlf_blank_lines_and_descriptions(tmp_path):
    path = tmp_path / "a.fa"
    path.write_bytes(
        b"\r\n\r\n>s1 label=1 more words\r\nACGT\r\nAC\r\n\r\n>s2\r\nGG\r\nTTA\r\n\r\n"
    )
    records = list(seqconv.read_fasta(path))
    assert records == [("s1", "label=1 more words", "ACGTAC"), ("s2", "", "GGTTA")]
    assert records[0].id == "s1" and records[0].sequence == "ACGTAC"


def test_gzip_and_fastq(tmp_path):
    plain = write_fasta(tmp_path / "a.fa", [("x", "ACGTACGT"), ("y", "TTTT")], width=3)
    gz = tmp_path / "a.fa.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(seqconv.read_fasta(gz)) == list(seqconv.read_fasta(plain))
    fq = tmp_path / "r.fq.gz"
    fq.write_bytes(gzip.compress(b"@r1 desc\nACGT\n+\nIIII\n@r2\nNNA\n+r2\n!!!\n"))
    assert list(seqconv.read_fasta(fq)) == [("r1", "desc", "ACGT"), ("r2", "", "NNA")]
    assert read_fasta_codes(fq, length=4).codes.shape == (2, 4)


def test_case_is_kept_by_read_fasta_but_not_by_codes(tmp_path):
    path = write_fasta(tmp_path / "a.fa", [("x", "acgtN")])
    assert next(seqconv.read_fasta(path)).sequence == "acgtN"
    assert read_fasta_codes(path).codes.tolist() == [[0, 1, 2, 3, 14]]


def test_missing_header_names_file_and_line(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("\n\nACGT\n")
    with pytest.raises(seqconv.InputError, match=r"plain.txt, line 3: expected a FASTA header"):
        list(seqconv.read_fasta(path))


def test_empty_sequence_names_line(tmp_path):
    path = tmp_path / "a.fa"
    path.write_text(">a\nACGT\n>b\n\n>c\nAC\n")
    with pytest.raises(seqconv.InputError, match=r"a.fa, line 3: record 'b' has an empty sequence"):
        list(seqconv.read_fasta(path))


def test_header_without_id(tmp_path):
    path = tmp_path / "a.fa"
    path.write_text(">a\nACGT\n>\nAC\n")
    with pytest.raises(seqconv.InputError, match=r"line 3: header without an id"):
        read_fasta_codes(path)


def test_duplicate_ids_name_line(tmp_path):
    path = write_fasta(tmp_path / "a.fa", [("a", "AC"), ("b", "GT"), ("a", "TT")], width=1)
    with pytest.raises(seqconv.InputError, match=r"line 7: duplicate id 'a'"):
        read_fasta_codes(path)
    assert read_fasta_codes(path, unique_ids=False).ids == ["a", "b", "a"]


def test_bad_character_names_record_line_and_position(tmp_path):
    path = write_fasta(tmp_path / "a.fa", [("a", "ACGTAC"), ("b", "ACGTAZ")], width=4)
    with pytest.raises(seqconv.InputError, match=r"record 'b' \(line 4\).*'Z' at position 6"):
        read_fasta_codes(path)


def test_lengths_must_agree_without_length(tmp_path):
    path = write_fasta(tmp_path / "a.fa", [("a", "ACGT"), ("b", "ACG")])
    with pytest.raises(seqconv.InputError, match=r"'a' has 4 bp, 'b' has 3 bp.*--length"):
        read_fasta_codes(path)
    fitted = read_fasta_codes(path, length=4)
    assert fitted.lengths.tolist() == [4, 3]
    assert seqconv.decode_dna(fitted.codes) == ["ACGT", "ACG-"]


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(seqconv.InputError, match="no such file"):
        read_fasta_codes(tmp_path / "nope.fa")
    (tmp_path / "empty.fa").write_text("")
    with pytest.raises(seqconv.InputError, match="no sequences"):
        read_fasta_codes(tmp_path / "empty.fa")


def test_gt_inside_a_header_does_not_split_it(tmp_path):
    path = tmp_path / "a.fa"
    path.write_text(">a x>y\nAC\n>b\nGT\n")
    assert [r.description for r in seqconv.read_fasta(path)] == ["x>y", ""]


records_strategy = st.lists(
    st.tuples(
        st.from_regex(r"[A-Za-z0-9_:.-]{1,12}", fullmatch=True),
        st.text(alphabet="ACGTNacgtn", min_size=1, max_size=90),
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda r: r[0],
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records_strategy,
    st.one_of(st.none(), st.integers(1, 70)),
    st.integers(1, 64),
    st.booleans(),
)
def test_any_block_size_reads_the_same_records(tmp_path, records, width, block, crlf):
    """Record boundaries inside blocks, headers split across blocks: all read back exactly."""
    path = write_fasta(tmp_path / "p.fa", [(f"{i} d{i}", s) for i, s in records], width)
    if crlf:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    original = fasta_module._BLOCK_BYTES
    fasta_module._BLOCK_BYTES = block
    try:
        got = list(seqconv.read_fasta(path))
        codes = np.concatenate([b.codes for b in iter_fasta_codes(path, length=100)])
    finally:
        fasta_module._BLOCK_BYTES = original
    assert got == [(i, f"d{i}", s) for i, s in records]
    assert np.array_equal(codes, seqconv.encode_dna([s for _, s in records], length=100))
