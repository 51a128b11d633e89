"""Two processes with torchrun and the gloo backend on the CPU: DDP training end to end."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import seqconv


@pytest.mark.slow
def test_torchrun_two_processes_gloo(planted, tmp_path):
    run_dir = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        "-m", "seqconv", "train", "--fasta", str(planted["labelled"]), "--arch", "deepbind",
        "-O", "filters=16", "-O", "kernel_size=8", "--epochs", "3", "--batch-size", "32",
        "--lr", "0.01", "--device", "cpu", "--out", str(run_dir), "--quiet",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)  # fmt: skip
    peaks = _peak_anonymous_memory(process)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, out + err
    # both ranks mapped the one store rank 0 wrote: no copy of the data per rank
    assert [p.name for p in run_dir.iterdir() if p.name.startswith("store")] == ["store"]
    ranks = [mb for pid, mb in peaks.items() if pid != process.pid]
    assert len(ranks) >= 2, peaks
    print(f"peak anonymous memory per rank: {', '.join(f'{mb:.0f} MB' for mb in ranks)}")
    history = (run_dir / "history.csv").read_text().splitlines()
    assert len(history) == 4  # header + 3 epochs, written once (by rank 0)
    config = json.loads((run_dir / "config.json").read_text())
    assert config["result"]["epochs_run"] == 3
    run = seqconv.load(run_dir)
    predictions = run.predict(["ACGT" * 15, "TGACTCAG" * 8])
    assert predictions.shape == (2, 2)


def _peak_anonymous_memory(process: subprocess.Popen) -> dict[int, float]:
    """Peak RssAnon (MB) of ``process`` and its descendants (torchrun's ranks), sampled."""
    peaks: dict[int, float] = {}
    while process.poll() is None:
        for pid in _descendants(process.pid) | {process.pid}:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("RssAnon:"):
                    peaks[pid] = max(peaks.get(pid, 0.0), int(line.split()[1]) / 1024)
        time.sleep(0.2)
    return peaks


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found
