"""Free-form model options from the command line: ``--name value`` and ``KEY=VALUE``."""

from __future__ import annotations

import json
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


def parse_key_values(items: list[str]) -> dict[str, Any]:
    """``["filters=64", "dilations=1,2,4"]`` -> ``{"filters": 64, "dilations": [1, 2, 4]}``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"model option {item!r} is not KEY=VALUE (e.g. -O filters=64)")
        out[key.strip().replace("-", "_")] = parse_value(value)
    return out
