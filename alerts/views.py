"""The alerts page: rules (create, send a test message, delete), and what fired with its deliveries."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dashboards.context import can_change_data, filter_form, organization_required, page_context

from . import selectors, services
from .channels import channel_target
from .forms import RuleForm
from .messages import metric_label
from .models import AlertRule

VIEWER_MESSAGE = gettext_lazy("查看者只能看告警；管理告警规则需要分析师或所有者权限。")


@organization_required
def alerts_page(request):
    form = RuleForm(organization=request.organization)
    status = 200
    if request.method == "POST":
        form = RuleForm(request.POST, organization=request.organization)
        if not can_change_data(request):
            form.add_error(None, VIEWER_MESSAGE)
        elif form.is_valid():
            try:
                services.alert_rule_create(organization=request.organization, **form.service_kwargs())
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("已添加告警规则「%(name)s」。") % {"name": form.cleaned_data["name"]})
                return redirect("alerts:index")
        status = 403 if not can_change_data(request) else 400
    services.builtin_rules_ensure(organization=request.organization)
    rules = list(selectors.alert_rules(organization=request.organization))
    for rule in rules:
        rule.metric_label = metric_label(rule.metric)
        rule.targets = [channel_target(c) for c in rule.channels]
        rule.channel_kinds = [c["kind"] for c in rule.channels]
    context = page_context(request, filter_form(request), page="alerts") | {
        "rule_form": form,
        "rules": rules,
        "alerts": selectors.recent_alerts(organization=request.organization),
    }
    return render(request, "alerts/index.html", context, status=status)


def _rule(request, rule_id: int) -> AlertRule:
    return get_object_or_404(AlertRule, pk=rule_id, organization=request.organization)


@require_POST
@organization_required
def rule_test(request, rule_id: int):
    rule = _rule(request, rule_id)
    if not can_change_data(request):
        messages.error(request, VIEWER_MESSAGE)
    elif not rule.channels:
        messages.error(request, _("这条规则还没有通道。"))
    else:
        for channel, result in services.alert_rule_test(rule=rule):
            text = _("%(target)s：%(outcome)s（代码 %(code)s）%(detail)s") % {
                "target": channel_target(channel),
                "outcome": _("发送成功") if result.ok else _("发送失败"),
                "code": result.code,
                "detail": "" if result.ok else result.detail,
            }
            (messages.success if result.ok else messages.error)(request, text)
    return redirect("alerts:index")


@require_POST
@organization_required
def rule_delete(request, rule_id: int):
    rule = _rule(request, rule_id)
    if not can_change_data(request):
        messages.error(request, VIEWER_MESSAGE)
    elif rule.builtin:
        messages.error(request, _("内置的数据健康规则不能删除。"))
    else:
        rule.delete()
        messages.success(request, _("已删除告警规则「%(name)s」。") % {"name": rule.name})
    return redirect("alerts:index")
