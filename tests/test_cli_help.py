"""Every command's --help: examples keep their line breaks and show whole commands."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from geoseg.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        path = (*prefix, name)
        found.append(path)
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            found.extend(_commands(cmd, path))
    return found


def test_help_examples_keep_their_continuation_lines():
    """A `\\` at the end of an example line is shown, so the next line reads as its
    continuation, never run into the line as a gap of spaces."""
    runner = CliRunner()
    commands = _commands(main)
    assert ("hotspots",) in commands and ("fetch", "scb") in commands
    for path in commands:
        res = runner.invoke(main, [*path, "--help"], terminal_width=200)
        assert res.exit_code == 0, (path, res.output)
        examples = [
            line.strip() for line in res.output.splitlines() if line.strip().startswith("geoseg ")
        ]
        for line in examples:
            assert not re.search(r"\S {4,}--", line.split("#")[0]), (path, line)
