"""Readers for time series: ``.ts`` (shipped UCR files and hand-written cases), wide/long tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqconv.errors import InputError
from seqconv.series.data import SeriesData, read_series, read_ts
from seqconv.series.tables import detect_layout, read_table
from seqconv.series.timegrid import regular_grid

UCR = Path(__file__).resolve().parents[2] / "data" / "ucr"


def write(tmp_path: Path, text: str, name: str = "x.ts") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ---------------------------------------------------------------- shipped UCR files


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("GunPoint_TRAIN", (50, 1, 150)),
        ("GunPoint_TEST", (150, 1, 150)),
        ("ItalyPowerDemand_TRAIN", (67, 1, 24)),
        ("ItalyPowerDemand_TEST", (1029, 1, 24)),
    ],
)
def test_shipped_ucr_shapes(name, shape):
    data = read_series(UCR / f"{name}.ts")
    assert data.values.shape == shape
    assert data.values.dtype == np.float32
    assert data.equal_length and not np.isnan(data.values).any()
    assert data.label_kind == "class" and data.class_names == ["1", "2"]
    targets, names, task = data.targets()
    assert task == "binary" and names == ["1", "2"]
    assert targets.dtype == np.int64 and targets.shape == (shape[0],)
    assert set(np.bincount(targets)) and len(np.unique(targets)) == 2
    assert len(set(data.ids)) == shape[0] and data.ids[0] == f"{name}_0"


def test_labels_against_known_classes(tmp_path):
    data = read_ts(write(tmp_path, MULTI_UNEQUAL))
    targets, names, task = data.targets(classes=["up", "down", "sideways"])
    assert targets.tolist() == [0, 1, 0] and names == ["up", "down", "sideways"]
    assert task == "multiclass"
    one_class = data.subset([0, 2])
    assert one_class.targets(classes=["down", "up"])[0].tolist() == [1, 1]
    with pytest.raises(InputError, match="class 'down', which the model does not know"):
        data.targets(classes=["up", "left"])


def test_gunpoint_first_values():
    data = read_ts(UCR / "GunPoint_TRAIN.ts")
    assert data.values[0, 0, 0] == pytest.approx(-0.6478854)
    assert data.labels[-1] == "2"


# ---------------------------------------------------------------- hand-written .ts

MULTI_UNEQUAL = """\
# a comment
% another comment
@problemName Toy
@timeStamps false
@missing true
@univariate false
@dimensions 2
@equalLength false
@classLabel true up down
@data
1.0,2.0,?,4.0:0.5,0.4,0.3,0.2:up
3.0,2.0:1.0,NaN:down

5,6,7:8,9,10:up
"""


def test_multivariate_unequal_missing(tmp_path):
    data = read_ts(write(tmp_path, MULTI_UNEQUAL))
    assert data.values.shape == (3, 2, 4)
    assert data.lengths.tolist() == [4, 2, 3]
    assert data.labels == ["up", "down", "up"]
    assert data.class_names == ["up", "down"]
    np.testing.assert_array_equal(data.series(1), [[3.0, 2.0], [1.0, np.nan]])
    assert np.isnan(data.values[0, 0, 2])  # '?' is missing
    assert np.isnan(data.values[1, :, 2:]).all()  # padding
    assert data.missing_counts() == {"dim_0": 1, "dim_1": 1}
    assert data.mask().tolist()[1] == [True, True, False, False]
    assert any("2 missing values" in n for n in data.notes)
    targets, names, task = data.targets()
    assert task == "binary" and names == ["down", "up"] and targets.tolist() == [1, 0, 1]


REGRESSION = """\
@problemName Reg
@timeStamps false
@univariate true
@equalLength true
@seriesLength 3
@targetLabel true
@data
1,2,3:0.5
4,5,6:-1.25
"""


def test_regression_targets(tmp_path):
    data = read_ts(write(tmp_path, REGRESSION))
    assert data.label_kind == "target"
    targets, names, task = data.targets()
    assert task == "regression" and targets.dtype == np.float32
    np.testing.assert_allclose(targets, [[0.5], [-1.25]])


def test_no_labels(tmp_path):
    text = "@problemName X\n@univariate true\n@classLabel false\n@data\n1,2,3\n4,5\n"
    data = read_ts(write(tmp_path, text))
    assert data.labels is None and data.lengths.tolist() == [3, 2]
    with pytest.raises(InputError, match="no labels"):
        data.targets()


def test_timestamps(tmp_path):
    text = (
        "@problemName T\n@timeStamps true\n@univariate true\n@classLabel true a b\n@data\n"
        "(2007-01-01 00:00:00,1.5),(2007-01-01 00:01:00,2.5),(2007-01-01 00:03:00,4.0):a\n"
        "(0,1),(1,2),(2,3):b\n"
    )
    data = read_ts(write(tmp_path, text))
    # the absent 00:02 step becomes a missing value on a regular grid
    np.testing.assert_array_equal(data.series(0), [[1.5, 2.5, np.nan, 4.0]])
    assert data.times[0][2] == np.datetime64("2007-01-01T00:02:00")
    np.testing.assert_array_equal(data.times[1], [0.0, 1.0, 2.0])
    assert data.labels == ["a", "b"]


def test_gzipped_ts(tmp_path):
    import gzip

    path = tmp_path / "x.ts.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(REGRESSION)
    assert read_series(path).values.shape == (2, 1, 3)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("@univariate true\n@classLabel true a b\n@data\n1,2,x:a\n", 4, "'x'.*not a number"),
        ("@univariate true\n@classLabel true a b\n@data\n1,2:a\n1,2:c\n", 5, "class 'c'"),
        ("@univariate true\n@classLabel true a b\n@data\n1,2:3,4:a\n", 4, "2 channels"),
        ("@dimensions 2\n@classLabel false\n@data\n1,2:3,4\n1,2\n", 5, "first case has 2"),
        ("@equalLength true\n@seriesLength 3\n@classLabel false\n@data\n1,2,3\n1,2\n", 6, "3"),
        ("@classLabel false\n@data\n1,2:3\n", 3, "different lengths|lengths \\[2, 1\\]"),
        ("@targetLabel true\n@data\n1,2:abc\n", 3, "not a number"),
        ("@classLabel true\n@data\n", 1, "must list the classes"),
        ("@univariate maybe\n@data\n", 1, "true or false"),
        ("hello\n@data\n", 1, "expected a @tag"),
        ("@classLabel false\n@data\n(0,1),(1,2)\n", 3, "@timeStamps true"),
        ("@timeStamps true\n@classLabel false\n@data\n0,1,2\n", 4, "\\(time,value\\) pairs"),
        ("@data extra\n", 1, "@data takes no value"),
    ],
)
def test_malformed_ts_names_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text, "bad.ts")
    with pytest.raises(InputError, match=message) as info:
        read_ts(path)
    assert f"bad.ts, line {line}" in str(info.value)


def test_ts_without_data_or_cases(tmp_path):
    with pytest.raises(InputError, match="no @data"):
        read_ts(write(tmp_path, "@problemName X\n", "a.ts"))
    with pytest.raises(InputError, match="no cases"):
        read_ts(write(tmp_path, "@problemName X\n@data\n", "b.ts"))
    with pytest.raises(InputError, match="no such file"):
        read_ts(tmp_path / "missing.ts")


def test_ts_timestamps_must_increase(tmp_path):
    text = "@timeStamps true\n@classLabel false\n@data\n(0,1),(2,2),(1,3)\n"
    with pytest.raises(InputError, match="must increase"):
        read_ts(write(tmp_path, text))


def test_ts_refuses_target_option():
    with pytest.raises(InputError, match="drop --target"):
        read_series(UCR / "GunPoint_TRAIN.ts", target="label")


# ---------------------------------------------------------------- tables


def _frame_from(data: SeriesData) -> pd.DataFrame:
    wide = pd.DataFrame(data.values[:, 0, :], columns=[f"t{i}" for i in range(data.max_length)])
    wide.insert(0, "id", data.ids)
    wide.insert(1, "label", data.labels)
    return wide


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".csv.gz"])
def test_wide_round_trip(tmp_path, suffix):
    original = read_ts(UCR / "ItalyPowerDemand_TRAIN.ts")
    frame = _frame_from(original)
    path = tmp_path / f"wide{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False)
    data = read_series(path, target="label")
    assert data.ids == original.ids and data.labels == original.labels
    np.testing.assert_allclose(data.values, original.values, rtol=1e-6)
    assert data.targets()[0].tolist() == original.targets()[0].tolist()


def test_wide_label_column_found_by_name(tmp_path):
    path = tmp_path / "w.csv"
    pd.DataFrame({"label": ["a", "b", "a"], "x0": [1, 2, 3], "x1": [4, 5, 6]}).to_csv(
        path, index=False
    )
    data = read_series(path)
    assert data.labels == ["a", "b", "a"] and data.values.shape == (3, 1, 2)
    assert data.ids == ["0", "1", "2"]
    assert any("labels from column 'label'" in n for n in data.notes)


def test_wide_ragged_and_missing(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("id,y,a,b,c,d\ns1,0.5,1,,3,4\ns2,1.5,1,2,,\ns3,2.5,7,8,9,\n")
    data = read_series(path, target="y")
    assert data.lengths.tolist() == [4, 2, 3]
    assert np.isnan(data.values[0, 0, 1])  # inside: missing
    assert data.missing_counts() == {"value": 1}
    targets, names, task = data.targets()
    assert task == "regression" and names == ["y"]
    np.testing.assert_allclose(targets[:, 0], [0.5, 1.5, 2.5])


def test_wide_with_channel_rows(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(
        "id,channel,label,t0,t1,t2\na,x,1,1,2,3\na,y,1,4,5,6\nb,y,0,7,8,\nb,x,0,9,10,\n"
    )
    data = read_series(path)
    assert data.channels == ["x", "y"] and data.ids == ["a", "b"]
    assert data.lengths.tolist() == [3, 2]
    np.testing.assert_array_equal(data.series(1), [[9, 10], [7, 8]])
    assert data.labels == ["1", "0"]


def test_headerless_ucr_tsv(tmp_path):
    path = tmp_path / "GunPoint_TRAIN.tsv"
    path.write_text("1\t0.1\t0.2\t0.3\n2\t0.4\t0.5\t0.6\n")
    data = read_series(path, target="0")
    assert data.labels == ["1", "2"] and data.values.shape == (2, 1, 3)
    plain = read_series(path)
    assert plain.values.shape == (2, 1, 4) and any("target='0'" in n for n in plain.notes)
    # what pandas writes for unnamed columns is a header, not data
    pd.DataFrame(np.arange(6.0).reshape(2, 3)).to_csv(tmp_path / "p.csv", index=False)
    assert read_series(tmp_path / "p.csv").values.shape == (2, 1, 3)


def test_wide_errors(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("id,label,t0,t1\na,1,0.5,oops\nb,0,1,2\n")
    with pytest.raises(InputError, match="'t1' of series 'a' holds 'oops'"):
        read_series(path)
    path.write_text("id,t0\na,1\na,2\n")
    with pytest.raises(InputError, match="'a' appears more than once"):
        read_series(path)
    path.write_text("id,label,t0\na,,1\nb,0,2\n")
    missing = "1 series has no usable label in 'label'.*'a'.*--drop-missing-labels"
    with pytest.raises(InputError, match=missing):
        read_series(path)
    with pytest.raises(InputError, match="no column 'nope'"):
        read_series(path, target="nope")
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unknown series format"):
        read_series(tmp_path / "x.xlsx")


def _long_frame() -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(0)
    for sid, n, label in (("s1", 5, "a"), ("s2", 3, "b"), ("s3", 4, "a")):
        for t in range(n):
            for ch in ("x", "y"):
                rows.append((sid, t, ch, float(rng.normal()), label))
    frame = pd.DataFrame(rows, columns=["id", "time", "channel", "value", "label"])
    return frame.sample(frac=1.0, random_state=1)  # any row order


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_long_round_trip(tmp_path, suffix):
    frame = _long_frame()
    path = tmp_path / f"long{suffix}"
    frame.to_parquet(path) if suffix == ".parquet" else frame.to_csv(path, index=False)
    data = read_series(path, target="label")
    assert data.ids == list(dict.fromkeys(frame["id"]))
    assert sorted(data.channels) == ["x", "y"]
    by_id = dict(zip(data.ids, range(len(data)), strict=True))
    assert data.lengths[by_id["s1"]] == 5 and data.lengths[by_id["s2"]] == 3
    for row in frame.itertuples():
        i, c = by_id[row.id], data.channels.index(row.channel)
        assert data.values[i, c, row.time] == pytest.approx(row.value, rel=1e-6)
        assert data.times[i][row.time] == row.time
    assert [data.labels[by_id[s]] for s in ("s1", "s2", "s3")] == ["a", "b", "a"]


def test_long_gaps_dates_and_errors(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "id,time,value\nA,2024-01-01,1\nA,2024-01-02,2\nA,2024-01-04,4\nB,2024-01-01,5\nB,2024-01-02,6\n"
    )
    data = read_series(path)
    np.testing.assert_array_equal(data.series(0), [[1, 2, np.nan, 4]])
    assert data.lengths.tolist() == [4, 2]
    assert any("1 absent time steps" in n for n in data.notes)
    kept = read_series(path, fill_gaps=False)
    assert kept.lengths.tolist() == [3, 2]
    path.write_text("id,time,value\nA,0,1\nA,0,2\n")
    with pytest.raises(InputError, match="two values at time"):
        read_series(path)
    path.write_text("id,time,value,label\nA,0,1,x\nA,1,2,y\n")
    with pytest.raises(InputError, match="several values in the target"):
        read_series(path, target="label")
    path.write_text("id,time,value\nA,soon,1\n")
    with pytest.raises(InputError, match="neither a number nor a date"):
        read_series(path)


def test_layout_detection_and_override(tmp_path):
    frame = pd.DataFrame({"id": ["a", "a"], "time": [0, 1], "value": [1.0, 2.0]})
    assert detect_layout(frame) == "long"
    assert detect_layout(frame.rename(columns={"time": "t"})) == "wide"
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    assert read_series(path).values.shape == (1, 1, 2)
    # as wide, 'time' and 'value' are two time steps of two series with the same id
    with pytest.raises(InputError, match="appears more than once"):
        read_series(path, layout="wide")
    assert read_table(path).shape == (2, 3)


def test_from_arrays_and_subset():
    data = SeriesData.from_arrays([np.arange(3.0), np.arange(5.0)], labels=["a", "b"])
    assert data.values.shape == (2, 1, 5) and data.lengths.tolist() == [3, 5]
    sub = data.subset([0])
    assert sub.values.shape == (1, 1, 3) and sub.labels == ["a"]


def test_regular_grid_irregular_and_huge_gaps():
    values = np.array([[1.0, 2.0, 3.0]])
    same = regular_grid(np.array([0.0, 1.0, 2.5]), values)  # 1.5 is not a whole step
    assert same[2] == -1 and same[1] is values
    assert regular_grid(np.array([0.0, 1.0, 1e6]), values)[2] == -1  # would explode
    times, grid, added = regular_grid(np.array([0.0, 0.1, 0.3]), values)
    assert added == 1 and np.isnan(grid[0, 2]) and times[-1] == pytest.approx(0.3)


def test_long_irregular_note_and_tz(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("id,time,value\nA,0,1\nA,1,2\nA,2.5,3\n")
    data = read_series(path)
    assert data.lengths.tolist() == [3] and any("irregular" in n for n in data.notes)
    path.write_text("id,time,value\nA,2024-01-01T01:00+01:00,1\nA,2024-01-01T01:00:00Z,2\n")
    data = read_series(path)  # 00:00 UTC, then 01:00 UTC
    assert data.times[0][0] == np.datetime64("2024-01-01T00:00") and data.lengths.tolist() == [2]


# ---------------------------------------------------------------- steps tables (one row per step)


def test_steps_table_monthly_with_gap_and_unsorted_rows(tmp_path):
    path = tmp_path / "airline.csv"
    path.write_text("Date,Passengers\n1949-03,132\n1949-01,112\n1949-02,118\n1949-05,121\n")
    data = read_series(path)
    assert data.ids == ["airline"] and data.channels == ["Passengers"]
    # sorted by time; April is absent, so it is a missing value on the monthly grid
    np.testing.assert_array_equal(data.series(0), [[112, 118, 132, np.nan, 121]])
    assert data.times[0][3] == np.datetime64("1949-04-01") and data.labels is None
    assert any("one row per time step" in n for n in data.notes)


def test_steps_table_unnamed_date_index_and_channels(tmp_path):
    frame = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]},
        index=pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]),
    )
    path = tmp_path / "two.csv"
    frame.to_csv(path)  # the index becomes a first column without a name
    assert detect_layout(read_table(path)) == "steps"
    data = read_series(path)
    assert data.channels == ["a", "b"] and data.values.shape == (1, 2, 3)
    np.testing.assert_array_equal(data.series(0), frame.to_numpy().T)


def test_steps_table_errors(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("time,value\n0,1.5\n1,oops\n")
    with pytest.raises(InputError, match="row at time '1' holds 'oops'"):
        read_series(path)
    path.write_text("time,value\n0,1.5\n1,2\n")
    with pytest.raises(InputError, match="no per-series labels"):
        read_series(path, target="value")
    path.write_text("time\n0\n1\n")
    with pytest.raises(InputError, match="no value columns"):
        read_series(path)


def test_steps_detection_needs_a_time_column_and_no_id():
    assert detect_layout(pd.DataFrame({"timestamp": [0, 1], "x": [1, 2]})) == "steps"
    assert detect_layout(pd.DataFrame({"id": ["a"], "date": ["2024-01-01"], "x": [1]})) == "wide"
    assert detect_layout(pd.DataFrame({"c0": [1.0], "c1": [2.0]})) == "wide"
    assert detect_layout(pd.DataFrame({"name": ["x", "y"], "c1": [2.0, 3.0]})) == "wide"


def test_regular_grid_calendar_months():
    ends = pd.to_datetime(["2020-01-31", "2020-02-29", "2020-04-30", "2020-05-31"]).to_numpy()
    times, grid, added = regular_grid(ends, np.arange(4.0)[None])
    assert added == 1 and np.isnan(grid[0, 2])
    assert times[2] == np.datetime64("2020-03-31")
    mixed = pd.to_datetime(["2020-01-01", "2020-01-08", "2020-02-01"]).to_numpy()
    assert regular_grid(mixed, np.arange(3.0)[None])[2] == -1  # neither days nor months
