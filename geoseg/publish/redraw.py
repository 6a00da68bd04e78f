"""Redraw the maps, the index page and the report of a run from its results folder.

Nothing is computed again: the tables, layers and settings that ``geoseg run`` saved
(:func:`geoseg.io.read_results`) are drawn by the same code that drew them during the run
(:func:`geoseg.publish.run.publish`), so the pages equal the run's, in either language.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from geoseg.i18n import check_lang
from geoseg.io import read_results
from geoseg.io.saved import ResultsFolderError
from geoseg.publish.run import publish

__all__ = ["redraw"]

logger = logging.getLogger(__name__)


def redraw(
    folder: str | Path,
    *,
    maps_dir: str | Path | None = None,
    lang: str | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Draw every map, ``index.html`` and the report again from a results folder.

    Parameters
    ----------
    folder
        A results folder written by ``geoseg run`` (:func:`geoseg.run_project`).
    maps_dir
        Where to write the pages. Default: the maps folder the run wrote into when it lies
        inside the results folder (as recorded in the results), else ``<folder>/maps``; when
        that folder holds pages in another language than ``lang``, they are kept and the pages
        go beside it, into ``<maps>_<lang>`` (``maps_en``), unless ``overwrite``. A
        ``maps_dir`` given that holds pages in another language is refused unless
        ``overwrite``.
    lang
        ``"sv"`` or ``"en"``; default the run's project language.
    overwrite
        Replace files in ``maps_dir`` that geoseg did not write, and pages drawn there in
        another language.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ResultsFolderError
        ``folder`` is not a results folder of this geoseg's layout
        (:data:`geoseg.io.RESULTS_FORMAT`), or ``maps_dir`` is the results folder itself.

    Examples
    --------
    >>> import geoseg  # doctest: +SKIP
    >>> geoseg.publish.redraw("output", lang="en")  # doctest: +SKIP
    """
    folder = Path(folder)
    if lang is not None:
        check_lang(lang)
    saved = read_results(folder)
    wanted = lang or saved.settings.get("lang")
    if maps_dir is None:
        maps_dir = folder / _recorded_maps(saved.settings.get("maps"))
        drawn = _page_lang(maps_dir)
        if drawn is not None and wanted and drawn != wanted and not overwrite:
            # the run's pages stay: another language goes beside them (maps -> maps_en)
            own = maps_dir
            maps_dir = own.with_name(f"{own.name}_{wanted}")
            logger.info(
                "the pages in %s are in %r and stay: drawing the %r pages into %s "
                "(--overwrite replaces them instead)",
                own,
                drawn,
                wanted,
                maps_dir,
            )
    else:
        maps_dir = Path(maps_dir)
        drawn = _page_lang(maps_dir)
        if drawn is not None and wanted and drawn != wanted and not overwrite:
            msg = (
                f"{maps_dir}: holds the pages of a run in {drawn!r}; drawing them in {wanted!r} "
                "would replace them. Choose another folder with --out, or add --overwrite to "
                "replace them."
            )
            raise ResultsFolderError(msg)
    maps_dir = Path(maps_dir)
    if maps_dir.resolve() == folder.resolve():
        msg = (
            f"{maps_dir}: the maps cannot be drawn into the results folder itself; "
            "choose another folder with --out."
        )
        raise ResultsFolderError(msg)
    logger.info("redrawing %s into %s", folder, maps_dir)
    return publish(saved, maps_dir=maps_dir, lang=lang, overwrite=overwrite)


def _page_lang(maps_dir: Path) -> str | None:
    """The language of the pages already drawn in ``maps_dir`` (its ``index.html``), if any."""
    index = maps_dir / "index.html"
    if not index.is_file():
        return None
    head = index.read_text(encoding="utf-8", errors="replace")[:2000]
    m = re.search(r"<html[^>]*\blang=\"([a-z]{2})\"", head)
    return m.group(1) if m else None


def _recorded_maps(recorded: object) -> Path:
    """The run's maps folder relative to the results folder, or ``maps``: a recorded path that
    is absolute or climbs out of the results folder is not followed (the results may come from
    elsewhere)."""
    if isinstance(recorded, str) and recorded:
        path = Path(recorded)
        if not path.is_absolute() and ".." not in path.parts and path != Path("."):
            return path
    return Path("maps")
