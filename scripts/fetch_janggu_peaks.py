"""Extract real ChIP-seq peak sequences (Oct4, MafK; 200 bp, human) from the janggu wheel.

The janggu package (Kopp et al. 2020, Nat. Commun. 11:3488; GPL-3.0) ships, as test resources,
``sample.fa`` (Oct4 peaks) and ``sample2.fa`` (MafK peaks), with ``chrN:start-end`` ids. They make a
small, real, two-class data set that none of seqconv's authors wrote. This script downloads the
wheel from PyPI (``pip download --no-deps``; no code of janggu is installed or run) and writes
``oct4.fa`` and ``mafk.fa`` into the given folder:

    python scripts/fetch_janggu_peaks.py data/external
    seqconv train --fasta data/external/oct4.fa --fasta data/external/mafk.fa
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

FILES = {"oct4.fa": "janggu/resources/sample.fa", "mafk.fa": "janggu/resources/sample2.fa"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder for oct4.fa and mafk.fa")
    parser.add_argument("--version", default="0.10.2", help="janggu version")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp,
             f"janggu=={args.version}"],
            check=True,
        )  # fmt: skip
        wheel = next(Path(tmp).glob("janggu-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name, member in FILES.items():
                (args.out / name).write_bytes(archive.read(member))
                print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
