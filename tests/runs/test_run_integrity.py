"""A run's weights carry their SHA-256 in config.json, and config.json must fit its weights:
a flipped bit or an edited config stops with a message that names the file and the mismatch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

import seqconv
from seqconv.core.weights import weights_writer
from seqconv.errors import SeqconvError
from seqconv.rundir import sha256, verify_weights, write_weights

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1"


@pytest.fixture
def run_dir(tmp_path) -> Path:
    shutil.copytree(FIXTURES / "dna", tmp_path / "run")
    return tmp_path / "run"


def edit_config(run_dir: Path, **changes) -> None:
    path = run_dir / "config.json"
    config = json.loads(path.read_text())
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    path.write_text(json.dumps(config))


def test_a_run_without_a_recorded_hash_still_loads(run_dir):
    assert "weights" not in json.loads((run_dir / "config.json").read_text())
    assert seqconv.load(run_dir).predict("ACGT" * 50).shape == (1, 4)


def test_flipped_bits_in_the_weights_are_caught(run_dir):
    weights = run_dir / "model.safetensors"
    edit_config(run_dir, weights={"file": "model.safetensors", "sha256": sha256(weights)})
    seqconv.load(run_dir)  # the recorded hash matches
    raw = bytearray(weights.read_bytes())
    raw[-5] ^= 0x10  # one bit of one weight: still a valid safetensors file
    weights.write_bytes(bytes(raw))
    with pytest.raises(SeqconvError) as caught:
        seqconv.load(run_dir)
    assert str(caught.value).startswith(
        f"{weights}: SHA-256 differs from config.json (the file changed or is corrupt)"
    )


def test_a_weights_write_interrupted_between_its_two_files_still_verifies(tmp_path):
    model = torch.nn.Conv1d(4, 2, 3)
    (tmp_path / "config.json").write_text("{}")
    write_weights(tmp_path, weights_writer(model))
    first = json.loads((tmp_path / "config.json").read_text())["weights"]
    assert first == {"file": "model.safetensors", "sha256": sha256(tmp_path / "model.safetensors")}
    # killed after the new weights were renamed, before config.json lost the old hash
    old = first["sha256"]
    torch.nn.init.zeros_(model.weight)
    write_weights(tmp_path, weights_writer(model))
    new = sha256(tmp_path / "model.safetensors")
    for record in ({"sha256": old, "sha256_next": new}, {"sha256": new}):
        verify_weights(tmp_path, {"weights": record})
    with pytest.raises(SeqconvError, match="SHA-256 differs"):
        verify_weights(tmp_path, {"weights": {"sha256": old}})
    with pytest.raises(SeqconvError, match='"weights" must be'):
        verify_weights(tmp_path, {"weights": "abc"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_names": ["CTCF", "Nrf1", "REST"]},
         "3 target_names (CTCF, Nrf1, REST) but the model in model.safetensors has 4 outputs"),
        ({"target_names": "CTCF,Nrf1,REST,TP53"},
         "target_names must be a non-empty list of names, got 'CTCF,Nrf1,REST,TP53'"),
        ({"task": "segmentation"},
         "unknown task 'segmentation'; expected one of binary, multiclass, multilabel, "
         "regression, forecast"),
        ({"model": {"name": "deepbind", "kwargs": {"in_channels": 4, "n_outputs": 4,
                                                   "no_such_option": 1}}},
         "model 'deepbind':"),
        ({"model": {"name": "deepbind", "kwargs": {"in_channels": 4, "n_outputs": 3}},
          "target_names": ["a", "b", "c"]},
         "the weights do not fit the model in config.json"),
        ({"target_scaler": {"mean": [0.0], "std": [1.0]}},
         "target_scaler has 1 mean(s) for 4 target_names"),
    ],
)  # fmt: skip
def test_a_config_that_does_not_fit_its_weights_is_refused(run_dir, changes, message):
    edit_config(run_dir, **changes)
    with pytest.raises(SeqconvError) as caught:
        seqconv.load(run_dir)
    assert message in str(caught.value)
    assert "config.json" in str(caught.value)
