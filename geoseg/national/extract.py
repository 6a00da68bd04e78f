"""One national OSM extract, read once for every municipality that names it.

Every task reads its street network clipped to its own areas plus a buffer. When many
municipalities name the same OSM extract (a national ``.osm.pbf``), streaming the whole file
once per municipality costs more than the analysis itself (a full pass over the file however
small the clip). :func:`shared_networks` reads such an extract once, in the process that plans
the tasks, through geoseg's network cache, and saves its arrays next to the national results;
each task then clips those arrays (:func:`geoseg.io.network.clip_network`) in milliseconds.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geoseg.errors import GeoSegError

__all__ = ["NETWORK_FOLDER", "shared_networks"]

logger = logging.getLogger(__name__)

#: Folder of the national results folder that holds the arrays of shared extracts.
NETWORK_FOLDER = "network"


def _shared_key(config: str) -> tuple[str, str, str] | None:
    """(extract, CRS, network type) of a municipality that clips an OSM extract, else None."""
    from geoseg.io import read_config
    from geoseg.io.osm import is_osm_file

    try:
        project = read_config(Path(config))
    except (GeoSegError, OSError):
        return None
    net = project.network
    if net.path is None or not net.clip or project.services.osm or not is_osm_file(net.path):
        return None
    return str(Path(net.path).resolve()), str(project.project.crs), str(net.network_type)


def shared_networks(
    specs: Sequence[dict[str, Any]], out: Path, *, cache_dir: Path | None = None
) -> list[Path]:
    """Read each OSM extract that several tasks name once, and point those tasks at its arrays.

    Parameters
    ----------
    specs
        Task specifications (:func:`geoseg.national.tasks.plan_tasks`); a task that will run
        the access stage and shares its extract with another gets ``network``: the arrays'
        file.
    out
        The national results folder; arrays go to ``out/network/<extract>-<digest>.npz``,
        named by the extract's content, so an unchanged extract is not saved twice.
    cache_dir
        geoseg's network cache folder (default: :func:`geoseg.io.network_cache.default_cache_dir`).

    Returns
    -------
    list of pathlib.Path
        The arrays' files written or reused. An extract that cannot be read is left to each
        task, which reports the problem with its municipality's code.
    """
    from geoseg.io import load_network, write_network

    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for spec in specs:
        if spec.get("skip") or "access" not in spec.get("stages", ()):
            continue
        key = _shared_key(spec["config"])
        if key is not None:
            groups.setdefault(key, []).append(spec)
    files = []
    for (extract, crs, network_type), users in groups.items():
        if len(users) < 2:
            continue
        path = Path(extract)
        h = hashlib.sha256(f"{crs}|{network_type}".encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        stem = path.name.split(".")[0]
        target = out / NETWORK_FOLDER / f"{stem}-{network_type}-{h.hexdigest()[:16]}.npz"
        if not target.is_file():
            try:
                net = load_network(
                    path, crs=crs, cache_dir=cache_dir, options={"network_type": network_type}
                )
            except GeoSegError as exc:
                logger.warning("%s: not read once for all municipalities (%s)", path, exc)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            write_network(net, target, overwrite=True, inputs=[path])
            logger.info(
                "%s: %d nodes read once for %d municipalities, saved as %s",
                path,
                net.n_nodes,
                len(users),
                target,
            )
        for spec in users:
            spec["network"] = str(target)
        files.append(target)
    return files
