"""The on-disk cache of walking networks: arrays in ``.npz`` files named by a hash of the source.

:func:`load_network` reads a street network file into a :class:`geoseg.access.WalkNetwork`
through this cache; :func:`save_arrays` and :func:`load_arrays` write and read one network's
arrays (also the ``.npz`` files of ``geoseg network -o``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import shapely

from geoseg.access.network import WalkNetwork, build_network
from geoseg.errors import NetworkError
from geoseg.io._atomic import write_with
from geoseg.settings import cache_dir

__all__ = [
    "CACHE_VERSION",
    "cache_path",
    "default_cache_dir",
    "file_digest",
    "load_arrays",
    "load_network",
    "save_arrays",
]

logger = logging.getLogger(__name__)

#: Bumped whenever the cached array layout changes, so that old caches are rebuilt.
CACHE_VERSION = 2


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's content (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_cache_dir() -> Path:
    """``$GEOSEG_CACHE_DIR`` or ``$XDG_CACHE_HOME/geoseg`` (``~/.cache/geoseg``), ``/network``."""
    return cache_dir("network")


def save_arrays(
    net: WalkNetwork,
    target: str | os.PathLike[str],
    *,
    overwrite: bool = True,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write a network's arrays to an ``.npz`` file atomically (read back by :func:`load_arrays`).

    Parameters
    ----------
    net
        The network.
    target
        The ``.npz`` file; its folder is created when missing.
    overwrite
        Replace an existing file (the cache does; ``geoseg network`` only with ``--overwrite``).
    inputs
        Files the network was read from; writing over one of them is refused.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    target = Path(target)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                indptr=net.graph.indptr,
                indices=net.graph.indices,
                data=net.graph.data,
                x=net.x,
                y=net.y,
                node_ids=net.node_ids,
                edge_u=net.edge_u,
                edge_v=net.edge_v,
                edge_length=net.edge_length,
                coords=net.coords,
                coord_offsets=net.coord_offsets,
                crs=np.array("" if net.crs is None else net.crs),
                info=np.array(json.dumps(dict(net.info), sort_keys=True, default=str)),
                version=np.array(CACHE_VERSION),
            )

    return write_with(target, write, root=target.parent, overwrite=overwrite, inputs=inputs)


def load_arrays(target: str | os.PathLike[str]) -> WalkNetwork:
    """Read a network written by :func:`save_arrays`.

    Raises
    ------
    OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile
        The file is unreadable, not an ``.npz`` of this layout, or of another layout version.
    """
    with np.load(target, allow_pickle=False) as z:
        if "version" not in z.files or int(z["version"]) != CACHE_VERSION:
            msg = f"{target}: network arrays of another layout version"
            raise ValueError(msg)
        n = len(z["x"])
        graph = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=(n, n))
        crs = str(z["crs"])
        info = json.loads(str(z["info"]))
        return WalkNetwork(
            graph=graph,
            x=z["x"],
            y=z["y"],
            node_ids=z["node_ids"],
            edge_u=z["edge_u"],
            edge_v=z["edge_v"],
            edge_length=z["edge_length"],
            coords=z["coords"],
            coord_offsets=z["coord_offsets"],
            crs=crs or None,
            info=info if isinstance(info, dict) else {},
        )


def _option_text(value: Any) -> str:
    """Stable text of a reader option for the cache key (geometries by their WKB digest)."""
    if isinstance(value, shapely.Geometry):
        return "wkb:" + hashlib.sha256(shapely.to_wkb(value, hex=False)).hexdigest()
    return str(value)


def cache_path(
    path: str | os.PathLike[str],
    *,
    crs: str,
    cache_dir: Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> Path:
    """Where the arrays of the network in ``path`` are cached.

    The name depends on the file's content, the CRS, the reader's options (network type,
    clipping area and buffer) and the array layout version.
    """
    opts = json.dumps(dict(options or {}), sort_keys=True, default=_option_text)
    text = f"{file_digest(path)}|{crs}|{opts}|v{CACHE_VERSION}"
    key = hashlib.sha256(text.encode()).hexdigest()
    return (cache_dir or default_cache_dir()) / f"walk-{key[:32]}.npz"


def load_network(
    path: str | os.PathLike[str],
    *,
    crs: str = "EPSG:3006",
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    reader: Callable[..., Any] | None = None,
    options: Mapping[str, Any] | None = None,
) -> WalkNetwork:
    """Read a street network file into a :class:`~geoseg.access.WalkNetwork`, through a cache.

    Parameters
    ----------
    path
        An OSM extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``, ``.osm.gz``), a GraphML file or
        saved network arrays (``.npz``), read by :func:`geoseg.io.read_network`.
    crs
        Projected CRS in metres.
    cache_dir
        Folder of cached arrays; default :func:`default_cache_dir`.
    use_cache
        ``False`` always rebuilds (and does not write the cache).
    reader
        Function ``reader(path, crs=crs, **options)`` returning a ``WalkNetwork`` or a
        projected OSMnx graph; default :func:`geoseg.io.read_network`.
    options
        Keyword options passed on to ``reader`` (for ``read_network``: ``network_type``,
        ``clip``, ``buffer_m``); they are part of the cache key.

    Notes
    -----
    The cache file name is a hash of the file's content, the CRS, the options and the array
    layout version, so an edited file is rebuilt and an unchanged one (even renamed or moved)
    is read in milliseconds.
    """
    source = Path(path)
    if not source.is_file():
        msg = f"{source}: street network file not found; check [network] path in the project file."
        raise NetworkError(msg)
    folder = None if cache_dir is None else Path(cache_dir)
    target = cache_path(source, crs=crs, cache_dir=folder, options=options)
    if use_cache and target.is_file():
        try:
            net = load_arrays(target)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            logger.warning("%s: unreadable network cache (%s); rebuilding", target, exc)
        else:
            logger.info("%s: walking network read from cache %s", source, target)
            return net
    if reader is None:
        from geoseg.io.network import read_network  # it reads the .npz files written here

        reader = read_network
    got = reader(source, crs=crs, **dict(options or {}))
    net = got if isinstance(got, WalkNetwork) else build_network(got, crs=crs)
    if use_cache:
        try:
            save_arrays(net, target)
        except OSError as exc:
            logger.warning("%s: could not write the network cache (%s)", target, exc)
        else:
            logger.info("%s: walking network cached in %s", source, target)
    return net
