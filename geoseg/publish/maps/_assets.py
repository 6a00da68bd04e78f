"""Offline JavaScript and CSS for the published maps.

Leaflet's ``leaflet.js`` and ``leaflet.css`` are read from the static files of the
``XStatic-Leaflet`` distribution (PyPI), a dependency-free packaging of Leaflet's release files.
The CSS's images are inlined as ``data:`` URIs, so a saved map needs nothing but its own
file. The small ``geoseg`` helper script draws layers, tooltips, legends and notes with DOM
text nodes only, so data is never parsed as markup.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

from geoseg.errors import GeoSegError

__all__ = ["GEOSEG_CSS", "GEOSEG_JS", "leaflet_css", "leaflet_js", "leaflet_static_dir"]

_IMAGE_RE = re.compile(r"url\((?:'|\")?images/([A-Za-z0-9_@.-]+\.png)(?:'|\")?\)")


@functools.lru_cache(maxsize=1)
def leaflet_static_dir() -> Path:
    """Return the folder holding ``leaflet.js`` and ``leaflet.css`` (from ``XStatic-Leaflet``)."""
    try:
        from xstatic.pkg import leaflet
    except ImportError:
        leaflet = None
    folder = Path(leaflet.BASE_DIR) if leaflet is not None else None
    if (
        folder is None
        or not (folder / "leaflet.js").is_file()
        or not (folder / "leaflet.css").is_file()
    ):
        msg = (
            "the offline Leaflet files were not found: geoseg inlines leaflet.js and leaflet.css "
            "from the 'XStatic-Leaflet' package; install it with `pip install XStatic-Leaflet`."
        )
        raise GeoSegError(msg)
    return folder


@functools.lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Return the text of ``leaflet.js``."""
    text = (leaflet_static_dir() / "leaflet.js").read_text(encoding="utf-8")
    if "Leaflet" not in text[:200] or "</script" in text.lower():
        msg = f"{leaflet_static_dir() / 'leaflet.js'} is not a Leaflet build geoseg can inline."
        raise GeoSegError(msg)
    return text


@functools.lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Return ``leaflet.css`` with its images inlined as ``data:`` URIs."""
    folder = leaflet_static_dir()
    text = (folder / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = folder / "images" / match.group(1)
        if not image.is_file():
            return "none"
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    text = _IMAGE_RE.sub(inline, text)
    return text.replace("url(#default#VML)", "none")


GEOSEG_CSS = """
html, body {width: 100%; height: 100%; margin: 0; padding: 0;}
.leaflet-container {background: #f2f1ec; font: 13px/1.4 system-ui, -apple-system, "Segoe UI",
  Roboto, Arial, sans-serif;}
.geoseg-tip {border-collapse: collapse;}
.geoseg-tip th {text-align: left; padding: 1px 8px 1px 0; font-weight: 600; color: #333;}
.geoseg-tip td {text-align: right; padding: 1px 0;}
.geoseg-tip td.geoseg-suppressed {font-style: italic; color: #6a3d9a;}
.geoseg-box {background: rgba(255,255,255,0.94); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); max-width: 300px;}
.geoseg-title {font-size: 15px; font-weight: 600;}
.geoseg-back {position: absolute; z-index: 1001; top: 10px; left: 54px; padding: 4px 10px;
  background: #fff; color: #0b4f8a; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35);
  font: 600 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  text-decoration: none;}
.geoseg-back:hover, .geoseg-back:focus {text-decoration: underline;}
.geoseg-legend .geoseg-legend-title {font-weight: 600; margin-bottom: 4px;}
.geoseg-legend .geoseg-row {display: flex; align-items: center; gap: 6px; margin: 1px 0;}
.geoseg-legend .geoseg-swatch {width: 18px; height: 12px; border: 1px solid #555;
  flex: 0 0 auto;}
.geoseg-legend .geoseg-line {width: 18px; height: 0; border-top: 3px solid #555;
  flex: 0 0 auto;}
.geoseg-fictional {background: #fff3cd; border: 2px solid #8a6d00; color: #3d3000;
  font-weight: 700;}
"""

GEOSEG_JS = r"""
(function () {
  "use strict";
  function text(el, value) { el.textContent = value == null ? "" : String(value); return el; }
  function table(rows) {
    var t = document.createElement("table");
    t.className = "geoseg-tip";
    (rows || []).forEach(function (r) {
      var tr = t.insertRow();
      var th = document.createElement("th");
      text(th, r[0]);
      tr.appendChild(th);
      var td = tr.insertCell();
      text(td, r[1]);
      if (r[2]) { td.className = "geoseg-suppressed"; }
    });
    return t;
  }
  function layer(data, info, opts) {
    var base = opts.style || {};
    var hover = opts.hover || null;
    var options = {
      style: function (f) {
        var d = info[f.properties.k];
        return Object.assign({}, base, (d && d[0]) || opts.missing || {});
      },
      interactive: opts.interactive !== false,
      onEachFeature: function (f, l) {
        var d = info[f.properties.k];
        if (opts.interactive !== false && d && d[1]) {
          l.bindTooltip(function () { return table(d[1]); }, {sticky: true});
        }
        if (hover && opts.interactive !== false) {
          l.on("mouseover", function () {
            l.setStyle(hover);
            if (l.bringToFront) { l.bringToFront(); }
          });
          l.on("mouseout", function () { g.resetStyle(l); });
        }
      }
    };
    if (opts.radius) {
      options.pointToLayer = function (f, latlng) {
        return L.circleMarker(latlng, {radius: opts.radius});
      };
    }
    var g = L.geoJSON(data, options);
    return g;
  }
  function box(map, position, cls, build) {
    var C = L.Control.extend({
      options: {position: position},
      onAdd: function () {
        var div = L.DomUtil.create("div", "geoseg-box " + cls);
        build(div);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var c = new C();
    c.addTo(map);
    return c;
  }
  function note(map, message, position, cls) {
    return box(map, position, cls, function (div) { text(div, message); });
  }
  function legend(map, specs, position) {
    var blocks = [];
    var c = box(map, position, "geoseg-legend", function (div) {
      specs.forEach(function (s) {
        var block = L.DomUtil.create("div", "geoseg-legend-block", div);
        var title = L.DomUtil.create("div", "geoseg-legend-title", block);
        text(title, s.title);
        s.entries.forEach(function (e) {
          var row = L.DomUtil.create("div", "geoseg-row", block);
          var sw = L.DomUtil.create("span", e.line ? "geoseg-line" : "geoseg-swatch", row);
          if (e.line) { sw.style.borderTopColor = e.color; } else { sw.style.background = e.color; }
          if (e.border) { sw.style.borderColor = e.border; }
          if (e.dash) { sw.style.borderStyle = "dashed"; }
          text(L.DomUtil.create("span", "", row), e.label);
        });
        blocks.push([block, s.layer]);
      });
    });
    function update() {
      blocks.forEach(function (b) {
        var lyr = b[1] ? window[b[1]] : null;
        b[0].style.display = (!lyr || map.hasLayer(lyr)) ? "" : "none";
      });
    }
    map.on("layeradd layerremove", update);
    update();
    return c;
  }
  function ring(flat, scale) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i + 1 < flat.length; i += 2) {
      x += flat[i]; y += flat[i + 1];
      out.push([x / scale, y / scale]);
    }
    return out;
  }
  function decode(fc) {
    var s = fc.scale;
    if (!s) { return fc; }
    fc.features.forEach(function (f) {
      var g = f.geometry, c = g.coordinates;
      if (g.type === "LineString" || g.type === "MultiPoint") {
        g.coordinates = ring(c, s);
      } else if (g.type === "Polygon" || g.type === "MultiLineString") {
        g.coordinates = c.map(function (r) { return ring(r, s); });
      } else if (g.type === "MultiPolygon") {
        g.coordinates = c.map(function (p) { return p.map(function (r) { return ring(r, s); }); });
      }
    });
    delete fc.scale;
    return fc;
  }
  window.geoseg = {decode: decode, table: table, layer: layer, note: note, legend: legend};
})();
"""
