"""A small PxWeb server (API v2 and v1) on 127.0.0.1 for offline tests of ``geoseg fetch scb``.

A table is a hand-built cube: dimensions (code, label, category codes and texts, role,
whether it may be eliminated) and a value per combination of codes. The server answers
``GET tables/{id}/metadata`` and ``POST tables/{id}/data`` (v2), ``GET`` / ``POST {path}`` (v1)
with JSON-stat 2.0 documents sliced from the cube as PxWeb does: selected codes in the order
given, eliminated dimensions summed over. Every request is recorded.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Cube", "Dim", "PxWebServer"]


@dataclass
class Dim:
    code: str
    label: str
    values: list[str]
    texts: list[str] | None = None
    role: str | None = None
    elimination: bool = False


@dataclass
class Cube:
    title: str
    dims: list[Dim]
    #: value per tuple of codes (in ``dims`` order); absent or None -> null
    cells: dict[tuple[str, ...], float | None]

    def slice(self, selection: dict[str, list[str]]) -> dict[str, Any] | str:
        """JSON-stat 2.0 dataset of a selection, or an error text."""
        kept = []
        for d in self.dims:
            if d.code in selection:
                bad = [c for c in selection[d.code] if c not in d.values]
                if bad:
                    return f"unknown value codes {bad} for {d.code}"
                kept.append((d, selection[d.code]))
            elif not d.elimination:
                return f"variable {d.code} must be selected"
        values: list[float | None] = []
        for combo in itertools.product(*[codes for _, codes in kept]):
            chosen = dict(zip([d.code for d, _ in kept], combo, strict=True))
            total: float | None = 0.0
            for full in itertools.product(
                *[[chosen[d.code]] if d.code in chosen else d.values for d in self.dims]
            ):
                v = self.cells.get(tuple(full))
                total = None if v is None or total is None else total + v
            values.append(total)
        return {
            "version": "2.0",
            "class": "dataset",
            "label": self.title,
            "source": "test",
            "id": [d.code for d, _ in kept],
            "size": [len(c) for _, c in kept],
            "role": _roles([d for d, _ in kept]),
            "dimension": {d.code: _dimension(d, codes) for d, codes in kept},
            "value": values,
        }

    def v2_metadata(self) -> dict[str, Any]:
        return {
            "version": "2.0",
            "class": "dataset",
            "label": self.title,
            "id": [d.code for d in self.dims],
            "size": [len(d.values) for d in self.dims],
            "role": _roles(self.dims),
            "dimension": {d.code: _dimension(d, d.values) for d in self.dims},
        }

    def v1_metadata(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "variables": [
                {
                    "code": d.code,
                    "text": d.label,
                    "values": d.values,
                    "valueTexts": d.texts or d.values,
                    "elimination": d.elimination,
                    **({"time": True} if d.role == "time" else {}),
                }
                for d in self.dims
            ],
        }


def _roles(dims: list[Dim]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in dims:
        if d.role:
            out.setdefault(d.role, []).append(d.code)
    return out


def _dimension(d: Dim, codes: list[str]) -> dict[str, Any]:
    texts = dict(zip(d.values, d.texts or d.values, strict=True))
    return {
        "label": d.label,
        "category": {
            "index": {c: i for i, c in enumerate(codes)},
            "label": {c: texts[c] for c in codes},
        },
        "extension": {"elimination": d.elimination},
    }


@dataclass
class Request:
    method: str
    path: str
    body: Any
    at: float


@dataclass
class PxWebServer:
    """Serve ``v2`` tables (by id) and ``v1`` tables (by path) until :meth:`close`."""

    v2: dict[str, Cube] = field(default_factory=dict)
    v1: dict[str, Cube] = field(default_factory=dict)
    #: HTTP statuses to answer (in order) before serving normally, per request kind
    failures: list[int] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(doc).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                parts = urlsplit(self.path)
                server.requests.append(Request(method, self.path, body, time.monotonic()))
                if server.failures:
                    status = server.failures.pop(0)
                    self._answer(status, {"title": "busy"}, {"Retry-After": "0"})
                    return
                status, doc = server.route(method, parts.path, parts.query, body)
                self._answer(status, doc)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        port = self._httpd.server_address[1]
        self.v2_url = f"http://127.0.0.1:{port}/api/v2/"
        self.v1_url = f"http://127.0.0.1:{port}/v1/ssd/"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def data_requests(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]

    def route(self, method: str, path: str, query: str, body: Any) -> tuple[int, Any]:
        if path.startswith("/api/v2/tables/"):
            table_id, _, what = path[len("/api/v2/tables/") :].partition("/")
            cube = self.v2.get(table_id)
            if cube is None:
                return 404, {"title": "Not found", "status": 404, "detail": "No such table"}
            if what == "metadata" and method == "GET":
                return 200, cube.v2_metadata()
            if what == "data" and method == "POST":
                if "outputFormat=json-stat2" not in query:
                    return 400, {"title": "format"}
                sel = {s["variableCode"]: list(s["valueCodes"]) for s in body["selection"]}
                return _sliced(cube, sel)
            return 404, {"title": "Not found"}
        if path.startswith("/v1/ssd/"):
            cube = self.v1.get(path[len("/v1/ssd/") :])
            if cube is None:
                return 404, {"error": "not found"}
            if method == "GET":
                return 200, cube.v1_metadata()
            if body.get("response", {}).get("format") != "json-stat2":
                return 400, {"error": "format"}
            sel = {q["code"]: list(q["selection"]["values"]) for q in body["query"]}
            return _sliced(cube, sel)
        return 404, {"title": "Not found"}


def _sliced(cube: Cube, sel: dict[str, list[str]]) -> tuple[int, Any]:
    doc = cube.slice(sel)
    if isinstance(doc, str):
        return 400, {"title": "Bad request", "detail": doc}
    cells = math.prod(doc["size"])
    if cells > 100_000:
        return 403, {"title": "too many cells"}
    return 200, doc
