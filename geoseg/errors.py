"""The geoseg exception hierarchy.

Every error a user can cause with bad input is a :class:`GeoSegError`. The CLI turns any
``GeoSegError`` into a one-line message on standard error and exit code 2 (the traceback is shown
only with ``-v``). Library code raises these with a message that names the file, the column, the
offending codes and what to do about it::

    msg = f"{path}: column 'code' has duplicate codes 0114, 0115; make each area code unique."
    raise InputError(msg)
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CRSError",
    "ConfigError",
    "DataError",
    "FetchError",
    "GeoSegError",
    "InputError",
    "NetworkError",
    "PlanError",
    "ValidationError",
    "format_codes",
]


class GeoSegError(Exception):
    """Base class of every error geoseg raises on purpose."""


class InputError(GeoSegError):
    """A file or table given by the user cannot be used as it is."""


class ValidationError(InputError):
    """An input has one or more problems; all of them are listed at once.

    Parameters
    ----------
    source
        What was validated (a file path or a short description such as ``"register table"``).
    problems
        One human-readable sentence per problem, each naming the column, codes and the fix.
    """

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{self.source}: {n} problem{'s' if n != 1 else ''} found"
        body = "; ".join(self.problems) if n <= 1 else "\n  - " + "\n  - ".join(self.problems)
        super().__init__(f"{head}: {body}" if n <= 1 else head + body)


class ConfigError(InputError):
    """The project file (``geoseg.toml``) is missing, malformed or inconsistent."""


class CRSError(InputError):
    """A layer has no CRS, or a geographic CRS where a projected one is needed."""


class DataError(GeoSegError):
    """Valid inputs that together cannot support the requested analysis.

    Parameters
    ----------
    message
        The sentence people read (English).
    cause
        Optionally, what made the analysis impossible as a short name (``"few_areas"``,
        ``"constant"``, ...), with its numbers and codes in ``details``, so that a caller can
        word the cause in the reader's language (see :func:`geoseg.i18n.follow_up_note_text`).
    **details
        The values the cause's wording needs.
    """

    def __init__(self, message: str = "", *, cause: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.cause = cause
        self.details = details


class FetchError(InputError):
    """A statistical database (SCB's) cannot be reached, does not know a table or refuses a
    query."""


class NetworkError(InputError):
    """A street network cannot be read, downloaded or used."""


class PlanError(InputError):
    """A plan file or a rules file has problems."""


def format_codes(codes: Iterable[object], *, limit: int = 10) -> str:
    """Return a short, readable list of area codes for an error message.

    >>> format_codes(["0114", "0115"])
    '0114, 0115'
    >>> format_codes(range(12), limit=3)
    '0, 1, 2 and 9 more'
    """
    items = [str(c) for c in codes]
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f" and {len(items) - limit} more"
    return shown
