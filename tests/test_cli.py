"""The CLI frame: every command has help with an example, bad input exits 2 without traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from geoseg.cli import COMMANDS, main


@pytest.fixture
def runner():
    return CliRunner()


def test_every_command_is_registered_and_has_an_example(runner):
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0
    for name in COMMANDS:
        assert name in listed.output, f"command {name} missing from --help"
        res = runner.invoke(main, [name, "--help"])
        assert res.exit_code == 0, res.output
        assert "Example" in res.output, f"{name} --help shows no example"


def test_unknown_command_is_usage_error(runner):
    res = runner.invoke(main, ["no-such-command"])
    assert res.exit_code == 2


def test_missing_config_is_one_line_exit_2(runner, tmp_path):
    res = runner.invoke(main, ["validate", str(tmp_path / "missing.toml")])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "missing.toml" in res.output


def test_broken_config_reports_without_traceback(runner, tmp_path):
    cfg = tmp_path / "geoseg.toml"
    cfg.write_text("[areas\npath = 'x'", encoding="utf-8")
    res = runner.invoke(main, ["validate", str(cfg)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "geoseg.toml" in res.output


def test_verbose_shows_traceback(runner, tmp_path):
    cfg = tmp_path / "geoseg.toml"
    cfg.write_text("[areas\npath = 'x'", encoding="utf-8")
    res = runner.invoke(main, ["-v", "validate", str(cfg)])
    assert res.exit_code == 2
    assert "Traceback" in res.output


def test_cli_leaves_logging_as_it_found_it(runner, tmp_path, caplog):
    import logging

    logger = logging.getLogger("geoseg")
    before = (list(logger.handlers), logger.level, logger.propagate)
    runner.invoke(main, ["-v", "validate", str(tmp_path / "missing.toml")])
    assert (list(logger.handlers), logger.level, logger.propagate) == before
    with caplog.at_level(logging.WARNING, logger="geoseg"):
        logging.getLogger("geoseg.io").warning("still captured")
    assert "still captured" in caplog.text
