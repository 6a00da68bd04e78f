"""The ``geoseg`` command line.

One command per module (``geoseg/cli/<command>.py``), each thin: read, call the library, write.
Commands are imported only when used, so ``geoseg --help`` starts fast. Any
:class:`geoseg.errors.GeoSegError` becomes a one-line message and exit code 2 (the traceback is
shown with ``-v``); a failed check (a plan that breaks a rule) exits 1.
"""

from __future__ import annotations

import importlib
import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from geoseg import __version__
from geoseg.errors import GeoSegError

__all__ = ["main"]

#: command name -> (module, attribute)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("geoseg.cli.run", "run"),
    "validate": ("geoseg.cli.validate", "validate"),
    "indices": ("geoseg.cli.indices", "indices"),
    "hotspots": ("geoseg.cli.hotspots", "hotspots"),
    "trends": ("geoseg.cli.trends", "trends"),
    "access": ("geoseg.cli.access", "access"),
    "check-plan": ("geoseg.cli.check_plan", "check_plan"),
    "suggest-sites": ("geoseg.cli.suggest_sites", "suggest_sites"),
    "maps": ("geoseg.cli.maps", "maps"),
    "example-city": ("geoseg.cli.example_city", "example_city"),
    "example-nation": ("geoseg.cli.example_nation", "example_nation"),
    "network": ("geoseg.cli.network", "network"),
}


class _LazyGroup(click.Group):
    """A group that imports each command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._find(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._find(cmd_name)

    @staticmethod
    def _find(name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                return None
            raise
        cmd = getattr(mod, attr, None)
        return cmd if isinstance(cmd, click.Command) else None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GeoSegError as exc:
            verbose = (ctx.obj or {}).get("verbosity", 0) > 0
            if verbose:
                traceback.print_exc()
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)


def _configure_logging(verbosity: int) -> Callable[[], None]:
    """Send geoseg's log records to standard error; return a function that undoes it."""
    level = logging.INFO
    if verbosity > 0:
        level = logging.DEBUG
    elif verbosity < 0:
        level = logging.WARNING if verbosity == -1 else logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("geoseg")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False

    def restore() -> None:
        logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]

    return restore


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-v", "--verbose", count=True, help="More output (repeat for debug); tracebacks on errors."
)
@click.option("-q", "--quiet", count=True, help="Less output (warnings only; -qq errors only).")
@click.version_option(__version__, prog_name="geoseg")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int) -> None:
    """geoseg: segregation, hotspots, walking access and plan checks for an equal city.

    \b
    Start with the embedded (fictional) example city:
        geoseg run
    or describe your own city in a project file and run:
        geoseg validate geoseg.toml
        geoseg run geoseg.toml
    """
    ctx.ensure_object(dict)
    ctx.obj["verbosity"] = verbose - quiet
    ctx.call_on_close(_configure_logging(verbose - quiet))
