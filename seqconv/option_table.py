"""Options declared once: each option's flags, placeholder, help, help panel, rule and default per
task live in the metadata of one dataclass field, from which the command line
(:mod:`seqconv.cli.generate`), ``--config`` merging, the rule checks, the options that apply to
each kind of data and ``--help`` are all derived.

A default is a value, or a table of values per *profile*: what a run trains, as far as defaults
go (DNA per sequence or per position; series labels, forecasts or a label per step). A profile
without its own entry takes its data's (``forecast`` takes ``series``'s). An entry may be
:class:`Computed` from other options or from the data (the number of training series).

>>> from dataclasses import dataclass
>>> @dataclass
... class Demo:
...     epochs: int | None = option("Most epochs.", Rule(int, 1), metavar="N",
...                                 by_task={"dna": 200, "series": 1500, "forecast": 100})
>>> default_text(specs(Demo)["epochs"])
'200 (DNA); 1500 (series); 100 (forecast)'
>>> fill(Demo(), "forecast").epochs, fill(Demo(epochs=3), "forecast").epochs
(100, 3)
"""

from __future__ import annotations

import copy
import dataclasses
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from seqconv.errors import InputError
from seqconv.validation import Rule, check_value, did_you_mean, flag

T = TypeVar("T")

PROFILES: dict[str, str] = {
    "dna": "DNA",
    "dna-segment": "DNA segment",
    "dna-profile": "DNA profile",
    "series": "series",
    "forecast": "forecast",
    "series-segment": "series segment",
}
"""Every profile and how ``--help`` names it."""
DATA = ("dna", "series")
"""The kinds of data; each is also the profile its other profiles fall back on."""


def data_of(profile: str) -> str:
    """``dna`` or ``series``: the data a profile trains on."""
    return "dna" if profile.startswith("dna") else "series"


@dataclass(frozen=True)
class Computed:
    """A default computed when the run knows enough.

    Attributes
    ----------
    text
        The default in words, for ``--help``.
    value
        ``(options, context) -> value``; ``options`` holds the values filled so far (earlier
        fields first), ``context`` what the recipe knows of the data.
    needs
        Context keys the value needs: it is filled only once the recipe gives them all.
    """

    text: str
    value: Callable[[Any, Mapping[str, Any]], Any]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """Everything about one option (see the module docstring).

    Attributes
    ----------
    help
        One or two sentences for ``--help``.
    rule
        What the option accepts, or one rule per kind of data.
    flags
        Command-line spellings (default: ``--field-name``); a ``--x/--no-x`` pair for switches.
    metavar
        The placeholder shown in ``--help`` (``""`` for switches).
    panel
        The ``--help`` panel (``None``: the main one).
    default
        The value when nobody gives one and no profile has its own.
    by_task
        Per-profile defaults (values or :class:`Computed`); the field then defaults to ``None``.
    data
        The kinds of data the option applies to.
    resume
        A run-control option: it may change when a run is resumed.
    cli
        The type the command line reads (``Path``, ``list[Path]``, ``str``, ``int``, ...).
    parse
        ``(value, label) -> value``: a value as written (command line or config file) into the
        field's value, e.g. ``"20m"`` into seconds; ``label`` names the option in messages.
        ``None``: the value as it is.
    old_flags
        Earlier spellings, hidden from ``--help`` but still read.
    cli_only
        Read by the command line but not an option of the job (``--config``, ``--resume``).
    required
        The message when the option is missing (``None``: it may be left out).
    """

    help: str
    rule: Rule | Mapping[str, Rule]
    flags: tuple[str, ...] = ()
    metavar: str = ""
    panel: str | None = None
    default: Any = None
    by_task: Mapping[str, Any] | None = None
    data: tuple[str, ...] = DATA
    resume: bool = False
    cli: Any = str
    parse: Callable[[Any, str], Any] | None = None
    old_flags: tuple[str, ...] = ()
    cli_only: bool = False
    required: str | None = None

    def rule_for(self, data: str) -> Rule:
        return self.rule[data] if isinstance(self.rule, Mapping) else self.rule

    def flag(self, name: str) -> str:
        """The long command-line flag (``--arch`` for ``model``)."""
        return self.flags[0].split("/")[0] if self.flags else flag(name)


def option(
    help: str,
    rule: Rule | Mapping[str, Rule],
    *,
    default: Any = None,
    default_factory: Callable[[], Any] | None = None,
    **spec: Any,
) -> Any:
    """A dataclass field carrying its :class:`Spec` (keyword arguments as in :class:`Spec`)."""
    described = Spec(help, rule, default=default, **spec)
    metadata = {"spec": described}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=None if described.by_task else default, metadata=metadata)


def specs(cls: Any) -> dict[str, Spec]:
    """Field name to :class:`Spec` of every declared option of dataclass ``cls``, in order."""
    return {f.name: f.metadata["spec"] for f in dataclasses.fields(cls) if "spec" in f.metadata}


def rules(cls: Any, data: str) -> dict[str, Rule]:
    """The rules of the options of ``cls`` that apply to ``data``."""
    return {
        name: spec.rule_for(data)
        for name, spec in specs(cls).items()
        if data in spec.data and not spec.cli_only
    }


def as_written(value: Any) -> Any:
    """Command-line values as a config file would hold them: paths as text, tuples as lists."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [as_written(v) for v in value]
    return value


def check(
    cls: Any, values: Mapping[str, Any], data: str, source: str | None = None
) -> dict[str, Any]:
    """``values`` parsed and checked against the rules of ``cls`` for ``data``; unknown names,
    and options of the other kind of data, refused.

    Parameters
    ----------
    source
        Where the values came from (a config file's path), or ``None`` for the command line:
        messages then name the flag.
    """
    table = specs(cls)
    known = rules(cls, data)
    for name in values:
        if name not in table or table[name].cli_only:
            where = f"{source}: unknown option {name!r}" if source else flag(name)
            raise InputError(
                f"{where}{did_you_mean(name, known)} (known: {', '.join(sorted(known))})"
            )
    stray = [name if source else table[name].flag(name) for name in values if name not in known]
    if stray:
        raise InputError((f"{source}: " if source else "") + other_data_hint(data, stray))
    return {
        name: _checked(name, table[name], value, known[name], source)
        for name, value in values.items()
    }


def _checked(name: str, spec: Spec, value: Any, rule: Rule, source: str | None) -> Any:
    """One value parsed and checked; messages name the file and key, or the flag."""
    label = f"{source}: {name!r}" if source else spec.flag(name)
    value = as_written(value)
    if spec.parse is not None and value is not None:
        try:
            value = spec.parse(value, label)
        except InputError as exc:
            raise InputError(f"{source}: {exc}" if source else str(exc)) from None
    return check_value(name, value, rule, label)


def resolve(table: Mapping[str, Spec], given: Mapping[str, Any]) -> dict[str, Any]:
    """Every option of a command: the given ones checked, the others at their defaults; paths
    as :class:`~pathlib.Path` where the command line reads paths.

    Raises
    ------
    InputError
        For a value its rule refuses, or a required option left out.
    """
    out = {}
    for name, spec in table.items():
        if name in given:
            value = _checked(name, spec, given[name], spec.rule_for(DATA[0]), None)
        elif spec.required:
            raise InputError(spec.required)
        else:
            value = copy.copy(spec.default)
        out[name] = _as_cli_type(value, spec.cli)
    return out


def _as_cli_type(value: Any, cli: Any) -> Any:
    if value is None:
        return None
    if cli is Path:
        return Path(value)
    if cli == list[Path]:
        return [Path(v) for v in value]
    return value


def command_line(command: str, table: Mapping[str, Spec], values: Mapping[str, Any]) -> str:
    """The shell command that gives ``values`` (every option not ``None``, defaults included),
    for provenance files."""
    words = ["seqconv", *command.split()]
    for name, spec in table.items():
        value = values.get(name)
        if value is None or value is False or value == []:
            continue
        flag_text = spec.flag(name)
        if value is True:
            words.append(flag_text)
            continue
        for item in value if isinstance(value, list) else [value]:
            words += [flag_text, str(item)]
    return " ".join(shlex.quote(w) for w in words)


def other_data_hint(data: str, names: list[str]) -> str:
    """Why options of the other kind of data are refused."""
    one = len(names) == 1
    if data == "series":
        return f"{', '.join(names)} {'does' if one else 'do'} not apply to --series"
    return (
        f"{', '.join(names)} only {'applies' if one else 'apply'} to time series: add --series FILE"
    )


def default_of(spec: Spec, profile: str) -> Any:
    """The declared default of ``spec`` for ``profile`` (a value or a :class:`Computed`)."""
    if not spec.by_task:
        return spec.default
    for key in (profile, data_of(profile)):
        if key in spec.by_task:
            return spec.by_task[key]
    return spec.default


def fill(options: T, profile: str, **context: Any) -> T:
    """A copy of ``options`` with each ``None`` that has a default for ``profile`` replaced by
    it, in field order; :class:`Computed` defaults whose ``needs`` are not all in ``context``
    stay ``None`` (a later call, knowing more, fills them)."""
    filled = dataclasses.replace(options)
    for name, spec in specs(type(options)).items():
        if getattr(filled, name) is not None or not spec.by_task:
            continue
        default = default_of(spec, profile)
        if isinstance(default, Computed):
            if not all(key in context for key in default.needs):
                continue
            default = default.value(filled, context)
        setattr(filled, name, default)
    return filled


def default_text(spec: Spec) -> str | None:
    """The default in words for ``--help``: one value, or the value per profile."""
    if not spec.by_task:
        return None if spec.default in (None, "", [], {}) else _shown(spec.default)
    parts = [f"{_shown(v)} ({PROFILES[p]})" for p, v in spec.by_task.items()]
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if isinstance(value, Computed):
        return value.text
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
