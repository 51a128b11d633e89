"""Logos and the motif report (files, tables, self-contained HTML)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from motif_fixtures import PLANTED, pwm_conv
from torch import nn

from seqconv.dna.simulate import simulate
from seqconv.motifs.formats import read_motifs
from seqconv.motifs.logos import aligned, bits_matrix, match_logo, motif_logo
from seqconv.motifs.motif import Motif
from seqconv.motifs.report import MOTIF_COLUMNS, write_motif_report

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
PNG = b"\x89PNG\r\n\x1a\n"


def test_aligned_logos_follow_offset_and_strand():
    rng = np.random.default_rng(0)
    target = Motif("t", rng.dirichlet(np.ones(4) * 0.3, size=10).T * 20)
    query = target.columns(3, 8)
    q, t = aligned(query, target, offset=3, strand="+")
    np.testing.assert_allclose(q[:, 3:8], t[:, 3:8])
    assert q.shape == t.shape == (4, 10) and (q[:, :3] == 0).all()
    # The reverse complement of the query matched the target's reverse complement at offset
    # W_t - W_q - 3 = 2: shown as the query flipped back onto the published target.
    q, t = aligned(query.reverse_complement(), target, offset=2, strand="-")
    np.testing.assert_allclose(q[:, 3:8], t[:, 3:8])
    q, t = aligned(query, target, offset=-2, strand="+")  # query starts before the target
    assert q.shape[1] == 12 and (t[:, :2] == 0).all()
    np.testing.assert_allclose(bits_matrix(target.ppm).sum(0), target.bits)


@pytest.mark.parametrize("renderer", ["fast", "logomaker"])
def test_logo_pngs(tmp_path, renderer):
    m = Motif("filter3", np.array([[5.0, 0, 1], [0, 5, 1], [0, 0, 1], [0, 0, 2]]))
    png = motif_logo(m, tmp_path / "a.png", renderer=renderer)
    assert png.startswith(PNG) and (tmp_path / "a.png").read_bytes() == png
    assert match_logo(m, m, 0, "-", renderer=renderer).startswith(PNG)


def test_motif_report_end_to_end(tmp_path, small_db, warm_tomtom):
    planted = [small_db.get(i) for i in PLANTED[:3]]
    sim = simulate(planted, n=300, length=80, motifs_per_seq=(1, 2), multi_label=True, seed=2)
    conv = pwm_conv(planted, n_random=2)
    model = nn.Sequential(conv, nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(5, 3))
    report = write_motif_report(
        model, sim.codes(), tmp_path / "out", db=small_db, show_progress=False
    )
    out = tmp_path / "out"
    for name in ["motifs.meme", "motifs.jaspar", "motifs.tsv", "matches.tsv", "report.html"]:
        assert (out / name).is_file(), name
    filters = pd.read_csv(out / "motifs.tsv", sep="\t")
    assert list(filters.columns) == MOTIF_COLUMNS and len(filters) == 5
    assert list(filters["influence"]) == sorted(filters["influence"], reverse=True)
    matches = pd.read_csv(out / "matches.tsv", sep="\t")
    assert {"motif", "target_id", "target_name", "tf_family", "p", "E", "q", "offset"} <= set(
        matches.columns
    )
    assert list(matches["p"]) == sorted(matches["p"]) and (matches["q"] < 0.05).all()
    extraction = report.found.results["extraction"]
    assert len(read_motifs(out / "motifs.meme")) == len(extraction.motifs)
    names = {m.name for m in planted}
    assert names <= set(report.summary()["names"])
    assert (out / "logos" / "filter0.png").read_bytes().startswith(PNG)
    assert (out / "logos" / "filter0_match.png").is_file()
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 2 * len(names)
    assert not re.search(r"""(src|href)=["']?(https?:|//|/)""", html)  # opens offline
    assert "shuffled control" in html and "CTCF" in html
    first_rank = html.index(filters["motif"][0] + "<")
    assert first_rank < html.index(filters["motif"][4] + "<")
