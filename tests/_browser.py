"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright, offline.

Import the fixtures into a test module (``from tests._browser import browser, offline_page``) or
use :func:`open_offline`. The browser is started with a fresh user-data folder and every http(s)
request is aborted, so a page that needs the network fails the test.

:func:`axe_violations` runs the axe-core accessibility checker (installed from npm into
``tests/js`` by ``npm ci --prefix tests/js``) inside an open page; :func:`screenshots` saves a
page at the desktop and phone sizes into ``artifacts/screenshots`` (kept by CI, ignored by git).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: The axe-core build the browser tests inject (``npm ci --prefix tests/js`` installs it).
AXE_SCRIPT = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA: the rules every published page must pass.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: Desktop and phone viewports of the screenshots and accessibility checks.
VIEWPORTS = ((1400, 900), (390, 844))
#: Where screenshots are saved (``GEOSEG_ARTIFACTS`` overrides the folder).
ARTIFACTS = Path(
    os.environ.get("GEOSEG_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts")
)


def chromium_path() -> str | None:
    """Return the path of Debian's chromium, or ``None`` when it is not installed."""
    for cand in CHROMIUM_CANDIDATES:
        if Path(cand).is_file():
            return cand
    found = shutil.which("chromium")
    return found


@dataclass
class PageLog:
    """What happened while a page was open: console errors, page errors, dialogs, requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A persistent Chromium context with a fresh profile, offline; skips without chromium."""
    exe = chromium_path()
    if exe is None:
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright import sync_api

    profile = tempfile.mkdtemp(prefix="geoseg-chromium-")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=exe,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
        )
        context.set_offline(True)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def open_offline(context: Any, path: Path) -> tuple[Any, PageLog]:
    """Open ``path`` from ``file://`` in a new page with all http(s) aborted; return page, log."""
    log = PageLog()
    page = context.new_page()

    def abort(route: Any) -> None:
        log.network.append(route.request.url)
        route.abort()

    page.route("http://**/*", abort)
    page.route("https://**/*", abort)
    page.on(
        "console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

    def on_dialog(dialog: Any) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(Path(path).resolve().as_uri())
    page.wait_for_load_state("load")
    return page, log


def hover_area(page: Any, lat: float, lon: float) -> None:
    """Move the mouse onto the map at (lat, lon), using the page's Leaflet map object.

    Waits until the map has finished its opening zoom: during the animation the areas move
    under the pointer and Leaflet does not open tooltips.
    """
    page.wait_for_function(
        """() => {
            const div = document.querySelector('.folium-map');
            const map = div && window[div.id];
            return !!map && !map._animatingZoom && !(map._panAnim && map._panAnim._inProgress);
        }""",
        timeout=10000,
    )
    point = page.evaluate(
        """([lat, lon]) => {
            const div = document.querySelector('.folium-map');
            const map = window[div.id];
            const p = map.latLngToContainerPoint([lat, lon]);
            const r = div.getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [lat, lon],
    )
    page.mouse.move(point[0] - 3, point[1] - 3)
    page.mouse.move(point[0], point[1])


def axe_violations(page: Any, *, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict[str, Any]]:
    """Run axe-core in ``page`` and return its violations of the rules tagged ``tags``.

    Each violation is ``{"id", "impact", "help", "nodes"}`` with up to five offending elements
    (CSS selector and axe's summary of what to fix). axe-core must be installed: without it the
    calling test fails (an accessibility check that did not run never passes).
    """
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_SCRIPT} is missing): run `npm ci --prefix tests/js`"
        )
    # evaluated through the DevTools protocol, so the page's own Content-Security-Policy (no
    # scripts) does not block the checker
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': '
                    + (n.failureSummary || '').replace(/\\s+/g, ' '))}));
        }""",
        list(tags),
    )


def screenshots(page: Any, name: str, *, full_page: bool = False) -> list[Path]:
    """Save ``page`` at every size of :data:`VIEWPORTS` as ``artifacts/screenshots/NAME_WxH.png``.

    The page keeps the last size; callers that check more set their own size afterwards.
    """
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(250)  # let a map redraw at its new size
        path = folder / f"{name}_{width}x{height}.png"
        page.screenshot(path=str(path), full_page=full_page)
        saved.append(path)
    return saved
