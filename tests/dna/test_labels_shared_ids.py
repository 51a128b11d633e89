"""Class files that reuse ids (each made by another tool): told apart or merged, never refused."""

import pytest

import seqconv
from seqconv.dna.labels import load_labeled
from tests.conftest import write_fasta

A, B, C = "ACGTACGTAC", "TTTTACGTAA", "GGGCCCAATT"


def test_same_ids_different_sequences_are_qualified_by_file(tmp_path):
    pos = write_fasta(tmp_path / "pos.fa", [("seq1", A), ("seq2", B)])
    neg = write_fasta(tmp_path / "neg.fa", [("seq1", C), ("seq2", A[::-1])])
    data = load_labeled([pos, neg])
    assert data.ids == ["pos.fa:seq1", "pos.fa:seq2", "neg.fa:seq1", "neg.fa:seq2"]
    assert data.task == "binary" and data.targets.tolist() == [1, 1, 0, 0]
    assert sum("told apart by file name" in n for n in data.notes) == 1


def test_same_id_and_sequence_in_two_files_is_one_multilabel_record(tmp_path):
    ctcf = write_fasta(tmp_path / "ctcf.fa", [("r1", A), ("r2", B)])
    rest = write_fasta(tmp_path / "rest.fa", [("r1", A), ("r3", C)])
    data = load_labeled([ctcf, rest])
    assert data.ids == ["r1", "r2", "r3"] and data.task == "multilabel"
    assert data.targets.tolist() == [[1, 1], [1, 0], [0, 1]]
    assert data.sources[0] == f"{ctcf},{rest}"
    assert any("multilabel" in n for n in data.notes)
    with pytest.raises(seqconv.InputError, match="--task multiclass"):
        load_labeled([ctcf, rest], task="multiclass")


def test_duplicate_id_within_one_file_names_file_and_records(tmp_path):
    bad = write_fasta(tmp_path / "bad.fa", [("x", A), ("y", B), ("x", C)])
    other = write_fasta(tmp_path / "other.fa", [("z", A)])
    with pytest.raises(seqconv.InputError, match=r"bad.fa, line 5: duplicate id 'x'"):
        load_labeled([bad, other])


def test_shared_ids_with_a_label_table_are_refused(tmp_path):
    a = write_fasta(tmp_path / "a.fa", [("s1", A)])
    b = write_fasta(tmp_path / "b.fa", [("s1", B)])
    table = tmp_path / "t.tsv"
    table.write_text("id\ty\ns1\t1\n")
    with pytest.raises(seqconv.InputError, match="a label table needs each id to name one"):
        load_labeled([a, b], labels=table)


def test_evaluation_reads_class_files_the_same_way(tmp_path):
    pos = write_fasta(tmp_path / "pos.fa", [("seq1", A)])
    neg = write_fasta(tmp_path / "neg.fa", [("seq1", C)])
    data = load_labeled([pos, neg], classes=["neg", "pos"])
    assert data.ids == ["pos.fa:seq1", "neg.fa:seq1"] and data.targets.tolist() == [1, 0]
