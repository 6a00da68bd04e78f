"""An on-disk cache of line layers derived from a cached street network.

The maps' street layer (:func:`geoseg.publish.maps.street_lines`) is prepared from the whole
street network on every run, which takes seconds on a city of a thousand areas although the
network rarely changes. This module keeps such a layer next to the network's cached arrays
(:func:`geoseg.io.network_cache.default_cache_dir`), in a file named by a hash of everything the
layer is derived from, so an unchanged network and extent are read back in milliseconds and a
changed one is prepared again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geoseg.io._atomic import write_with

__all__ = ["LINE_CACHE_VERSION", "cached_lines", "line_cache_path"]

logger = logging.getLogger(__name__)

#: Layout of the cached files; a change makes older files be ignored.
LINE_CACHE_VERSION = 1


def line_cache_path(
    parts: Iterable[bytes | str], *, name: str, cache_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Where the line layer derived from ``parts`` is cached.

    Parameters
    ----------
    parts
        Everything the layer depends on (array bytes, extents, options as text); hashed in
        order.
    name
        What the layer is (``"streets"``); the start of the file name.
    cache_dir
        The network cache folder; default :func:`geoseg.io.network_cache.default_cache_dir`.

    Returns
    -------
    pathlib.Path
        ``<cache_dir>/<name>-<hash>.npz``.
    """
    h = hashlib.sha256(f"{name}|v{LINE_CACHE_VERSION}".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else bytes(part)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    if cache_dir is None:
        from geoseg.io.network_cache import default_cache_dir

        folder = default_cache_dir()
    else:
        folder = Path(cache_dir)
    return folder / f"{name}-{h.hexdigest()[:32]}.npz"


def _read(path: Path, crs: str | None) -> gpd.GeoSeries:
    with np.load(path, allow_pickle=False) as z:
        if int(z["version"]) != LINE_CACHE_VERSION:
            msg = f"{path}: lines of another layout version"
            raise ValueError(msg)
        coords, index, n = z["coords"], z["index"], int(z["n"])
    if n == 0:
        return gpd.GeoSeries([], crs=crs)
    lines = shapely.linestrings(coords, indices=index)
    if len(lines) != n:
        msg = f"{path}: {len(lines)} lines read, {n} expected"
        raise ValueError(msg)
    return gpd.GeoSeries(np.asarray(lines), crs=crs)


def _write(path: Path, lines: gpd.GeoSeries) -> None:
    geoms = np.asarray(lines.to_numpy())
    coords, index = shapely.get_coordinates(geoms, return_index=True)

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                coords=coords,
                index=index,
                n=np.array(len(geoms)),
                version=np.array(LINE_CACHE_VERSION),
            )

    write_with(path, save, root=path.parent)


def cached_lines(
    compute: Callable[[], gpd.GeoSeries],
    *,
    parts: Iterable[bytes | str],
    name: str,
    crs: str | None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> gpd.GeoSeries:
    """Return the line layer ``compute()`` makes, read from the cache when it is there.

    Parameters
    ----------
    compute
        Makes the layer: a GeoSeries of LineStrings in ``crs``.
    parts
        Everything the layer depends on (see :func:`line_cache_path`).
    name
        What the layer is (``"streets"``).
    crs
        The layer's CRS (given to the lines read back).
    cache_dir
        The network cache folder; default :func:`geoseg.io.network_cache.default_cache_dir`.

    Returns
    -------
    geopandas.GeoSeries
        The same lines, in the same order, as ``compute()`` returns. A cache file that cannot
        be read is prepared again (logged); a cache that cannot be written only logs.

    Notes
    -----
    The vertices are stored as float64 as shapely gives them, so the lines read back are equal
    to the computed ones coordinate for coordinate.
    """
    path = line_cache_path(parts, name=name, cache_dir=cache_dir)
    if path.is_file():
        try:
            lines = _read(path, crs)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            logger.warning("%s: unreadable %s cache (%s); preparing it again", path, name, exc)
        else:
            logger.info("%s read from cache %s", name, path)
            return lines
    lines = compute()
    if not bool(np.all(shapely.get_type_id(np.asarray(lines.to_numpy())) == 1)):
        return lines  # only simple lines are cached
    try:
        _write(path, lines)
    except OSError as exc:
        logger.warning("%s: could not write the %s cache (%s)", path, name, exc)
    else:
        logger.info("%s cached in %s", name, path)
    return lines
