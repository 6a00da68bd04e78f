"""A run's output does not depend on where it is written: the same project run into two folders
(from two working folders) gives the same bytes, names no folder of the user's, and writes only
files that `geoseg validate -o` checked beforehand."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from _smallcity import make_city, snapshot
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.io.results import MANIFEST, planned_files

STAGES = ("segregation", "hotspots", "trends", "access", "maps")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("folders")
    config = make_city(root / "city")
    first = root / "a"
    second = root / "elsewhere" / "a longer name, åäö (2)"
    second.parent.mkdir()
    here = Path.cwd()
    try:
        for out, cwd in ((first, config.parent), (second, root)):
            os.chdir(cwd)
            res = CliRunner().invoke(main, ["-q", "run", str(config), "-o", str(out)])
            assert res.exit_code == 0, res.output
    finally:
        os.chdir(here)
    return root, config, first, second


def test_two_folders_give_identical_bytes(two_runs):
    _, config, first, second = two_runs
    a, b = snapshot(first), snapshot(second)
    assert sorted(a) == sorted(b)
    for name in ("results.gpkg", MANIFEST, "maps/index.html", "maps/report.html"):
        assert name in a
    differ = [name for name in a if a[name] != b[name]]
    # the saved settings locate the project's files relative to the results folder (so that a
    # redraw never writes over them): those paths, and nothing else, depend on the folder
    assert differ == ["run_settings.json"]
    docs = [json.loads(x["run_settings.json"]) for x in (a, b)]
    for doc, out in zip(docs, (first, second), strict=True):
        assert (out / doc["settings"]["project"]).resolve() == config.resolve()
        for path in doc["settings"]["inputs"]:
            assert not Path(path).is_absolute()
            assert (out / path).resolve().is_relative_to(config.parent.resolve())
        del doc["settings"]["project"], doc["settings"]["inputs"]
    assert docs[0] == docs[1]


def test_no_published_file_names_a_folder_of_the_user(two_runs):
    root, config, first, second = two_runs
    for out in (first, second):
        for name, data in snapshot(out).items():
            if name.endswith(MANIFEST):
                # the manifest records the project it was made from by its file name
                assert json.loads(data)["project"] == config.name
            if name.endswith(".pdf"):
                assert b"file:" not in data, name
            for folder in (root, first, second):
                assert str(folder).encode() not in data, (name, folder)
                assert os.fsencode(folder.as_uri()) not in data, (name, folder)


def test_a_run_writes_only_what_validate_checked(two_runs):
    _, _, first, _ = two_runs
    plan = planned_files(first, first / "maps", stages=STAGES)
    expected = {str(f.relative_to(first) / n) for f, names in plan.items() for n in names}
    written = set(snapshot(first))
    assert written <= expected, sorted(written - expected)
    assert any(n.startswith("maps/access_") for n in written)


def test_validate_accepts_the_folders_a_run_wrote(two_runs):
    _, config, first, _ = two_runs
    res = CliRunner().invoke(main, ["-q", "validate", str(config), "-o", str(first)])
    assert res.exit_code == 0, res.output
    (first / "maps" / "access_notes.html").write_text("the user's own map", encoding="utf-8")
    try:
        res = CliRunner().invoke(main, ["-q", "validate", str(config), "-o", str(first)])
        assert res.exit_code == 2 and "access_notes.html" in res.output
    finally:
        (first / "maps" / "access_notes.html").unlink()
