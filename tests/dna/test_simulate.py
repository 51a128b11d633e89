"""`seqconv simulate`: seeded, plants what its sidecar says, labels as the label reader expects."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import write_fasta
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.encode import reverse_complement
from seqconv.dna.fasta import read_fasta
from seqconv.dna.labels import load_labeled
from seqconv.dna.simulate import parse_range, sidecar_paths, simulate, write_simulation
from seqconv.errors import InputError
from seqconv.motifs.motif import Motif

# Deterministic motifs (one base per column) make every planted site checkable.
AAA = Motif("m1", np.array([[9.0] * 6, [0] * 6, [0] * 6, [0] * 6]), name="polyA")
GC = Motif("m2", np.array([[0, 0, 0, 0], [9, 0, 9, 0], [0, 9, 0, 9], [0, 0, 0, 0.0]]), name="CGCG")


def test_same_seed_same_sequences_other_seed_differs():
    a = simulate([AAA, GC], n=50, length=40, seed=3, multi_label=True)
    b = simulate([AAA, GC], n=50, length=40, seed=3, multi_label=True)
    c = simulate([AAA, GC], n=50, length=40, seed=4, multi_label=True)
    assert [r.sequence for r in a.records] == [r.sequence for r in b.records]
    assert [r.label for r in a.records] == [r.label for r in b.records]
    assert [r.sequence for r in a.records] != [r.sequence for r in c.records]


def test_sites_are_where_the_sidecar_says(tmp_path):
    sim = simulate([AAA, GC], n=200, length=30, motifs_per_seq="1-3", multi_label=True, seed=0)
    files = write_simulation(sim, tmp_path / "sim.fa", command="seqconv simulate ...")
    sites = pd.read_csv(files["sites"], sep="\t")
    records = {r.id: r.sequence for r in read_fasta(files["fasta"])}
    consensus = {"polyA": "AAAAAA", "CGCG": "CGCG"}
    for row in sites.itertuples():
        planted = records[row.id][row.start : row.end]
        assert planted == row.site
        expected = consensus[row.motif]
        assert planted == (expected if row.strand == "+" else reverse_complement(expected))
    assert set(sites["strand"]) == {"+", "-"}
    for _, group in sites.groupby("id"):  # no overlaps
        spans = sorted(zip(group["start"], group["end"], strict=True))
        assert all(e <= s for (_, e), (s, _) in zip(spans, spans[1:], strict=False))
        assert 1 <= len(group) <= 3
    provenance = json.loads(files["provenance"].read_text())
    assert provenance["command"] == "seqconv simulate ..."
    assert provenance["settings"]["seed"] == 0 and provenance["sites"] == len(sites)


def test_multi_label_headers_are_read_as_multilabel(tmp_path):
    sim = simulate([AAA, GC], n=60, length=30, multi_label=True, negatives_fraction=0.2, seed=1)
    files = write_simulation(sim, tmp_path / "ml.fa")
    data = load_labeled([files["fasta"]])
    assert data.task == "multilabel" and data.target_names == ["CGCG", "polyA"]
    sites = pd.read_csv(files["sites"], sep="\t")
    for i, record_id in enumerate(data.ids):
        planted = set(sites.loc[sites["id"] == record_id, "motif"])
        present = {n for n, t in zip(data.target_names, data.targets[i], strict=True) if t}
        assert present == planted
    assert sum(r.label == "" for r in sim.records) == 12


def test_single_label_modes():
    one = simulate([AAA], n=40, length=20, seed=0)
    assert {r.label for r in one.records} == {"0", "1"}
    assert all((r.label == "1") == bool(r.sites) for r in one.records)
    two = simulate([AAA, GC], n=40, length=20, negatives_fraction=0.25, seed=0)
    assert {r.label for r in two.records} == {"polyA", "CGCG", "background"}
    for r in two.records:
        assert {s.motif for s in r.sites} <= {r.label}


def test_background_from_fasta_is_dinucleotide_shuffled(tmp_path):
    source = write_fasta(tmp_path / "bg.fa", [(f"r{i}", "ATATATTATAAT" * 10) for i in range(5)])
    sim = simulate([GC], n=20, length=50, background=source, seed=0, negatives_fraction=0.5)
    for r in sim.records:
        if not r.sites:
            assert set(r.sequence) <= {"A", "T"}
    with pytest.raises(InputError, match="at least 500 bp"):
        simulate([GC], n=5, length=500, background=source)


def test_jaspar_ids_and_names_and_errors():
    sim = simulate(["MA0079.3", "GATA1"], n=10, length=60, seed=0)
    assert [m.id for m in sim.motifs][0] == "MA0079.3" and sim.motifs[1].name == "GATA1"
    assert sim.labels == ["SP1", "GATA1"] and "MA2388" in sim.notes[0]
    with pytest.raises(InputError, match="do not fit"):
        simulate([AAA], n=3, length=10, motifs_per_seq=(2, 2))
    with pytest.raises(InputError, match="at least one motif"):
        simulate([], n=3)
    assert parse_range("1-5") == (1, 5) and parse_range(2) == (2, 2)
    with pytest.raises(InputError):
        parse_range("5-1")
    assert sidecar_paths("data/x.fa") == (
        sidecar_paths("data/x.fa")[0].with_name("x.sites.tsv"),
        sidecar_paths("data/x.fa")[1].with_name("x.json"),
    )


def test_cli_writes_files_and_records_the_command(tmp_path):
    out = tmp_path / "data" / "sim.fa"
    args = ["simulate", "--motif", "MA0079.3", "--motif", "MA0035.4", "--n", "30"]
    args += ["--length", "80", "--multi-label", "--seed", "7", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    provenance = json.loads((tmp_path / "data" / "sim.json").read_text())
    assert provenance["command"].startswith("seqconv simulate --motif MA0079.3 --motif MA0035.4")
    assert "--seed 7" in provenance["command"] and "--multi-label" in provenance["command"]
    first = out.read_bytes()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and out.read_bytes() == first
    bad = CliRunner().invoke(app, ["simulate", "--motif", "NOPE", "--out", str(out)])
    assert bad.exit_code == 2 and "NOPE" in bad.output
