"""README.md means what it says: its Python examples run, its commands and demo data exist.

Every ```python block of README.md runs as written, each in a fresh namespace, from a folder laid
out like the repository root after ``make demo`` and the README's GunPoint training command: a
copy of ``data/``, ``runs/demo`` and ``runs/gunpoint``. The two runs are stand-ins from
``tests/fixtures/v0_1`` (``dna``: a short run on ``data/demo/train.fa``; ``series``: a short run on
single-channel UCR series), so no test trains. A block preceded by the line
``<!-- skip-test: reason -->`` is skipped with that reason.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import typer.main

from seqconv.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIXTURES = ROOT / "tests" / "fixtures" / "v0_1"
SKIP_MARK = re.compile(r"<!--\s*skip-test:\s*(.+?)\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")


def code_blocks(text: str) -> list[tuple[int, str, str, str | None]]:
    """``(line, language, code, skip reason)`` of every fenced block, line numbers from 1."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        start, end = i, i + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        before = next((line for line in reversed(lines[:start]) if line.strip()), "")
        skip = SKIP_MARK.search(before)
        code = "\n".join(lines[start + 1 : end]) + "\n"
        blocks.append((start + 1, opening.group(1), code, skip.group(1) if skip else None))
        i = end + 1
    return blocks


BLOCKS = code_blocks(README.read_text(encoding="utf-8"))
PYTHON = [b for b in BLOCKS if b[1] == "python"]


@pytest.fixture(scope="module")
def repo_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the repository's data and the runs the README's examples load."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(FIXTURES / "dna", root / "runs" / "demo")
    shutil.copytree(FIXTURES / "series", root / "runs" / "gunpoint")
    return root


@pytest.mark.parametrize("line,code,skip", [(b[0], b[2], b[3]) for b in PYTHON], ids=str)
def test_python_block_runs(line: int, code: str, skip: str | None, repo_like, monkeypatch):
    if skip:
        pytest.skip(f"README.md:{line}: {skip}")
    monkeypatch.chdir(repo_like)
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})


def test_the_python_blocks_are_found():
    """Guard against the parser silently finding nothing, and against skipping as a habit."""
    assert len(PYTHON) >= 3
    assert sum(b[3] is not None for b in PYTHON) <= 1


def test_commands_in_examples_exist():
    """Every ``seqconv NAME`` at the start of an example line is a command of ``seqconv --help``."""
    commands = set(typer.main.get_command(app).commands)
    named = {
        m.group(1)
        for _, language, code, _ in BLOCKS
        if language != "python"
        for m in re.finditer(r"^\s*seqconv\s+([a-z][a-z-]*)", code, re.MULTILINE)
    }
    assert named, "no seqconv command found in the README's examples"
    assert named <= commands, f"README names commands that do not exist: {named - commands}"


def test_demo_motifs_are_the_planted_ones():
    """data/README.md and scripts/demo.sh name the JASPAR motifs data/demo was simulated with."""
    planted = json.loads((ROOT / "data" / "demo" / "train.json").read_text())["motifs"]
    ids = {m["id"] for m in planted}
    names = {m["name"].upper() for m in planted}
    data_readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"MA\d{4}\.\d+", data_readme)) == ids
    demo = (ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")
    comment = " ".join(line for line in demo.splitlines() if line.startswith("#"))
    for text in (data_readme, comment):
        assert names <= {word.upper() for word in re.findall(r"[A-Za-z0-9]+", text)}


def test_paths_named_exist():
    """Every repository file or folder the README names (``docs/x.md``, ``tests/fuzz/``) exists."""
    text = README.read_text(encoding="utf-8")
    pattern = r"(?<![\w/.~])(?:docs|scripts|tests|data|seqconv|\.ci)/[\w./-]*(?:\.\w+|/)(?![\w/])"
    named = set(re.findall(pattern, text))
    assert len(named) >= 10
    assert not [p for p in sorted(named) if not (ROOT / p).exists()]
