"""The UCR/UEA ``.ts`` time-series format (the sktime/aeon specification), parsed line by line.

A file is a header of ``@tags`` and ``#``/``%`` comments, then ``@data`` and one case per line::

    @problemName Example
    @timeStamps false
    @missing true
    @univariate false
    @dimensions 2
    @equalLength false
    @classLabel true up down
    @data
    1.0,2.0,?,4.0:0.5,0.4,0.3,0.2:up
    3.0,2.0:1.0,NaN:down

Channels (dimensions) are separated by ``:``, values by ``,``; ``?`` and ``NaN`` are missing; the
last field is the class (``@classLabel true``) or the regression target (``@targetLabel true``).
With ``@timeStamps true`` each value is ``(time,value)``; the times may be numbers or dates and
must be the same for every channel of a case.

This module only parses: :func:`seqconv.series.data.read_ts` turns the result into
:class:`~seqconv.series.container.SeriesData`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from seqconv.dna.labels import is_number
from seqconv.errors import InputError
from seqconv.series.checks import is_missing_label

_BOOL_TAGS = ("timestamps", "missing", "univariate", "equallength", "targetlabel")
_INT_TAGS = ("dimensions", "serieslength")
_MISSING = {"?", "nan", "na", ""}
_TUPLE_RE = re.compile(r"\(\s*([^(),]+?)\s*,\s*([^(),]*?)\s*\)")
_TUPLES_RE = re.compile(r"\s*(?:\([^()]*\)\s*(?:,\s*|$))+")


@dataclass
class TsHeader:
    """The ``@tags`` of a ``.ts`` file (names lower-cased, as the format is case-insensitive)."""

    problem_name: str = ""
    timestamps: bool = False
    missing: bool = False
    univariate: bool | None = None
    dimensions: int | None = None
    equal_length: bool | None = None
    series_length: int | None = None
    class_label: bool = False
    class_names: list[str] = field(default_factory=list)
    target_label: bool = False
    unknown_tags: list[str] = field(default_factory=list)

    @property
    def has_label(self) -> bool:
        return self.class_label or self.target_label


@dataclass
class TsContents:
    """What :func:`parse_ts` found.

    Attributes
    ----------
    header
        The parsed tags.
    series
        One ``(C, L_i)`` float64 array per case; ``NaN`` marks a missing value.
    labels
        One label string per case (class name or target as written), or ``None`` without labels.
    times
        With ``@timeStamps true``: per case, the ``(L_i,)`` time strings; otherwise ``None``.
    lines
        Per case, its line number in the file (for messages).
    """

    header: TsHeader
    series: list[np.ndarray]
    labels: list[str] | None
    times: list[list[str]] | None
    lines: list[int]


def _bool(value: str, tag: str, where: str) -> bool:
    low = value.lower()
    if low not in ("true", "false"):
        raise InputError(f"{where}: @{tag} must be true or false, not {value!r}")
    return low == "true"


def _parse_tag(line: str, header: TsHeader, where: str) -> bool:
    """Apply one header line to ``header``; return True at ``@data``."""
    tokens = line.split()
    tag, args = tokens[0][1:].lower(), tokens[1:]
    if tag == "data":
        if args:
            raise InputError(f"{where}: @data takes no value (the cases start on the next line)")
        return True
    if tag == "problemname":
        header.problem_name = " ".join(args)
    elif tag in _BOOL_TAGS or tag in _INT_TAGS:
        if len(args) != 1:
            raise InputError(f"{where}: @{tokens[0][1:]} takes exactly one value")
        if tag in _INT_TAGS:
            if not args[0].isdigit() or int(args[0]) < 1:
                raise InputError(f"{where}: @{tokens[0][1:]} must be a positive integer")
            setattr(header, "dimensions" if tag == "dimensions" else "series_length", int(args[0]))
        else:
            name = {"equallength": "equal_length", "targetlabel": "target_label"}.get(tag, tag)
            setattr(header, name, _bool(args[0], tokens[0][1:], where))
    elif tag == "classlabel":
        if not args:
            raise InputError(f"{where}: @classLabel needs true (followed by the classes) or false")
        header.class_label = _bool(args[0], "classLabel", where)
        header.class_names = args[1:]
        if header.class_label and not header.class_names:
            raise InputError(
                f"{where}: @classLabel true must list the classes, e.g. '@classLabel true 1 2'"
            )
        if len(set(header.class_names)) != len(header.class_names):
            raise InputError(f"{where}: @classLabel lists a class twice")
    else:
        header.unknown_tags.append(tokens[0])
    return False


def _split_fields(line: str, timestamps: bool) -> list[str]:
    """Split a case on ``:``; with timestamps only outside parentheses (dates hold ``:``)."""
    if not timestamps:
        return line.split(":")
    fields, depth, start = [], 0, 0
    for i, char in enumerate(line):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ":" and depth == 0:
            fields.append(line[start:i])
            start = i + 1
    fields.append(line[start:])
    return fields


def _values(text: str, where: str, channel: int) -> np.ndarray:
    try:  # fast path: plain numbers (and NaN)
        return np.array(text.split(","), dtype=np.float64)
    except ValueError:
        pass
    tokens = [t.strip() for t in text.split(",")]
    if len(tokens) > 1 and tokens[-1] == "":
        tokens.pop()  # a trailing comma
    try:
        return np.array(
            ["nan" if t.lower() in _MISSING else t for t in tokens], dtype=np.float64
        ).reshape(-1)
    except ValueError:
        pos, bad = next(
            (i, t) for i, t in enumerate(tokens) if t.lower() not in _MISSING and not is_number(t)
        )
        raise InputError(
            f"{where}: value {bad!r} (channel {channel + 1}, step {pos + 1}) is not a number; "
            "write missing values as ? or NaN"
        ) from None


def _timed_values(text: str, where: str, channel: int) -> tuple[list[str], np.ndarray]:
    if not _TUPLES_RE.fullmatch(text):
        raise InputError(
            f"{where}: channel {channel + 1} is not a list of (time,value) pairs, as "
            "@timeStamps true requires (e.g. (0,1.5),(1,2.0))"
        )
    pairs = _TUPLE_RE.findall(text)
    times = [t for t, _ in pairs]
    return times, _values(",".join(v for _, v in pairs), where, channel)


def _check_label(label: str, header: TsHeader, where: str) -> None:
    if is_missing_label(label) and label not in header.class_names:
        return  # a missing label: read_ts reports (or drops) all of them at once
    if header.class_label and label not in header.class_names:
        raise InputError(
            f"{where}: class {label!r} is not among the classes the header declares "
            f"(@classLabel true {' '.join(header.class_names)}); add it there or fix the line"
        )
    if header.target_label and not is_number(label):
        raise InputError(
            f"{where}: the regression target {label!r} is not a number (@targetLabel true); "
            "every case needs a numeric target"
        )


def parse_ts(lines: Iterable[str], source: str = "<string>") -> TsContents:
    """Parse the lines of a ``.ts`` file.

    Parameters
    ----------
    lines
        The file's lines (an open text file works and is read one line at a time).
    source
        Names the file in error messages.

    Returns
    -------
    TsContents

    Raises
    ------
    InputError
        Naming the file and line: an unknown value, a case whose channel count, length, class or
        target disagrees with the header or with the first case, or a missing ``@data``.
    """
    header = TsHeader()
    in_data = False
    series: list[np.ndarray] = []
    labels: list[str] = []
    times: list[list[str]] = []
    case_lines: list[int] = []
    n_channels: int | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line[0] in "#%":
            continue
        where = f"{source}, line {number}"
        if not in_data:
            if line[0] != "@":
                raise InputError(
                    f"{where}: expected a @tag or a # comment before @data, found {line[:40]!r}"
                )
            in_data = _parse_tag(line, header, where)
            if in_data and header.class_label and header.target_label:
                raise InputError(
                    f"{where}: @classLabel true and @targetLabel true exclude each other"
                )
            continue
        timed = header.timestamps or line.startswith("(")
        if timed and not header.timestamps:
            raise InputError(
                f"{where}: values look like (time,value) pairs but the header says "
                "@timeStamps false; set @timeStamps true"
            )
        fields = _split_fields(line, timed)
        if header.has_label:
            if len(fields) < 2:
                raise InputError(f"{where}: no ':' before the label the header announces")
            label = fields.pop().strip()
            _check_label(label, header, where)
            labels.append(label)
        if n_channels is None:
            n_channels = len(fields)
            expected = header.dimensions or (1 if header.univariate else None)
            if expected is not None and n_channels != expected:
                raise InputError(
                    f"{where}: the case has {n_channels} channels but the header says "
                    f"{expected} (@dimensions / @univariate); fix the header or the data"
                )
        elif len(fields) != n_channels:
            raise InputError(
                f"{where}: the case has {len(fields)} channels but the first case has "
                f"{n_channels}; every case needs the same channels (':' separates them)"
            )
        if timed:
            parts = [_timed_values(f, where, c) for c, f in enumerate(fields)]
            if any(p[0] != parts[0][0] for p in parts):
                raise InputError(
                    f"{where}: the channels of this case have different time stamps; they must "
                    "share one time axis"
                )
            times.append(parts[0][0])
            chans = [p[1] for p in parts]
        else:
            chans = [_values(f, where, c) for c, f in enumerate(fields)]
        width = {len(c) for c in chans}
        if len(width) != 1:
            raise InputError(
                f"{where}: the channels of this case have lengths {[len(c) for c in chans]}; "
                "within a case every channel needs the same length"
            )
        length = width.pop()
        if header.equal_length and header.series_length and length != header.series_length:
            raise InputError(
                f"{where}: the case has {length} steps but the header says @seriesLength "
                f"{header.series_length}; fix the header (or set @equalLength false)"
            )
        if header.equal_length and series and length != series[0].shape[1]:
            raise InputError(
                f"{where}: the case has {length} steps but the first case has "
                f"{series[0].shape[1]}, and the header says @equalLength true; set it to false"
            )
        series.append(np.stack(chans))
        case_lines.append(number)
    if not in_data:
        raise InputError(f"{source}: no @data line: this is not a .ts file (or it is cut short)")
    if not series:
        raise InputError(f"{source}: no cases after @data")
    return TsContents(
        header,
        series,
        labels if header.has_label else None,
        times if header.timestamps else None,
        case_lines,
    )
