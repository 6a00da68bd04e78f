"""A plan reviewer's verdict document: one self-contained HTML page per plan check.

The page opens with the verdict (the plan passes every rule, or breaks N of them), then every
rule with what it protects, its threshold and the measured value in words, the residents who
gain and who lose access by group in whole persons, the areas whose walk changes most by name,
and a link to (and an inline frame of) the plan map.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geoseg.i18n import check_lang, kind_label, tr
from geoseg.io import write_text
from geoseg.publish._html import escape, format_number, safe_href
from geoseg.publish.disclosure import Disclosure, gate_plan_check, suppressed_label

if TYPE_CHECKING:
    from geoseg.io.rules import (
        EquityGapRule,
        FamilyCentreRule,
        MaxIncreaseRule,
        MeetingPlaceRule,
    )
    from geoseg.plans import PlanCheck, Rules

    Rule = MaxIncreaseRule | FamilyCentreRule | EquityGapRule | MeetingPlaceRule

__all__ = ["protects_text", "rule_findings", "write_verdict_page"]

logger = logging.getLogger(__name__)

_RULES = ("max_minutes_increase", "family_centre_share", "equity_gap", "meeting_place")


def _w(key: str, lang: str, **fmt: object) -> str:
    """The verdict page's words (the ``v_`` entries of the translation table)."""
    return tr(f"v_{key}", lang, **fmt)


def _n(value: float, lang: str, digits: int = 1) -> str:
    return format_number(float(value), lang=lang, digits=digits)


def _pct(share: float, lang: str) -> str:
    sep = "\u00a0" if lang == "sv" else ""
    return f"{format_number(100 * float(share), lang=lang, digits=0)}{sep}%"


def _persons(value: float, lang: str, threshold: float) -> str:
    if value is None or not np.isfinite(float(value)):
        return suppressed_label(threshold, lang=lang)
    count = round(float(value))
    if 0 < count < threshold:
        return suppressed_label(threshold, lang=lang)
    return format_number(count, lang=lang)


def protects_text(key: str, rule: Rule, lang: str) -> str:
    """What the rule ``key`` protects, in ``lang``.

    geoseg's own wording of a rule (its default ``protects``) comes from the translation table;
    a text the rules file gives is the reviewer's own and is shown as written.
    """
    text = str(rule.protects)
    field = {f.name: f for f in dataclasses.fields(rule)}.get("protects")
    if field is not None and text == field.default:
        return tr(f"protects_{key}", lang)
    return text


def rule_findings(
    result: PlanCheck,
    rules: Rules,
    *,
    names: Mapping[str, str],
    lang: str,
    group_labels: Mapping[str, str] | None = None,
    disclosure: Disclosure | None = None,
) -> list[dict[str, str]]:
    """One row per rule: ``rule``, ``protects``, ``threshold``, ``measured``, ``status``.

    ``group_labels`` (register group -> readable name) names the group a rule counts (the
    family-centre rule's children); the equity rule names the indicator that ranks the areas
    (its label, unit and worse end, from the check's summary).

    ``status`` is ``"ok"``, ``"broken"`` or ``"off"``; ``measured`` states the measured value
    in words (the worst case the rule looks at), with area names instead of codes. The check
    is gated first (:func:`geoseg.publish.disclosure.gate_plan_check` under ``disclosure``,
    default threshold 5): a share resting on fewer residents than the threshold is never
    quoted.
    """
    disclosure = disclosure or Disclosure()
    result = gate_plan_check(result, disclosure)
    v = result.violations
    areas = result.areas
    out = []
    for key in _RULES:
        rule = getattr(rules, key)
        broken = v[v["rule"] == key] if len(v) else v
        if key == "max_minutes_increase":
            threshold = _w("t_max", lang, m=_n(rule.minutes, lang))
            ch = areas["change_minutes"].astype(float)
            if rule.kinds:
                ch = ch[areas["kind"].isin(rule.kinds)]
            if ch.notna().any() and ch.max() > 0:
                worst = areas.loc[ch.index[int(np.argmax(ch.fillna(-np.inf).to_numpy()))]]
                measured = _w(
                    "m_max",
                    lang,
                    v=_n(ch.max(), lang),
                    area=names.get(str(worst["id"]), str(worst["id"])),
                    kind=kind_label(str(worst["kind"]), lang).lower(),
                )
            else:
                measured = _w("m_max_none", lang)
        elif key == "family_centre_share":
            who = (group_labels or {}).get(str(rule.group)) or _w("young_children", lang)
            threshold = _w(
                "t_family", lang, s=_pct(rule.min_share, lang), m=_n(rule.minutes, lang, 0), who=who
            )
            d = result.districts
            shown = d[d["after_share"].notna()] if len(d) and "after_share" in d else d
            if len(d) and "after_share" in d and not len(shown):
                measured = suppressed_label(disclosure.effective, lang=lang)
            elif len(shown):
                row = shown.iloc[int(np.argmin(shown["after_share"].to_numpy(dtype=float)))]
                district = str(row.get("district", ""))
                measured = _w(
                    "m_family",
                    lang,
                    v=_pct(row["after_share"], lang),
                    b=_pct(row["before_share"], lang),
                    area=names.get(district) or _w("district", lang, d=district),
                )
            else:
                measured = "–"
        elif key == "equity_gap":
            threshold = _w("t_equity", lang, m=_n(rule.tolerance_minutes, lang, 2))
            ranked = (getattr(result, "summary", None) or {}).get("equity_ranked_by") or {}
            if ranked.get("label"):
                unit = f" ({ranked['unit']})" if ranked.get("unit") else ""
                worse = _w("worse_higher" if ranked["worse"] == "higher" else "worse_lower", lang)
                threshold += _w("t_ranked", lang, label=f"{ranked['label']}{unit}", worse=worse)
            eq = result.equity
            parts = []
            if "gap_before" in eq:
                gaps = zip(
                    eq["kind"].tolist(),
                    eq["gap_before"].to_numpy(dtype=float),
                    eq["gap_after"].to_numpy(dtype=float),
                    eq["gap_change"].to_numpy(dtype=float),
                    strict=True,
                )
                for kind, before, after, change in gaps:
                    if rule.kinds and kind not in rule.kinds:
                        continue
                    if not (np.isfinite(before) and np.isfinite(after)):
                        continue
                    if abs(change) < 0.05:
                        continue
                    parts.append(
                        _w(
                            "m_equity",
                            lang,
                            kind=kind_label(str(kind), lang),
                            b=_n(abs(before), lang),
                            bw=_w("more" if before > 0 else "less", lang),
                            a=_n(abs(after), lang),
                            aw=_w("more" if after > 0 else "less", lang),
                            gl=_w("lose_w" if change > 0 else "gain_w", lang),
                            c=_n(abs(change), lang),
                        )
                    )
            measured = "; ".join(parts) or _w("none", lang)
        else:
            threshold = _w("t_meeting", lang, m=_n(rule.minutes, lang, 0))
            measured = "" if len(broken) else _w("m_meeting_ok", lang)
        measured = measured[:1].upper() + measured[1:]
        if len(broken) and key != "equity_gap":
            lost = list(dict.fromkeys(names.get(str(a), str(a)) for a in broken["area"] if str(a)))
            where = ", ".join(lost) if lost else str(len(broken))
            measured = (_w("m_broken", lang, where=where) + " " + measured).strip()
        status = "off" if not rule.enabled else ("broken" if len(broken) else "ok")
        # a rule reworded by the check itself (the equity rule named after its indicator)
        reworded = (getattr(result, "summary", None) or {}).get(f"{key}_protects")
        out.append(
            {
                "rule": _w(key, lang),
                "protects": (
                    str(reworded)
                    if reworded and reworded != rule.protects
                    else protects_text(key, rule, lang)
                ),
                "threshold": threshold,
                "measured": measured,
                "status": status,
            }
        )
    return out


_CSS = """
body {font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  max-width: 1100px; margin: 1.5em auto; padding: 0 1em; color: #1a1a1a;}
.verdict {font-size: 1.5em; font-weight: 700; padding: 0.6em 0.9em; border-radius: 4px;}
.pass {background: #e3f4ea; border: 3px solid #1b7a3d;}
.fail {background: #fde8e8; border: 3px solid #b3261e;}
.fictional {background: #fff3cd; border: 2px solid #8a6d00; padding: 0.4em 0.8em;}
table {border-collapse: collapse; margin: 0.6em 0 1.2em; width: 100%;}
th, td {border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top;}
thead th {background: #eef3f8;} td.num {text-align: right; font-variant-numeric: tabular-nums;}
td.broken {color: #b3261e; font-weight: 700;} td.ok {color: #1b7a3d; font-weight: 700;}
.scroll {overflow-x: auto;}
iframe {width: 100%; height: 560px; border: 1px solid #ccc;}
h1 {overflow-wrap: anywhere;}
@media (max-width: 600px) {body {font-size: 14px;} iframe {height: 420px;}
  h1 {font-size: 1.35em;} .verdict {font-size: 1.3em;}
  thead {position: absolute; left: -9999px;} table, tbody, tr, td {display: block;}
  tr {border: 1px solid #bbb; margin-bottom: 0.6em;} td {border: none; text-align: left;}
  td::before {content: attr(data-label) ": "; font-weight: 700;}
  td.num {text-align: left;}}
"""


def _table(head: list[str], rows: list[list[tuple[str, str]]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{c}" data-label="{escape(h)}">{escape(t)}</td>'
            for h, (c, t) in zip(head, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    table = f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def write_verdict_page(
    path: str | os.PathLike[str],
    result: PlanCheck,
    rules: Rules,
    *,
    title: str,
    lang: str = "en",
    names: Mapping[str, str] | None = None,
    group_labels: Mapping[str, str] | None = None,
    fictional: bool = False,
    threshold: float = 5,
    map_file: str | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    metadata: Mapping[str, object] | None = None,
    disclosure: Disclosure | None = None,
) -> Path:
    """Write the reviewer's verdict page of one plan check.

    Parameters
    ----------
    path
        The HTML file to write (atomically).
    result, rules
        The :class:`geoseg.plans.PlanCheck` and the :class:`geoseg.plans.Rules` it used.
    title, lang, fictional
        Page title, ``"en"`` or ``"sv"``, and the fictional-data note.
    names, group_labels
        Area (and district) code -> name; register group -> readable name.
    threshold
        Disclosure threshold: person counts from 1 to below it are shown as "<t", and shares
        resting on fewer residents are not quoted (``0``: nothing is suppressed).
    map_file
        The plan map beside the page (relative name), linked and shown in a frame.
    inputs
        Files the page must never replace (the plan, the rules, the project's inputs).
    metadata
        Disclosure settings stamped into the page (``<meta name="geoseg:...">``), with an
        optional ``notice`` shown at the top (for output not meant for publication).
    disclosure
        The disclosure rule (takes precedence over ``threshold``); the page shows the check as
        gated by :func:`geoseg.publish.disclosure.gate_plan_check`.

    Returns
    -------
    pathlib.Path
        The page written.
    """
    check_lang(lang)
    names = dict(names or {})
    labels = dict(group_labels or {})
    if disclosure is None:
        disclosure = (
            Disclosure(threshold=threshold, allow_small_counts=True)
            if threshold > 0
            else Disclosure(unsuppressed=True)
        )
    threshold = disclosure.effective
    result = gate_plan_check(result, disclosure)
    findings = rule_findings(
        result, rules, names=names, lang=lang, group_labels=labels, disclosure=disclosure
    )
    broken = sum(f["status"] == "broken" for f in findings)
    active = sum(f["status"] != "off" for f in findings)
    verdict = _w("breaks", lang, b=broken, n=active) if broken else _w("passes", lang, n=active)
    html = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        *(
            f'<meta name="geoseg:{escape(str(k))}" content="{escape(str(v))}">'
            for k, v in (metadata or {}).items()
        ),
        f"<title>{escape(verdict)}: {escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="verdict {"fail" if broken else "pass"}" role="status">{escape(verdict)}</p>',
    ]
    notice = (metadata or {}).get("notice")
    if notice:
        html.append(f'<p class="fictional">{escape(str(notice))}</p>')
    if fictional:
        from geoseg.i18n import tr

        html.append(f'<p class="fictional">{escape(tr("fictional", lang))}</p>')
    html.append(f"<h2>{escape(_w('rules', lang))}</h2>")
    rows = [
        [
            ("", f["rule"]),
            (f["status"], _w(f["status"], lang)),
            ("", f["protects"]),
            ("", f["threshold"]),
            ("", f["measured"]),
        ]
        for f in findings
    ]
    html.append(
        _table(
            [
                _w("rule", lang),
                _w("result", lang),
                _w("protects", lang),
                _w("threshold", lang),
                _w("measured", lang),
            ],
            rows,
        )
    )
    html.append(f"<h2>{escape(_w('who', lang))}</h2><p>{escape(_w('who_intro', lang))}</p>")
    g = result.groups
    # a count hidden by the gate (missing) is one from 1 to below the threshold: it moved
    moved = (
        g[(g["gain"].fillna(1).round() > 0) | (g["lose"].fillna(1).round() > 0)] if len(g) else g
    )
    if len(moved):
        grows = [
            [
                ("", kind_label(str(r["kind"]), lang)),
                ("", labels.get(str(r["group"]), str(r["group"]).replace("_", " "))),
                ("num", _persons(r["residents"], lang, threshold)),
                ("num", _persons(r["gain"], lang, threshold)),
                ("num", _persons(r["lose"], lang, threshold)),
            ]
            for r in moved.to_dict("records")
        ]
        html.append(
            _table(
                [
                    _w("kind", lang),
                    _w("group", lang),
                    _w("residents", lang),
                    _w("gain", lang),
                    _w("lose", lang),
                ],
                grows,
            )
        )
    else:
        html.append(f"<p>{escape(_w('none', lang))}</p>")
    a = result.areas
    ch = a["change_minutes"].astype(float)
    top = a[ch.abs() >= 0.05].reindex(ch[ch.abs() >= 0.05].abs().sort_values(ascending=False).index)
    html.append(f"<h2>{escape(_w('areas', lang))}</h2>")
    if len(top):
        arows = [
            [
                ("", names.get(str(r["id"]), str(r["id"]))),
                ("", kind_label(str(r["kind"]), lang)),
                ("num", _n(r["before_minutes"], lang)),
                ("num", _n(r["after_minutes"], lang)),
                ("num", ("+" if r["change_minutes"] > 0 else "") + _n(r["change_minutes"], lang)),
            ]
            for _, r in top.head(20).iterrows()
        ]
        html.append(
            _table(
                [
                    _w("area", lang),
                    _w("kind", lang),
                    _w("before", lang),
                    _w("after", lang),
                    _w("change", lang),
                ],
                arows,
            )
        )
    else:
        html.append(f"<p>{escape(_w('none', lang))}</p>")
    if map_file:
        href = safe_href(map_file)
        html.append(
            f"<h2>{escape(_w('map', lang))}</h2>"
            f'<p><a href="{href}">{escape(_w("open_map", lang))}</a></p>'
            f'<iframe src="{href}" title="{escape(_w("map", lang))}"></iframe>'
        )
    html.append("</body></html>\n")
    out = write_text(path, "\n".join(html), root=Path(path).parent, inputs=inputs)
    os.chmod(out, 0o644)
    logger.info("wrote verdict page %s (%s)", out, verdict)
    return out
