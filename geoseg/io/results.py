"""The output folders geoseg writes: which files it owns, and refusal to replace others.

A folder that geoseg wrote holds a manifest (:data:`MANIFEST`) listing its files; a later run
may replace those freely and refuses to replace anything else unless ``overwrite`` is given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from geoseg.errors import InputError
from geoseg.io._atomic import write_text

__all__ = ["MANIFEST", "check_output_folder", "owned_files", "write_manifest"]

#: File listing what a run wrote; a folder holding it may be rewritten by the next run.
MANIFEST = "geoseg-run.json"


def owned_files(folder: Path) -> set[str]:
    """Names of the files in ``folder`` that an earlier geoseg run wrote (from its manifest)."""
    manifest = Path(folder) / MANIFEST
    if not manifest.is_file():
        return set()
    try:
        return set(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
    except (OSError, ValueError):
        return set()


def check_output_folder(folder: Path, names: Sequence[str], *, overwrite: bool) -> None:
    """Refuse to replace files that an earlier geoseg run did not write, unless ``overwrite``.

    Raises
    ------
    InputError
        Naming the folder and the first files that would be replaced.
    """
    ours = owned_files(folder)
    clash = [n for n in names if (Path(folder) / n).exists() and n not in ours]
    if clash and not overwrite:
        shown = ", ".join(clash[:5])
        msg = (
            f"{folder}: {len(clash)} file(s) not written by geoseg would be replaced ({shown}); "
            "choose another folder or pass --overwrite."
        )
        raise InputError(msg)


def write_manifest(folder: Path, files: Sequence[Path], *, project: Path) -> None:
    """Record which files of ``folder`` geoseg wrote, so that the next run may replace them."""
    folder = Path(folder)
    names = sorted({p.name for p in files if Path(p).parent.resolve() == folder.resolve()})
    manifest = {"files": [*names, MANIFEST], "project": str(project)}
    write_text(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
