"""What an alert says, on every channel: value, baseline, change, coverage, what moved most, a link."""

from __future__ import annotations

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _

from dashboards.catalog import METRICS
from dashboards.formatting import MISSING, change, metric_value, rate

from .channels import Message
from .models import Condition, HealthCheck

MAX_CONTRIBUTORS_SHOWN = 5


def metric_label(metric: str) -> str:
    builtin = dict(HealthCheck.choices).get(metric)
    if builtin:
        return str(builtin)
    known = METRICS.get(metric)
    return f"{known.label}" if known else metric


def _condition_text(condition: str, threshold, metric: str) -> str:
    label = dict(Condition.choices).get(condition, condition)
    if condition in (Condition.DROP, Condition.RISE):
        return f"{label} {rate(threshold)}"
    return f"{label} {metric_value(metric, threshold)}"


def _lines(*, metric, condition, threshold, value, baseline, change_, z_score, coverage, detail, contributors):
    """The explanation as (headline, facts, movers) in plain text."""
    if metric in HealthCheck.values:
        return metric_label(metric), [detail] if detail else [], []
    headline = f"{metric_label(metric)} {_condition_text(condition, threshold, metric)}"
    facts = [
        _("当日 %(value)s · 基线 %(baseline)s · 变化 %(change)s")
        % {"value": metric_value(metric, value), "baseline": metric_value(metric, baseline), "change": change(change_)}
    ]
    if z_score is not None:
        facts.append(_("偏离程度 z = %(z).1f（同星期几近 4 周中位数 ± MAD）") % {"z": z_score})
    facts.append(_("覆盖率 %(coverage)s") % {"coverage": rate(coverage) if coverage is not None else MISSING})
    movers = [
        _("%(label)s：%(value)s（基线 %(baseline)s，影响 %(effect)s）")
        % {
            "label": c["label"],
            "value": metric_value(metric, c["value"]),
            "baseline": metric_value(metric, c["baseline"]),
            "effect": metric_value(metric, c["effect"]) if c["effect"] >= 0 else "-" + metric_value(metric, -c["effect"]),
        }
        for c in contributors[:MAX_CONTRIBUTORS_SHOWN]
    ]
    return headline, facts, movers


def finding_summary(finding) -> str:
    """One line stored with the alert (lists, digests)."""
    v, rule = finding.verdict, finding.rule
    headline, facts, _movers = _lines(
        metric=rule.metric,
        condition=rule.condition,
        threshold=rule.threshold,
        value=v.value,
        baseline=v.baseline,
        change_=v.change,
        z_score=v.z_score,
        coverage=finding.coverage,
        detail=v.detail,
        contributors=[],
    )
    return f"{finding.scope_label}：{headline}" + (f"（{facts[0]}）" if facts else "")


def _alert_lines(alert):
    return _lines(
        metric=alert.metric,
        condition=alert.condition,
        threshold=alert.threshold,
        value=alert.value,
        baseline=alert.baseline,
        change_=alert.change,
        z_score=alert.z_score,
        coverage=alert.coverage,
        detail=alert.summary if alert.metric in HealthCheck.values else "",
        contributors=alert.contributors,
    )


def alert_message(alert) -> Message:
    headline, facts, movers = _alert_lines(alert)
    title = _("【告警】%(rule)s · %(scope)s") % {"rule": alert.rule.name, "scope": alert.scope_label}
    intro = f"{alert.scope_label} · {alert.date:%Y-%m-%d}"
    markdown = "\n".join(
        [f"**{headline}**", intro, *(f"> {f}" for f in facts)]
        + ([f"\n**{_('变动最大')}**", *(f"- {m}" for m in movers)] if movers else [])
    )
    text = "\n".join([headline, intro, *facts] + ([_("变动最大："), *(f"- {m}" for m in movers)] if movers else []))
    html = (
        f"<h2>{escape(headline)}</h2><p>{escape(intro)}</p><ul>{''.join(f'<li>{escape(f)}</li>' for f in facts)}</ul>"
        + (f"<h3>{escape(_('变动最大'))}</h3><ol>{''.join(f'<li>{escape(m)}</li>' for m in movers)}</ol>" if movers else "")
        + (f'<p><a href="{escape(alert.link)}">{escape(_("查看看板"))}</a></p>' if alert.link else "")
    )
    return Message(title=title, markdown=markdown, text=text, html=html, link=alert.link or None)


def digest_message(alerts: list) -> Message:
    """Several alerts due on one robot at once: one message (robots take 20 a minute)."""
    if len(alerts) == 1:
        return alert_message(alerts[0])
    title = _("【告警汇总】%(count)d 条告警") % {"count": len(alerts)}
    blocks, texts, items = [], [], []
    for alert in alerts:
        headline, facts, movers = _alert_lines(alert)
        first = f"{alert.rule.name} · {alert.scope_label} · {alert.date:%Y-%m-%d}"
        detail = " · ".join(facts[:1] + movers[:1])
        blocks.append(
            f"**{headline}** — {first}"
            + (f"\n> {detail}" if detail else "")
            + (f" [{_('看板')}]({alert.link})" if alert.link else "")
        )
        texts.append(f"- {headline} — {first}" + (f"：{detail}" if detail else ""))
        items.append(
            f"<li><strong>{escape(headline)}</strong> — {escape(first)}"
            + (f"<br>{escape(detail)}" if detail else "")
            + (f' <a href="{escape(alert.link)}">{escape(_("看板"))}</a>' if alert.link else "")
            + "</li>"
        )
    link = f"{settings.SITE_URL}/alerts/"
    return Message(
        title=title,
        markdown="\n\n".join(blocks),
        text="\n".join(texts),
        html=f"<h2>{escape(title)}</h2><ol>{''.join(items)}</ol>",
        link=link,
    )


def test_message(rule) -> Message:
    title = _("【测试】%(rule)s") % {"rule": rule.name}
    body = _("这是一条测试消息：告警规则「%(rule)s」的这个通道可以收到告警。") % {"rule": rule.name}
    link = f"{settings.SITE_URL}/alerts/"
    return Message(title=title, markdown=body, text=body, html=f"<p>{escape(body)}</p>", link=link)
