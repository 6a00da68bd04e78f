"""The report printed to A4 PDF pages by Debian's headless Chromium."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from _browser import chromium_path

from geoseg.errors import GeoSegError
from geoseg.publish import write_report
from geoseg.publish.pdf import print_pdf

pytestmark = pytest.mark.browser

A4 = (595.0, 842.0)  # points


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """Page sizes (width, height in points) of the pages of a PDF Chromium wrote."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


@pytest.fixture
def chromium():
    path = chromium_path()
    if path is None:
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    return path


def test_report_prints_to_a4_pages_identically_twice(tmp_path, chromium):
    rows = [
        {
            "year": y,
            "level": "area",
            "group": f"group {g}",
            "index": "dissimilarity",
            "value": 0.3 + 0.01 * (y - 2018),
            "p_value": 0.01,
            "ci_low": 0.2,
            "ci_high": 0.4,
        }
        for y in range(2018, 2024)
        for g in range(12)
    ]
    html = write_report(
        tmp_path / "report.html", title="Rapport", lang="sv", segregation=pd.DataFrame(rows)
    )
    first = print_pdf(html, tmp_path / "a.pdf", browser=chromium).read_bytes()
    second = print_pdf(html, tmp_path / "b.pdf", browser=chromium).read_bytes()
    assert first.startswith(b"%PDF-")
    pages = _pages(first)
    assert len(pages) >= 2  # twelve trend charts do not fit on one page
    for w, h in pages:
        assert w == pytest.approx(A4[0], abs=1) and h == pytest.approx(A4[1], abs=1)
    assert first == second


def test_missing_browser_is_one_clear_error(tmp_path):
    page = tmp_path / "r.html"
    page.write_text("<html><body>x</body></html>", encoding="utf-8")
    with pytest.raises(GeoSegError, match=r"could not print|failed"):
        print_pdf(page, tmp_path / "r.pdf", browser=str(tmp_path / "no-such-browser"))
    assert not (tmp_path / "r.pdf").exists()


def _xref_is_valid(pdf: bytes) -> bool:
    """Every in-use cross-reference entry points at its ``N G obj`` (independent of geoseg)."""
    start = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    assert pdf[start : start + 4] == b"xref"
    body = pdf[start:].split(b"trailer")[0].splitlines()[1:]
    number = 0
    for line in body:
        parts = line.split()
        if len(parts) == 2:  # a subsection header: first object number, count
            number = int(parts[0])
            continue
        offset, gen, use = int(parts[0]), int(parts[1]), parts[2]
        if use == b"n" and not pdf[offset:].startswith(b"%d %d obj" % (number, gen)):
            return False
        number += 1
    return True


def test_links_are_relative_and_folders_do_not_matter(tmp_path, chromium):
    """Links to the maps beside the report stay relative: no absolute path of the user's in
    the PDF, and the same report printed in two folders gives the same bytes."""
    names = ["access_family_centre.html", "kart (1) åäö.html", "sub/trend.html"]
    links = "".join(f'<p><a href="{n}">map {i}</a></p>' for i, n in enumerate(names))
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>R</title></head>'
        f'<body><h1 id="top">Report</h1>{links}<p><a href="#top">top</a></p></body></html>'
    )
    pdfs = []
    for folder in (tmp_path / "a", tmp_path / "a much longer (folder) name åäö" / "maps"):
        folder.mkdir(parents=True)
        html = folder / "report.html"
        html.write_text(page, encoding="utf-8")
        pdf = print_pdf(html, folder / "report.pdf", browser=chromium).read_bytes()
        assert b"file:" not in pdf
        assert str(tmp_path).encode() not in pdf and tmp_path.name.encode() not in pdf
        uris = re.findall(rb"/URI \(((?:\\.|[^\\)])*)\)", pdf)
        assert uris == [
            b"access_family_centre.html",
            b"kart%20%281%29%20%C3%A5%C3%A4%C3%B6.html",
            b"sub/trend.html",
        ]
        assert _xref_is_valid(pdf)
        pdfs.append(pdf)
    assert pdfs[0] == pdfs[1]
