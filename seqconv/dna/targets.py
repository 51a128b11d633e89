"""Label strings to targets: the task they imply and the arrays a model trains on.

The task follows from the labels: ``binary`` / ``multiclass`` (one class per record, softmax over
the classes), ``multilabel`` (any number of targets, a sigmoid each) or ``regression``. Used for
DNA (:mod:`seqconv.dna.labels`) and labelled series alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from seqconv.errors import InputError

Task = Literal["binary", "multiclass", "multilabel", "regression"]
TASKS: tuple[str, ...] = ("binary", "multiclass", "multilabel", "regression")
# Integer labels with at most this many distinct values are classes; more are a quantity.
_MAX_INTEGER_CLASSES = 50


def is_number(text: str) -> bool:
    """Whether ``text`` parses as a float."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def infer_task(values: Sequence[str]) -> Task:
    """The task a column of label strings implies.

    Comma-separated values are multi-label (names or 0/1 indicators) or, when numeric and not
    all 0/1, several regression targets. Numbers that are not all integers, or integers with more
    than 50 distinct values, are regression; anything else is classes.
    """
    if any("," in v for v in values):
        items = [x for v in values for x in v.split(",") if x]
        if items and all(is_number(x) for x in items) and not set(items) <= {"0", "1"}:
            return "regression"
        return "multilabel"
    if all(is_number(v) for v in values):
        numbers = np.array([float(v) for v in values])
        if not np.all(numbers == np.round(numbers)) or len(set(values)) > _MAX_INTEGER_CLASSES:
            return "regression"
    return "binary" if len(set(values)) <= 2 else "multiclass"


def _class_order(names: set[str]) -> list[str]:
    """Classes in a stable order: numerically when all are numbers, else alphabetically."""
    if all(is_number(n) for n in names):
        return sorted(names, key=float)
    return sorted(names)


def parse_targets(
    values: Sequence[str],
    task: str | None,
    where: str,
    ids: Sequence[str],
    classes: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[str], str]:
    """Turn label strings into targets.

    Parameters
    ----------
    values
        One label string per record (``"1"``, ``"a,b"``, ``"0.73"``, ``"0.1,0.2"``).
    task
        Force a task; ``None`` infers it (:func:`infer_task`).
    where
        Names the source in error messages.
    classes
        Fixed class/target names (evaluating a trained model): labels must be among them, and
        a single class is allowed.

    Returns
    -------
    targets, target_names, task
        See :class:`LabeledSequences`.
    """
    task = task or infer_task(values)
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if classes is not None and task != "regression":
        return _targets_for_classes(values, task, where, ids, list(classes)), list(classes), task
    if task in ("binary", "multiclass"):
        names = _class_order(set(values))
        if len(names) < 2:
            raise InputError(
                f"{where}: every sequence has the label {names[0]!r}; a classifier needs at least "
                "two classes (add negatives, e.g. --negatives shuffle, or another file)"
            )
        task = "binary" if len(names) == 2 else "multiclass"
        index = {n: i for i, n in enumerate(names)}
        return np.array([index[v] for v in values], dtype=np.int64), names, task
    if task == "multilabel":
        rows = [[x for x in v.split(",") if x] for v in values]
        items = {x for r in rows for x in r}
        if items <= {"0", "1"} and len({len(r) for r in rows}) == 1 and len(rows[0]) > 1:
            targets = np.array([[float(x) for x in r] for r in rows], dtype=np.float32)
            return targets, [f"target_{i}" for i in range(targets.shape[1])], task
        names = _class_order(items)
        if not names:
            raise InputError(f"{where}: no labels found")
        index = {n: i for i, n in enumerate(names)}
        targets = np.zeros((len(rows), len(names)), dtype=np.float32)
        for i, r in enumerate(rows):
            targets[i, [index[x] for x in r]] = 1.0
        return targets, names, task
    rows = [v.split(",") for v in values]
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        odd = next(i for i, r in enumerate(rows) if len(r) != len(rows[0]))
        raise InputError(
            f"{where}: record {ids[odd]!r} has {len(rows[odd])} values but {ids[0]!r} has "
            f"{len(rows[0])}; regression targets need the same number of values everywhere"
        )
    try:
        targets = np.array([[float(x) for x in r] for r in rows], dtype=np.float32)
    except ValueError:
        bad = next(i for i, r in enumerate(rows) if not all(is_number(x) for x in r))
        raise InputError(
            f"{where}: record {ids[bad]!r} has the non-numeric label {values[bad]!r} but the task "
            "is regression"
        ) from None
    names = ["value"] if targets.shape[1] == 1 else [f"value_{i}" for i in range(targets.shape[1])]
    return targets, names, task


def _targets_for_classes(
    values: Sequence[str], task: str, where: str, ids: Sequence[str], classes: list[str]
) -> np.ndarray:
    index = {name: i for i, name in enumerate(classes)}
    if task == "multilabel":
        rows = [[x for x in v.split(",") if x] for v in values]
        if all(set(r) <= {"0", "1"} and len(r) == len(classes) for r in rows) and len(classes) > 1:
            return np.array([[float(x) for x in r] for r in rows], dtype=np.float32)
        targets = np.zeros((len(rows), len(classes)), dtype=np.float32)
        for i, row in enumerate(rows):
            for name in row:
                if name not in index:
                    raise InputError(_unknown_class(where, ids[i], name, classes))
                targets[i, index[name]] = 1.0
        return targets
    for i, value in enumerate(values):
        if value not in index:
            raise InputError(_unknown_class(where, ids[i], value, classes))
    return np.array([index[v] for v in values], dtype=np.int64)


def _unknown_class(where: str, record: str, name: str, classes: list[str]) -> str:
    return (
        f"{where}: record {record!r} has the label {name!r}, which the model does not know "
        f"(its classes: {', '.join(classes)})"
    )
