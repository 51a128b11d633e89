"""Parsing of free-form KEY=VALUE options (model keyword arguments) from the command line."""

from __future__ import annotations

import json
from typing import Any

from seqconv.errors import InputError


def parse_value(text: str) -> Any:
    """``"32"`` -> 32, ``"0.5"`` -> 0.5, ``"true"`` -> True, ``"1,2,4"`` -> [1, 2, 4], else text."""
    lowered = text.strip().lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    if lowered in ("none", "null"):
        return None
    if "," in text:
        return [parse_value(part) for part in text.split(",") if part.strip()]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_key_values(items: list[str]) -> dict[str, Any]:
    """``["filters=64", "dilations=1,2,4"]`` -> ``{"filters": 64, "dilations": [1, 2, 4]}``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"model option {item!r} is not KEY=VALUE (e.g. -O filters=64)")
        out[key.strip().replace("-", "_")] = parse_value(value)
    return out
