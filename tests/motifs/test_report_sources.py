"""One report for three sources: first-layer filters, layer-2 units and seqlets write the same files
with the same columns, each named with the shuffled control and clustered; options that do not
apply to a source are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from motif_fixtures import PLANTED, pwm_conv
from torch import nn
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.simulate import simulate
from seqconv.errors import InputError
from seqconv.motifs.clusters import CLUSTER_COLUMNS
from seqconv.motifs.formats import read_motifs
from seqconv.motifs.report import (
    MATCHES_COLUMNS,
    MOTIF_COLUMNS,
    REPORT_FILES,
    SOURCES,
    choose_source,
    write_motif_report,
)
from seqconv.motifs.report.from_seqlets import base_frequencies

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1"
OPTIONS = {
    "filters": {"mode": "max_frac", "min_sites": 5},
    "units": {"layer": 2, "min_sites": 5},
    "seqlets": {"n_sequences": 100, "steps": 4},
}


class TwoLayers(nn.Module):
    """One output per planted motif: the summed ReLU of its PWM scan, the threshold applied by a
    second, identity convolution (so layer-2 units read the same sites as the filters)."""

    def __init__(self, motifs):
        super().__init__()
        self.conv1 = pwm_conv(motifs)
        n = len(motifs)
        self.conv2 = nn.Conv1d(n, n, 1)
        with torch.no_grad():
            self.conv2.weight.copy_(torch.eye(n)[:, :, None])
            self.conv2.bias.fill_(-4.0)

    def forward(self, x):
        h = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        return h.sum(dim=2) / 10.0


@pytest.fixture(scope="module")
def reports(small_db, warm_tomtom, tmp_path_factory):
    planted = [small_db.get(i) for i in PLANTED[:3]]  # CTCF, GATA1, SP1
    sim = simulate(planted, n=300, length=100, motifs_per_seq=(1, 2), multi_label=True, seed=1)
    model, codes = TwoLayers(planted).eval(), sim.codes()
    root = tmp_path_factory.mktemp("sources")
    made = {
        source: write_motif_report(
            model,
            codes,
            root / source,
            source,
            db=small_db,
            n_shuffles=19,
            target_names=[m.name for m in planted],
            show_progress=False,
            **OPTIONS[source],
        )  # fmt: skip
        for source in SOURCES
    }
    return made, codes


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_writes_the_same_files_and_columns(reports, source):
    report = reports[0][source]
    out = report.out_dir
    assert {p.name for p in out.iterdir()} == {*REPORT_FILES.values(), "logos"}
    motifs = pd.read_csv(out / "motifs.tsv", sep="\t", keep_default_na=False)
    assert list(motifs.columns) == MOTIF_COLUMNS
    assert list(pd.read_csv(out / "matches.tsv", sep="\t").columns) == MATCHES_COLUMNS
    assert list(pd.read_csv(out / "clusters.tsv", sep="\t").columns) == CLUSTER_COLUMNS
    # Every source names the three planted motifs, each in a cluster of its own.
    matched = motifs[motifs["matched"].astype(str) == "True"]
    assert {"CTCF", "GATA1", "SP1"} <= set(matched["best_name"])
    assert (matched["cluster"].str.startswith("c")).all() and len(report.clusters) >= 3
    assert len(read_motifs(out / "motifs.meme")) == len(report.found.motifs)
    for motif in report.found.motifs:
        assert (out / "logos" / f"{motif.id}.png").is_file()
    page = (out / "report.html").read_text()
    assert "Motif clusters" in page and "shuffled control" in page
    assert f"matched {report.found.noun}" in page


def test_source_columns_are_filled_where_they_apply(reports):
    made = reports[0]
    tables = {s: pd.read_csv(made[s].out_dir / "motifs.tsv", sep="\t") for s in SOURCES}
    filled = {s: {c for c in t.columns if t[c].notna().any()} for s, t in tables.items()}
    assert {"influence", "max_activation"} <= filled["filters"]
    assert {"max_activation", "map_sequence", "map_start"} <= filled["units"]
    assert {"target", "contribution"} <= filled["seqlets"]
    assert not {"target", "contribution", "map_sequence"} & filled["filters"]
    assert not {"influence", "map_sequence"} & filled["seqlets"]
    bits = tables["units"]["information"]
    assert list(bits) == sorted(bits, reverse=True)  # units: most informative first
    with np.load(made["units"].out_dir / "maps.npz") as maps:
        assert set(maps.files) == {m.id for m in made["units"].found.motifs}
    with np.load(made["seqlets"].out_dir / "maps.npz") as maps:
        assert set(maps.files) == set(tables["seqlets"]["motif"])
    with np.load(made["filters"].out_dir / "maps.npz") as maps:
        assert maps.files == []


def test_seqlets_have_the_control_ranked_clusters_and_background(reports):
    """What the seqlet report lacked: control p in matches.tsv, clusters whose representative is
    the best-ranked member, and the sequences' background in the MEME file."""
    report, codes = reports[0]["seqlets"], reports[1]
    matches = pd.read_csv(report.out_dir / "matches.tsv", sep="\t")
    assert len(matches) and matches["control_p"].between(0, 1).all()
    rank = {m: i for i, m in enumerate(report.motifs["motif"])}
    for row in report.clusters.table.itertuples():
        members = row.members.split(", ")
        assert row.representative == members[0]
        assert [rank[m] for m in members] == sorted(rank[m] for m in members)
    meme = (report.out_dir / "motifs.meme").read_text().splitlines()
    background = meme[meme.index("Background letter frequencies") + 1]
    expected = base_frequencies(codes)
    assert background == " ".join(f"{b} {p:.4f}" for b, p in zip("ACGT", expected, strict=True))


def test_headlines_say_what_each_source_found(reports):
    made = reports[0]
    assert made["filters"].headline(0.05).startswith("3 filters, 3 with enough sites, 3 matched")
    assert made["units"].headline(0.05).startswith("layer 2: 3 units (receptive field")
    assert "patterns from" in made["seqlets"].headline(0.05)


@pytest.mark.parametrize(
    ("source", "options", "refused"),
    [
        ("units", {"layer": 2, "mode": "top_k"}, r"mode applies to first-layer filters"),
        ("seqlets", {"min_influence": 0.1}, r"min_influence applies to first-layer filters"),
        ("seqlets", {"min_sites": 3}, r"min_sites applies to first-layer filters .* and units"),
        ("filters", {"n_sequences": 10}, r"n_sequences applies to seqlets"),
        ("filters", {"minsites": 3}, r"unknown option 'minsites'"),
        ("layers", {}, r"one of filters, units, seqlets"),
    ],
)
def test_options_that_do_not_apply_are_refused(source, options, refused, tmp_path):
    codes = np.zeros((2, 20), dtype=np.uint8)
    with pytest.raises(InputError, match=refused):
        write_motif_report(nn.Conv1d(4, 2, 3), codes, tmp_path / "out", source, **options)
    assert not (tmp_path / "out").exists()


def test_the_source_is_chosen_by_method_and_layer():
    assert choose_source("filters") == choose_source("filters", 1) == "filters"
    assert choose_source("filters", 3) == "units"
    assert choose_source("seqlets") == "seqlets"
    with pytest.raises(InputError, match="leave out --layer"):
        choose_source("seqlets", 1)


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        (["--layer", "2", "--mode", "top_k"], "--mode applies to first-layer filters"),
        (["--layer", "2", "--min-influence", "0.1"], "--min-influence applies to first-layer"),
        (["--method", "seqlets", "--mode", "max_frac"], "--mode applies to first-layer filters"),
        (["--method", "seqlets", "--trim-bits", "1"], "--trim-bits applies to first-layer"),
        (["--target", "CTCF"], "--target applies to seqlets (--method seqlets) only"),
        (["--layer", "1", "--sequences", "10"], "--sequences applies to seqlets"),
    ],
)
def test_cli_refuses_options_of_another_source(tmp_path, extra, refused):
    args = ["motifs", "--run", FIXTURES / "dna", "--fasta", FIXTURES / "new20.fa",
            "--out", tmp_path / "m", *extra]  # fmt: skip
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert refused in " ".join(result.output.split())
    assert not (tmp_path / "m").exists()


def test_a_run_replaced_with_force_takes_its_motif_report_along():
    from seqconv.motifs.report import REPORT_FILES
    from seqconv.rundir.claim import OUTPUT_FOLDERS

    assert set(REPORT_FILES.values()) == OUTPUT_FOLDERS["motifs"]
