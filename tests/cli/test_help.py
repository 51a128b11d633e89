"""The command line's surface: --version, every command's help (with its example), a start that
does not load torch, and one name per concept."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.version import __version__

runner = CliRunner()
COMMANDS = ["train", "predict", "evaluate", "motifs", "attribute", "receptive-field", "models",
            "simulate", "scan", "variants"]  # fmt: skip


def test_version_alone_prints_it():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"seqconv {__version__}"


def test_no_command_shows_help():
    result = runner.invoke(app, [])
    assert "Usage" in result.output and "train" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example_and_no_python_types(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # rich wraps at the width; the words stay
    assert f"Example: seqconv {command} " in text
    for python_type in ("<path>", "<str>", "<int>", "<float>", "list[", "<list"):
        assert python_type not in text, python_type


@pytest.mark.parametrize(
    "command", ["predict", "evaluate", "motifs", "attribute", "scan", "variants"]
)
def test_run_dir_device_and_threads_are_spelled_alike(command):
    text = " ".join(runner.invoke(app, [command, "--help"], env={"COLUMNS": "100"}).stdout.split())
    assert "--run -r DIR Run directory from seqconv train (required)." in text
    assert "--model" not in text  # the old name is hidden
    assert "auto (a GPU if there is one), cpu, cuda or cuda:N" in text and "[default: auto]" in text
    assert "--threads N CPU threads (default: the free cores, at most 8)" in text


def test_train_names_the_architecture_arch():
    text = " ".join(runner.invoke(app, ["train", "--help"], env={"COLUMNS": "100"}).stdout.split())
    assert "--arch -a NAME" in text and "--model " not in text
    assert "--threads N" in text


def test_constants_kept_light_match_their_sources():
    from seqconv.cli.common import SHUFFLED
    from seqconv.dna.labels import SHUFFLED_CLASS

    assert SHUFFLED == SHUFFLED_CLASS


def test_the_command_line_starts_without_torch():
    code = (
        "import sys, seqconv, seqconv.cli; "
        "heavy = [m for m in ('torch', 'pandas', 'scipy') if m in sys.modules]; "
        "assert not heavy, heavy; "
        "assert callable(seqconv.load) and 'torch' in sys.modules"  # lazy names still resolve
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["predict", "--fasta", "x.fa"], "give the run directory: --run DIR"),
        (["predict", "--run", "a", "--model", "b", "--fasta", "x.fa"],
         "--model is the old name of --run; give only --run"),
        (["train", "--fasta", "x.fa", "--arch", "tcn", "-m", "tcn"],
         "--model is the old name of --arch; give only --arch"),
        (["receptive-field", "--run", "a", "-m", "b"], "--model is the old name of --run"),
        (["predict", "--run", "nowhere", "--fasta", "x.fa", "--threads", "0"],
         "--threads must be an integer >= 1"),
    ],
)  # fmt: skip
def test_option_mistakes_exit_2(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())


def test_gpu_out_of_memory_is_told_by_class_name():
    from seqconv.cli.app import is_gpu_out_of_memory

    torch = pytest.importorskip("torch")
    assert is_gpu_out_of_memory(torch.cuda.OutOfMemoryError("CUDA out of memory"))
    assert not is_gpu_out_of_memory(RuntimeError("out of memory"))
