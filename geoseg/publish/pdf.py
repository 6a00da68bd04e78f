"""The report as a PDF of A4 pages, printed by a headless Chromium.

The HTML report is the source; Chromium (Debian's ``chromium`` package, or any Chrome-family
browser on the ``PATH``) prints it with the report's own print style sheet (``@page`` A4).
The dates Chromium stamps into the file are replaced by a fixed date of the same length, and the
links Chromium resolves to absolute ``file://`` addresses (the maps beside the report) are made
relative to the PDF's folder again, so that the same report gives the same bytes in any folder
and the PDF names no folder of the user's.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from geoseg.errors import GeoSegError
from geoseg.io import write_with

__all__ = ["BROWSERS", "find_browser", "print_pdf", "start_pdf"]

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
#: A link action to a local file, as Chromium writes it: ``/URI (file:///...)``.
_FILE_URI = re.compile(rb"/URI \((file:(?:\\.|[^\\)])*)\)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")


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


def _pdf_string(text: bytes) -> bytes:
    """Unescape a PDF literal string's ``\\(``, ``\\)`` and ``\\\\``."""
    return re.sub(rb"\\(.)", rb"\1", text)


def _relative_uri(uri: bytes, folder: Path) -> bytes:
    """A ``file:`` URI as a path relative to ``folder`` (percent-encoded, fragment kept)."""
    parts = urlsplit(_pdf_string(uri).decode("latin-1"))
    path = os.path.relpath(unquote(parts.path), folder)
    rel = quote(Path(path).as_posix(), safe="/._-~")
    if parts.fragment:
        rel += "#" + parts.fragment
    escaped = rel.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("ascii")


def _shift_xref(data: bytes, edits: list[tuple[int, int]]) -> bytes | None:
    """Move the cross-reference offsets by the ``(position, length change)`` edits.

    Returns the new tail (from the ``xref`` keyword) or ``None`` when the file has no classic
    cross-reference table at its ``startxref``.
    """
    m = _STARTXREF.search(data)
    if m is None:
        return None
    start = int(m.group(1))
    if data[start : start + 4] != b"xref":
        return None

    def moved(offset: int) -> int:
        return offset + sum(d for pos, d in edits if pos < offset)

    table = data[start : m.start()]

    def entry(e: re.Match[bytes]) -> bytes:
        if e.group(3) != b"n":
            return e.group(0)
        return b"%010d %s n" % (moved(int(e.group(1))), e.group(2))

    fixed = _XREF_ENTRY.sub(entry, table)
    return fixed + b"startxref\n%d\n%%%%EOF\n" % moved(start)


def _relative_links(data: bytes, folder: Path) -> bytes:
    """Rewrite every ``/URI (file:...)`` link relative to ``folder``, fixing the byte offsets.

    The cross-reference table is moved with the edits; a PDF without a classic table keeps
    its offsets instead (the shorter link is padded with spaces, which PDF syntax ignores).
    """
    links = list(_FILE_URI.finditer(data))
    if not links:
        return data
    folder = folder.resolve()
    new = [_relative_uri(m.group(1), folder) for m in links]
    edits = [(m.start(1), len(n) - len(m.group(1))) for m, n in zip(links, new, strict=True)]
    m = _STARTXREF.search(data)
    start = int(m.group(1)) if m else -1
    tail = _shift_xref(data, edits) if all(p < start for p, _ in edits) else None
    out, last = [], 0
    for link, rel in zip(links, new, strict=True):
        out.append(data[last : link.start(1)])
        pad = b"" if tail is not None else b" " * max(len(link.group(1)) - len(rel), 0)
        out.append(rel + b")" + pad)
        last = link.end()
    if tail is not None:
        out.append(data[last:start])
        out.append(tail)
    else:
        out.append(data[last:])
    logger.info("made %d link(s) of the PDF relative to its folder", len(links))
    return b"".join(out)


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
        tmp.write_bytes(_relative_links(_fixed_dates(tmp.read_bytes()), Path(target).parent))

    folder = Path(target).parent if root is None else root
    path = write_with(target, run, root=folder, overwrite=overwrite, inputs=inputs)
    logger.info("wrote %s (%.0f kB)", path, path.stat().st_size / 1024)
    return path


def start_pdf(
    html: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Future[Path] | None:
    """Start printing ``html`` to ``target`` in the background (``None`` without a browser).

    The browser is a separate process, so the printing runs on another core while the caller
    goes on (drawing the maps); a thread only waits for it. The future's ``result()`` is the
    PDF's path, or raises the error :func:`print_pdf` raised.

    Parameters
    ----------
    html, target, root, inputs
        As for :func:`print_pdf`.

    Returns
    -------
    concurrent.futures.Future or None
        The printing, or ``None`` when no browser is found (:func:`find_browser`).
    """
    if find_browser() is None:
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geoseg-pdf")
    try:
        return pool.submit(print_pdf, html, target, root=root, inputs=list(inputs))
    finally:
        pool.shutdown(wait=False)
