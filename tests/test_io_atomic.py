"""Atomic output: the target appears whole or not at all, and inputs are never overwritten."""

from __future__ import annotations

import pytest

from geoseg.errors import InputError
from geoseg.io import atomic_path, check_not_input, write_text


def test_write_text_replaces_whole_file(tmp_path):
    target = tmp_path / "out.csv"
    write_text(target, "a;b\n1;2\n", root=tmp_path)
    write_text(target, "x\n", root=tmp_path)
    assert target.read_text(encoding="utf-8") == "x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_refuses_existing_without_overwrite(tmp_path):
    target = tmp_path / "mine.txt"
    target.write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="--overwrite"):
        write_text(target, "new", overwrite=False, root=tmp_path)
    assert target.read_text(encoding="utf-8") == "precious"


def test_failure_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target, root=tmp_path) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer crashed")
    assert list(tmp_path.iterdir()) == []


def test_output_over_input_refused(tmp_path):
    src = tmp_path / "areas.gpkg"
    src.write_bytes(b"data")
    with pytest.raises(InputError, match="is an input"):
        check_not_input(tmp_path / "." / "areas.gpkg", [src])
    check_not_input(tmp_path / "other.gpkg", [src])
