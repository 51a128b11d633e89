"""Typer commands generated from an option table (:mod:`seqconv.option_table`): each option's
flags, placeholder, help, panel and default text come from its :class:`Spec`, so that a command
declares nothing twice.

The command receives the options the user gave (told apart from defaults by click's parameter
source, by their field names, paths as text); the library checks them and fills in the
defaults.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import typer
from rich.markup import escape

from seqconv.cli.app import explicit_options, friendly_errors
from seqconv.errors import InputError
from seqconv.option_table import Spec, as_written, default_text, resolve

OLD = "__old"
"""Suffix of the hidden parameter that reads an option's earlier spelling."""


def parameters(specs: Mapping[str, Spec]) -> list[inspect.Parameter]:
    """The typer parameters of the options in ``specs``, in order (hidden old spellings last)."""
    params, old = [], []
    for name, spec in specs.items():
        params.append(_parameter(name, spec.cli, _option(name, spec)))
        if spec.old_flags:
            hidden = typer.Option(None, *spec.old_flags, metavar=spec.metavar, hidden=True)
            old.append(_parameter(name + OLD, spec.cli, hidden))
    return params + old


def _parameter(name: str, cli: Any, default: Any) -> inspect.Parameter:
    annotation = cli if cli is bool else cli | None
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)  # fmt: skip


def _option(name: str, spec: Spec) -> Any:
    flags = spec.flags or ("--" + name.replace("_", "-"),)
    text = default_text(spec)
    if text and not spec.by_task:  # one default: typer shows it (and keeps it on one line)
        return typer.Option(spec.default, *flags, metavar=spec.metavar, help=spec.help,
                            rich_help_panel=spec.panel, show_default=True)  # fmt: skip
    return typer.Option(
        None,
        *flags,
        metavar=spec.metavar,
        help=spec.help + (escape(f" [default: {text}]") if text else ""),
        rich_help_panel=spec.panel,
        show_default=False,
    )


def given_options(ctx: typer.Context, specs: Mapping[str, Spec]) -> dict[str, Any]:
    """The options the user gave, by field name, as a config file would hold them; an option
    given under both its name and its old spelling is an error."""
    given = explicit_options(ctx)
    out = {}
    for name, spec in specs.items():
        old = given.get(name + OLD)
        if name in given and old is not None:
            raise InputError(f"{spec.old_flags[0]} is the old name of {spec.flag(name)}; give only "
                             f"{spec.flag(name)}")  # fmt: skip
        if name in given or old is not None:
            out[name] = as_written(given[name] if name in given else old)
    return out


def command(
    app: typer.Typer,
    specs: Mapping[str, Spec],
    run: Callable[..., None],
    given_only: bool = False,
    **kwargs: Any,
) -> Callable[..., None]:
    """Register ``run`` as a command of ``app`` whose options are ``specs``.

    Parameters
    ----------
    run
        Called with every option as a keyword argument (checked, defaults filled in:
        :func:`seqconv.option_table.resolve`), plus, when it takes them, ``extra_args`` (the
        words the command line did not know) and ``given`` (the names of the options the user
        gave); with ``given_only``, with the dict of the options the user gave instead (the
        library merges and checks them).
    kwargs
        Passed to ``app.command`` (``name``, ``epilog``, ``context_settings``, ...).
    """
    wanted = inspect.signature(run).parameters

    def body(ctx: typer.Context, **values: Any) -> None:
        given = given_options(ctx, specs)
        if given_only:
            run(given)
            return
        extra: dict[str, Any] = {}
        if "extra_args" in wanted:
            extra["extra_args"] = list(ctx.args)
        if "given" in wanted:
            extra["given"] = set(given)
        run(**resolve(specs, given), **extra)

    context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=typer.Context)  # fmt: skip
    body.__signature__ = inspect.Signature([context, *parameters(specs)])  # type: ignore[attr-defined]
    body.__annotations__ = {}
    body.__doc__ = run.__doc__
    kwargs.setdefault("no_args_is_help", True)
    kwargs.setdefault("name", run.__name__.replace("_", "-"))
    return app.command(**kwargs)(friendly_errors(body))
