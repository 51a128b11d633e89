"""Option values as people write them: model options (``KEY=VALUE``), durations, comma lists,
and ``--config`` files (JSON/YAML, or a run's ``config.json``).

>>> parse_key_values(["filters=64", "dilations=1,2,4"])
{'filters': 64, 'dilations': [1, 2, 4]}
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from seqconv.errors import InputError, SeqconvError

_TRUE, _FALSE, _NONE = ("true", "yes", "on"), ("false", "no", "off"), ("none", "null")


def parse_value(text: str) -> Any:
    """A command-line value as a JSON-serialisable model option.

    ``32`` -> int, ``0.1`` -> float, ``true``/``false`` -> bool, ``none`` -> None,
    ``1,2,4`` -> list, ``[1, 2]`` or ``{...}`` -> JSON, anything else -> str.
    """
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    if lowered in _NONE:
        return None
    if text.lstrip().startswith(("[", "{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SeqconvError(f"cannot parse {text!r} as JSON: {exc}") from None
    if "," in text:
        return [parse_value(part) for part in text.split(",") if part.strip()]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_options(args: list[str]) -> dict[str, Any]:
    """``["--channels", "32", "--causal=true", "--per-step"]`` -> build keyword arguments."""
    options: dict[str, Any] = {}
    i = 0
    while i < len(args):
        token = args[i]
        if not token.startswith("--") or token == "--":
            raise SeqconvError(
                f"unexpected argument {token!r}: model options look like --name value"
            )
        key, sep, value = token[2:].partition("=")
        if not sep:
            if i + 1 < len(args) and not args[i + 1].startswith("--"):
                value, i = args[i + 1], i + 1
            else:
                value = "true"  # a bare flag
        options[key.replace("-", "_")] = parse_value(value)
        i += 1
    return options


_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str, flag: str = "--time-limit") -> float:
    """``"90"``, ``"90s"``, ``"20m"``, ``"1.5h"`` or ``"1d"`` to seconds (> 0); numbers as Python
    writes them (``"1e-3"``, ``"5."``) too.

    >>> parse_duration("20m"), parse_duration("1.5h"), parse_duration("45"), parse_duration("1e3")
    (1200.0, 5400.0, 45.0, 1000.0)
    """
    number = r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?"
    match = re.fullmatch(rf"\s*({number})\s*([a-z]*)\s*", str(text).lower())
    if match is None or match.group(2) not in _UNITS or float(match.group(1)) <= 0:
        raise InputError(f"{flag} must be a positive duration such as 90s, 20m or 2h, not {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_key_values(items: list[str]) -> dict[str, Any]:
    """``["filters=64", "dilations=1,2,4"]`` -> ``{"filters": 64, "dilations": [1, 2, 4]}``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"model option {item!r} is not KEY=VALUE (e.g. -O filters=64)")
        out[key.strip().replace("-", "_")] = parse_value(value)
    return out


def read_options_file(path: str | Path) -> dict[str, Any]:
    """The option mapping of a JSON or YAML file; a run's ``config.json`` gives its ``options``."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the config file ({exc.strerror})") from None
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
        raise InputError(f"{path}: not valid JSON/YAML ({exc})") from None
    if isinstance(data, dict) and "options" in data and "model" in data:
        data = data["options"]  # a run's config.json
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of option names to values")
    return data


def duration(value: Any, label: str) -> Any:
    """A duration as written (``"20m"``, or seconds) in seconds."""
    return parse_duration(value, label) if isinstance(value, str) else value


def comma_list(value: Any, label: str) -> Any:
    """``"chr7, chr8"`` -> ``["chr7", "chr8"]``; lists as they are."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def key_values(value: Any, label: str) -> Any:
    """``["filters=64"]`` (``-O`` repeated) -> ``{"filters": 64}``; mappings as they are."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return parse_key_values(value)
    return value


def interval(value: Any, label: str) -> Any:
    """``--val-every`` as written: ``"epoch"``, a number of batches (``5000``) or a duration
    (``"10m"``), checked and written back the same way (``"epoch"``, ``"5000"``, ``"600s"``).

    >>> interval("10m", "--val-every"), interval(2000, "--val-every"), interval("epoch", "")
    ('600s', '2000', 'epoch')
    """
    text = str(value).strip().lower()
    if text == "epoch":
        return "epoch"
    if isinstance(value, bool):
        raise InputError(
            f"{label} must be 'epoch', a number of batches or a duration, not {value!r}"
        )
    if text.isdigit():
        if int(text) < 1:
            raise InputError(f"{label} must be at least 1 batch, not {value!r}")
        return str(int(text))
    try:
        return f"{parse_duration(text, label):g}s"
    except InputError:
        raise InputError(
            f"{label} must be 'epoch', a number of batches (e.g. 5000) or a duration (e.g. 10m), "
            f"not {value!r}"
        ) from None
