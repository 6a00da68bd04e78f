"""Build of geoseg's compiled shortest-path kernel (all other metadata is in pyproject.toml).

The kernel is plain C against the Python C API (no NumPy headers, no Cython), so a fresh
``pip install .`` or ``pip install -e .`` needs only setuptools and a C compiler. It is optional:
without a compiler the install still succeeds and geoseg.access falls back to SciPy's Dijkstra.
"""

import sys

from setuptools import Extension, setup

flags = [] if sys.platform == "win32" else ["-O3", "-std=c99"]

setup(
    ext_modules=[
        Extension(
            "geoseg.access._csp",
            sources=["geoseg/access/_csp.c"],
            extra_compile_args=flags,
            optional=True,
        )
    ]
)
