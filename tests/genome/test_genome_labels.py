"""BED label forms on a genome: classes by file, a label column, bigWig signal."""

from __future__ import annotations

import numpy as np
import pytest
from genome_fixtures import write_genome

from seqconv.dna.genome_labels import GenomeOptions, load_bed_labeled, median_width, stem
from seqconv.errors import InputError


@pytest.fixture
def genome(tmp_path):
    write_genome(tmp_path / "g.fa", {"chr1": 10_000, "chr2": 10_000})
    return str(tmp_path / "g.fa")


def bed(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join("\t".join(map(str, r)) + "\n" for r in rows))
    return str(path)


def test_files_are_classes_and_a_shared_window_is_multilabel(tmp_path, genome):
    a = bed(tmp_path, "a.bed", [("chr1", 100, 300), ("chr1", 1000, 1200)])
    b = bed(tmp_path, "b.narrowPeak.gz".removesuffix(".gz"), [("chr2", 500, 700)])
    two = load_bed_labeled(GenomeOptions([a, b], genome, 100)).data
    assert two.target_names == ["a", "b"] and two.task in ("binary", "multiclass")
    assert two.ids == ["chr1:150-250", "chr1:1050-1150", "chr2:550-650"]
    c = bed(tmp_path, "c.bed", [("chr1", 100, 300)])
    shared = load_bed_labeled(GenomeOptions([a, b, c], genome, 100)).data
    assert shared.task == "multilabel"
    assert shared.targets[0].tolist() == [1, 0, 1]
    assert stem("x/peaks.narrowPeak.gz") == "peaks"


def test_label_column_name_and_score(tmp_path, genome):
    rows = [("chr1", 100 * i, 100 * i + 50, "up" if i % 2 else "down", i / 10) for i in range(1, 9)]
    path = bed(tmp_path, "l.bed", rows)
    classes = load_bed_labeled(GenomeOptions([path], genome, 40, label_column="name")).data
    assert classes.target_names == ["down", "up"]
    values = load_bed_labeled(GenomeOptions([path], genome, 40, label_column="5")).data
    assert values.task == "regression"
    np.testing.assert_allclose(values.targets[:, 0], [i / 10 for i in range(1, 9)], rtol=1e-6)
    with pytest.raises(InputError, match="use name, score"):
        load_bed_labeled(GenomeOptions([path], genome, 40, label_column="9"))
    three = bed(tmp_path, "three.bed", [("chr1", 1, 50)])
    with pytest.raises(InputError, match="has no name column"):
        load_bed_labeled(GenomeOptions([three], genome, 40, label_column="name"))


def test_bigwig_mean_sum_and_log1p(tmp_path, genome):
    import pyBigWig

    bw_path = tmp_path / "signal.bw"
    bw = pyBigWig.open(str(bw_path), "w")
    bw.addHeader([("chr1", 10_000), ("chr2", 10_000)])
    bw.addEntries(["chr1"], [100], ends=[150], values=[4.0])  # 50 bp of 4
    bw.close()
    path = bed(tmp_path, "p.bed", [("chr1", 75, 175), ("chr2", 75, 175)])
    with_background = load_bed_labeled(GenomeOptions([path], genome, 100, bigwig=[str(bw_path)]))
    assert len(with_background.data) == 4 and with_background.background is not None
    options = GenomeOptions([path], genome, 100, bigwig=[str(bw_path)], negatives="none")
    mean = load_bed_labeled(options).data
    assert mean.target_names == ["signal"] and mean.task == "regression"
    np.testing.assert_allclose(mean.targets[:, 0], [2.0, 0.0])
    options.bigwig_stat, options.log1p = "sum", True
    total = load_bed_labeled(options).data
    np.testing.assert_allclose(total.targets[:, 0], [np.log1p(200.0), 0.0], rtol=1e-6)
    with pytest.raises(InputError, match="not a bigWig|no such bigWig"):
        load_bed_labeled(GenomeOptions([path], genome, 100, bigwig=[path], negatives="none"))


def test_median_width_and_missing_labels(tmp_path, genome):
    path = bed(tmp_path, "w.bed", [("chr1", 0, 100), ("chr1", 500, 800), ("chr1", 900, 1100)])
    assert median_width([path]) == 200
    with pytest.raises(InputError, match="no labels"):
        load_bed_labeled(GenomeOptions([path], genome, 100, negatives="none"))


def test_exclude_naming_no_genome_chromosome_is_refused(tmp_path, genome):
    path = bed(tmp_path, "p.bed", [("chr1", 100 * i, 100 * i + 50) for i in range(1, 30)])
    black = bed(tmp_path, "black.bed", [("1", 0, 5000)])
    with pytest.raises(InputError, match="--exclude.*add the 'chr' prefix"):
        load_bed_labeled(GenomeOptions([path], genome, 40, exclude=black))
