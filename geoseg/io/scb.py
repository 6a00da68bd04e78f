"""Fetching tables from SCB's statistical database (Statistikdatabasen) through its PxWeb API.

:func:`fetch_scb` reads a table's metadata, checks the requested regions, years and variable
values against it, splits the query so that no request asks for more cells than the API allows,
sends the requests (PxWeb API v2, JSON-stat 2.0 answers; API v1 when v2 does not know the
table), and stitches the answers into one tidy long table: a row per (region, year, value of
every other variable), the numbers in ``value``. That table is reshaped into register columns
by :func:`geoseg.io.reshape.reshape_table`, exactly as an export saved from SCB's website.

Every answer is kept in an on-disk cache (files named by a hash of the URL and the query,
never by anything from the data), so a project re-reads a fetched table without the network;
a table's metadata is asked for again after a day (and the cached copy used, with a warning,
when the database cannot be reached).
Requests are spaced by a sliding-window limiter that respects SCB's limit of 30 calls per
10 seconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geoseg import __version__
from geoseg.errors import FetchError, InputError, ValidationError
from geoseg.io._atomic import write_bytes
from geoseg.io.jsonstat import VALUE, jsonstat_dimensions, jsonstat_long
from geoseg.io.pxweb_query import (
    TableMetadata,
    plan_batches,
    resolve_selection,
    split_order,
    v1_metadata,
)
from geoseg.io.reshape import RegisterTable
from geoseg.settings import cache_dir

__all__ = [
    "CALLS_PER_WINDOW",
    "DEFAULT_V1_URL",
    "DEFAULT_V2_URL",
    "MAX_CELLS",
    "METADATA_MAX_AGE",
    "SHARED_LIMITER",
    "WINDOW_SECONDS",
    "FetchError",
    "RateLimiter",
    "ScbClient",
    "TableMetadata",
    "fetch_scb",
    "parse_source",
    "plan_batches",
    "read_scb_source",
    "resolve_selection",
    "scb_cache_dir",
]

logger = logging.getLogger(__name__)

#: PxWeb API v2 of SCB's statistical database (``$GEOSEG_SCB_URL`` overrides it).
DEFAULT_V2_URL = "https://statistikdatabasen.scb.se/api/v2/"
#: PxWeb API v1 (``$GEOSEG_SCB_V1_URL`` overrides it); tables are named by their path.
DEFAULT_V1_URL = "https://api.scb.se/OV0104/v1/doris/sv/ssd/"
#: Cells asked for in one request at most (SCB's API refuses larger queries).
MAX_CELLS = 100_000
#: SCB's rate limit: at most this many calls ...
CALLS_PER_WINDOW = 30
#: ... in any window of this many seconds.
WINDOW_SECONDS = 10.0
_V2_ID = re.compile(r"[A-Za-z0-9_]+")
_V1_PATH = re.compile(r"[A-Za-z0-9_]+(/[A-Za-z0-9_]+)+")


def scb_cache_dir() -> Path:
    """``$GEOSEG_CACHE_DIR/scb``, else ``$XDG_CACHE_HOME/geoseg/scb`` (``~/.cache/geoseg/scb``)."""
    return cache_dir("scb")


class RateLimiter:
    """At most ``calls`` calls in any sliding window of ``window`` seconds.

    :meth:`wait` sleeps until one more call fits, then records it. The default (30 calls per
    10 seconds) is SCB's published limit for its API.
    """

    def __init__(
        self,
        calls: int = CALLS_PER_WINDOW,
        window: float = WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls < 1 or not window > 0:
            msg = f"rate limit needs calls >= 1 and window > 0, got {calls} per {window} s"
            raise InputError(msg)
        self.calls, self.window = calls, float(window)
        self._clock, self._sleep = clock, sleep
        self._times: deque[float] = deque()

    def wait(self) -> float:
        """Wait until a call is allowed, record it, and return the seconds slept."""
        slept = 0.0
        while True:
            now = self._clock()
            while self._times and now - self._times[0] >= self.window:
                self._times.popleft()
            if len(self._times) < self.calls:
                self._times.append(now)
                return slept
            pause = self.window - (now - self._times[0])
            self._sleep(pause)
            slept += pause


#: The limiter shared by every :class:`ScbClient` of the process that is given none.
SHARED_LIMITER = RateLimiter()
#: Cached table metadata is read again after this many seconds (a day): SCB adds years and
#: regions to its tables; cached data answers (one exact query each) are kept until refreshed.
METADATA_MAX_AGE = 24 * 3600.0


@dataclass
class ScbClient:
    """A connection to SCB's database: base URLs, cache, rate limiter, cell limit.

    Attributes
    ----------
    base_url, v1_url
        The PxWeb API v2 and v1 roots (default: ``$GEOSEG_SCB_URL`` / ``$GEOSEG_SCB_V1_URL``
        or SCB's public addresses).
    cache_dir
        Folder of cached answers (default :func:`scb_cache_dir`); ``use_cache=False`` turns the
        cache off, ``refresh=True`` fetches again and replaces what is cached.
    limiter
        Spacing of the requests (default: :data:`SHARED_LIMITER`, 30 calls per 10 seconds
        for the whole process).
    max_cells
        Cells asked for in one request at most; larger queries are split.
    lang
        Language of labels (``sv`` or ``en``).
    retries
        How often a request refused for load (HTTP 429, 5xx) is tried again.
    requests_made
        Requests sent over the network so far (cached answers are not counted).
    """

    base_url: str | None = None
    v1_url: str | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    refresh: bool = False
    limiter: RateLimiter = field(default_factory=lambda: SHARED_LIMITER)
    max_cells: int = MAX_CELLS
    lang: str = "sv"
    timeout: float = 60.0
    retries: int = 3
    requests_made: int = 0

    def __post_init__(self) -> None:
        v2 = self.base_url or os.environ.get("GEOSEG_SCB_URL") or DEFAULT_V2_URL
        v1 = self.v1_url or os.environ.get("GEOSEG_SCB_V1_URL") or DEFAULT_V1_URL
        self.base_url, self.v1_url = v2.rstrip("/") + "/", v1.rstrip("/") + "/"
        if self.max_cells < 1:
            msg = f"max_cells must be >= 1, got {self.max_cells}"
            raise InputError(msg)

    # -- transport ----------------------------------------------------------------------------
    def _cache_file(self, url: str, body: Any) -> Path:
        key = json.dumps({"url": url, "body": body}, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return (self.cache_dir or scb_cache_dir()) / f"{digest}.json"

    def request(self, url: str, body: Any = None, *, max_age: float | None = None) -> Any:
        """GET ``url`` (or POST the JSON ``body``) and return the decoded JSON answer.

        A cached answer is used unless ``refresh``, or unless it is older than ``max_age``
        seconds; an older one is still used, with a warning, when the server cannot be reached.

        Raises
        ------
        FetchError
            The server cannot be reached, answers with an HTTP error (status 404 is raised
            with ``status`` set, so that callers can fall back), or its answer is not JSON.
        """
        cached = self._cache_file(url, body)
        stale = None
        if self.use_cache and not self.refresh and cached.is_file():
            try:
                data = json.loads(cached.read_bytes().decode("utf-8"))
                age = time.time() - cached.stat().st_mtime
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                logger.warning("%s: unreadable cache file, fetching again", cached)
            else:
                if max_age is None or age <= max_age:
                    logger.debug("cache hit for %s (%s)", url, cached.name)
                    return data
                stale = data
        try:
            raw = self._send(url, body)
        except FetchError as exc:
            if stale is None or getattr(exc, "status", None) is not None:
                raise
            logger.warning("%s; using the cached answer of %s", exc, url)
            return stale
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            msg = f"{url}: the answer is not JSON ({exc}); the API may have changed or be down."
            raise FetchError(msg) from exc
        if self.use_cache:
            folder = cached.parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
                write_bytes(cached, raw, root=folder)
            except OSError as exc:
                logger.warning("cannot write the SCB cache in %s (%s); continuing", folder, exc)
        return data

    def _send(self, url: str, body: Any) -> bytes:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": f"geoseg/{__version__}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            self.limiter.wait()
            self.requests_made += 1
            req = urllib.request.Request(url, data=data, headers=headers)
            logger.info("SCB %s %s", "POST" if data is not None else "GET", url)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return bytes(resp.read())
            except urllib.error.HTTPError as exc:
                text = _error_text(exc)
                retry = exc.code == 429 or exc.code >= 500
                if retry and attempt < self.retries:
                    attempt += 1
                    pause = _retry_after(exc, default=min(2.0**attempt, self.limiter.window))
                    logger.warning("%s: HTTP %d, trying again in %.1f s", url, exc.code, pause)
                    time.sleep(pause)
                    continue
                raise _http_error(url, exc.code, text) from exc
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                host = urllib.parse.urlsplit(url).netloc
                msg = (
                    f"cannot reach SCB's database at {host} ({reason}); check the internet "
                    "connection or proxy (HTTPS_PROXY), or save the table from "
                    "statistikdatabasen.scb.se as JSON-stat2 or CSV and name that file as "
                    "[registers] path."
                )
                raise FetchError(msg) from exc

    # -- metadata -----------------------------------------------------------------------------
    def metadata(self, table_id: str) -> TableMetadata:
        """The table's dimensions: from API v2, or API v1 when v2 does not know the table.

        ``table_id`` is a v2 table id (``TAB638``) or a v1 path
        (``BE/BE0101/BE0101A/BefolkningNy``).

        Raises
        ------
        FetchError
            Neither API knows the table, or the database cannot be reached.
        """
        table_id = table_id.strip().strip("/")
        tried = []
        if _V2_ID.fullmatch(table_id):
            url = self._v2_url(table_id, "metadata")
            tried.append(url)
            try:
                doc = self.request(url, max_age=METADATA_MAX_AGE)
            except FetchError as exc:
                if getattr(exc, "status", None) != 404:
                    raise
                logger.info("%s: not in API v2, trying API v1", table_id)
            else:
                dims = jsonstat_dimensions(doc, source=url, sized=False)
                title = str(doc.get("label") or table_id)
                return TableMetadata(table_id, "v2", title, tuple(dims), url)
        if _V1_PATH.fullmatch(table_id) or _V2_ID.fullmatch(table_id):
            url = self.v1_url + urllib.parse.quote(table_id)  # type: ignore[operator]
            tried.append(url)
            try:
                doc = self.request(url, max_age=METADATA_MAX_AGE)
            except FetchError as exc:
                if getattr(exc, "status", None) not in (400, 404):
                    raise
            else:
                return v1_metadata(doc, table_id, url)
        msg = (
            f"SCB table {table_id!r} not found (tried {', '.join(tried) or 'nothing'}); give "
            "the table id shown on statistikdatabasen.scb.se (such as TAB638) or an API v1 "
            "path (such as BE/BE0101/BE0101A/BefolkningNy)."
        )
        raise FetchError(msg)

    def _v2_url(self, table_id: str, what: str, **params: str) -> str:
        query = urllib.parse.urlencode({"lang": self.lang, **params})
        return f"{self.base_url}tables/{urllib.parse.quote(table_id)}/{what}?{query}"

    # -- data ---------------------------------------------------------------------------------
    def data(self, meta: TableMetadata, selection: Mapping[str, Sequence[str]]) -> pd.DataFrame:
        """Fetch one selection (codes per dimension) in as many requests as the cell limit asks.

        Returns the long table of :func:`geoseg.io.jsonstat.jsonstat_long`, rows in the
        table's order of codes, whatever the split.
        """
        order = split_order(meta, selection)
        batches = plan_batches(selection, order=order, max_cells=self.max_cells)
        if len(batches) > 1:
            logger.info(
                "%s: %d cells split into %d requests of at most %d cells",
                meta.table_id,
                math.prod(len(v) for v in selection.values()),
                len(batches),
                self.max_cells,
            )
        parts = [self._one(meta, batch) for batch in batches]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        dims = [d for d in meta.dimensions if d.code in frame.columns]
        rank = {d.code: {c: i for i, c in enumerate(d.values)} for d in dims}
        if dims:
            key = frame[[d.code for d in dims]].apply(lambda col: col.map(rank[col.name]))
            frame = frame.iloc[key.sort_values([d.code for d in dims]).index]
        return frame.reset_index(drop=True)

    def _one(self, meta: TableMetadata, selection: Mapping[str, Sequence[str]]) -> pd.DataFrame:
        if meta.api == "v2":
            url = self._v2_url(meta.table_id, "data", outputFormat="json-stat2")
            body: dict[str, Any] = {
                "selection": [
                    {"variableCode": d, "valueCodes": list(v)} for d, v in selection.items()
                ]
            }
        else:
            url = meta.url
            body = {
                "query": [
                    {"code": d, "selection": {"filter": "item", "values": list(v)}}
                    for d, v in selection.items()
                ],
                "response": {"format": "json-stat2"},
            }
        return jsonstat_long(self.request(url, body), source=url)


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read().decode("utf-8", "replace")
    except OSError:
        return ""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return " ".join(text.split())[:200]
    if isinstance(doc, dict):
        for key in ("detail", "title", "message", "error"):
            if doc.get(key):
                return str(doc[key])[:200]
    return " ".join(text.split())[:200]


def _retry_after(exc: urllib.error.HTTPError, *, default: float) -> float:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default


def _http_error(url: str, status: int, text: str) -> FetchError:
    fixes = {
        400: "the database refused the query; check the variable codes (geoseg fetch scb "
        "TABLE --info lists them)",
        403: "the query asks for too many cells; lower max_cells (--max-cells) so that it is "
        "split into smaller requests",
        404: "the table is unknown; check its id",
        429: "too many requests; wait a minute and try again (answers already fetched are cached)",
    }
    fix = fixes.get(status, "try again later; SCB's database may be down")
    said = f" ({text})" if text else ""
    err = FetchError(f"{url}: HTTP {status}{said}; {fix}.")
    err.status = status  # type: ignore[attr-defined]
    return err


def fetch_scb(
    table_id: str,
    *,
    regions: Sequence[str],
    years: Sequence[str | int] | None = None,
    select: Mapping[str, Sequence[str]] | None = None,
    id_column: str = "region",
    year_column: str | None = "year",
    client: ScbClient | None = None,
) -> pd.DataFrame:
    """Fetch a table from SCB's database as a tidy long table.

    Parameters
    ----------
    table_id
        A PxWeb API v2 table id (``TAB638``) or an API v1 table path
        (``BE/BE0101/BE0101A/BefolkningNy``).
    regions
        Region codes (``1480``, ``1480R001``); ``*`` and ``?`` patterns match several
        (``1480R*``: every RegSO of Göteborg).
    years
        Years (codes of the time variable; ``2020`` also matches ``2020M01``...); all when
        ``None``.
    select
        Codes of other variables (``{"ContentsCode": ["BE0101N1"], "Kon": ["1", "2"]}``).
        Variables not named are left out when SCB may sum over them, fetched whole otherwise.
    id_column, year_column
        Names of the region-code and year columns of the result.
    client
        The connection (cache, rate limit, cell limit, URLs); a default :class:`ScbClient`.

    Returns
    -------
    DataFrame
        One row per cell: ``id_column`` (region code, text), ``region_name``, ``year_column``
        (int when every period is a year, else text), a column of codes per other variable
        and ``value`` (float, NaN for SCB's ``..``).

    Raises
    ------
    FetchError
        The database cannot be reached, does not know the table or refuses a request.
    ValidationError
        Region codes, years, variables or values the table does not have (all at once).
    """
    client = client or ScbClient()
    meta = client.metadata(table_id)
    selection = resolve_selection(
        meta, regions=regions, years=[str(y) for y in years] if years else None, select=select
    )
    frame = client.data(meta, selection)
    geo, tid = meta.find("geo"), meta.find("time")
    assert geo is not None  # resolve_selection refuses a table without regions
    names = dict(zip(geo.values, geo.texts, strict=True))
    rename = {geo.code: id_column}
    cols = [geo.code]
    if tid is not None and tid.code in frame.columns:
        if year_column is not None:
            rename[tid.code] = year_column
        period = frame[tid.code].astype(str)
        if period.str.fullmatch(r"\d{4}").all():
            frame[tid.code] = period.astype("int64")
        cols.append(tid.code)
    others = [c for c in frame.columns if c not in (*cols, VALUE)]
    out = frame[[*cols, *others, VALUE]].rename(columns=rename)
    out.insert(1, "region_name", frame[geo.code].map(names).astype(object))
    out[id_column] = out[id_column].astype(str).astype(object)
    logger.info(
        "SCB %s (%s, API %s): %d rows, %d requests",
        meta.table_id,
        meta.title,
        meta.api,
        len(out),
        client.requests_made,
    )
    return out


def parse_source(source: str) -> str:
    """The table id of a ``source = "scb:TABLE_ID"`` entry.

    Raises
    ------
    InputError
        Not ``scb:`` followed by a table id or an API v1 table path.
    """
    kind, _, table_id = str(source).partition(":")
    table_id = table_id.strip().strip("/")
    if kind.strip().lower() != "scb" or not (
        _V2_ID.fullmatch(table_id) or _V1_PATH.fullmatch(table_id)
    ):
        msg = (
            f"source {source!r}: write scb:TABLE_ID (such as scb:TAB638) or scb:PATH of an API "
            "v1 table (such as scb:BE/BE0101/BE0101A/BefolkningNy)"
        )
        raise InputError(msg)
    return table_id


def read_scb_source(
    table: RegisterTable,
    *,
    id_column: str,
    year_column: str | None,
    client: ScbClient | None = None,
) -> tuple[pd.DataFrame, RegisterTable]:
    """Fetch the table of a ``source = "scb:..."`` register entry and say how to reshape it.

    Returns
    -------
    frame, table
        The long table of :func:`fetch_scb` and ``table`` completed for
        :func:`geoseg.io.reshape.reshape_table`: ``value = "value"`` and, when ``category``
        is not given, the variable with several selected values (or the table's contents
        variable) as ``category``.

    Raises
    ------
    FetchError, ValidationError
        As :func:`fetch_scb`; or several variables with several values and no ``category``.
    """
    assert table.source is not None
    table_id = parse_source(table.source)
    frame = fetch_scb(
        table_id,
        regions=table.regions,
        years=table.years or None,
        select=table.select,
        id_column=id_column,
        year_column=year_column or "year",
        client=client,
    )
    if year_column is None and "year" in frame.columns:
        if frame["year"].nunique() > 1:
            msg = (
                f'{table.source}: the register is single-year ([registers] year = "") but '
                f"the fetch returns years {', '.join(map(str, sorted(set(frame['year']))))}; "
                "select one with years = [...]"
            )
            raise ValidationError(table.source, [msg])
        frame = frame.drop(columns="year")
    category = table.category
    if category is None:
        keys = {id_column, "region_name", "year", VALUE}
        others = [c for c in frame.columns if c not in keys]
        varying = [c for c in others if frame[c].nunique() > 1]
        if len(varying) > 1:
            msg = (
                f"{table.source}: variables {', '.join(varying)} each have several values; "
                'name the one whose values become columns as category = "..." and select '
                "one value of the others"
            )
            raise ValidationError(table.source, [msg])
        contents = [c for c in others if c.lower() == "contentscode"]
        fallback = contents[0] if contents else (others[-1] if others else None)
        category = varying[0] if varying else fallback
    if category is None:
        msg = f"{table.source}: the table has no variable besides region and time to name columns"
        raise ValidationError(table.source, [msg])
    spec = dataclasses.replace(table, category=category, value=VALUE)
    return frame, spec
