"""File-name slugs, containment of output paths, the project's inputs and stale temporaries."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoseg.errors import InputError
from geoseg.io import (
    MAX_SLUG,
    inside,
    remove_stale_temporaries,
    slug,
    slugs,
    variable_slugs,
    write_text,
)

SAFE = re.compile(r"[a-z0-9][a-z0-9_-]*")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_slug_is_a_safe_file_name(value):
    s = slug(value)
    assert SAFE.fullmatch(s), s
    assert 1 <= len(s) <= MAX_SLUG
    assert s == slug(value)  # deterministic
    assert s.isascii() and "/" not in s and "\\" not in s and not s.startswith(".")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=12))
def test_slugs_never_collide_and_do_not_depend_on_order(values):
    mapping = slugs(values)
    assert set(mapping) == set(values)
    assert len(set(mapping.values())) == len(mapping)
    assert slugs(list(reversed(values))) == mapping
    for s in mapping.values():
        assert SAFE.fullmatch(s) and len(s) <= MAX_SLUG


def test_readable_names_stay_readable():
    assert slug("family_centre") == "family_centre"
    assert slug("Mötesplats") == "motesplats"
    assert variable_slugs(["low_economic_standard/pop_total"]) == {
        "low_economic_standard/pop_total": "low_economic_standard_per_pop_total"
    }
    hostile = slug("../../../../home/someone/notes")
    assert ".." not in hostile and "/" not in hostile
    assert slug("<img src=x onerror=alert(6)>").startswith("img_src_x_onerror_alert_6-")
    # case or punctuation variants get distinct names
    m = slugs(["Library", "library", "a/b", "a_b"])
    assert len(set(m.values())) == 4 and m["a_b"] == "a_b"


def test_inside_refuses_paths_leaving_the_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert inside(out, out / "a.csv") == out / "a.csv"
    for bad in (out / ".." / "x.csv", tmp_path / "x.csv", out / "access_../../../x.html"):
        with pytest.raises(InputError, match="outside the output folder"):
            inside(out, bad)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "link")
    with pytest.raises(InputError, match="outside the output folder"):
        write_text(out / "link" / "a.txt", "x", root=out)
    assert list(elsewhere.iterdir()) == []


def test_writer_refuses_a_target_outside_its_root(tmp_path):
    out = tmp_path / "out"
    victim = tmp_path / "notes.txt"
    victim.write_text("mine", encoding="utf-8")
    with pytest.raises(InputError):
        write_text(out / ".." / "notes.txt", "overwritten", root=out)
    assert victim.read_text(encoding="utf-8") == "mine"


def test_stale_temporaries_of_our_own_names_only(tmp_path):
    ours = [
        ".hotspots.csv.a1b2c3d4.csv",
        ".results.gpkg.zzzzzzzz.gpkg-wal",
        ".index.html.x_y_z_12.html",
    ]
    theirs = [
        ".hotspots.csv",
        ".other.csv.a1b2c3d4.csv",
        ".results.gpkg.short.gpkg",
        "hotspots.csv",
    ]
    for name in [*ours, *theirs]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    removed = remove_stale_temporaries(tmp_path, ["hotspots.csv", "results.gpkg", "index.html"])
    assert sorted(p.name for p in removed) == sorted(ours)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(theirs)
