"""``seqconv train --series steps.csv --task segment``: a 0/1 label per time step."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.series.step_labels import read_step_labels

TINY = ["-O", "filters=16", "-O", "first_kernel_size=9", "-O", "dilations=[2,4,8]"]


def steps_table(n: int = 200, length: int = 300, seed: int = 0) -> pd.DataFrame:
    """Two channels of noise; events are bursts of a 5 Hz sine (50 steps a second)."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n):
        x = rng.normal(0, 1, (length, 2))
        event = np.zeros(length, dtype=int)
        for _ in range(int(rng.integers(1, 3))):
            width = int(rng.integers(30, 60))
            start = int(rng.integers(0, length - width))
            t = np.arange(width) / 50.0
            x[start : start + width, 0] += 3 * np.sin(2 * np.pi * 5 * t)
            x[start : start + width, 1] += 3 * np.cos(2 * np.pi * 5 * t)
            event[start : start + width] = 1
        size = length - 50 * (i % 4 == 3)  # some series shorter: padded and masked
        parts.append(pd.DataFrame({"id": f"s{i}", "time": np.arange(size), "x": x[:size, 0],
                                   "y": x[:size, 1], "event": event[:size]}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("segment")
    table = folder / "steps.csv"
    steps_table().to_csv(table, index=False)
    out = folder / "run"
    result = CliRunner().invoke(app, ["train", "--series", str(table), "--task", "segment",
                                      "--target", "event", "--epochs", "10", "--out", str(out),
                                      "--quiet", *TINY])  # fmt: skip
    assert result.exit_code == 0, result.output
    return table, out


def test_trains_and_scores_intervals(trained):
    _, out = trained
    config = json.loads((out / "config.json").read_text())
    assert config["task"] == "segment"
    assert config["model"]["name"] == "dilated_seg"
    assert set(config["segment"]) == {"pos_weight", "min_length"}
    assert config["input"]["channels"] == ["x", "y"]
    summary = json.loads((out / "metrics.json").read_text())["summary"]
    assert summary["interval_recall"] > 0.7
    assert summary["interval_precision"] > 0.7


def test_predict_writes_intervals(trained, tmp_path):
    table, out = trained
    pred = tmp_path / "intervals.tsv"
    result = CliRunner().invoke(app, ["predict", "--run", str(out), "--series", str(table),
                                      "--out", str(pred)])  # fmt: skip
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(pred, sep="\t")
    assert list(frame.columns) == ["id", "start", "end", "label", "score"]
    assert len(frame) > 100 and set(frame["label"]) == {"event"}
    lengths = steps_table().groupby("id").size()
    assert (frame["end"] <= lengths[frame["id"]].to_numpy()).all()  # none in the padding


def test_predict_writes_every_per_step_probability_when_asked(trained, tmp_path):
    table, out = trained
    npz = tmp_path / "steps.npz"
    result = CliRunner().invoke(app, ["predict", "--run", str(out), "--series", str(table),
                                      "--out", str(tmp_path / "p.tsv"), "--per-position",
                                      str(npz)])  # fmt: skip
    assert result.exit_code == 0, result.output
    saved = np.load(npz)
    lengths = steps_table().groupby("id", sort=False).size()
    assert saved["ids"].tolist() == [str(i) for i in lengths.index]
    assert saved["probabilities"].shape == (len(lengths), 1, lengths.max())
    assert saved["target_names"].tolist() == ["event"]


def test_dna_and_series_runs_predict_with_one_signature():
    import inspect

    from seqconv.runs.dna_run import DnaRun
    from seqconv.runs.run import Run
    from seqconv.runs.series_run import SeriesRun

    def shape(cls, method):  # names and defaults (the input's type differs)
        params = inspect.signature(getattr(cls, method)).parameters.values()
        return [(p.name, p.default) for p in params]

    for method in ("predict", "predict_file"):
        for cls in (DnaRun, SeriesRun):
            assert shape(cls, method) == shape(Run, method), (cls, method)


def test_reader_pads_labels(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": ["a", "a", "a", "b"], "v": [1.0, 2, 3, 4],
                  "event": [0, 1, None, 1]}).to_csv(path, index=False)  # fmt: skip
    data, labels, names = read_step_labels(path, ["event"])
    assert data.ids == ["a", "b"] and data.channels == ["v"] and names == ["event"]
    assert data.lengths.tolist() == [3, 1]
    assert labels[:, 0].tolist() == [[0, 1, 0], [1, 0, 0]]


def test_bad_label_is_a_message(tmp_path):
    path = tmp_path / "bad.csv"
    table = steps_table(4, 60)
    table["event"] = table["event"].astype(object)
    table.loc[5, "event"] = "2"
    table.to_csv(path, index=False)
    args = ["--task", "segment", "--target", "event", "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(app, ["train", "--series", str(path), *args])
    assert result.exit_code == 2
    assert "line 7" in result.output and "'2'" in result.output and "0 or 1" in result.output


def test_segment_needs_target(tmp_path):
    path = tmp_path / "t.csv"
    steps_table(4, 60).to_csv(path, index=False)
    result = CliRunner().invoke(app, ["train", "--series", str(path), "--task", "segment",
                                      "--out", str(tmp_path / "r")])  # fmt: skip
    assert result.exit_code == 2
    assert "--target" in result.output
