"""Fetching from SCB's database, offline: a local PxWeb server serves hand-built tables."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.errors import FetchError, InputError, ValidationError
from geoseg.io.jsonstat import jsonstat_long
from geoseg.io.registers import read_register
from geoseg.io.reshape import RegisterTable
from geoseg.io.scb import RateLimiter, ScbClient, fetch_scb, plan_batches
from tests._pxweb_server import Cube, Dim, PxWebServer


def _small_cube() -> Cube:
    """2 regions x 2 years x 2 sexes; one cell missing (SCB's '..')."""
    cells: dict[tuple[str, ...], float | None] = {
        ("0114", "2020", "1"): 10.0,
        ("0114", "2020", "2"): 12.0,
        ("0114", "2021", "1"): 11.0,
        ("0114", "2021", "2"): None,
        ("0115", "2020", "1"): 20.0,
        ("0115", "2020", "2"): 21.0,
        ("0115", "2021", "1"): 22.0,
        ("0115", "2021", "2"): 23.0,
    }
    return Cube(
        "Folkmängd efter region, år och kön",
        [
            Dim("Region", "region", ["0114", "0115"], ["Upplands Väsby", "Vallentuna"], "geo"),
            Dim("Tid", "år", ["2020", "2021"], None, "time"),
            Dim("Kon", "kön", ["1", "2"], ["män", "kvinnor"], None, elimination=True),
        ],
        cells,
    )


def _grid_cube(regions: int = 6, years: int = 3, contents: int = 2) -> Cube:
    reg = [f"1480R{i:03d}" for i in range(1, regions + 1)]
    tid = [str(2018 + i) for i in range(years)]
    con = [f"C{i:02d}" for i in range(1, contents + 1)]
    cells = {
        (r, c, t): float(100 * i + 10 * j + k)
        for (i, r), (j, t), (k, c) in itertools.product(
            enumerate(reg), enumerate(tid), enumerate(con)
        )
    }
    return Cube(
        "Grid",
        [
            Dim("Region", "region", reg, [f"Område {r[-3:]}" for r in reg], "geo"),
            Dim("ContentsCode", "tabellinnehåll", con, None, "metric"),
            Dim("Tid", "år", tid, None, "time"),
        ],
        cells,
    )


@pytest.fixture
def server() -> Iterator[PxWebServer]:
    srv = PxWebServer(v2={"TAB1": _small_cube(), "TAB2": _grid_cube()})
    yield srv
    srv.close()


def _client(srv: PxWebServer, tmp_path: Path, **kw: object) -> ScbClient:
    return ScbClient(
        base_url=srv.v2_url,
        v1_url=srv.v1_url,
        cache_dir=tmp_path / "cache",
        limiter=RateLimiter(1000, 1.0),
        **kw,  # type: ignore[arg-type]
    )


def test_parse_equals_hand_computed_table(server: PxWebServer, tmp_path: Path) -> None:
    got = fetch_scb(
        "TAB1",
        regions=["0114", "0115"],
        years=[2020, 2021],
        select={"Kon": ["1", "2"]},
        id_column="kommun",
        client=_client(server, tmp_path),
    )
    expected = pd.DataFrame(
        {
            "kommun": ["0114"] * 4 + ["0115"] * 4,
            "region_name": ["Upplands Väsby"] * 4 + ["Vallentuna"] * 4,
            "year": [2020, 2020, 2021, 2021] * 2,
            "Kon": ["1", "2"] * 4,
            "value": [10.0, 12.0, 11.0, np.nan, 20.0, 21.0, 22.0, 23.0],
        }
    )
    for col in ("kommun", "region_name", "Kon"):
        expected[col] = expected[col].astype(object)
    pd.testing.assert_frame_equal(got, expected)


def test_eliminated_variable_is_summed_by_the_database(server: PxWebServer, tmp_path: Path) -> None:
    got = fetch_scb("TAB1", regions=["0115"], years=["2021"], client=_client(server, tmp_path))
    assert list(got.columns) == ["region", "region_name", "year", "value"]
    assert got["value"].tolist() == [22.0 + 23.0]
    body = server.data_requests()[0].body
    assert [s["variableCode"] for s in body["selection"]] == ["Region", "Tid"]


def test_sparse_jsonstat_values() -> None:
    doc = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "Tid"],
        "size": [2, 2],
        "dimension": {
            "Region": {"category": {"index": {"A": 0, "B": 1}}},
            "Tid": {"category": {"index": ["2020", "2021"]}},
        },
        "value": {"0": 1.5, "3": 4},
    }
    got = jsonstat_long(doc, source="doc")
    assert got["Region"].tolist() == ["A", "A", "B", "B"]
    assert got["Tid"].tolist() == ["2020", "2021", "2020", "2021"]
    np.testing.assert_array_equal(got["value"].to_numpy(), [1.5, np.nan, np.nan, 4.0])


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"class": "collection"},
            'answer: the answer is not a JSON-stat 2.0 dataset (no "class": "dataset").',
        ),
        (
            {"class": "dataset", "id": ["Region", "Tid"], "size": [2], "dimension": {}},
            "answer: the JSON-stat dataset needs 'id', 'size' (same length) and 'dimension'.",
        ),
        (
            {"class": "dataset", "id": ["Region"], "size": [-1], "dimension": {}},
            "answer: the JSON-stat dataset needs 'id', 'size' (same length) and 'dimension'.",
        ),
    ],
)
def test_jsonstat_shape_errors(doc: dict, message: str) -> None:
    """A document that is no dataset, or whose 'id' and 'size' do not make a cube."""
    with pytest.raises(InputError) as info:
        jsonstat_long(doc, source="answer")
    assert str(info.value) == message


def test_plan_batches_hand_computed() -> None:
    sel = {"R": list("abcde"), "T": ["1", "2", "3", "4"], "C": ["x"]}
    batches = plan_batches(sel, order=["R", "T", "C"], max_cells=6)
    # 4 cells per region fit; two regions (8) do not: one region per request
    assert [b["R"] for b in batches] == [["a"], ["b"], ["c"], ["d"], ["e"]]
    assert all(b["T"] == ["1", "2", "3", "4"] for b in batches)
    years = plan_batches(
        {"R": ["a"], "T": [str(y) for y in range(10)]}, order=["R", "T"], max_cells=3
    )
    assert [len(b["T"]) for b in years] == [3, 3, 3, 1]
    cells = [(r, t) for b in years for r, t in itertools.product(b["R"], b["T"])]
    assert sorted(cells) == sorted(("a", str(y)) for y in range(10))
    assert plan_batches(sel, order=["R", "T", "C"], max_cells=20) == [sel]


def test_batches_stitch_to_the_single_request(server: PxWebServer, tmp_path: Path) -> None:
    one = fetch_scb(
        "TAB2", regions=["1480R*"], client=_client(server, tmp_path / "a", max_cells=1000)
    )
    assert len(server.data_requests()) == 1
    server.requests.clear()
    split = fetch_scb(
        "TAB2", regions=["1480R*"], client=_client(server, tmp_path / "b", max_cells=10)
    )
    posts = server.data_requests()
    # 6 regions x 2 contents x 3 years = 36 cells; 6 per region -> one region per request
    assert len(posts) == 6
    for r in posts:
        sizes = [len(s["valueCodes"]) for s in r.body["selection"]]
        assert math.prod(sizes) <= 10
    pd.testing.assert_frame_equal(split, one)
    assert len(one) == 36
    row = one[
        (one["region"] == "1480R004") & (one["year"] == 2019) & (one["ContentsCode"] == "C02")
    ]
    assert row["value"].tolist() == [100 * 3 + 10 * 1 + 1]


def test_cache_hit_makes_no_request(server: PxWebServer, tmp_path: Path) -> None:
    first = fetch_scb("TAB1", regions=["0114"], client=_client(server, tmp_path))
    n = len(server.requests)
    assert n == 2  # metadata and data
    client = _client(server, tmp_path)
    again = fetch_scb("TAB1", regions=["0114"], client=client)
    assert len(server.requests) == n and client.requests_made == 0
    pd.testing.assert_frame_equal(first, again)
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(names) == 2 and all(len(x) == len("0" * 64 + ".json") for x in names)
    fetch_scb("TAB1", regions=["0114"], client=_client(server, tmp_path, refresh=True))
    assert len(server.requests) == n + 2


def test_rate_limiter_spacing_with_a_fake_clock() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(3, 10.0, clock=lambda: now[0], sleep=sleep)
    times = []
    for _ in range(7):
        limiter.wait()
        times.append(now[0])
        now[0] += 1.0
    assert times == [0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 20.0]
    assert slept == [7.0, 7.0]


def test_client_requests_respect_the_limiter(server: PxWebServer, tmp_path: Path) -> None:
    client = ScbClient(
        base_url=server.v2_url,
        use_cache=False,
        limiter=RateLimiter(2, 0.5),
        max_cells=2,
    )
    fetch_scb("TAB2", regions=["1480R00[1-4]"], years=["2018"], client=client)
    at = [r.at for r in server.requests]
    # metadata, then 4 requests of 1 region x 2 contents x 1 year (2 cells each)
    assert len(at) == 1 + 4
    for i in range(len(at) - 2):
        # arrival times at the server jitter by a few milliseconds around the client's spacing
        assert at[i + 2] - at[i] >= 0.5 - 0.05
    assert at[-1] - at[0] >= 2 * 0.5 - 0.05


def test_v1_fallback_when_v2_answers_404(tmp_path: Path) -> None:
    srv = PxWebServer(v2={}, v1={"TAB1": _small_cube(), "BE/BE0101/Folk": _small_cube()})
    try:
        ref = PxWebServer(v2={"TAB1": _small_cube()})
        try:
            want = fetch_scb("TAB1", regions=["0114", "0115"], client=_client(ref, tmp_path / "r"))
        finally:
            ref.close()
        got = fetch_scb("TAB1", regions=["0114", "0115"], client=_client(srv, tmp_path / "a"))
        paths = [(r.method, r.path.split("?")[0]) for r in srv.requests]
        assert paths == [
            ("GET", "/api/v2/tables/TAB1/metadata"),
            ("GET", "/v1/ssd/TAB1"),
            ("POST", "/v1/ssd/TAB1"),
        ]
        assert srv.requests[-1].body["response"] == {"format": "json-stat2"}
        pd.testing.assert_frame_equal(got, want)
        by_path = fetch_scb(
            "BE/BE0101/Folk", regions=["0114", "0115"], client=_client(srv, tmp_path / "b")
        )
        pd.testing.assert_frame_equal(by_path, want)
    finally:
        srv.close()


def test_unknown_table_is_a_fetch_error(server: PxWebServer, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"SCB table 'NOPE' not found.*TAB638"):
        fetch_scb("NOPE", regions=["0114"], client=_client(server, tmp_path))


def test_unknown_codes_are_reported_at_once(server: PxWebServer, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        fetch_scb(
            "TAB1",
            regions=["0114", "0116"],
            years=["1999"],
            select={"Kön": ["1"], "Kon": ["9"]},
            client=_client(server, tmp_path),
        )
    text = str(info.value)
    assert len(info.value.problems) == 4
    assert "region codes 0116 not in variable 'Region'" in text
    assert "years 1999" in text and "'Kön' is not in the table" in text and "Kon" in text
    assert not server.data_requests()


def test_http_errors_are_fetch_errors(tmp_path: Path) -> None:
    srv = PxWebServer(v2={"TAB1": _small_cube()})
    try:
        srv.failures = [500, 500]
        with pytest.raises(FetchError, match=r"HTTP 500.*try again later"):
            fetch_scb("TAB1", regions=["0114"], client=_client(srv, tmp_path, retries=1))
        assert len(srv.requests) == 2
        srv.failures = [429]
        got = fetch_scb("TAB1", regions=["0114"], client=_client(srv, tmp_path, retries=1))
        np.testing.assert_array_equal(got["value"].to_numpy(), [10.0 + 12.0, np.nan])
    finally:
        srv.close()


def test_unreachable_server_is_a_fetch_error(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = ScbClient(base_url=f"http://127.0.0.1:{port}/api/v2/", cache_dir=tmp_path)
    with pytest.raises(FetchError, match=r"cannot reach SCB's database at 127\.0\.0\.1"):
        fetch_scb("TAB1", regions=["0114"], client=client)


def test_cli_fetch_scb(
    server: PxWebServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOSEG_SCB_URL", server.v2_url)
    out = tmp_path / "tab.csv"
    args = [
        "fetch", "scb", "TAB2", "--region", "1480R001,1480R002", "--years", "2018-2019",
        "--var", "ContentsCode=C02", "--cache-dir", str(tmp_path / "c"), "-o", str(out),
    ]  # fmt: skip
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype={"region": str})
    assert got["value"].tolist() == [1.0, 11.0, 101.0, 111.0]
    assert set(got["ContentsCode"]) == {"C02"}
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "--overwrite" in again.output
    bad = CliRunner().invoke(main, [*args[:4], "1480R999", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "1480R999" in bad.output and "Traceback" not in bad.output
    info = CliRunner().invoke(main, ["fetch", "scb", "TAB2", "--info"])
    assert info.exit_code == 0 and "ContentsCode" in info.output and "1480R006" in info.output


def test_cache_files_are_valid_json_named_by_hash(server: PxWebServer, tmp_path: Path) -> None:
    fetch_scb("TAB1", regions=["0114"], client=_client(server, tmp_path))
    for p in (tmp_path / "cache").iterdir():
        assert json.loads(p.read_text(encoding="utf-8"))
        assert int(p.stem, 16) >= 0


def test_stale_metadata_is_asked_again_and_used_offline(tmp_path: Path) -> None:
    srv = PxWebServer(v2={"TAB1": _small_cube()})
    try:
        first = fetch_scb("TAB1", regions=["0114"], client=_client(srv, tmp_path))
        two_days_ago = time.time() - 2 * 24 * 3600
        for p in (tmp_path / "cache").iterdir():
            os.utime(p, (two_days_ago, two_days_ago))
        srv.requests.clear()
        again = fetch_scb("TAB1", regions=["0114"], client=_client(srv, tmp_path))
        # the metadata is older than a day: asked again; the data answer is kept
        assert [r.method for r in srv.requests] == ["GET"]
        pd.testing.assert_frame_equal(again, first)
        for p in (tmp_path / "cache").iterdir():
            os.utime(p, (two_days_ago, two_days_ago))
    finally:
        srv.close()
    offline = fetch_scb("TAB1", regions=["0114"], client=_client(srv, tmp_path))
    pd.testing.assert_frame_equal(offline, first)
    with pytest.raises(FetchError, match="cannot reach"):
        fetch_scb("TAB1", regions=["0115"], client=_client(srv, tmp_path))


def test_single_year_register_from_a_source(
    server: PxWebServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOSEG_SCB_URL", server.v2_url)
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path))
    table = RegisterTable(
        source="scb:TAB2", regions=["1480R00[1-3]"], years=["2019"], categories={"C02": "b"}
    )
    reg = read_register(None, id_column="regso", year_column=None, tables=[table])
    assert reg["regso"].tolist() == ["1480R001", "1480R002", "1480R003"]
    # value = 100 * region position + 10 * year position + contents position
    assert reg["b"].tolist() == [11.0, 111.0, 211.0]
    assert "year" not in reg.columns
    every_year = dataclasses.replace(table, years=[])
    with pytest.raises(ValidationError, match=r"fetch returns years 2018, 2019, 2020"):
        read_register(None, id_column="regso", year_column=None, tables=[every_year])
