"""Option values checked once, at the door: type and range, with messages that name the option,
the value and what is allowed.

Every command checks its options through :func:`check_value` (one value) or :func:`check_fields`
(a whole options mapping against a table of :class:`Rule`), before any data is read.

>>> check_value("epochs", 10.0, Rule(int, low=1))
10
>>> check_value("lr", -0.1, Rule(float, low=0, low_open=True))
Traceback (most recent call last):
...
seqconv.errors.InputError: --lr must be a number > 0, not -0.1
>>> did_you_mean("epohcs", ["epochs", "lr"])
"; did you mean 'epochs'?"
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from seqconv.errors import InputError


@dataclass(frozen=True)
class Rule:
    """What one option accepts.

    Attributes
    ----------
    kind
        ``int``, ``float``, ``bool``, ``str``, ``list`` (of strings) or ``dict``.
    low, high
        Inclusive bounds for numbers (``low_open``: ``low`` itself excluded).
    choices
        The allowed strings (for ``str``), or a function that lists them (for lists that cost
        an import to build, such as the model zoo's names).
    optional
        ``None`` allowed (meaning "the default").
    flag
        The command-line spelling when it is not the field's (``--arch`` for ``model``).
    """

    kind: type
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    optional: bool = False
    flag: str | None = None

    @property
    def allowed_choices(self) -> tuple[str, ...] | None:
        """The allowed strings, listed now."""
        return tuple(self.choices()) if callable(self.choices) else self.choices

    def allowed(self) -> str:
        """The allowed values, in words."""
        if self.choices:
            return "one of " + ", ".join(self.allowed_choices or ())
        noun = {
            int: "an integer",
            float: "a number",
            bool: "true or false",
            list: "a list",
            dict: "KEY=VALUE pairs (a mapping)",
        }.get(self.kind, "a " + self.kind.__name__)
        bounds = []
        if self.low is not None:
            bounds.append(f"{'>' if self.low_open else '>='} {_number_text(self.low)}")
        if self.high is not None:
            bounds.append(f"<= {_number_text(self.high)}")
        return noun + (" " + " and ".join(bounds) if bounds else "")


def _number_text(value: float) -> str:
    """``1000000`` -> ``1,000,000``; ``0.5`` -> ``0.5``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def flag(name: str) -> str:
    """``batch_size`` -> ``--batch-size``."""
    return "--" + name.replace("_", "-")


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest known word, or ``""``."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_value(name: str, value: Any, rule: Rule, label: str | None = None) -> Any:
    """``value`` checked against ``rule`` (integral floats become ints, a lone string a list).

    ``label`` names the option in the message (default: its command-line flag).

    Raises
    ------
    InputError
        Naming the option, the value and what is allowed.
    """
    label = label or flag(name)
    if value is None:
        if rule.optional:
            return None
        raise InputError(f"{label} needs a value: {rule.allowed()}")
    checked = _coerce(value, rule)
    if checked is _BAD:
        shown = repr(value)[:200]
        if isinstance(value, str) and rule.kind in (int, float, bool):
            shown += " (text)"
        elif isinstance(value, str) and rule.choices:
            shown += did_you_mean(value, rule.allowed_choices or ())
        raise InputError(f"{label} must be {rule.allowed()}, not {shown}")
    return checked


_BAD = object()


def _coerce(value: Any, rule: Rule) -> Any:
    if rule.kind is bool:
        return value if isinstance(value, bool) else _BAD
    if rule.kind in (int, float):
        return _number(value, rule)
    if rule.kind is str:
        if not isinstance(value, str) or (rule.choices and value not in rule.allowed_choices):
            return _BAD
        return value
    if rule.kind is list:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            return _BAD
        return [str(v) for v in value]
    if rule.kind is dict:
        return value if isinstance(value, dict) else _BAD
    raise TypeError(f"no rule for {rule.kind}")


def _number(value: Any, rule: Rule) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _BAD
    if not math.isfinite(value):
        return _BAD
    if rule.kind is int:
        if value != int(value):
            return _BAD
        value = int(value)
    else:
        value = float(value)
    if rule.low is not None and (value < rule.low or (rule.low_open and value == rule.low)):
        return _BAD
    if rule.high is not None and value > rule.high:
        return _BAD
    return value


def check_fields(
    values: Mapping[str, Any], rules: Mapping[str, Rule], source: str | None = None
) -> dict[str, Any]:
    """Every value of ``values`` checked against ``rules``; unknown names refused.

    Parameters
    ----------
    values
        Option names (field form, ``batch_size``) to values.
    rules
        The rule of every known option.
    source
        Where the values came from: a config file's path, or ``None`` for the command line.
    """
    out = {}
    for name, value in values.items():
        if name not in rules:
            where = f"{source}: unknown option {name!r}" if source else flag(name)
            raise InputError(
                f"{where}{did_you_mean(name, rules)} (known: {', '.join(sorted(rules))})"
            )
        label = f"{source}: {name!r}" if source else rules[name].flag
        out[name] = check_value(name, value, rules[name], label)
    return out
