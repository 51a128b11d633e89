"""Label tables (TSV/CSV: column ``id`` plus one column per target) and missing labels.

A label is missing when it is empty, a not-a-number word (``NaN``, ``NA``, ``N/A``, ``null``,
``#N/A``, ``<NA>``) or infinite (``inf``, ``-Infinity``): such records stop training with their
ids, or are dropped on request (``--drop-missing-labels``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.class_files import few
from seqconv.errors import InputError
from seqconv.files import display_name, read_text

DROP_HINT = "drop them with --drop-missing-labels"
_MISSING_WORDS = frozenset(
    {"", "na", "n/a", "nan", "+nan", "-nan", "null", "#n/a", "<na>"}
    | {f"{sign}{word}" for sign in ("", "+", "-") for word in ("inf", "infinity")}
)


def is_missing(value: str | None) -> bool:
    """Whether one label (a table cell, or one item of a ``label=`` list) is missing.

    >>> [is_missing(v) for v in ("", " NaN ", "-inf", "N/A", "0", "none")]
    [True, True, True, True, False, False]
    """
    return value is None or value.strip().lower() in _MISSING_WORDS


def missing_rows(table: pd.DataFrame) -> np.ndarray:
    """``(N,)`` whether any cell of each row is missing (any column of a multi-target table)."""
    words = table.apply(lambda column: column.str.strip().str.lower())
    return words.isin(_MISSING_WORDS).to_numpy().any(axis=1)


def missing_message(where: str, ids: Sequence[str], what: str = "a missing label") -> str:
    """The refusal for records whose labels are missing, naming them."""
    count = len(ids)
    return (
        f"{where}: {count} record{'' if count == 1 else 's'} with {what} (empty, NaN or "
        f"infinite): {few(ids)}; fill them in, or {DROP_HINT}"
    )


def _separator(text: str, name: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    if not header:
        raise InputError(f"{name}: the label table is empty; expected a header line 'id<TAB>label'")
    for sep in ("\t", ",", ";"):
        if sep in header:
            return sep
    raise InputError(
        f"{name}: the header line {header[:60]!r} has no tab or comma; a label table needs a "
        "column 'id' and at least one label column, separated by tabs (TSV) or commas (CSV)"
    )


def read_label_table(path: str | Path) -> pd.DataFrame:
    """Read a TSV/CSV label table (plain or gzipped) indexed by its ``id`` column.

    Every cell is kept as text; the separator is the first of tab, comma or semicolon found in
    the header line.

    Raises
    ------
    InputError
        Unreadable or binary file, no ``id`` column, no label column, rows of the wrong width,
        or an id on more than one row.
    """
    name = display_name(path)
    text = read_text(path, "a TSV/CSV label table")
    sep = _separator(text, name)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise InputError(f"{name}: cannot read the label table ({str(exc).strip()})") from None
    table.columns = [str(c).strip() for c in table.columns]
    if "id" not in table.columns:
        lowered = [c for c in table.columns if c.lower() == "id"]
        hint = (
            f"rename {lowered[0]!r} to 'id'"
            if lowered
            else "name the column of sequence ids 'id' (the first header field)"
        )
        raise InputError(
            f"{name}: the label table needs a column named 'id' (found: "
            f"{', '.join(map(repr, table.columns))}); {hint}"
        )
    if table.shape[1] < 2:
        raise InputError(f"{name}: the label table has no label column besides 'id'")
    table["id"] = table["id"].str.strip()
    duplicated = table["id"][table["id"].duplicated(keep=False)]
    if len(duplicated):
        first = duplicated.iloc[0]
        lines = [int(i) + 2 for i in duplicated.index[duplicated == first][:2]]
        names = list(dict.fromkeys(duplicated.tolist()))
        raise InputError(
            f"{name}: {len(names)} id{'' if len(names) == 1 else 's'} on more than one row "
            f"({few(names)}; {first!r} on lines {lines[0]} and {lines[1]}); give each id one row"
        )
    return table.set_index("id")


def align_table(
    table: pd.DataFrame, ids: Sequence[str], where: str, drop_missing: bool
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The table's rows in the order of ``ids``, with what to keep.

    Parameters
    ----------
    table
        From :func:`read_label_table`.
    ids
        The sequence ids.
    drop_missing
        Drop sequences without a row, or with a missing cell, instead of refusing them.

    Returns
    -------
    rows, keep, notes
        ``rows`` for the kept ids only; ``keep`` ``(N,)`` bool over ``ids``; notes for the user.
    """
    index = pd.Index(ids)
    has_row = index.isin(table.index)
    if not has_row.any():
        raise InputError(
            f"{where}: none of the {len(ids)} sequence ids are in the table's 'id' column "
            f"(sequences: {few(ids, 3)}; table: {few(table.index.tolist(), 3)}); the table's ids "
            "must be the FASTA record ids (the header up to the first space)"
        )
    extra = table.index.difference(index)
    if len(extra):
        raise InputError(
            f"{where}: {len(extra)} labelled ids are not among the sequences ({few(extra)}); "
            "remove their rows or add their sequences"
        )
    notes: list[str] = []
    if not has_row.all():
        absent = [i for i, h in zip(ids, has_row, strict=True) if not h]
        if not drop_missing:
            raise InputError(
                f"{where}: {len(absent)} of {len(ids)} sequences have no row in the table: "
                f"{few(absent)}; add rows for them, or {DROP_HINT}"
            )
        notes.append(f"dropped {len(absent)} records without a row in {where}: ids {few(absent)}")
    rows = table.loc[index[has_row]]
    missing = missing_rows(rows)
    keep = has_row.copy()
    if missing.any():
        bad = rows.index[missing].tolist()
        if not drop_missing:
            raise InputError(missing_message(where, bad))
        notes.append(
            f"dropped {len(bad)} record{'s' if len(bad) > 1 else ''} with missing labels: "
            f"ids {few(bad)}"
        )
        keep[np.flatnonzero(has_row)[missing]] = False
        rows = rows[~missing]
    if not keep.any():
        raise InputError(f"{where}: every record's label is missing; nothing is left to train on")
    return rows, keep, notes
