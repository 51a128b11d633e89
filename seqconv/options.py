"""Options in, checked once, in the library: model options from the command line and the one
merge of ``--config`` files (JSON/YAML, or a run's ``config.json``) with command-line options.

>>> parse_key_values(["filters=64", "dilations=1,2,4"])
{'filters': 64, 'dilations': [1, 2, 4]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from seqconv.errors import InputError, SeqconvError
from seqconv.validation import Rule, check_fields

T = TypeVar("T")

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
    """``"90"``, ``"90s"``, ``"20m"``, ``"1.5h"`` or ``"1d"`` to seconds (> 0).

    >>> parse_duration("20m"), parse_duration("1.5h"), parse_duration("45")
    (1200.0, 5400.0, 45.0)
    """
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-z]*)\s*", str(text).lower())
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


def merge_options(
    cls: type[T], config: str | Path | None, given: dict[str, Any], rules: Mapping[str, Rule]
) -> T:
    """Options of dataclass ``cls``: the ``config`` file's values, overridden by ``given``.

    Parameters
    ----------
    cls
        An options dataclass.
    config
        A JSON/YAML file of options, or a run's ``config.json``; ``None`` for none.
    given
        Values the user gave explicitly, already in field form.
    rules
        What each option of ``cls`` accepts (:mod:`seqconv.validation`): every value is checked,
        a file's naming the file; unknown names are refused with a "did you mean".
    """
    values = check_fields(read_options_file(config), rules, str(config)) if config else {}
    values.update(check_fields(given, rules))
    return cls(**values)
