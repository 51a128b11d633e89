"""One test per kind of bad file users reported: the message names the file and what is wrong;
standard input, FIFOs, bgzip, CRLF and old Mac line ends are read."""

from __future__ import annotations

import gzip
import io
import os
import sys
import threading

import numpy as np
import pytest

from seqconv import files
from seqconv.dna.fasta import fasta_lengths, read_fasta, read_fasta_codes
from seqconv.errors import InputError
from seqconv.motifs.formats import read_motifs
from seqconv.series.data import read_series
from seqconv.series.tables import read_table

FASTA = b">a\nACGT\n>b desc\nGGCC\n"
TS = b"@problemName t\n@univariate true\n@targetLabel true\n@data\n1,2,3:0.5\n4,5,6:1.5\n"


@pytest.fixture(autouse=True)
def _fresh_copies(monkeypatch):
    """Each test spools its streams anew (the cache lives for a process)."""
    monkeypatch.setattr(files, "_copies", {})


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))


def test_corrupt_gzip(tmp_path):
    packed = gzip.compress(FASTA * 50)
    bad_crc = tmp_path / "crc.fa.gz"
    bad_crc.write_bytes(packed[:-8] + b"\0\0\0\0" + packed[-4:])
    truncated = tmp_path / "cut.fa.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    for path in (bad_crc, truncated):
        with pytest.raises(InputError, match=f"{path.name}: corrupt or truncated gzip data"):
            read_fasta_codes(path)
    ts = tmp_path / "cut.ts.gz"
    ts.write_bytes(gzip.compress(TS)[:20])
    with pytest.raises(InputError, match="cut.ts.gz: corrupt or truncated gzip data"):
        read_series(ts)


def test_bgzip_and_line_ends(tmp_path):
    bgzip = tmp_path / "multi.fa.gz"
    bgzip.write_bytes(gzip.compress(FASTA[:9]) + gzip.compress(FASTA[9:]))
    for name, data in {
        "crlf": FASTA.replace(b"\n", b"\r\n"),
        "mac": FASTA.replace(b"\n", b"\r"),
    }.items():
        (tmp_path / f"{name}.fa").write_bytes(data)
    for path in (bgzip, tmp_path / "crlf.fa", tmp_path / "mac.fa"):
        assert [r.sequence for r in read_fasta(path)] == ["ACGT", "GGCC"]
    mac_ts = tmp_path / "mac.ts"
    mac_ts.write_bytes(TS.replace(b"\n", b"\r"))
    assert read_series(mac_ts).labels == ["0.5", "1.5"]
    mac_csv = tmp_path / "mac.csv"
    mac_csv.write_bytes(b"id,t0,t1\ra,1,2\rb,3,4\r")
    assert read_series(mac_csv).ids == ["a", "b"]


def test_stdin_read_twice(monkeypatch):
    _stdin(monkeypatch, gzip.compress(FASTA))
    assert fasta_lengths("-").tolist() == [4, 4]
    assert read_fasta_codes("-").ids == ["a", "b"]  # the spooled copy is read again


def test_stdin_series_sniffed(monkeypatch):
    _stdin(monkeypatch, TS)
    assert read_series("-").labels == ["0.5", "1.5"]
    files._copies.clear()
    _stdin(monkeypatch, b"id,t0,t1\na,1,2\n")
    assert read_table("-").columns.tolist() == ["id", "t0", "t1"]


def test_fifo(tmp_path):
    fifo = tmp_path / "reads.fa"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(FASTA,))
    writer.start()
    assert fasta_lengths(fifo).tolist() == [4, 4]
    writer.join()
    assert read_fasta_codes(fifo).ids == ["a", "b"]


def test_paths_that_are_not_files(tmp_path):
    (tmp_path / "dir.fa").mkdir()
    with pytest.raises(InputError, match="dir.fa: is a directory, expected a FASTA/FASTQ file"):
        read_fasta_codes(tmp_path / "dir.fa")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="dir.csv: is a directory, expected a time-series"):
        read_series(tmp_path / "dir.csv")
    (tmp_path / "loop1.fa").symlink_to(tmp_path / "loop2.fa")
    (tmp_path / "loop2.fa").symlink_to(tmp_path / "loop1.fa")
    with pytest.raises(InputError, match="loop1.fa: cannot read it .*symbolic link loop"):
        read_fasta_codes(tmp_path / "loop1.fa")
    (tmp_path / "broken.meme").symlink_to(tmp_path / "nowhere.meme")
    with pytest.raises(InputError, match="broken.meme: a symbolic link to .*does not exist"):
        read_motifs(tmp_path / "broken.meme")
    with pytest.raises(InputError, match="missing.ts: no such file"):
        read_series(tmp_path / "missing.ts")


def test_permission_denied(tmp_path):
    error = files.os_error(tmp_path / "x.fa", PermissionError(13, "Permission denied"))
    assert "x.fa: permission denied" in str(error)
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "locked.fa"
    path.write_bytes(FASTA)
    path.chmod(0)
    with pytest.raises(InputError, match="locked.fa: permission denied"):
        read_fasta_codes(path)


@pytest.mark.parametrize(
    ("name", "data", "reader", "expected"),
    [
        ("bin.ts", TS[:30] + b"\xff\xfe" + TS[30:], read_series, r"bin.ts, line 2: byte \d+"),
        ("nul.csv", b"id,t0\na,1\0\n", read_series, "nul.csv, line 2: a NUL byte"),
        ("bad.tsv", b"id\tt0\n\xe9\t1\n", read_table, "bad.tsv, line 2: byte 1 .*not UTF-8"),
        ("bad.meme", b"MEME version 4\n\x00\x01", read_motifs, "bad.meme, line 2: a NUL byte"),
        ("gz.csv", gzip.compress(bytes(range(256))), read_series, "gz.csv, line 1: a NUL byte"),
        ("x.parquet", b"PAR1 not really", read_series, "x.parquet: cannot read it as Parquet"),
    ],
)
def test_binary_or_not_utf8(tmp_path, name, data, reader, expected):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError, match=expected):
        reader(tmp_path / name)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("header.csv", b"id,t0,t1\n", r"header.csv: the table has no rows \(only a header\?\)"),
        ("header.ts", b"@problemName x\n", "header.ts: no @data line"),
        ("nodata.ts", b"@problemName x\n@data\n", "nodata.ts: no cases after @data"),
    ],
)
def test_empty_series_files(tmp_path, name, data, expected):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError, match=expected):
        read_series(tmp_path / name)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "no sequences found"),
        (b">only\n", "line 1: record 'only' has an empty sequence"),
        (b"@r\nACGT\n+\nII\n", "line 1: sequence and quality of 'r' differ in length"),
        (b"@r\nACGT\n+\nIIII\n@s\nAC\n", "line 5: the file ends inside the FASTQ record .s."),
    ],
)
def test_empty_or_truncated_reads(tmp_path, data, expected):
    path = tmp_path / "reads.fq"
    path.write_bytes(data)
    with pytest.raises(InputError, match=f"reads.fq.*{expected}"):
        read_fasta_codes(path)


def test_infinite_and_all_missing_series(tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes(b"id,t0,t1\na,1,inf\nb,2,3\nc,-inf,1\n")
    with pytest.raises(InputError, match=r"v.csv: 2 series hold infinite values: 'a', 'c'"):
        read_series(path)
    path.write_bytes(b"id,time,value\na,0,1\na,1,2\nb,0,\nb,1,\n")
    with pytest.raises(InputError, match="v.csv: 1 series has every value missing: 'b'"):
        read_series(path)
    ts = tmp_path / "v.ts"
    ts.write_bytes(b"@problemName x\n@univariate true\n@data\n1,2\n?,?\n")
    with pytest.raises(InputError, match="v.ts: 1 series has every value missing: 'v_1'"):
        read_series(ts)


def test_missing_labels_named_or_dropped(tmp_path):
    table = tmp_path / "l.csv"
    rows = [b"id,target,t0,t1"] + [
        f"s{i},{v},1,2".encode()
        for i, v in enumerate(["0.5", "", "nan", "inf", "1", "", "", "", ""])
    ]
    table.write_bytes(b"\n".join(rows) + b"\n")
    with pytest.raises(InputError) as raised:
        read_series(table)
    message = str(raised.value)
    assert "l.csv: 7 series have no usable label in 'target'" in message
    assert "'s1', 's2', 's3', 's5', 's6', … (7 in all)" in message
    assert "--drop-missing-labels" in message
    data = read_series(table, drop_missing_labels=True)
    assert data.ids == ["s0", "s4"] and data.labels == ["0.5", "1"]
    assert any("dropped 7 series with missing labels" in n for n in data.notes)
    ts = tmp_path / "l.ts"
    ts.write_bytes(
        b"@problemName x\n@univariate true\n@classLabel true a b\n@data\n1,2:a\n3,4:\n5,6:b\n"
    )
    with pytest.raises(InputError, match="l.ts: 1 series has no usable label.*'l_1'"):
        read_series(ts)
    kept = read_series(ts, drop_missing_labels=True)
    assert kept.labels == ["a", "b"] and np.isfinite(kept.values).all()
