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
.geoseg-box {background: rgba(255,255,255,0.94); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); max-width: 300px;}
.geoseg-title {font-size: 15px; font-weight: 600;}
body {font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1a1a1a; background: #fff;}
.geoseg-bar {display: flex; align-items: center; gap: 12px; height: 2.75rem; padding: 0 10px;
  box-sizing: border-box; background: #fff; border-bottom: 1px solid #ccc;}
.geoseg-bar h1.geoseg-title {flex: 1 1 auto; margin: 0; font-size: 16px; font-weight: 600;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
.geoseg-back, .geoseg-skip {flex: 0 0 auto; color: #0b4f8a; font-weight: 600;
  text-decoration: none; white-space: nowrap;}
.geoseg-back:hover, .geoseg-back:focus, .geoseg-skip:hover, .geoseg-skip:focus
  {text-decoration: underline;}
a:focus-visible, button:focus-visible, select:focus-visible, .geoseg-table:focus-visible
  {outline: 3px solid #0b4f8a; outline-offset: 2px;}
@media (max-width: 600px) {.geoseg-bar {gap: 8px; font-size: 13px;}
  .geoseg-bar {height: auto; min-height: 2.75rem; padding: 3px 8px;}
  .geoseg-bar h1.geoseg-title {font-size: 13px; line-height: 1.2; white-space: normal;
    display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;}
  .geoseg-legend {font-size: 11px; line-height: 1.25; max-height: 34vh; overflow-y: auto;
    max-width: 62vw;}
  .geoseg-fictional {font-size: 11px; max-width: 34vw; padding: 3px 6px;}
  .leaflet-bottom.leaflet-left {top: 0; bottom: auto;}
  .leaflet-bottom.leaflet-left .leaflet-control:first-child {margin-top: 84px;}
  .leaflet-control-layers {font-size: 11px;}}
.geoseg-data {padding: 12px 16px 32px; max-width: 1100px; box-sizing: border-box;
  min-width: 0;}
.geoseg-data h2 {font-size: 18px; margin: 8px 0;}
.geoseg-table {overflow-x: auto; margin-bottom: 16px;}
.geoseg-table table {border-collapse: collapse; min-width: 60%;}
.geoseg-table caption {text-align: left; font-weight: 600; padding: 4px 0;}
.geoseg-table th, .geoseg-table td {border-bottom: 1px solid #ddd; padding: 3px 10px;
  text-align: left;}
.geoseg-table thead th {border-bottom: 2px solid #555;}
.geoseg-table td.geoseg-num {text-align: right; font-variant-numeric: tabular-nums;}
.geoseg-table td.geoseg-suppressed, .geoseg-tip td.geoseg-suppressed {font-style: italic;
  color: #4a2a6a;}
.geoseg-label {background: none; border: none; box-shadow: none;}
.geoseg-label span {display: block; transform: translate(-50%, -50%); white-space: nowrap;
  font: 600 11px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1a1a1a; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff;}
.geoseg-compare-btn {font: inherit; font-weight: 600; padding: 4px 8px; cursor: pointer;
  background: #fff; color: #0b4f8a; border: 1px solid #0b4f8a; border-radius: 4px;}
.geoseg-compare-btn[aria-pressed="true"] {background: #0b4f8a; color: #fff;}
.geoseg-compare-year select {font: inherit;}
.geoseg-split {display: flex; flex-wrap: wrap;}
.geoseg-split > .folium-map, .geoseg-split > .geoseg-map2 {width: 50% !important;
  flex: 1 1 50%;}
.geoseg-map2 {position: relative; box-sizing: border-box; border-left: 3px solid #fff;}
.geoseg-split > .geoseg-data {flex: 1 1 100%;}
@media (max-width: 700px) {.geoseg-split {flex-direction: column;}
  .geoseg-split > .folium-map, .geoseg-split > .geoseg-map2 {width: 100% !important;
  height: calc(50vh - 1.4rem) !important; flex: 0 0 auto;}
  .geoseg-map2 {border-left: none; border-top: 3px solid #fff;}}
.geoseg-legend .geoseg-legend-title {font-weight: 600; margin-bottom: 4px;}
.geoseg-legend .geoseg-row {display: flex; align-items: center; gap: 6px; margin: 1px 0;}
.geoseg-legend .geoseg-swatch {width: 18px; height: 12px; border: 1px solid #555;
  flex: 0 0 auto;}
.geoseg-legend .geoseg-line {width: 18px; height: 0; border-top: 3px solid #555;
  flex: 0 0 auto;}
.geoseg-legend .geoseg-hatch {background: repeating-linear-gradient(45deg, #737373 0 2px,
  #ffffff 2px 5px);}
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
  var SVGNS = "http://www.w3.org/2000/svg";
  function hatch() {
    if (document.getElementById("geoseg-hatch")) { return; }
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "0"); svg.setAttribute("height", "0");
    svg.setAttribute("aria-hidden", "true");
    svg.style.position = "absolute";
    var p = document.createElementNS(SVGNS, "pattern");
    p.setAttribute("id", "geoseg-hatch");
    p.setAttribute("patternUnits", "userSpaceOnUse");
    p.setAttribute("width", "6"); p.setAttribute("height", "6");
    p.setAttribute("patternTransform", "rotate(45)");
    var bg = document.createElementNS(SVGNS, "rect");
    bg.setAttribute("width", "6"); bg.setAttribute("height", "6");
    bg.setAttribute("fill", "#ffffff");
    var st = document.createElementNS(SVGNS, "rect");
    st.setAttribute("width", "2.2"); st.setAttribute("height", "6");
    st.setAttribute("fill", "#737373");
    p.appendChild(bg); p.appendChild(st);
    var defs = document.createElementNS(SVGNS, "defs");
    defs.appendChild(p); svg.appendChild(defs);
    document.body.appendChild(svg);
  }
  function pane(map, name, z) {
    if (!map.getPane(name)) {
      var el = map.createPane(name);
      el.style.zIndex = z;
      el.style.pointerEvents = "none";
    }
    return map.getPane(name);
  }
  function layer(data, info, opts) {
    hatch();
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
    if (opts.pane) { options.pane = opts.pane; }
    var g = L.geoJSON(data, options);
    g._geoseg = [data, info, opts];
    if (opts.pane) {
      g.beforeAdd = function (map) {
        var el = pane(map, opts.pane, opts.pane === "geoseg-water" ? 440 : 450);
        if (opts.minZoom != null) {
          var show = function () {
            el.style.display = map.getZoom() >= opts.minZoom ? "" : "none";
          };
          map.on("zoomend", show);
          show();
        }
      };
    }
    return g;
  }
  function labels(map, points) {
    var el = pane(map, "geoseg-labels", 460);
    var canvas = document.createElement("canvas").getContext("2d");
    canvas.font = "600 11px system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif";
    var items = points.map(function (p) {
      var span = document.createElement("span");
      text(span, p[2]);
      var icon = L.divIcon({className: "geoseg-label", html: span, iconSize: null});
      var mk = L.marker([p[0], p[1]], {icon: icon, interactive: false, keyboard: false,
        pane: "geoseg-labels"});
      return {mk: mk, w: canvas.measureText(p[2]).width + 6,
        b: L.latLngBounds([p[3], p[4]], [p[5], p[6]]), on: false};
    });
    function update() {
      var shown = [];
      items.forEach(function (it) {
        var sw = map.latLngToContainerPoint(it.b.getSouthWest());
        var ne = map.latLngToContainerPoint(it.b.getNorthEast());
        var fits = Math.abs(ne.x - sw.x) * 0.8 >= it.w && Math.abs(sw.y - ne.y) >= 28;
        if (fits) {
          var c = map.latLngToContainerPoint(it.mk.getLatLng());
          var box = [c.x - it.w / 2, c.y - 8, c.x + it.w / 2, c.y + 8];
          fits = !shown.some(function (o) {
            return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
          });
          if (fits) { shown.push(box); }
        }
        if (fits && !it.on) { it.mk.addTo(map); it.on = true; }
        if (!fits && it.on) { map.removeLayer(it.mk); it.on = false; }
      });
    }
    map.on("zoomend viewreset resize", update);
    map.whenReady(update);
    return el;
  }
  function fit(map, bounds) {
    // fitted to the city on opening and on every change of size, until the reader moves it
    var own = false, moved = false;
    function below() {
      // on a narrow map a wide legend or note covers the bottom: keep the city above it
      var box = map.getContainer(), width = box.clientWidth, pad = 0;
      box.querySelectorAll(".leaflet-bottom > .leaflet-control").forEach(function (c) {
        if (c.offsetWidth > 0.45 * width) { pad = Math.max(pad, c.offsetHeight + 10); }
      });
      return Math.min(pad, 0.4 * box.clientHeight);
    }
    function refit() {
      own = true;
      map.fitBounds(bounds, {paddingTopLeft: [6, 6], paddingBottomRight: [6, 6 + below()],
        animate: false});
      own = false;
    }
    map.on("dragstart zoomstart", function () { if (!own) { moved = true; } });
    map.on("resize", function () { if (!moved) { refit(); } });
    refit();
    setTimeout(function () { if (!moved) { refit(); } }, 0);  // once the legend is drawn
  }
  function tables(map) {
    var divs = Array.prototype.slice.call(document.querySelectorAll(".geoseg-table"));
    function update() {
      divs.forEach(function (d) {
        var lyr = window[d.getAttribute("data-layer")];
        d.hidden = !!(lyr && !map.hasLayer(lyr));
      });
    }
    map.on("layeradd layerremove", update);
    update();
  }
  function compare(map, years, context, words) {
    if (years.length < 2) { return; }
    var other = null, syncing = false, btn = null;
    function sync(a, b) {
      a.on("move", function () {
        if (syncing) { return; }
        syncing = true;
        b.setView(a.getCenter(), a.getZoom(), {animate: false});
        syncing = false;
      });
    }
    function build() {
      var div = document.createElement("div");
      div.className = "geoseg-map2";
      div.setAttribute("role", "region");
      div.setAttribute("aria-label", words.second);
      var host = map.getContainer();
      host.parentNode.insertBefore(div, host.nextSibling);
      host.parentNode.classList.add("geoseg-split");
      var m2 = L.map(div, {zoomSnap: map.options.zoomSnap, zoomDelta: map.options.zoomDelta});
      m2.setView(map.getCenter(), map.getZoom(), {animate: false});
      context.forEach(function (name) {
        var src = window[name];
        if (src && src._geoseg) {
          geoseg.layer.apply(null, src._geoseg).addTo(m2);
        }
      });
      var copies = years.map(function (y) {
        var src = window[y[0]];
        return geoseg.layer.apply(null, src._geoseg);
      });
      var current = copies[0];
      current.addTo(m2);
      var sel = document.createElement("select");
      sel.setAttribute("aria-label", words.year);
      years.forEach(function (y, i) {
        var o = document.createElement("option");
        o.value = String(i); text(o, y[1]);
        if (copies[i] === current) { o.selected = true; }
        sel.appendChild(o);
      });
      sel.addEventListener("change", function () {
        m2.removeLayer(current);
        current = copies[Number(sel.value)];
        current.addTo(m2);
      });
      box(m2, "topright", "geoseg-compare-year", function (d) {
        var lab = document.createElement("label");
        text(lab, words.year + " ");
        lab.appendChild(sel);
        d.appendChild(lab);
      });
      sync(map, m2); sync(m2, map);
      m2.invalidateSize({animate: false});
      refit();
      return {map: m2, div: div};
    }
    function refit() {
      // the city fitted to each half (or to the whole map again)
      map.invalidateSize({animate: false});
      var first = window[years[0][0]];
      if (first && first.getBounds) {
        map.fitBounds(first.getBounds(), {padding: [8, 8], animate: false});
      }
    }
    box(map, "topright", "geoseg-compare", function (d) {
      btn = document.createElement("button");
      btn.type = "button";
      btn.className = "geoseg-compare-btn";
      btn.setAttribute("aria-pressed", "false");
      text(btn, words.button);
      btn.addEventListener("click", function () {
        if (!other) {
          other = build();
          btn.setAttribute("aria-pressed", "true");
        } else {
          var on = btn.getAttribute("aria-pressed") !== "true";
          other.div.style.display = on ? "" : "none";
          map.getContainer().parentNode.classList.toggle("geoseg-split", on);
          btn.setAttribute("aria-pressed", on ? "true" : "false");
          if (on) { other.map.invalidateSize({animate: false}); }
          refit();
        }
      });
      d.appendChild(btn);
    });
    window.geoseg_compare = function () { return other && other.map; };
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
          if (e.hatch) { sw.classList.add("geoseg-hatch"); sw.style.background = ""; }
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
  function ring(flat, scale, at) {
    var out = [], x = at ? at[0] : 0, y = at ? at[1] : 0;
    for (var i = 0; i + 1 < flat.length; i += 2) {
      x += flat[i]; y += flat[i + 1];
      out.push([x / scale, y / scale]);
    }
    if (at) { at[0] = x; at[1] = y; }
    return out;
  }
  function decode(fc) {
    var s = fc.scale;
    if (!s) { return fc; }
    fc.features.forEach(function (f) {
      var g = f.geometry, c = g.coordinates;
      if (g.type === "LineString" || g.type === "MultiPoint") {
        g.coordinates = ring(c, s);
      } else if (g.type === "MultiLineString" && fc.chain) {
        var at = [0, 0];
        g.coordinates = c.map(function (r) { return ring(r, s, at); });
      } else if (g.type === "Polygon" || g.type === "MultiLineString") {
        g.coordinates = c.map(function (r) { return ring(r, s); });
      } else if (g.type === "MultiPolygon") {
        g.coordinates = c.map(function (p) { return p.map(function (r) { return ring(r, s); }); });
      }
    });
    delete fc.scale;
    delete fc.chain;
    return fc;
  }
  window.geoseg = {decode: decode, table: table, layer: layer, note: note, legend: legend,
    labels: labels, tables: tables, compare: compare, fit: fit};
})();
"""
