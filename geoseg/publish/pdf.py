"""The report as a PDF of A4 pages, printed by a headless Chromium.

The HTML report is the source; Chromium (Debian's ``chromium`` package, or any Chrome-family
browser on the ``PATH``) prints it with the report's own print style sheet (``@page`` A4).
The dates Chromium stamps into the file are replaced by a fixed date of the same length, so the
same report gives the same bytes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from geoseg.errors import GeoSegError
from geoseg.io import write_with

__all__ = ["BROWSERS", "find_browser", "print_pdf"]

logger = logging.getLogger(__name__)

#: Executables tried, in order, when no browser is given.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)
_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def find_browser() -> str | None:
    """Return the path of a Chrome-family browser on the ``PATH``, or ``None``."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _fixed_dates(data: bytes) -> bytes:
    """Replace the creation and modification dates by 2000-01-01, keeping every byte offset."""

    def fixed(match: re.Match[bytes]) -> bytes:
        return b"/" + match.group(1) + b" (D:20000101000000" + match.group(3) + b")"

    return _DATE.sub(fixed, data)


def print_pdf(
    html: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    browser: str | None = None,
    timeout: float = 120.0,
    overwrite: bool = True,
    root: str | os.PathLike[str] | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Print the HTML page ``html`` to the PDF file ``target`` (A4, as the page's CSS asks).

    Parameters
    ----------
    html
        A local HTML file (the report).
    target
        The PDF to write (atomically).
    browser
        The browser executable; default: the first of :data:`BROWSERS` found on the ``PATH``.
    timeout
        Seconds to wait for the browser.
    overwrite
        Whether an existing ``target`` may be replaced.
    root
        The folder the PDF must land in (default: the folder of ``target``).
    inputs
        Input files that must never be replaced.

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    GeoSegError
        When no browser is found or the browser fails; the message says what to install.
    """
    exe = browser or find_browser()
    if exe is None:
        msg = (
            f"{target}: no Chromium to print the report to PDF; install Debian's `chromium` "
            "package (apt-get install chromium) or skip the PDF."
        )
        raise GeoSegError(msg)
    source = Path(html).resolve()

    def run(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="geoseg-chromium-") as profile:
            cmd = [
                exe,
                *_FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={tmp}",
                source.as_uri(),
            ]
            try:
                proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                msg = f"{target}: printing {source.name} with {exe} failed ({exc})."
                raise GeoSegError(msg) from exc
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            msg = f"{target}: {exe} could not print {source.name} to PDF: {err[0]}"
            raise GeoSegError(msg)
        tmp.write_bytes(_fixed_dates(tmp.read_bytes()))

    folder = Path(target).parent if root is None else root
    path = write_with(target, run, root=folder, overwrite=overwrite, inputs=inputs)
    logger.info("wrote %s (%.0f kB)", path, path.stat().st_size / 1024)
    return path
