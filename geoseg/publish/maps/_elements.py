"""Folium elements that draw geoseg layers, legends and notes with the offline helper script.

Every element writes its data with :func:`geoseg.publish._html.js_json` and lets the browser
build the visible text with DOM text nodes (``geoseg.table``, ``geoseg.legend``,
``geoseg.note`` in :mod:`geoseg.publish.maps._assets`), so nothing from the data is ever
parsed as HTML. Layer names, which Leaflet's layer control inserts as HTML, are escaped here.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from geoseg.publish._html import escape, js_json

__all__ = ["Compare", "DataBlock", "GeoLayer", "Legend", "Note", "Tables"]


class DataBlock(MacroElement):
    """A JavaScript variable holding a GeoJSON FeatureCollection shared by several layers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geoseg.decode({{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any] | None = None, *, encoded: str | None = None) -> None:
        super().__init__()
        self._name = "geoseg_data"
        self.payload = encoded if encoded is not None else js_json(data)


class GeoLayer(Layer):
    """A GeoJSON layer styled and labelled per feature key.

    Parameters
    ----------
    data
        The :class:`DataBlock` with the geometry (features carry the key in ``properties.k``).
    info
        ``{key: [style, rows]}`` where ``style`` is a dict of Leaflet path options and ``rows``
        a list of ``[label, text, suppressed]`` triples shown in the tooltip.
    name
        Layer name shown in the layer control (escaped here).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geoseg.layer({{ this.data_name }}, {{ this.info_json }},
            {{ this.options_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: DataBlock,
        info: dict[str, list[Any]],
        *,
        name: str,
        style: dict[str, Any],
        hover: dict[str, Any] | None = None,
        missing: dict[str, Any] | None = None,
        overlay: bool = True,
        control: bool = True,
        show: bool = True,
        interactive: bool = True,
        radius: float | None = None,
        pane: str | None = None,
        min_zoom: int | None = None,
        table: Any = None,
    ) -> None:
        super().__init__(name=escape(name), overlay=overlay, control=control, show=show)
        self._name = "geoseg_layer"
        self._data = data
        #: the plain name (the page's data table is captioned with it)
        self.title = name
        #: the rows of the page's data table for this layer (see ``geoseg.publish.maps._page``)
        self.table = table
        self.info_json = js_json(info)
        options: dict[str, Any] = {"style": style, "interactive": interactive}
        if hover:
            options["hover"] = hover
        if missing:
            options["missing"] = missing
        if radius:
            options["radius"] = radius
        if pane:
            options["pane"] = pane
        if min_zoom is not None:
            options["minZoom"] = min_zoom
        self.options_json = js_json(options)

    @property
    def data_name(self) -> str:
        """The data block's variable name, read when the map is rendered (ids are set then)."""
        return self._data.get_name()


class Legend(MacroElement):
    """A legend box; each block may be tied to a layer and is shown only while it is on the map.

    ``specs`` is a list of ``{"title": str, "entries": [{"color", "label", ...}], "layer":
    GeoLayer | None}``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoseg.legend({{ this._parent.get_name() }}, {{ this.specs_json }},
            {{ this.position_json }});
        {% endmacro %}
        """
    )

    def __init__(self, specs: list[dict[str, Any]], *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "geoseg_legend"
        self._specs: list[dict[str, Any]] = [
            {
                "title": str(s.get("title", "")),
                "entries": list(s.get("entries", [])),
                "layer": s.get("layer"),
            }
            for s in specs
        ]
        self.position_json = js_json(position)

    @property
    def specs_json(self) -> str:
        """The legend blocks as JSON; layer names are read when the map is rendered."""
        clean = [
            s | {"layer": s["layer"].get_name() if s["layer"] is not None else None}
            for s in self._specs
        ]
        return js_json(clean)


class Note(MacroElement):
    """A text box on the map (title, fictional-data note, suppression note)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoseg.note({{ this._parent.get_name() }}, {{ this.text_json }},
            {{ this.position_json }}, {{ this.cls_json }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str, *, position: str = "topleft", cls: str = "") -> None:
        super().__init__()
        self._name = "geoseg_note"
        self.text_json = js_json(str(text))
        self.position_json = js_json(position)
        self.cls_json = js_json(cls)


class Tables(MacroElement):
    """Show, under the map, the data table of the layer (year) chosen on the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoseg.tables({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "geoseg_tables"


class Compare(MacroElement):
    """A button that opens a second map beside the first, synced in view, to compare two years.

    ``years`` are ``(layer, label)`` pairs of the area layers, one per year; ``context`` the
    layers drawn under and over them (water, streets), copied to the second map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoseg.compare({{ this._parent.get_name() }}, {{ this.years_json }},
            {{ this.context_json }}, {{ this.words_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        years: list[tuple[GeoLayer, str]],
        context: list[GeoLayer],
        words: dict[str, str],
    ) -> None:
        super().__init__()
        self._name = "geoseg_compare"
        self._years = years
        self._context = context
        self.words_json = js_json(words)

    @property
    def years_json(self) -> str:
        """The year layers' variable names and labels, read when the map is rendered."""
        return js_json([[layer.get_name(), label] for layer, label in self._years])

    @property
    def context_json(self) -> str:
        """The context layers' variable names, read when the map is rendered."""
        return js_json([layer.get_name() for layer in self._context])


class Fit(MacroElement):
    """Fit the map to ``bounds`` (``[[south, west], [north, east]]``) when it opens, and again
    whenever its size changes (a window resized, a phone turned) until the reader pans or
    zooms, so that the city fills the window it is shown in."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoseg.fit({{ this._parent.get_name() }}, {{ this.bounds_json }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "geoseg_fit"
        self.bounds_json = js_json(bounds)
