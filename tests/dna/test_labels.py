import numpy as np
import pytest

import seqconv
from seqconv.dna.labels import infer_task, load_labeled, parse_targets
from tests.conftest import write_fasta

SEQS = ["ACGTACGTAC", "TTTTACGTAA", "GGGCCCAATT", "ACACACACAC"]


def test_files_as_classes(tmp_path):
    a = write_fasta(tmp_path / "bound.fa", [(f"a{i}", s) for i, s in enumerate(SEQS)])
    b = write_fasta(tmp_path / "unbound.fasta", [(f"b{i}", s) for i, s in enumerate(SEQS[:2])])
    data = load_labeled([a, b])
    assert data.task == "binary" and data.target_names == ["bound", "unbound"]
    assert data.targets.tolist() == [0, 0, 0, 0, 1, 1]
    assert data.codes.shape == (6, 10)
    c = write_fasta(tmp_path / "other.fa", [("c0", SEQS[0])])
    three = load_labeled([a, b, c])
    assert three.task == "multiclass" and three.n_outputs == 3


def test_header_labels_classes_multilabel_and_regression(tmp_path):
    path = write_fasta(
        tmp_path / "h.fa", [(f"s{i} label={v}", SEQS[i]) for i, v in enumerate("1010")]
    )
    data = load_labeled([path])
    assert data.task == "binary" and data.target_names == ["0", "1"]
    assert data.targets.tolist() == [1, 0, 1, 0]

    values = ["CTCF,REST", "REST", "", "CTCF"]
    path = write_fasta(
        tmp_path / "m.fa", [(f"s{i} label={v}", SEQS[i]) for i, v in enumerate(values)]
    )
    data = load_labeled([path])
    assert data.task == "multilabel" and data.target_names == ["CTCF", "REST"]
    assert data.targets.tolist() == [[1, 1], [0, 1], [0, 0], [1, 0]]

    values = ["0.73", "1.5", "-2", "0"]
    path = write_fasta(
        tmp_path / "r.fa", [(f"s{i} x=y label={v}", SEQS[i]) for i, v in enumerate(values)]
    )
    data = load_labeled([path])
    assert data.task == "regression" and data.targets[:, 0].tolist() == pytest.approx(
        [0.73, 1.5, -2, 0]
    )


def test_label_table(tmp_path):
    path = write_fasta(tmp_path / "t.fa", [(f"s{i}", s) for i, s in enumerate(SEQS)])
    table = tmp_path / "labels.tsv"
    table.write_text("id\tctcf\trest\ns0\t1\t0\ns1\t0\t1\ns2\t1\t1\ns3\t0\t0\n")
    data = load_labeled([path], labels=table)
    assert data.task == "multilabel" and data.target_names == ["ctcf", "rest"]
    assert data.targets.tolist() == [[1, 0], [0, 1], [1, 1], [0, 0]]

    csv = tmp_path / "signal.csv"
    csv.write_text("id,signal\ns3,0.5\ns2,1.25\ns1,3\ns0,-1\n")
    data = load_labeled([path], labels=csv)
    assert data.task == "regression" and data.target_names == ["signal"]
    assert data.targets[:, 0].tolist() == [-1, 3, 1.25, 0.5]


def test_label_table_mismatches(tmp_path):
    path = write_fasta(tmp_path / "t.fa", [(f"s{i}", s) for i, s in enumerate(SEQS)])
    table = tmp_path / "labels.tsv"
    table.write_text("id\ty\ns0\t1\ns1\t0\ns2\t1\n")
    with pytest.raises(
        seqconv.InputError, match=r"1 of 4 sequences have no row in the table: 's3'"
    ):
        load_labeled([path], labels=table)
    table.write_text("id\ty\ns0\t1\ns1\t0\ns2\t1\ns3\t1\nzz\t0\n")
    with pytest.raises(seqconv.InputError, match=r"1 labelled ids are not among the sequences"):
        load_labeled([path], labels=table)
    table.write_text("name\ty\ns0\t1\n")
    with pytest.raises(seqconv.InputError, match="column named 'id'"):
        load_labeled([path], labels=table)


def test_files_are_classes_when_every_header_says_the_same_label(tmp_path):
    a = write_fasta(tmp_path / "ctcf.fa", [(f"a{i} label=1", s) for i, s in enumerate(SEQS)])
    b = write_fasta(tmp_path / "rest.fa", [(f"b{i} label=1", s) for i, s in enumerate(SEQS)])
    data = load_labeled([a, b])
    assert data.target_names == ["ctcf", "rest"] and data.targets.tolist() == [0] * 4 + [1] * 4
    assert any("classes are the files" in n for n in data.notes)
    c = write_fasta(tmp_path / "c.fa", [(f"c{i} label=0", s) for i, s in enumerate(SEQS)])
    mixed = load_labeled([a, c])  # the headers disagree: they are the labels
    assert mixed.target_names == ["0", "1"] and mixed.targets.tolist() == [1] * 4 + [0] * 4


def test_single_class_is_an_error(tmp_path):
    path = write_fasta(tmp_path / "h.fa", [(f"s{i} label=1", s) for i, s in enumerate(SEQS)])
    with pytest.raises(seqconv.InputError, match="at least two classes"):
        load_labeled([path])


def test_partial_header_labels_are_an_error(tmp_path):
    path = write_fasta(tmp_path / "h.fa", [("a label=1", SEQS[0]), ("b", SEQS[1])])
    with pytest.raises(seqconv.InputError, match=r"1 records have no 'label='.*'b'"):
        load_labeled([path])


def test_one_file_without_labels_gets_shuffled_negatives(tmp_path):
    path = write_fasta(
        tmp_path / "peaks.fa", [(f"chr1:{i}-{i + 10}", s) for i, s in enumerate(SEQS)]
    )
    data = load_labeled([path], seed=7)
    assert data.task == "binary" and data.target_names == ["shuffled", "peaks"]
    assert data.targets.tolist() == [1] * 4 + [0] * 4
    assert data.groups[4:] == data.ids[:4]  # a negative follows its source into the same split
    assert "dinucleotide-shuffled" in data.notes[0]
    again = load_labeled([path], seed=7)
    assert np.array_equal(again.codes, data.codes)
    with pytest.raises(seqconv.InputError, match="no labels"):
        load_labeled([path], negatives="none")


def test_negatives_from_file_and_duplicate_ids(tmp_path):
    pos = write_fasta(tmp_path / "pos.fa", [(f"p{i}", s) for i, s in enumerate(SEQS)])
    neg = write_fasta(tmp_path / "bg.fa", [("n0", SEQS[0]), ("n1", SEQS[1])])
    data = load_labeled([pos], negatives=neg)
    assert data.target_names == ["bg", "pos"] and data.targets.tolist() == [1, 1, 1, 1, 0, 0]
    dup = write_fasta(tmp_path / "dup.fa", [("p0", SEQS[1])])
    with pytest.raises(seqconv.InputError, match=r"'p0' is in .*pos.fa and in the negatives"):
        load_labeled([pos], negatives=write_fasta(tmp_path / "n.fa", [("p0", SEQS[0])]))
    data = load_labeled([pos], negatives=dup)  # another sequence: told apart by file name
    assert data.ids[0] == "pos.fa:p0" and data.ids[-1] == "dup.fa:p0"


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["0", "1", "1"], "binary"),
        (["a", "b", "c"], "multiclass"),
        (["0.5", "1", "2"], "regression"),
        (["a,b", "b"], "multilabel"),
        (["1,0", "0,1"], "multilabel"),
        (["0.5,2", "1,3"], "regression"),
        ([str(i) for i in range(100)], "regression"),
    ],
)
def test_task_inference(values, task):
    assert infer_task(values) == task


def test_forced_task_and_bad_regression_value():
    targets, names, task = parse_targets(["1", "2", "3"], "regression", "x", ["a", "b", "c"])
    assert task == "regression" and targets.shape == (3, 1)
    with pytest.raises(seqconv.InputError, match="non-numeric label 'hi'"):
        parse_targets(["1", "hi"], "regression", "x", ["a", "b"])
