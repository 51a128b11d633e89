import json

import pytest
import torch

from seqconv.core.weights import load_weights, save_weights
from seqconv.errors import SeqconvError
from seqconv.train.checkpoint import load_checkpoint, save_checkpoint


def small_model():
    return torch.nn.Sequential(torch.nn.Conv1d(4, 3, 5), torch.nn.BatchNorm1d(3), torch.nn.ReLU())


def test_checkpoint_round_trip_restores_optimizer_and_generator(tmp_path):
    torch.manual_seed(0)
    model = small_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    for _ in range(3):
        optimizer.zero_grad()
        model(torch.randn(2, 4, 20)).sum().backward()
        optimizer.step()
    generators = {"cpu": torch.Generator().manual_seed(5)}
    torch.rand(3, generator=generators["cpu"])
    save_checkpoint(
        tmp_path / "c.safetensors", model, optimizer, {"epoch": 3, "x": [1]}, generators
    )

    fresh = small_model()
    fresh_opt = torch.optim.AdamW(fresh.parameters(), lr=0.5)
    fresh_gen = {"cpu": torch.Generator()}
    state = load_checkpoint(tmp_path / "c.safetensors", fresh, fresh_opt, fresh_gen)
    assert state == {"epoch": 3, "x": [1]}
    for a, b in zip(model.state_dict().values(), fresh.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert fresh_opt.param_groups[0]["lr"] == 0.01
    for p, q in zip(model.parameters(), fresh.parameters(), strict=True):
        sa, sb = optimizer.state[p], fresh_opt.state[q]
        assert torch.equal(sa["exp_avg"], sb["exp_avg"]) and float(sa["step"]) == float(sb["step"])
    assert torch.equal(generators["cpu"].get_state(), fresh_gen["cpu"].get_state())
    # the restored optimizer keeps stepping identically
    x = torch.randn(2, 4, 20)
    for m, o in ((model, optimizer), (fresh, fresh_opt)):
        o.zero_grad()
        m(x).sum().backward()
        o.step()
    assert all(
        torch.equal(a, b) for a, b in zip(model.parameters(), fresh.parameters(), strict=True)
    )


def test_weights_carry_metadata_and_refuse_a_wrong_model(tmp_path):
    model = small_model()
    save_weights(model, tmp_path / "w.safetensors", {"epoch": 7})
    assert load_weights(small_model(), tmp_path / "w.safetensors") == {"epoch": 7}
    other = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5))
    with pytest.raises(SeqconvError, match="do not fit"):
        load_weights(other, tmp_path / "w.safetensors")


def test_files_are_plain_safetensors_without_pickle(tmp_path):
    save_weights(small_model(), tmp_path / "w.safetensors")
    raw = (tmp_path / "w.safetensors").read_bytes()
    header_len = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_len])
    assert "0.weight" in header and b"pickle" not in raw
