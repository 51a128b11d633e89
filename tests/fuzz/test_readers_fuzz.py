"""Every file reader, fed random bytes and damaged valid files: an InputError or a valid result,
never another exception (the CLI would print "internal error")."""

from __future__ import annotations

import gzip
import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqconv.dna.fasta import fasta_lengths, read_fasta, read_fasta_codes
from seqconv.errors import InputError
from seqconv.motifs.database import load_database
from seqconv.motifs.formats import read_motifs
from seqconv.series.container import SeriesData
from seqconv.series.data import read_series
from seqconv.series.tables import read_table

FASTA = b">a first\nACGTNACGTA\nCCGT\n>b\nacgtacgtacgtac\n>c x y\nGGGGCCCCAAAATT\n"
FASTQ = b"@a\nACGTACGT\n+\nIIIIIIII\n@b desc\nTTGGCCAA\n+b\n!!!!!!!!\n"
TS = (
    b"# a comment\n@problemName toy\n@timeStamps false\n@missing true\n@univariate true\n"
    b"@equalLength false\n@classLabel true up down\n@data\n1.0,2.0,3.5:up\n4,?,6,7:down\n"
    b"0.5,0.25:up\n"
)
TS_TARGET = b"@problemName r\n@univariate true\n@targetLabel true\n@data\n1,2,3:0.5\n4,5,6:1.5\n"
CSV = b"id,label,t0,t1,t2\na,0,1.0,2.0,3.0\nb,1,3.0,,4.0\nc,0,5,6,\n"
LONG = b"id,time,value,label\na,0,1.0,x\na,1,2.0,x\nb,0,3.0,y\nb,2,4.0,y\n"
STEPS = b"date,passengers\n2020-01-01,10\n2020-02-01,12\n2020-03-01,9\n"
MEME = (
    b"MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\n"
    b"A 0.3 C 0.2 G 0.2 T 0.3\n\nMOTIF m1 one\nletter-probability matrix: alength= 4 w= 2 "
    b"nsites= 10 E= 0\n 0.1 0.2 0.3 0.4\n 0.25 0.25 0.25 0.25\n\nMOTIF m2\n"
    b"letter-probability matrix: alength= 4 w= 1 nsites= 5 E= 0\n 1 0 0 0\n"
)
JASPAR = b">MA0001.1 ONE\nA  [ 1 2 ]\nC  [ 0 1 ]\nG  [ 3 0 ]\nT  [ 0 1 ]\n"
TRANSFAC = (
    b"AC  m1\nXX\nID  m1\nXX\nP0      A      C      G      T\n01      1      2      3      4\n"
    b"02      4      3      2      1\nXX\n//\n"
)


def _check_fasta_codes(path: Path) -> None:
    encoded = read_fasta_codes(path, length=16)
    assert encoded.codes.shape == (len(encoded.ids), 16)
    assert len(encoded.lengths) == len(encoded.ids)


def _check_series(path: Path) -> None:
    data = read_series(path)
    assert isinstance(data, SeriesData)
    assert len(data) >= 1 and np.isfinite(data.values[~np.isnan(data.values)]).all()


READERS: dict[str, tuple[str, bytes, Callable[[Path], object]]] = {
    "read_fasta": (".fa", FASTA, lambda p: list(read_fasta(p))),
    "read_fasta_codes": (".fa", FASTA, _check_fasta_codes),
    "fasta_lengths": (".fa.gz", FASTA, fasta_lengths),
    "fastq": (".fq", FASTQ, lambda p: read_fasta_codes(p, length=8)),
    "ts": (".ts", TS, _check_series),
    "ts_target": (".ts", TS_TARGET, _check_series),
    "csv_wide": (".csv", CSV, _check_series),
    "tsv_wide": (".tsv", CSV.replace(b",", b"\t"), _check_series),
    "csv_long": (".csv", LONG, _check_series),
    "txt_steps": (".txt", STEPS, _check_series),
    "read_table": (".csv", CSV, read_table),
    "meme": (".meme", MEME, read_motifs),
    "jaspar": (".jaspar", JASPAR, read_motifs),
    "transfac": (".transfac", TRANSFAC, load_database),
}
_counter = itertools.count()
_DIR = Path(tempfile.mkdtemp(prefix="seqconv-fuzz-"))
_FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _read(name: str, data: bytes) -> None:
    suffix, _, reader = READERS[name]
    path = _DIR / f"{next(_counter)}{suffix}"
    path.write_bytes(data)
    try:
        reader(path)
    except InputError as exc:
        assert str(exc), "an InputError needs a message"
    finally:
        path.unlink()


@st.composite
def damaged(draw, valid: bytes) -> bytes:
    """``valid`` with one to three mutations, possibly gzipped afterwards."""
    data = valid
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["truncate", "insert", "delete", "swap", "replace", "dup", "newline"])
        )
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        lines = data.split(b"\n")
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 10)) :]
        elif kind == "swap" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif kind == "replace" and data:
            char = draw(st.sampled_from(list(b"\x00\xff,:;?>@+- \t\rXn9.eE()[]#%")))
            data = data[:at] + bytes([char]) + data[at + 1 :]
        elif kind == "dup" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[: i + 1] + lines[i:])
        elif kind == "newline":
            data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"])))
    if draw(st.booleans()) and draw(st.booleans()):
        data = gzip.compress(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return data


@pytest.mark.parametrize("name", list(READERS))
def test_valid_files_read(name):
    suffix, valid, reader = READERS[name]
    path = _DIR / f"valid-{name}{suffix}"
    path.write_bytes(gzip.compress(valid) if suffix.endswith(".gz") else valid)
    reader(path)  # the seeds of the fuzzing are readable


@pytest.mark.parametrize("name", list(READERS))
@_FUZZ
@given(data=st.binary(max_size=200) | st.binary(max_size=60).map(gzip.compress))
def test_random_bytes(name, data):
    _read(name, data)


@pytest.mark.parametrize("name", list(READERS))
@_FUZZ
@given(seed=st.data())
def test_damaged_files(name, seed):
    _read(name, seed.draw(damaged(READERS[name][1])))


@_FUZZ
@given(seed=st.data())
def test_damaged_parquet(seed):
    """A Parquet file with bytes changed: pyarrow's errors are InputErrors too."""
    path = _DIR / f"{next(_counter)}.parquet"
    pd.DataFrame({"id": ["a", "b"], "t0": [1.0, 2.0], "t1": [3.0, 4.0]}).to_parquet(path)
    valid = path.read_bytes()
    at = seed.draw(st.integers(0, len(valid) - 1))
    path.write_bytes(valid[:at] + seed.draw(st.binary(max_size=8)) + valid[at + 1 :])
    try:
        read_series(path)
    except InputError:
        pass
    finally:
        path.unlink()
