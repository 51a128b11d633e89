"""Motif files: MEME minimal, JASPAR and TRANSFAC; written atomically, read as motif lists.

* MEME minimal format (MEME suite, Biopython ``motifs.parse(handle, "minimal")``, memelite):
  probabilities with ``nsites`` and ``E= 0`` on each ``letter-probability matrix`` line and the
  background of the input.
* JASPAR: ``>ID name`` and four rows ``A  [ counts ]``.
* TRANSFAC: ``AC``/``ID``/``DE`` lines, a ``P0 A C G T`` count table, ``XX`` and ``//``.

MEME files are read by a tolerant parser of our own (Biopython's rounds the probabilities to
integer counts and drops the alternate name); JASPAR and TRANSFAC files are read with Biopython.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from seqconv.atomic import write_text
from seqconv.errors import InputError
from seqconv.files import local_copy, read_text
from seqconv.motifs.motif import BASES, Motif, as_background

_DEFAULT_NSITES = 20  # MEME's default when a file gives none


def _number(x: float) -> str:
    """Counts as integers where they are, else with up to 4 decimals."""
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def format_meme(motifs: Sequence[Motif], background: np.ndarray | None = None) -> str:
    """MEME minimal format text (version 4, DNA, both strands).

    Parameters
    ----------
    motifs
        Motifs to write; probabilities are :attr:`Motif.ppm` (pseudocounts included).
    background
        ``(4,)`` letter frequencies for the header; default: the first motif's background.
    """
    bg = as_background(
        background if background is not None else (motifs[0].background if motifs else None)
    )
    lines = [
        "MEME version 4",
        "",
        "ALPHABET= ACGT",
        "",
        "strands: + -",
        "",
        "Background letter frequencies",
        " ".join(f"{b} {p:.4f}" for b, p in zip(BASES, bg, strict=True)),
        "",
    ]
    for motif in motifs:
        nsites = motif.nsites if motif.nsites is not None else _DEFAULT_NSITES
        header = f"MOTIF {motif.id}" + (f" {motif.name}" if motif.name != motif.id else "")
        lines.append(_one_token_names(header))
        lines.append(
            f"letter-probability matrix: alength= 4 w= {motif.width} "
            f"nsites= {int(round(nsites))} E= 0"
        )
        lines.extend(" " + "  ".join(f"{p:.6f}" for p in column) for column in motif.ppm.T)
        lines.append("")
    return "\n".join(lines) + "\n"


def _one_token_names(header: str) -> str:
    """``MOTIF id name``: blanks inside the name become ``_`` so readers see two fields."""
    parts = header.split(" ", 2)
    if len(parts) == 3:
        parts[2] = re.sub(r"\s+", "_", parts[2].strip())
    return " ".join(parts)


def format_jaspar(motifs: Sequence[Motif]) -> str:
    """JASPAR format text: ``>ID name`` and rows ``A  [ counts ]`` (raw counts)."""
    lines = []
    for motif in motifs:
        lines.append(_one_token_names(f">{motif.id} {motif.name}"))
        for base, row in zip(BASES, motif.counts, strict=True):
            lines.append(f"{base}  [ " + " ".join(f"{_number(x):>6}" for x in row) + " ]")
    return "\n".join(lines) + "\n"


def format_transfac(motifs: Sequence[Motif]) -> str:
    """TRANSFAC format text (``AC``, ``ID``, ``DE``, ``P0`` table of raw counts, ``//``)."""
    lines = []
    for motif in motifs:
        lines += [f"AC  {motif.id}", "XX", f"ID  {motif.id}", "XX"]
        lines += [f"DE  {motif.name}", "XX"]
        if motif.nsites is not None:
            lines += [f"BA  {int(round(motif.nsites))} sites", "XX"]
        lines.append("P0      A      C      G      T")
        consensus = motif.consensus
        for i, column in enumerate(motif.counts.T):
            cells = "".join(f"{_number(x):>7}" for x in column)
            lines.append(f"{i + 1:02d}{cells}      {consensus[i]}")
        lines += ["XX", "//"]
    return "\n".join(lines) + "\n"


def write_meme(
    path: str | Path, motifs: Sequence[Motif], background: np.ndarray | None = None
) -> Path:
    """Write motifs in MEME minimal format (atomically). See :func:`format_meme`."""
    write_text(path, format_meme(motifs, background))
    return Path(path)


def write_jaspar(path: str | Path, motifs: Sequence[Motif]) -> Path:
    """Write motifs in JASPAR format (atomically). See :func:`format_jaspar`."""
    write_text(path, format_jaspar(motifs))
    return Path(path)


def write_transfac(path: str | Path, motifs: Sequence[Motif]) -> Path:
    """Write motifs in TRANSFAC format (atomically). See :func:`format_transfac`."""
    write_text(path, format_transfac(motifs))
    return Path(path)


def _meme_background(text: str) -> np.ndarray | None:
    """The ``Background letter frequencies`` of a MEME file (``None`` when absent)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Background letter frequencies"):
            block = []
            for later in lines[i + 1 :]:
                if not later.strip():
                    break
                block.append(later)
            pairs = dict(re.findall(r"([ACGTU])\s+([0-9.eE+-]+)", " ".join(block)))
            pairs.setdefault("T", pairs.get("U", ""))
            try:
                return as_background([float(pairs[b]) for b in BASES])
            except (KeyError, ValueError, InputError):
                return None
    return None


def parse_meme(text: str, source: str = "MEME text") -> list[Motif]:
    """Motifs of a MEME (minimal or full) file's text.

    Counts are the probabilities times ``nsites`` (20 when absent, as MEME does).
    """
    alphabet = re.search(r"^ALPHABET\s*=\s*(\S+)", text, re.M)
    if alphabet and alphabet.group(1).upper() not in ("ACGT", "ACGU"):
        raise InputError(f"{source}: alphabet {alphabet.group(1)!r} is not DNA (ACGT)")
    background = _meme_background(text)
    motifs: list[Motif] = []
    lines = [line.rstrip("\r") for line in text.split("\n")]
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("MOTIF"):
            i += 1
            continue
        fields = line.split()
        if len(fields) < 2:
            raise InputError(f"{source}, line {i + 1}: MOTIF line without an identifier")
        motif_id = fields[1]
        name = fields[2] if len(fields) > 2 else motif_id
        i += 1
        while i < len(lines) and not lines[i].startswith("letter-probability matrix"):
            if lines[i].startswith("MOTIF"):
                raise InputError(f"{source}: motif {motif_id!r} has no letter-probability matrix")
            i += 1
        if i == len(lines):
            raise InputError(f"{source}: motif {motif_id!r} has no letter-probability matrix")
        width, nsites = _matrix_stats(lines[i], f"{source}, line {i + 1}", motif_id)
        rows = []
        i += 1
        while i < len(lines) and (width is None or len(rows) < width):
            values = lines[i].split()
            if len(values) != 4:
                if width is None and rows:
                    break
                if not values:
                    i += 1
                    continue
                raise InputError(
                    f"{source}, line {i + 1}: motif {motif_id!r} expects 4 probabilities per "
                    f"row, found {lines[i].strip()!r}"
                )
            try:
                rows.append([float(v) for v in values])
            except ValueError:
                raise InputError(
                    f"{source}, line {i + 1}: motif {motif_id!r} has a non-numeric row"
                ) from None
            i += 1
        if not rows or (width is not None and len(rows) < width):
            raise InputError(f"{source}: motif {motif_id!r} ends before its {width} rows")
        ppm = np.asarray(rows, dtype=np.float64).T
        with _naming(source):
            motifs.append(
                Motif(motif_id, ppm * nsites, name=name, nsites=nsites, background=background)
            )
    return motifs


def _matrix_stats(line: str, where: str, motif_id: str) -> tuple[int | None, float]:
    """``w=`` and ``nsites=`` of a ``letter-probability matrix`` line, checked."""
    stats = dict(re.findall(r"(\w+)=[ \t]*([^\s=]+)(?=\s|$)", line))
    try:
        width = int(stats["w"]) if "w" in stats else None
        nsites = float(stats.get("nsites", _DEFAULT_NSITES))
    except ValueError:
        raise InputError(
            f"{where}: motif {motif_id!r}: w= must be a whole number and nsites= a number "
            f"({line.strip()!r})"
        ) from None
    if (width is not None and width < 1) or not np.isfinite(nsites) or nsites <= 0:
        raise InputError(
            f"{where}: motif {motif_id!r}: w= and nsites= must be positive ({line.strip()!r})"
        )
    return width, nsites


@contextmanager
def _naming(source: str) -> Iterator[None]:
    """Prefix the file's name to a motif's own error (``motif 'x': counts must be ...``)."""
    try:
        yield
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None


def parse_jaspar(text: str, source: str = "JASPAR text") -> list[Motif]:
    """Motifs of a JASPAR-format file's text (``>ID name`` + four count rows), via Biopython."""
    from Bio import motifs as bio_motifs

    out = []
    with _biopython(source, "JASPAR"):
        for record in bio_motifs.parse(io.StringIO(text), "jaspar"):
            counts = np.array([record.counts[b] for b in BASES], dtype=np.float64)
            out.append(
                Motif(record.matrix_id, counts, name=record.name, nsites=float(counts.sum(0).max()))
            )
    return out


@contextmanager
def _biopython(source: str, kind: str) -> Iterator[None]:
    """Any failure of Biopython's parser on a file is a file it cannot read: an InputError (its
    parsers raise ValueError, KeyError, IndexError, bare Exception or UnboundLocalError)."""
    try:
        yield
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - see the docstring
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputError(f"{source}: not a readable {kind} file ({reason})") from None


def parse_transfac(text: str, source: str = "TRANSFAC text") -> list[Motif]:
    """Motifs of a TRANSFAC file's text, via Biopython."""
    from Bio import motifs as bio_motifs

    out = []
    with _biopython(source, "TRANSFAC"):
        for i, record in enumerate(bio_motifs.parse(io.StringIO(text), "transfac")):
            counts = np.array([record.counts[b] for b in BASES], dtype=np.float64)
            motif_id = record.get("AC") or record.get("ID") or f"motif{i}"
            name = record.get("DE") or record.get("ID") or motif_id
            out.append(Motif(motif_id, counts, name=name, nsites=float(counts.sum(0).max())))
    return out


def detect_format(text: str) -> str:
    """``"meme"``, ``"jaspar"`` or ``"transfac"`` from a file's first lines."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("MEME version"):
            return "meme"
        if stripped.startswith(">"):
            return "jaspar"
        if re.match(r"^(AC|ID|VV|NA|DE|P0|PO)\b", stripped):
            return "transfac"
        break
    if re.search(r"^MOTIF\s", text, re.M) and "letter-probability matrix" in text:
        return "meme"
    return "unknown"


def read_motifs(path: str | Path) -> list[Motif]:
    """Read a motif file: MEME, JASPAR or TRANSFAC (detected from its content).

    Returns
    -------
    list of Motif
        Counts ``(4, W)``; MEME probabilities are scaled by ``nsites``.

    Raises
    ------
    InputError
        Missing or unreadable file, unknown format, or no motif in it.
    """
    path = Path(path)
    kind_name = "a motif file (MEME, JASPAR or TRANSFAC)"
    local_copy(path, kind_name)  # a stream is spooled, so that it can be read again
    text = read_text(path, kind_name)
    kind = detect_format(text)
    if kind == "meme":
        motifs = parse_meme(text, str(path))
    elif kind == "jaspar":
        motifs = parse_jaspar(text, str(path))
    elif kind == "transfac":
        motifs = parse_transfac(text, str(path))
    else:
        raise InputError(
            f"{path}: not a motif file seqconv can read (MEME starting 'MEME version', JASPAR "
            "starting '>ID name', or TRANSFAC)"
        )
    if not motifs:
        raise InputError(f"{path}: no motifs found")
    return motifs
