"""Coverage badges: a ratio that stands on only part of the rows says so ("基于 3/30 天", "覆盖 36% 花费")."""

from __future__ import annotations

from django.utils.translation import gettext as _

from analytics import kpis

from .catalog import METRICS

# What a row of each pair is, for the badge text.
_ROW_UNITS = {"completion": "posts", kpis.GROWTH_PAIR: "accounts"}


def _side_label(side: str) -> str:
    names = {"interactions": "interactions", "completion_weighted": "completion_rate",
             "net_followers": "net_followers", "followers_before": "followers"}
    metric = METRICS.get(names.get(side, side))
    return str(metric.label) if metric else side


def _sides(name: str) -> tuple[str, str]:
    pair = kpis.PAIR_OF[name]
    pairs = {**kpis.ORGANIC_PAIRS, **kpis.PAID_PAIRS, **kpis.POST_PAIRS,
             kpis.GROWTH_PAIR: ("net_followers", "followers_before")}
    return pairs[pair]


def badge(name: str, result: dict | None) -> dict | None:
    """{"text", "tooltip"} when KPI `name` of a KPI result (with `basis`) stands on part of its rows."""
    coverage = ((result or {}).get("coverage") or {}).get(name)
    basis = ((result or {}).get("basis") or {}).get(name)
    # Coverage 0: the ratio is "—" (undefined) and says nothing to mark; 1: it stands on every row.
    if coverage is None or coverage <= 0 or coverage >= 1 or basis is None:
        return None
    numerator, denominator = (_side_label(side) for side in _sides(name))
    label = METRICS[name].label if name in METRICS else name
    if "spend_share" in basis:
        text = _("覆盖 %(share)s%% 花费") % {"share": round(basis["spend_share"] * 100)}
    elif _ROW_UNITS.get(kpis.PAIR_OF[name]) == "posts":
        text = _("基于 %(rows)s/%(of)s 篇作品") % basis
    elif _ROW_UNITS.get(kpis.PAIR_OF[name]) == "accounts":
        text = _("基于 %(rows)s/%(of)s 个账号") % basis
    else:
        text = _("基于 %(rows)s/%(of)s 天") % basis
    tooltip = _("%(kpi)s只计算同时报告了「%(num)s」和「%(den)s」的 %(rows)s 行数据（共 %(of)s 行报告了其中之一）；"
                "其余 %(missing)s 行缺少一侧，不计入这个比率。") % {
        "kpi": label, "num": numerator, "den": denominator, "rows": basis["rows"], "of": basis["of"],
        "missing": basis["of"] - basis["rows"]}
    return {"text": text, "tooltip": tooltip, "coverage": coverage}


def badges(result: dict | None, names) -> dict[str, dict]:
    """The badges of the ratio KPIs among `names` (only those with coverage < 1)."""
    return {name: b for name in names if name in kpis.PAIR_OF and (b := badge(name, result))}
