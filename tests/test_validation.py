import dataclasses
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqconv.errors import InputError, SeqconvError
from seqconv.models import build
from seqconv.models.probe import check_input_length, min_input_length
from seqconv.option_table import rules, specs
from seqconv.options import read_options_file
from seqconv.train.entry import new_options
from seqconv.train.train_options import TrainOptions, check_options
from seqconv.validation import Rule, check_value


def dna_rules():
    return rules(TrainOptions, "dna")


def series_rules():
    return rules(TrainOptions, "series")


@pytest.mark.parametrize("data", ["dna", "series"])
def test_every_option_has_a_rule_and_its_default_passes(data):
    defaults = dataclasses.asdict(TrainOptions())
    defaults["fasta" if data == "dna" else "series"] = ["x.fa"] if data == "dna" else "x"
    known = rules(TrainOptions, data)
    applying = {k: v for k, v in defaults.items() if k in known}
    assert check_options(applying, data) == applying
    cli_only = {name for name, spec in specs(TrainOptions).items() if spec.cli_only}
    assert set(known) | cli_only | set(
        rules(TrainOptions, "series" if data == "dna" else "dna")
    ) == set(defaults)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("epochs", 0, "--epochs must be an integer >= 1 and <= 1,000,000, not 0"),
        ("epochs", -1, "not -1"),
        ("epochs", "ten", "not 'ten' (text)"),
        ("epochs", 2.5, "not 2.5"),
        ("epochs", True, "not True"),
        ("batch_size", 0, "--batch-size must be an integer >= 1"),
        ("lr", -0.1, "--lr must be a number > 0"),
        ("lr", math.nan, "not nan"),
        ("lr", math.inf, "not inf"),
        ("length", 0, "--length must be an integer >= 1"),
        ("length", 10**8, "<= 1,000,000, not 100000000"),
        ("seed", -5, "--seed must be an integer >= 0"),
        ("align", "middle", "one of center, left, right, not 'middle'"),
        ("model", "motifnte", "did you mean 'motifnet'?"),
        ("task", "binray", "did you mean 'binary'?"),
        ("model_options", [1], "--model-option must be KEY=VALUE pairs (a mapping), not [1]"),
        ("fasta", 3, "--fasta must be a list"),
    ],
)
def test_bad_values_name_the_option_value_and_range(name, value, expected):
    with pytest.raises(InputError) as err:
        check_options({name: value}, "dna")
    assert expected in str(err.value)


def test_values_are_coerced_where_the_meaning_is_plain():
    checked = check_options({"epochs": 3.0, "fasta": "a.fa", "valid_chroms": "chr1, chr2"}, "dna")
    assert checked == {"epochs": 3, "fasta": ["a.fa"], "valid_chroms": ["chr1", "chr2"]}


def test_unknown_config_keys_name_the_file_and_suggest(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"epohcs": 3}))
    with pytest.raises(InputError, match=r"c.json: unknown option 'epohcs'; did you mean 'epochs'"):
        new_options({}, config)
    config.write_text(json.dumps({"epochs": "3"}))
    with pytest.raises(InputError, match=r"c.json: 'epochs' must be an integer .*not '3' \(text\)"):
        new_options({}, config)


def test_command_line_overrides_the_file_and_both_are_checked(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("epochs: 3\nlr: 0.01\n")
    options = new_options({"epochs": 5, "fasta": ["a.fa"]}, config)
    assert (options.epochs, options.lr, options.fasta) == (5, 0.01, ["a.fa"])
    with pytest.raises(InputError, match="--lr must be a number > 0"):
        new_options({"lr": 0.0, "fasta": ["a.fa"]}, config)


def test_series_options_allow_none_for_task_defaults():
    assert check_options({"epochs": None, "task": "forecast"}, "series")["epochs"] is None
    with pytest.raises(InputError, match="--task must be one of classify"):
        check_options({"task": "binray-ish"}, "series")


@given(st.integers(-(10**12), 10**12) | st.floats(allow_nan=True) | st.text(max_size=5))
def test_check_value_only_ever_raises_input_error(value):
    rule = Rule(int, low=1, high=1000)
    try:
        checked = check_value("epochs", value, rule)
    except InputError:
        return
    assert isinstance(checked, int) and 1 <= checked <= 1000


def test_model_options_that_cannot_build_or_fit_are_refused_before_allocating():
    with pytest.raises(SeqconvError, match="did you mean 'filters'"):
        build("motifnet", filtres=[8, 8])
    with pytest.raises(SeqconvError, match="cannot be built"):
        build("motifnet", filters=-1)
    with pytest.raises(SeqconvError, match="layer of size 0"):
        build("deepbind", filters=0)
    with pytest.raises(SeqconvError, match=r"would have [\d,]+ parameters"):
        build("deepbind", filters=10**6, hidden=10**6)


def test_inputs_shorter_than_the_model_takes_name_the_shortest_length():
    model = build("deepbind", n_outputs=1)
    shortest = min_input_length(model, 4)
    assert shortest is not None and shortest > 1
    check_input_length(model, 4, shortest)
    with pytest.raises(
        InputError, match=rf"1 bp long, but .* at least {shortest} bp: pad .*{shortest}"
    ):
        check_input_length(model, 4, 1, fix="pad them with --length {n}")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(sorted(dna_rules())) | st.text(max_size=10), JSON_VALUES, max_size=6
    )
)
def test_any_config_file_is_refused_clearly_or_accepted(tmp_path, values):
    config = tmp_path / "fuzz.json"
    config.write_text(json.dumps(values))
    try:
        options = TrainOptions(**check_options(read_options_file(config), "dna", str(config)))
    except InputError as exc:
        assert "fuzz.json" in str(exc)
        return
    for name, rule in dna_rules().items():
        value = getattr(options, name)
        assert value is None or rule.kind is dict or isinstance(value, rule.kind), name
