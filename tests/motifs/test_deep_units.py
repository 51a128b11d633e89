"""Units of deeper convolutions as motifs (``seqconv motifs --layer N``).

The hand-built model: layer 1 detects two 6-mers exactly (a GATA-like and a GC-rich one, one
filter each: activation 1 on a perfect match, else 0); unit 0 of layer 2 fires only when the
GC-rich 6-mer follows the GATA-like one after a 5-bp gap, unit 1 on the GC-rich 6-mer alone, and
unit 2 never.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import plant, random_dna, write_fasta
from torch import nn
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.encode import encode_dna
from seqconv.errors import InputError
from seqconv.motifs.deep_layer import conv_layers, unit_layer
from seqconv.motifs.deep_units import extract_unit_motifs
from seqconv.motifs.filters import extract_filter_motifs
from seqconv.motifs.formats import write_meme
from seqconv.motifs.inputs import example_input
from seqconv.motifs.report import MOTIF_COLUMNS, write_motif_report
from seqconv.rf.receptive_field import receptive_field

FIRST, SECOND, GAP = "TGATAA", "CCACGC", 5
COMPOSITE = len(FIRST) + GAP + len(SECOND)  # 17
runner = CliRunner()


def kmer_conv(kmers: list[str], pad: int) -> nn.Conv1d:
    """``Conv1d(4, F, 6)``: +1 for the k-mer's base, -1 for the others, bias -(k - 1)."""
    k = len(kmers[0])
    conv = nn.Conv1d(4, len(kmers), k, padding=pad)
    with torch.no_grad():
        conv.weight.fill_(-1.0)
        conv.bias.fill_(-(k - 1.0))
        for f, kmer in enumerate(kmers):
            for j, base in enumerate(kmer):
                conv.weight[f, "ACGT".index(base), j] = 1.0
    return conv


def composite_model() -> tuple[nn.Sequential, nn.Sequential]:
    """The model and its trunk up to layer 2 (for the receptive field)."""
    conv1 = kmer_conv([FIRST, SECOND], pad=2)
    conv2 = nn.Conv1d(2, 3, 16)
    with torch.no_grad():
        conv2.weight.zero_()
        conv2.bias.copy_(torch.tensor([-1.0, 0.0, -5.0]))
        conv2.weight[0, 0, 2] = 1.0  # FIRST at window column 2 ...
        conv2.weight[0, 1, 2 + len(FIRST) + GAP] = 1.0  # ... SECOND 5 bp after it
        conv2.weight[1, 1, 8] = 1.0
    trunk = nn.Sequential(conv1, nn.ReLU(), conv2, nn.ReLU())
    head = [nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(3, 1)]
    return nn.Sequential(*trunk, *head), trunk


def composite_codes(n: int = 300, length: int = 80) -> np.ndarray:
    """A third of the sequences hold the composite, a third each half alone."""
    rng = np.random.default_rng(1)
    seqs = []
    for i, s in enumerate(random_dna(rng, n, length)):
        gap = "".join(rng.choice(list("ACGT"), GAP))
        site = [FIRST + gap + SECOND, FIRST, SECOND][i % 3]
        p = int(rng.integers(0, length - len(site)))
        seqs.append(s[:p] + site + s[p + len(site) :])
    return encode_dna(seqs)


def test_layer2_unit_spells_the_composite(device):
    model, trunk = composite_model()
    codes = composite_codes()
    rf = receptive_field(trunk, input_length=codes.shape[1])
    ex = extract_unit_motifs(model, codes, layer=2, device=device)
    assert ex.layer.size == rf.size == 6 + 16 - 1
    assert ex.layer.starts[0] == rf.offset == -2 and ex.layer.jump == 1
    units = ex.by_unit()
    composite = units[0]
    assert composite.id == "layer2_unit0" and composite.untrimmed.shape == (4, rf.size)
    assert composite.nsites == 100  # every planted composite, nothing else
    consensus = composite.to_motif().consensus
    assert composite.width == COMPOSITE and composite.offset == 2
    assert consensus[: len(FIRST)] == FIRST and consensus[-len(SECOND) :] == SECOND
    # Unit 1 reads SECOND alone (200 planted, those near the ends out of its reach); half its
    # sites are composites, whose FIRST ends inside its window.
    assert units[1].to_motif().consensus.endswith(SECOND) and 150 < units[1].nsites <= 200
    assert ex.dropped == [2] and ex.nsites[2] == 0  # never fires: no PFM
    # The map: gradient x input of the strongest activation sits on the two half sites only.
    maps = ex.maps
    assert list(maps.units) == [0, 1] and maps.contribution.shape == (2, 4, rf.size)
    per_column = maps.contribution[0].sum(0)
    expected = np.zeros(rf.size)
    expected[2:8] = expected[2 + 6 + GAP : 2 + COMPOSITE] = 1.0
    np.testing.assert_allclose(per_column, expected, atol=1e-6)
    assert maps.activation[0] == pytest.approx(1.0)


def test_layer1_windows_are_the_filters():
    model, _ = composite_model()
    codes = composite_codes()
    units = extract_unit_motifs(model, codes, layer=1, maps=False)
    filters = extract_filter_motifs(model, codes, mode="max_frac")
    assert units.layer.size == filters.layer.span == 6
    assert units.layer.layer.conv is filters.layer.conv
    assert units.layer.layer.output is filters.layer.output
    for u, f in zip(units.motifs, filters.motifs, strict=True):
        assert u.to_motif().consensus == f.to_motif().consensus == [FIRST, SECOND][u.unit]
    assert units.maps is None


def test_layer_out_of_range_lists_the_convolutions():
    model, _ = composite_model()
    codes = composite_codes(n=6)
    assert [name for name, _ in conv_layers(model)] == ["0", "2"]
    for bad in (0, 3, -1):
        with pytest.raises(InputError, match=r"has 2 nn\.Conv1d layers.*1: 0 Conv1d\(4, 2"):
            extract_unit_motifs(model, codes, layer=bad)
    with pytest.raises(InputError, match="factor"):
        extract_unit_motifs(model, codes, layer=2, factor=0)


def test_strided_layer_windows_follow_the_calculator():
    """A pool between the layers: windows are 2 apart, and as the calculator gives them."""
    trunk = nn.Sequential(
        nn.Conv1d(4, 3, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2), nn.Conv1d(3, 2, 3), nn.ReLU()
    )
    model = nn.Sequential(*trunk, nn.AdaptiveMaxPool1d(1), nn.Flatten())
    example = example_input(composite_codes(n=2, length=40), torch.device("cpu"))
    unit = unit_layer(model, 2, example)
    rf = receptive_field(trunk, input_length=40)
    assert unit.size == rf.size and unit.jump == 2 and len(unit.starts) == rf.output_length
    assert [unit.starts[i] for i in (0, 5)] == [rf.window(0)[0], rf.window(5)[0]]


def test_unit_report_files(tmp_path, small_db, warm_tomtom):
    model, _ = composite_model()
    report = write_motif_report(
        model, composite_codes(), tmp_path / "out", "units", layer=2, db=small_db,
        n_shuffles=19, show_progress=False,
    )  # fmt: skip
    out = tmp_path / "out"
    for name in ["motifs.meme", "motifs.jaspar", "motifs.tsv", "matches.tsv", "maps.npz"]:
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "motifs.tsv", sep="\t")
    assert list(table.columns) == MOTIF_COLUMNS
    assert list(table["motif"]) == ["layer2_unit0", "layer2_unit1", "layer2_unit2"]
    assert table["consensus"][0].startswith(FIRST) and table["consensus"][0].endswith(SECOND)
    assert (out / "logos" / "layer2_unit0.png").is_file()
    assert (out / "logos" / "layer2_unit0_map.png").is_file()
    with np.load(out / "maps.npz") as maps:
        assert set(maps.files) == {"layer2_unit0", "layer2_unit1"}
        assert maps["layer2_unit0"].shape == (4, 21)
    html = (out / "report.html").read_text()
    assert "layer2_unit0" in html and "receptive field 21 bp" in html
    assert "layer 2" in report.headline(0.05)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A one-epoch motifnet run (two conv layers, tiny) on planted-motif data."""
    root = tmp_path_factory.mktemp("deep")
    rng = np.random.default_rng(0)
    pos = plant(rng, random_dna(rng, 120, 60), "GATAAGCCACGC")
    neg = random_dna(rng, 120, 60)
    files = [write_fasta(root / f"{k}.fa", [(f"{k}{i}", s) for i, s in enumerate(seqs)])
             for k, seqs in (("p", pos), ("n", neg))]  # fmt: skip
    args = ["train", "--fasta", files[0], "--fasta", files[1], "--epochs", "1", "--model",
            "motifnet", "-O", "filters=[6, 5]", "-O", "kernel_sizes=[7, 3]", "-O", "pool_size=2",
            "-O", "hidden=8", "--batch-size", "32", "--out", root / "run", "--quiet"]  # fmt: skip
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return root


def test_cli_layer2_writes_the_unit_report(run_dir, tmp_path, small_db, warm_tomtom):
    write_meme(tmp_path / "db.meme", list(small_db))
    args = ["motifs", "--run", run_dir / "run", "--fasta", run_dir / "p.fa", "--layer", "2",
            "--db", tmp_path / "db.meme", "--shuffles", "19", "--min-sites", "3",
            "--out", tmp_path / "m"]  # fmt: skip
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "layer 2: 5 units (receptive field" in result.output
    for name in ["motifs.tsv", "motifs.meme", "motifs.jaspar", "matches.tsv", "report.html"]:
        assert (tmp_path / "m" / name).is_file(), name
    table = pd.read_csv(tmp_path / "m" / "motifs.tsv", sep="\t")
    assert sorted(table["motif"]) == [f"layer2_unit{u}" for u in range(5)]
    assert set(table["map_sequence"].dropna()) <= {f"p{i}" for i in range(120)}
    config = json.loads((run_dir / "run" / "config.json").read_text())
    assert config["model"]["name"] == "motifnet"


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        (["--layer", "3"], r"layer 3 does not exist: the model has 2 nn\.Conv1d layers"),
        (["--layer", "0"], r"--layer"),
        (["--layer", "2", "--method", "seqlets"], r"--layer .*--method filters"),
    ],
)
def test_cli_bad_layer(run_dir, tmp_path, extra, pattern):
    args = ["motifs", "--run", run_dir / "run", "--fasta", run_dir / "p.fa", *extra,
            "--out", tmp_path / "m"]  # fmt: skip
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert re.search(pattern, " ".join(result.output.split()))
    assert not (tmp_path / "m").exists()


def test_cli_layer1_is_the_first_layer_report(run_dir, tmp_path, monkeypatch):
    """``--layer 1`` runs exactly today's first-layer report, with the same arguments."""
    import seqconv.motifs.report

    calls = []

    def record(*args, **kwargs):
        calls.append((args[2:], {k: v for k, v in kwargs.items() if k != "output_transform"}))
        raise InputError("recorded")

    monkeypatch.setattr(seqconv.motifs.report, "write_motif_report", record)
    base = ["motifs", "--run", run_dir / "run", "--fasta", run_dir / "p.fa", "--out", tmp_path]
    for extra in ([], ["--layer", "1"]):
        result = runner.invoke(app, [str(a) for a in base + extra])
        assert result.exit_code == 2 and "recorded" in result.output
    assert len(calls) == 2 and calls[0] == calls[1]
    assert calls[0][0][1] == "filters" and "layer" not in calls[0][1]
