"""Sphinx configuration for geoseg's documentation.

Build locally (offline) with::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

Cross-references to pandas, GeoPandas, libpysal, esda, NumPy and SciPy (intersphinx) need their
inventories from the internet; they are used only when the environment variable
``GEOSEG_DOCS_ONLINE`` is set (to anything but ``0``), so that the offline build has no
"failed to reach any of the inventories" warning and ``-W`` stays meaningful.
"""

from __future__ import annotations

import os
import shutil
from importlib.metadata import version as _version
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent

# The notebooks live in the repository's notebooks/ folder; a copy under docs/examples/ is what
# Sphinx reads (and myst-nb executes). Their kernel imports geoseg from this checkout.
EXAMPLES = DOCS / "examples"
shutil.rmtree(EXAMPLES, ignore_errors=True)
EXAMPLES.mkdir()
for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
    shutil.copy2(notebook, EXAMPLES / notebook.name)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
)

project = "geoseg"
author = "geoseg developers"
copyright = "geoseg developers"
release = _version("geoseg")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_click",
    "myst_nb",
]

ONLINE = os.environ.get("GEOSEG_DOCS_ONLINE", "0") not in ("", "0")
if ONLINE:
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "pandas": ("https://pandas.pydata.org/docs", None),
        "geopandas": ("https://geopandas.org/en/stable", None),
        "libpysal": ("https://pysal.org/libpysal", None),
        "esda": ("https://pysal.org/esda", None),
    }

templates_path = ["_templates"]
# config.md, data-model.md and segregation.md are included into the reference and guides.
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "config.md",
    "data-model.md",
    "segregation.md",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# API reference: one page per public function or class, generated from the docstrings.
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Parameter and return types link to their documentation (pandas, GeoPandas, ... when online).
numpydoc_xref_param_type = True
numpydoc_xref_ignore = {"of", "or", "optional", "default", "str", "int", "float", "bool", "None"}
numpydoc_xref_aliases = {
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "GeoDataFrame": "geopandas.GeoDataFrame",
    "GeoSeries": "geopandas.GeoSeries",
    "Graph": "libpysal.graph.Graph",
    "Generator": "numpy.random.Generator",
}

# Markdown pages and notebooks (MyST); the notebooks run in a Jupyter kernel at every build.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# Keep "--option" as written in command examples (no en dashes).
smartquotes = False

html_theme = "pydata_sphinx_theme"
html_title = "geoseg"
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}
