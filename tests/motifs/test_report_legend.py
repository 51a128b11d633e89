"""Motif outputs explain themselves: the report's columns have a legend, attribution logos name
the class they explain."""

import html
import re

import numpy as np
import pytest
import torch
from torch import nn

from seqconv.dna.encode import encode_dna
from seqconv.motifs import logos
from seqconv.motifs.attribution import write_attributions
from seqconv.motifs.report import from_filters, from_seqlets, from_units
from seqconv.motifs.report.from_filters import LEGEND
from seqconv.motifs.report.page import MATCH_LEGEND, render_page

COLUMN_LEGEND = LEGEND + MATCH_LEGEND

ROW = {
    "rank": 1,
    "name": "filter7",
    "nsites": 120,
    "information": 9.5,
    "score": 0.031,
    "matched": True,
    "cluster": "c1",
    "logo": "",
    "map": "",
    "match_logo": "",
    "target_id": "MA0139.2",
    "target_name": "CTCF",
    "tf_family": "C2H2 zinc finger",
    "strand": "+",
    "offset": 2,
    "p": 1e-9,
    "E": 8.7e-7,
    "q": 4e-7,
    "control_p": 0.0196,
    "verdict": "matched",
}


def test_report_explains_every_column():
    page = render_page([ROW], [("sequences", "100")], [], "t", COLUMN_LEGEND)
    heads = re.findall(r"<th title=\"([^\"]*)\">([^<]*)</th>", page)
    cells = re.findall(r"<td[ >]", page)
    assert len(heads) == len(cells) == 13  # one head per cell of the row
    legend = page[page.index('id="legend"') :]
    for name, text in COLUMN_LEGEND:
        assert f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>" in legend
    for column in ("sites", "influence", "E", "q", "control p"):
        assert f"<dt>{column}</dt>" in legend
    assert "shuffled" in dict(COLUMN_LEGEND)["control p"]
    assert "(1 + k) / (1 + copies)" in legend


@pytest.mark.parametrize("source", [from_filters, from_units, from_seqlets])
def test_every_source_explains_every_column(source):
    page = render_page([ROW], [], [], "t", source.LEGEND + MATCH_LEGEND)
    heads = re.findall(r"<th title=\"([^\"]*)\">([^<]*)</th>", page)
    assert len(heads) == len(re.findall(r"<td[ >]", page)) == 13
    assert [name for _, name in heads[:6]] == [name for name, _ in source.LEGEND]


class Linear(nn.Module):
    def __init__(self, length: int):
        super().__init__()
        self.w = nn.Parameter(torch.randn(2, 4, length, generator=torch.Generator().manual_seed(0)))

    def forward(self, x):
        return torch.einsum("bcl,ocl->bo", x, self.w)


def _titles(monkeypatch):
    titles = []
    real = logos.attribution_logo

    def spy(maps, path=None, title="", **kwargs):
        titles.append(title)
        return real(maps, path, title, **kwargs)

    monkeypatch.setattr(logos, "attribution_logo", spy)
    return titles


def test_attribution_logos_name_the_target(monkeypatch, tmp_path):
    titles = _titles(monkeypatch)
    codes = encode_dna(["ACGTACGA", "GGGGTTTT"])
    result = write_attributions(
        Linear(8), codes, ["s1", "s2"], tmp_path, target=1, top=2, with_ism=False,
        target_name="CTCF",
    )  # fmt: skip
    assert len(titles) == 2 and all(re.fullmatch(r"s[12] \(CTCF = \S+\)", t) for t in titles)
    assert str(np.load(tmp_path / "attributions.npz")["target_name"]) == "CTCF"
    assert result.target == 1


def test_attribution_logos_without_a_name_keep_the_index(monkeypatch, tmp_path):
    titles = _titles(monkeypatch)
    codes = encode_dna(["ACGTACGA"])
    write_attributions(Linear(8), codes, ["s1"], tmp_path, target=1, top=1, with_ism=False)
    assert titles[0].startswith("s1 (output 1 = ")
