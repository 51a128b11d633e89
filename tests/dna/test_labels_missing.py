"""Missing labels (empty, NaN, infinite, absent) are refused by id, or dropped on request."""

import gzip

import numpy as np
import pytest

import seqconv
from seqconv.dna.labels import load_labeled
from tests.conftest import write_fasta

SEQS = ["ACGTACGTAC", "TTTTACGTAA", "GGGCCCAATT", "ACACACACAC", "CCCCGGGGAA", "ATATATATAT"]


def fasta(tmp_path, n=6):
    return write_fasta(tmp_path / "t.fa", [(f"s{i}", SEQS[i]) for i in range(n)])


@pytest.mark.parametrize("bad", ["NaN", "", "inf", "-Infinity", "NA", "n/a"])
def test_missing_regression_cell_is_refused_by_id(tmp_path, bad):
    table = tmp_path / "y.tsv"
    table.write_text(f"id\ty\ns0\t1.5\ns1\t{bad}\ns2\t0.5\ns3\t2\ns4\t3\ns5\t1\n")
    with pytest.raises(
        seqconv.InputError, match=r"1 record with a missing label .*'s1'.*--drop-missing-labels"
    ):
        load_labeled([fasta(tmp_path)], labels=table)


def test_drop_missing_labels_drops_and_says_so(tmp_path):
    table = tmp_path / "y.tsv"
    table.write_text("id\ty\ns0\t1.5\ns1\tnan\ns2\t0.5\ns3\t\ns4\t3\ns5\t1\n")
    data = load_labeled([fasta(tmp_path)], labels=table, drop_missing_labels=True)
    assert data.ids == ["s0", "s2", "s4", "s5"] and len(data.codes) == 4
    assert data.task == "regression" and np.isfinite(data.targets).all()
    assert "dropped 2 records with missing labels: ids 's1', 's3'" in data.notes


def test_multilabel_table_nan_in_any_column(tmp_path):
    table = tmp_path / "m.tsv"
    rows = ["s0\t1\t0", "s1\t0\tNaN", "s2\t1\t1", "s3\t0\t0", "s4\t1\t0", "s5\t0\t1"]
    table.write_text("id\ta\tb\n" + "\n".join(rows) + "\n")
    with pytest.raises(seqconv.InputError, match=r"'s1'"):
        load_labeled([fasta(tmp_path)], labels=table)
    data = load_labeled([fasta(tmp_path)], labels=table, drop_missing_labels=True)
    assert data.task == "multilabel" and "s1" not in data.ids and data.targets.shape == (5, 2)


def test_empty_class_cell_is_not_a_class(tmp_path):
    table = tmp_path / "c.csv"
    table.write_text("id,label\ns0,a\ns1,b\ns2,\ns3,a\ns4,b\ns5,a\n")
    with pytest.raises(seqconv.InputError, match="'s2'"):
        load_labeled([fasta(tmp_path)], labels=table)
    data = load_labeled([fasta(tmp_path)], labels=table, drop_missing_labels=True)
    assert data.target_names == ["a", "b"]


def test_header_labels_nan_inf_and_absent(tmp_path):
    values = ["0.5", "nan", "1.5", "inf", "2", "0.1"]
    path = write_fasta(
        tmp_path / "h.fa", [(f"s{i} label={v}", SEQS[i]) for i, v in enumerate(values)]
    )
    with pytest.raises(seqconv.InputError, match=r"2 records with a missing label=.*'s1', 's3'"):
        load_labeled([path])
    data = load_labeled([path], drop_missing_labels=True)
    assert data.ids == ["s0", "s2", "s4", "s5"] and data.task == "regression"
    partial = write_fasta(tmp_path / "p.fa", [("a label=1", SEQS[0]), ("b", SEQS[1])])
    with pytest.raises(seqconv.InputError, match=r"no 'label='.*'b'.*--drop-missing-labels"):
        load_labeled([partial])


def test_empty_multilabel_header_is_no_class_not_missing(tmp_path):
    values = ["CTCF,REST", "REST", "", "CTCF"]
    path = write_fasta(
        tmp_path / "m.fa", [(f"s{i} label={v}", SEQS[i]) for i, v in enumerate(values)]
    )
    data = load_labeled([path])
    assert data.targets.tolist()[2] == [0, 0]
    single = write_fasta(tmp_path / "c.fa", [("a label=x", SEQS[0]), ("b label=", SEQS[1])])
    with pytest.raises(seqconv.InputError, match="'b'"):
        load_labeled([single])


def test_single_class_message_says_what_to_add(tmp_path):
    table = tmp_path / "one.tsv"
    table.write_text("id\tlabel\n" + "".join(f"s{i}\tpos\n" for i in range(6)))
    with pytest.raises(seqconv.InputError, match=r"all 6 sequences are class 'pos'.*second class"):
        load_labeled([fasta(tmp_path)], labels=table)


def test_table_ids_matching_none_some_or_duplicated(tmp_path):
    path = fasta(tmp_path, 4)
    table = tmp_path / "t.tsv"
    table.write_text("id\ty\nchr1\t1\nchr2\t0\n")
    with pytest.raises(seqconv.InputError, match=r"none of the 4 sequence ids .*'s0'.*'chr1'"):
        load_labeled([path], labels=table)
    table.write_text("id\ty\ns0\t1\ns1\t0\n")
    with pytest.raises(seqconv.InputError, match=r"2 of 4 sequences have no row.*'s2', 's3'"):
        load_labeled([path], labels=table)
    table.write_text("id\ty\ns0\t1\ns1\t0\ns2\t1\ns3\t0\ns4\t0\n")
    with pytest.raises(seqconv.InputError, match="1 labelled ids are not among the sequences"):
        load_labeled([path], labels=table)
    table.write_text("id\ty\ns0\t1\ns1\t0\ns0\t1\ns3\t0\n")
    with pytest.raises(seqconv.InputError, match=r"'s0' on lines 2 and 4"):
        load_labeled([path], labels=table)


def test_unreadable_tables(tmp_path):
    path = fasta(tmp_path, 4)
    table = tmp_path / "t.tsv"
    table.write_bytes(b"\x00\x01\x02binary\xff")
    with pytest.raises(seqconv.InputError, match="binary"):
        load_labeled([path], labels=table)
    table.write_text("ID\tlabel\ns0\t1\n")
    with pytest.raises(seqconv.InputError, match="rename 'ID' to 'id'"):
        load_labeled([path], labels=table)
    table.write_text("s0\ns1\n")
    with pytest.raises(seqconv.InputError, match="no tab or comma"):
        load_labeled([path], labels=table)
    table.write_text("")
    with pytest.raises(seqconv.InputError, match="empty"):
        load_labeled([path], labels=table)
    table.write_text('id,y\ns0,1\ns1,0,3\n"s2,1\n')
    with pytest.raises(seqconv.InputError, match="cannot read the label table"):
        load_labeled([path], labels=table)
    with pytest.raises(seqconv.InputError, match="is a directory"):
        load_labeled([path], labels=tmp_path)
    gz = tmp_path / "t.tsv.gz"
    gz.write_bytes(gzip.compress(b"id\ty\ns0\t1\ns1\t0\ns2\t1\ns3\t0\n"))
    assert load_labeled([path], labels=gz).targets.tolist() == [1, 0, 1, 0]
