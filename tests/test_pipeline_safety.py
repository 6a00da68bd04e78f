"""Hostile names in a project: whatever a service kind, variable name or area code holds, every
file a run writes stays in its output folder, named by a safe slug, and no input changes."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _smallcity import make_city, snapshot
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from geoseg.errors import GeoSegError
from geoseg.io import project_inputs, read_config
from geoseg.pipeline import run_project

NASTY = [
    "../../../../home/someone/notes",
    "..",
    ".hidden",
    "<img src=x onerror=alert(6)>",
    "a/b\\c",
    "CON",
    "x" * 300,
    "Mötesplats för alla 図書館 😀",
    'quote" & ;semicolon',
    "tab\there\x01\x1f",
]
ALPHABET = st.sampled_from(list("aZ09_-./\\<>&\"' ;:*?|\t\x01\x07\x1få図😀\u202e%~$"))
hostile = (
    st.one_of(
        st.sampled_from(NASTY),
        st.text(ALPHABET, min_size=1, max_size=300),
    )
    .map(str.strip)
    .filter(bool)
)

SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return make_city(tmp_path_factory.mktemp("hostile") / "small", areas=8)


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _hostile_project(src: Path, folder: Path, kind: str, variable: str, code: str) -> Path:
    shutil.copytree(src.parent, folder)
    config = folder / src.name
    services = folder / "services" / "example_services.csv"
    srv = pd.read_csv(services, sep=";", dtype=str, keep_default_na=False)
    srv.loc[srv["kind"] == "family_centre", "kind"] = kind
    srv.to_csv(services, sep=";", index=False)
    registers = folder / "registers" / "example_registers.csv"
    reg = pd.read_csv(registers, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    reg = reg[reg["year"].isin(sorted(set(reg["year"]))[-2:])]  # two years: a quicker run
    reg = reg.rename(columns={"median_income_tkr": variable})
    reg.loc[reg["area_code"] == "0101", "area_code"] = code
    reg.to_csv(registers, sep=";", index=False, encoding="utf-8-sig")
    areas = folder / "boundaries" / "example_areas.gpkg"
    gdf = gpd.read_file(areas, layer="areas")
    gdf.loc[gdf["code"] == "0101", "code"] = code
    gdf.to_file(areas, layer="areas", driver="GPKG")
    text = config.read_text(encoding="utf-8")
    text = text.replace('"median_income_tkr"', _toml(variable))
    text = text.replace("family_centre = ", f"{_toml(kind)} = ")
    config.write_text(text, encoding="utf-8")
    return config


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=hostile, variable=hostile, code=hostile)
def test_hostile_names_never_leave_the_output_folder(city, kind, variable, code):
    with tempfile.TemporaryDirectory(prefix="geoseg-hostile-") as tmp:
        root = Path(tmp)
        config = _hostile_project(city, root / "project", kind, variable, code)
        inputs = {p: p.read_bytes() for p in project_inputs(read_config(config))}
        before = snapshot(root)
        out = root / "project" / "out"
        try:
            run_project(
                config,
                output=out,
                maps=out / "maps",
                stages=("hotspots", "access", "maps"),
                overwrite=False,
            )
        except GeoSegError as exc:  # a clear refusal is fine; what matters is what was written
            note(f"refused: {exc}")
        after = snapshot(root)
        new = [k for k in after if k not in before]
        for name in new:
            path = (root / name).resolve()
            assert out.resolve() in path.parents, name
            assert SAFE_NAME.fullmatch(path.name), name
        changed = [k for k in before if after.get(k) != before[k]]
        assert changed == []
        for p, data in inputs.items():
            assert p.read_bytes() == data
        # the map of the hostile kind exists under a slug, and shows the kind escaped
        pages = list((out / "maps").glob("access_*.html")) if (out / "maps").exists() else []
        for page in pages:
            assert "<img src=x" not in page.read_text(encoding="utf-8")


def test_path_traversal_kind_writes_a_slug_inside_the_folder(city, tmp_path):
    kind = "../../../../victim/notes"
    config = _hostile_project(
        city, tmp_path / "project", kind, "<img src=x onerror=alert(6)>", "../0101"
    )
    victim = tmp_path / "victim"
    victim.mkdir()
    out = tmp_path / "project" / "out"
    result = run_project(
        config, output=out, maps=out / "maps", stages=("hotspots", "access", "maps")
    )
    assert list(victim.iterdir()) == []
    pages = sorted(p.name for p in (out / "maps").glob("access_*.html"))
    assert len(pages) == 4
    assert any(re.fullmatch(r"access_victim_notes-[0-9a-f]{8}\.html", p) for p in pages), pages
    assert any(p.name.startswith("hotspots_img_src_x_onerror") for p in result.files)
    for p in result.files:
        assert out.resolve() in p.resolve().parents
