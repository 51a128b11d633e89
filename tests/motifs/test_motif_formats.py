"""Motif files (MEME, JASPAR, TRANSFAC) and motif databases (pyjaspar, files, cache)."""

from __future__ import annotations

import numpy as np
import pytest
from Bio import motifs as bio_motifs

from seqconv.errors import InputError
from seqconv.motifs import database
from seqconv.motifs.database import (
    MotifDatabase,
    annotate_from_jaspar,
    fetch_jaspar,
    jaspar_database,
    load_database,
    resolve_motif,
)
from seqconv.motifs.formats import (
    format_meme,
    read_motifs,
    write_jaspar,
    write_meme,
    write_transfac,
)
from seqconv.motifs.motif import Motif


def example_motifs() -> list[Motif]:
    rng = np.random.default_rng(0)
    return [
        Motif("filter0", rng.integers(0, 30, size=(4, 7)).astype(float) + 1, nsites=40),
        Motif(
            "MA0079.5",
            rng.integers(0, 50, size=(4, 9)).astype(float),
            name="SP1",
            nsites=55,
            background=[0.3, 0.2, 0.2, 0.3],
            pseudocount=1.0,
        ),
        Motif("frac", rng.random((4, 5)) * 3 + 0.25, name="with blanks in name"),
    ]


def test_meme_parses_with_biopython(tmp_path):
    motifs = example_motifs()
    path = write_meme(tmp_path / "filters.meme", motifs, background=[0.3, 0.2, 0.2, 0.3])
    with open(path) as handle:
        record = bio_motifs.parse(handle, "minimal")
    assert [m.name for m in record] == ["filter0", "MA0079.5", "frac"]
    assert record.background == pytest.approx({"A": 0.3, "C": 0.2, "G": 0.2, "T": 0.3})
    for ours, theirs in zip(motifs, record, strict=True):
        assert theirs.length == ours.width
        assert theirs.num_occurrences == round(ours.nsites or 20)
        assert theirs.evalue == 0
        freqs = np.array([theirs.counts.normalize()[b] for b in "ACGT"])
        np.testing.assert_allclose(freqs, ours.ppm, atol=0.05)  # Biopython rounds to counts
    text = path.read_text()
    assert "letter-probability matrix: alength= 4 w= 7 nsites= 40 E= 0" in text
    assert "MOTIF frac with_blanks_in_name" in text


def test_meme_round_trip_keeps_probabilities(tmp_path):
    motifs = example_motifs()
    back = read_motifs(write_meme(tmp_path / "m.meme", motifs))
    assert [m.id for m in back] == [m.id for m in motifs]
    assert back[1].name == "SP1"
    for ours, theirs in zip(motifs, back, strict=True):
        np.testing.assert_allclose(theirs.ppm, ours.ppm, atol=1e-6)


@pytest.mark.parametrize("writer", [write_jaspar, write_transfac])
def test_count_formats_round_trip(tmp_path, writer):
    motifs = example_motifs()
    path = writer(tmp_path / "motifs.txt", motifs)
    back = read_motifs(path)
    assert [m.id for m in back] == [m.id for m in motifs]
    for ours, theirs in zip(motifs, back, strict=True):
        np.testing.assert_allclose(theirs.counts, ours.counts, atol=1e-4)
    fmt = "jaspar" if writer is write_jaspar else "transfac"
    with open(path) as handle:
        parsed = list(bio_motifs.parse(handle, fmt))
    assert len(parsed) == len(motifs)
    np.testing.assert_allclose([parsed[0].counts[b] for b in "ACGT"], motifs[0].counts)


def test_reads_meme_suite_style_file(tmp_path):
    text = """MEME version 5.5.0

ALPHABET= ACGT

strands: + -

Background letter frequencies (from uniform background):
A 0.25000 C 0.25000 G 0.25000 T 0.25000

MOTIF MA0004.1 Arnt
letter-probability matrix: alength= 4 w= 3 nsites= 20 E= 0
  0.200000	  0.800000	  0.000000	  0.000000
  0.950000	  0.000000	  0.050000	  0.000000
  0.000000	  1.000000	  0.000000	  0.000000
URL http://jaspar.genereg.net/matrix/MA0004.1

MOTIF noname
letter-probability matrix:
0.1 0.2 0.3 0.4
0.25 0.25 0.25 0.25

"""
    path = tmp_path / "jaspar.meme"
    path.write_text(text)
    motifs = read_motifs(path)
    assert [(m.id, m.name, m.width) for m in motifs] == [
        ("MA0004.1", "Arnt", 3),
        ("noname", "noname", 2),
    ]
    np.testing.assert_allclose(motifs[0].counts[:, 0], [4, 16, 0, 0])
    assert motifs[1].nsites == 20


def test_bad_motif_files(tmp_path):
    with pytest.raises(InputError, match="missing.meme: no such file"):
        read_motifs(tmp_path / "missing.meme")
    (tmp_path / "x.txt").write_text("hello\n")
    with pytest.raises(InputError, match="not a motif file"):
        read_motifs(tmp_path / "x.txt")
    (tmp_path / "p.meme").write_text("MEME version 4\n\nALPHABET= ACDEFGHIKLMNPQRSTVWY\n")
    with pytest.raises(InputError, match="not DNA"):
        read_motifs(tmp_path / "p.meme")
    (tmp_path / "short.meme").write_text(
        "MEME version 4\n\nMOTIF a\nletter-probability matrix: alength= 4 w= 3\n0.1 0.2 0.3 0.4\n"
    )
    with pytest.raises(InputError, match="ends before"):
        read_motifs(tmp_path / "short.meme")
    with pytest.raises(InputError, match=r"\(4, W\)"):
        Motif("bad", np.ones((3, 4)))


def test_format_meme_is_parsed_by_memelite_reader(tmp_path):
    from memelite.io import read_meme

    path = tmp_path / "f.meme"
    path.write_text(format_meme(example_motifs()))
    parsed = read_meme(str(path))
    assert list(parsed) == ["filter0", "MA0079.5 SP1", "frac with_blanks_in_name"]


def test_fetch_and_resolve_jaspar_ids():
    old = fetch_jaspar("MA0151.1")
    assert (old.id, old.name, old.tf_family) == ("MA0151.1", "Arid3a", "ARID-related")
    latest = fetch_jaspar("MA0079")
    assert latest.id == "MA0079.5" and latest.name == "SP1"
    assert resolve_motif("MA0079.3").id == "MA0079.3"
    notes: list[str] = []
    gata = resolve_motif("gata1", notes=notes)
    assert gata.id.startswith("MA0035.") and gata.name == "GATA1"
    assert "MA2388" in notes[0]
    with pytest.raises(InputError, match="no JASPAR2024 CORE matrix is named"):
        resolve_motif("NOT_A_TF")
    with pytest.raises(InputError, match="no matrix"):
        fetch_jaspar("MA9999.9")


def test_jaspar_database_is_built_and_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "cache_dir", lambda: tmp_path)
    built = jaspar_database(tax_group="diatoms")  # a tiny group: fast to build
    cached = list((tmp_path / "motif-db").glob("JASPAR2024_CORE_diatoms_*.npz"))
    assert len(cached) == 1 and len(built) >= 1
    again = jaspar_database(tax_group="diatoms")
    assert again.ids == built.ids
    for a, b in zip(built, again, strict=True):
        np.testing.assert_array_equal(a.counts, b.counts)
        assert (a.name, a.tf_class, a.tf_family) == (b.name, b.tf_class, b.tf_family)


def test_default_database_is_jaspar2024_core_vertebrates():
    db = load_database()
    assert "JASPAR2024 CORE vertebrates" in db.source
    assert len(db) == 879
    sp1 = db.get("MA0079.5")
    assert sp1.name == "SP1" and sp1.tf_family == "Three-zinc finger Kruppel-related"
    assert sp1.tf_class == "C2H2 zinc finger factors"


def test_file_database_gets_jaspar_families(tmp_path):
    motifs = [Motif("MA0151.1", np.ones((4, 6))), Motif("custom", np.ones((4, 5)))]
    db = load_database(write_meme(tmp_path / "db.meme", motifs))
    assert db.get("MA0151.1").tf_family == "ARID-related" and db.get("custom").tf_family == ""
    assert annotate_from_jaspar([Motif("x", np.ones((4, 2)))]) == 0
    assert isinstance(db, MotifDatabase) and "2 motifs" in db.source


def test_motif_methods():
    m = Motif("m", np.array([[10.0, 0], [0, 0], [0, 0], [0, 10.0]]))
    rc = m.reverse_complement()
    np.testing.assert_array_equal(rc.counts, [[10.0, 0], [0, 0], [0, 0], [0, 10.0]])
    assert m.consensus == "AT" and m.information == pytest.approx(4.0)
    assert Motif("z", np.zeros((4, 2))).ppm.tolist() == [[0.25, 0.25]] * 4
