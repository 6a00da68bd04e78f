"""Build of geoseg's compiled kernels (all other metadata is in pyproject.toml).

The shortest-path kernel of geoseg.access, and the contiguity searches, the exact resampled
dissimilarity and the null-model draws of geoseg.segregation, are plain C against the Python
C API (no NumPy headers, no Cython), so a fresh ``pip install .`` or ``pip install -e .``
needs only setuptools and a C compiler. All are optional: without a compiler the install
still succeeds, geoseg.access falls back to SciPy's Dijkstra and geoseg.segregation to SciPy
and NumPy, with the same results.
"""

import sys

from setuptools import Extension, setup

flags = [] if sys.platform == "win32" else ["-O3", "-std=c99"]


def kernel(module: str) -> Extension:
    """An optional extension ``geoseg.<module>`` built from ``geoseg/<module>.c``."""
    path = module.replace(".", "/")
    return Extension(
        f"geoseg.{module}",
        sources=[f"geoseg/{path}.c"],
        include_dirs=["geoseg"],
        depends=["geoseg/_cbuffer.h"],
        extra_compile_args=flags,
        optional=True,
    )


setup(
    ext_modules=[
        kernel("access._csp"),
        kernel("segregation._hops"),
        kernel("segregation._dissim"),
        kernel("segregation._draws"),
    ]
)
