"""The ``geoseg`` command line.

One command per module (``geoseg/cli/<command>.py``), each thin: read, call the library, write.
Commands are imported only when used, so ``geoseg --help`` starts fast. Any
:class:`geoseg.errors.GeoSegError` (and a file the system refuses) becomes a one-line message and
exit code 2; a failed check (a plan that breaks a rule) exits 1; any other error becomes a
one-line message with a hint to rerun with ``-v`` and exit code 3. Tracebacks are shown only
with ``-v``.
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

import click

from geoseg import __version__
from geoseg.errors import GeoSegError

__all__ = ["EXIT_INTERNAL", "main"]

#: Exit code of an unexpected error (a bug, or an input geoseg does not check yet).
EXIT_INTERNAL = 3
_HINT = " Rerun with -v (geoseg -v COMMAND ...) to see the details."

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
    "fetch": ("geoseg.cli.fetch", "fetch"),
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
        verbose = False
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except GeoSegError as exc:
            verbose = (ctx.obj or {}).get("verbosity", 0) > 0
            if verbose:
                traceback.print_exc()
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("Interrupted; no output was left half-written.", err=True)
            ctx.exit(130)
        except OSError as exc:
            # a file or folder the system refused (permissions, full disk, missing folder)
            verbose = (ctx.obj or {}).get("verbosity", 0) > 0
            if verbose:
                traceback.print_exc()
            click.echo(f"Error: {exc}{_HINT}", err=True)
            ctx.exit(2)
        except Exception as exc:
            verbose = (ctx.obj or {}).get("verbosity", 0) > 0
            if verbose:
                traceback.print_exc()
            text = " ".join(str(exc).split()) or "no message"
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {text[:300]}; geoseg could not "
                f"finish.{_HINT}",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


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


def _exit_cleanly_on_sigterm() -> Callable[[], None]:
    """Turn SIGTERM into an exit that runs cleanup (temporary files are removed on the way out).

    Returns a function that restores the previous handler.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

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
    ctx.call_on_close(_exit_cleanly_on_sigterm())
