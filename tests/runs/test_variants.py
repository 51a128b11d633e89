"""Variant effects with a hand-made PWM scanner (no training): variants that break a planted CTCF
site score strongly negative and rank first, indels are re-centred in windows of exactly the model
length, REF mismatches are counted (or stop --strict), and the command line writes the table."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

import seqconv
from seqconv.cli import app
from seqconv.core.weights import save_weights
from seqconv.dna.encode import encode_dna
from seqconv.dna.genome import Genome
from seqconv.dna.vcf import Variant
from seqconv.errors import InputError
from seqconv.models import build
from seqconv.runs.variants import (
    MISMATCH,
    MISSING_CHROM,
    allele_windows,
    effect_columns,
    effect_table,
    log_odds,
    predict_alleles,
    score_variants,
)

MOTIF = "CCACCAGGGGGCGC"  # CTCF core consensus
LENGTH = 200
HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
SITES = list(range(500, 20_000, 1_000))  # 0-based starts of the planted sites on chr1


def pwm_scanner() -> torch.nn.Module:
    """A one-filter DeepBind whose filter is the motif's log2-odds: max over positions, then a
    linear map to the logits of a binary task (positive logit 0.6 * best score - 5)."""
    model = build(
        "deepbind", in_channels=4, n_outputs=2, filters=1, kernel_size=len(MOTIF), hidden=0,
        dropout=0.0,
    )  # fmt: skip
    ppm = np.full((4, len(MOTIF)), 0.05)
    for j, base in enumerate(MOTIF):
        ppm["ACGT".index(base), j] = 0.85
    with torch.no_grad():
        model.trunk[0].weight[0] = torch.as_tensor(np.log2(ppm / 0.25), dtype=torch.float32)
        model.trunk[0].bias.zero_()
        model.head[1].weight[:] = torch.tensor([[0.0], [0.6]])
        model.head[1].bias[:] = torch.tensor([0.0, -5.0])
    return model


def write_run(path: Path, model: torch.nn.Module, length: int = LENGTH) -> Path:
    """A run directory as training leaves it, for a model that was never trained."""
    path.mkdir(parents=True)
    config = {
        "format": 2,
        "model": model.build_config,
        "task": "binary",
        "target_names": ["background", "CTCF"],
        "input": {"kind": "dna", "length": length, "align": "center", "channels": "ACGT"},
        "train": {"reverse_complement": True},
    }
    (path / "config.json").write_text(json.dumps(config))
    save_weights(model, path / "model.safetensors")
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A 20 kb chr1 with 20 planted sites, a 3 kb chr2, and a run that scans for the motif."""
    root = tmp_path_factory.mktemp("variants")
    rng = np.random.default_rng(0)
    chr1 = np.array(list("ACGT"))[rng.integers(0, 4, 20_000)]
    for start in SITES:
        chr1[start : start + len(MOTIF)] = list(MOTIF)
    chr2 = np.array(list("ACGT"))[rng.integers(0, 4, 3_000)]
    seqs = {"chr1": "".join(chr1), "chr2": "".join(chr2)}
    fasta = root / "genome.fa"
    fasta.write_text("".join(f">{k}\n{v}\n" for k, v in seqs.items()))
    run_dir = write_run(root / "run", pwm_scanner())
    return SimpleNamespace(root=root, seqs=seqs, fasta=fasta, run=run_dir)


def snv(seqs, chrom, p, rng, vid) -> str:
    """A VCF line changing the base at 0-based ``p`` to another base."""
    ref = seqs[chrom][p]
    alt = rng.choice([b for b in "ACGT" if b != ref])
    return f"{chrom}\t{p + 1}\t{vid}\t{ref}\t{alt}\t.\t.\t.\n"


def write_vcf(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "".join(lines))
    return path


def read_tsv(path):
    import pandas as pd

    return pd.read_csv(path, sep="\t", dtype={"chrom": str, "id": str})


def test_variants_that_break_a_site_score_negative_and_rank_first(case, device, tmp_path):
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    lines = []
    for k, start in enumerate(SITES):
        inside = start + int(rng.integers(0, len(MOTIF)))
        lines.append(snv(case.seqs, "chr1", inside, rng, f"break{k}"))
        for j, offset in enumerate((-60, -25, 30, 70)):  # same region, motif still in the window
            lines.append(snv(case.seqs, "chr1", start + offset, rng, f"near{k}_{j}"))
    vcf = write_vcf(tmp_path / "v.vcf", lines)
    summary = score_variants(case.run, vcf, case.fasta, tmp_path / "effects.tsv", device=device)
    table = read_tsv(tmp_path / "effects.tsv")
    assert summary.scored == len(lines) == len(table) and not summary.skipped
    assert list(table.columns) == ["chrom", "pos", "id", "ref", "alt", *effect_columns_names()]
    breaks = table["id"].str.startswith("break").to_numpy()
    delta = table["CTCF_delta"].to_numpy()
    assert roc_auc_score(breaks, -delta) >= 0.9
    assert set(table.sort_values("CTCF_delta")["id"][: len(SITES)]) == {
        f"break{k}" for k in range(len(SITES))
    }
    assert (delta[breaks] < -0.8).all() and np.abs(delta[~breaks]).max() < 1e-3
    assert (table["CTCF_ref"] > 0.9).all()  # every window holds an intact site


def effect_columns_names() -> list[str]:
    return ["CTCF_ref", "CTCF_alt", "CTCF_delta"]  # binary: the positive class only


def test_indels_are_recentred_in_windows_of_the_model_length(case):
    genome = Genome(case.fasta)
    chr1 = case.seqs["chr1"]
    half = LENGTH // 2
    variants = [
        Variant("chr1", 1001, "del", chr1[1000:1004], chr1[1000], 1),  # 3 bp deletion
        Variant("chr1", 2001, "ins", chr1[2000], chr1[2000] + "TTGCA", 2),  # 4 bp insertion
        Variant("chr1", 3001, "mnp", chr1[3000:3002], "GG", 3),
        Variant("chr1", 31, "edge", chr1[30], "A" if chr1[30] != "A" else "C", 4),
    ]
    windows = allele_windows(genome, variants, LENGTH)
    assert windows.ref.shape == windows.alt.shape == (4, LENGTH)
    assert windows.matches.all() and windows.edge.tolist() == [False, False, False, True]

    def codes(text):
        return encode_dna(text)[0]

    for i, v in enumerate(variants[:3]):
        p = v.pos - 1
        assert np.array_equal(windows.ref[i], codes(chr1[p - half : p - half + LENGTH]))
        right = chr1[p + len(v.ref) : p + len(v.ref) + LENGTH - half - len(v.alt)]
        assert np.array_equal(windows.alt[i], codes(chr1[p - half : p] + v.alt + right))
        assert np.array_equal(windows.alt[i, half : half + len(v.alt)], codes(v.alt))
    # near the start of the chromosome the window is padded with N on the left
    assert np.array_equal(windows.ref[3, : half - 30], codes("N" * (half - 30)))
    assert np.array_equal(windows.ref[3, half - 30 :], codes(chr1[: LENGTH - half + 30]))


def test_both_strands_are_averaged(case):
    run = seqconv.load(case.run)
    genome = Genome(case.fasta)
    v = Variant("chr1", SITES[3] + 4, "x", case.seqs["chr1"][SITES[3] + 3], "T", 1)
    windows = allele_windows(genome, [v], LENGTH)
    ref, alt = predict_alleles(run, windows)
    np.testing.assert_allclose(ref, run.predict_codes(windows.ref), rtol=1e-5)  # RC-averaging run
    model = run.model
    x = torch.nn.functional.one_hot(torch.as_tensor(windows.ref[0]).long(), 4).T[None].float()
    both = (model(x) + model(x.flip(1).flip(2))).squeeze(0) / 2  # A<->T, C<->G is a channel flip
    np.testing.assert_allclose(ref[0], both.softmax(-1).detach().numpy(), rtol=1e-5)


def test_ref_mismatches_are_counted_or_stop_strict(case, tmp_path):
    chr1 = case.seqs["chr1"]
    wrong = "A" if chr1[5000] != "A" else "C"
    lines = [
        f"chr1\t5001\tbad\t{wrong}\tG\t.\t.\t.\n",
        snv(case.seqs, "chr1", 6000, np.random.default_rng(0), "good"),
        "chr1\t7001\tsv\tA\t<DEL>\t.\t.\t.\n",
    ]
    vcf = write_vcf(tmp_path / "v.vcf", lines)
    summary = score_variants(case.run, vcf, case.fasta, tmp_path / "e.tsv", progress=False)
    assert summary.scored == 1 and summary.skipped[MISMATCH] == 1
    assert summary.skipped["symbolic ALT (<...>)"] == 1
    notes = " ".join(summary.notes())
    assert f"chr1:5001 (line 3) genome {chr1[5000]}, VCF REF {wrong}" in notes
    assert "skipped 2: " in summary.line()
    with pytest.raises(InputError) as caught:
        score_variants(case.run, vcf, case.fasta, tmp_path / "s.tsv", strict=True)
    assert f"chr1:5001 (line 3) genome {chr1[5000]}, VCF REF {wrong}" in str(caught.value)
    assert not (tmp_path / "s.tsv").exists()  # nothing half-written


def test_effects_are_log_odds_for_classifiers_and_differences_for_regression():
    p_ref, p_alt = np.array([[0.5, 0.5], [0.8, 0.2]]), np.array([[0.2, 0.8], [1.0, 0.0]])
    binary = SimpleNamespace(task="binary", target_names=["neg", "pos"])
    cols = effect_table(binary, [], p_ref, p_alt)
    assert len(cols) == 3  # the positive class only
    np.testing.assert_allclose(cols[2], [np.log(4.0), log_odds(0.0) - np.log(0.25)])
    assert log_odds(0.0) == pytest.approx(np.log(1e-6 / (1 - 1e-6)))
    multiclass = SimpleNamespace(task="multiclass", target_names=["a", "b"])
    assert len(effect_table(multiclass, [], p_ref, p_alt)) == 6
    regression = SimpleNamespace(task="regression", target_names=["y", "z"])
    np.testing.assert_allclose(effect_table(regression, [], p_ref, p_alt)[2], [-0.3, 0.2])
    assert effect_columns(multiclass)[5:] == ["a_ref", "a_alt", "a_delta", "b_ref", "b_alt",
                                              "b_delta"]  # fmt: skip


runner = CliRunner()


def test_command_line_writes_the_table_and_skips_unknown_chromosomes(case, tmp_path):
    rng = np.random.default_rng(2)
    lines = [snv(case.seqs, "chr1", SITES[0] + 2, rng, "a"), snv(case.seqs, "chr2", 100, rng, "b")]
    lines.append("chrUn\t5\tc\tA\tG\t.\t.\t.\n")
    vcf = write_vcf(tmp_path / "v.vcf", lines)
    out = tmp_path / "effects.tsv"
    args = ["variants", "--run", str(case.run), "--vcf", str(vcf), "--genome", str(case.fasta)]
    result = runner.invoke(app, [*args, "--out", str(out), "--threads", "1"])
    assert result.exit_code == 0, result.output
    table = read_tsv(out)
    assert list(table.columns) == ["chrom", "pos", "id", "ref", "alt", *effect_columns_names()]
    assert table["id"].tolist() == ["a", "b"]
    stderr = " ".join(result.stderr.split())
    assert "scored 2 variants" in stderr and f"1 {MISSING_CHROM}" in stderr
    assert "not in the genome: chrUn (1)" in stderr
    strict = runner.invoke(app, [*args, "--out", str(tmp_path / "s.tsv"), "--strict"])
    assert strict.exit_code == 2 and "chrUn" in strict.stderr


def test_command_line_refuses_a_vcf_of_other_chromosome_names(case, tmp_path):
    vcf = write_vcf(tmp_path / "v.vcf", ["1\t5\tx\tA\tG\t.\t.\t.\n"])
    args = ["variants", "--run", str(case.run), "--vcf", str(vcf), "--genome", str(case.fasta)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "1 chromosome name(s) not in the genome genome.fa: 1" in message
    assert "add the 'chr' prefix" in message and "Traceback" not in result.output
    bad = write_vcf(tmp_path / "bad.vcf", ["chr1\tten\tx\tA\tG\n"])
    result = runner.invoke(app, [*args[:4], str(bad), *args[5:]])
    assert result.exit_code == 2 and "bad.vcf, line 3: POS 'ten'" in " ".join(result.stderr.split())
