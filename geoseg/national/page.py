"""The national index page: the national tables and a link to every municipality's maps."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from geoseg.i18n import check_lang, tr
from geoseg.national.tasks import TaskResult

__all__ = ["index_page"]


def index_page(
    tasks: Sequence[TaskResult],
    *,
    name: str,
    folder: Path,
    lang: str = "sv",
    fictional: bool = False,
    national: TaskResult | None = None,
) -> str:
    """The national ``index.html``: links to the tables and to each municipality's maps.

    Parameters
    ----------
    tasks
        Every municipality's task, in the national file's order.
    name
        The national project's name (the page's title).
    folder
        The national results folder (a municipality's maps are linked when they exist).
    lang
        ``"sv"`` or ``"en"``: every word comes from :mod:`geoseg.i18n`.
    fictional
        Say on the page that the data are invented.
    national
        The national task: when it failed, the page says so with its problem, and only the
        tables that were written are linked.

    Returns
    -------
    str
        The HTML page; every name, code and error message is escaped.
    """
    lang = check_lang(lang)
    rows = []
    for t in tasks:
        link = f"municipalities/{t.name}/maps/index.html"
        if t.status == "failed":
            status = tr("nat_failed", lang, error=t.error or "")
            cell = f"<td>{escape(t.name)}</td><td>{escape(status)}</td>"
        elif (folder / link).is_file():
            status = tr("nat_skipped" if t.status == "skipped" else "nat_done", lang)
            cell = (
                f'<td><a href="{escape(link)}">{escape(t.name)}</a></td><td>{escape(status)}</td>'
            )
        else:
            cell = f"<td>{escape(t.name)}</td><td>{escape(tr('nat_no_maps', lang))}</td>"
        rows.append(f"<tr>{cell}</tr>")
    done = sum(t.status != "failed" for t in tasks)
    note = f"<p><strong>{escape(tr('nat_fictional', lang))}</strong></p>" if fictional else ""
    if national is not None and national.status == "failed":
        failed = tr("nat_level_failed", lang, error=national.error or "")
        note += f"<p><strong>{escape(failed)}</strong></p>"
    links = ", ".join(
        f'<a href="{file}">{escape(tr(key, lang))}</a>'
        for key, file in (
            ("nat_per_municipality", "national_municipalities.csv"),
            ("nat_per_area", "national_areas.csv"),
            ("nat_trend", "national_trend.csv"),
            ("nat_tasks", "national_tasks.csv"),
        )
        if (folder / file).is_file()
    )
    summary = tr("nat_summary", lang, done=done, total=len(tasks))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(name)}</title></head><body>\n<h1>{escape(name)}</h1>{note}\n"
        f"<p>{escape(summary)}</p>\n"
        f"<p>{escape(tr('nat_tables', lang))}: {links}.</p>\n"
        f"<table><tr><th>{escape(tr('nat_municipality', lang))}</th>"
        f"<th>{escape(tr('nat_status', lang))}</th></tr>\n" + "\n".join(rows) + "\n</table>"
        "</body></html>\n"
    )
