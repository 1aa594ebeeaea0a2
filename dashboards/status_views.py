"""Thin views of the data page's ops actions: a run's detail, retrying its window, the nightly schedule."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from ingestion.models import IngestionRun

from . import status
from .context import can_change_data, filter_form, organization_required, page_context

OWNER_MESSAGE = gettext_lazy("只有所有者可以修改同步计划和账号授权。")
ANALYST_MESSAGE = gettext_lazy("查看者只能看数据；同步和导入需要分析师或所有者权限。")


def is_owner(request) -> bool:
    return Role.allows(request.role, Role.OWNER)


def _flash(request, outcome: status.Outcome) -> None:
    (messages.success if outcome.ok else messages.error)(request, outcome.message)


@organization_required
def run_detail(request, run_id: int):
    detail = status.run_detail(organization=request.organization, run_id=run_id)
    if detail is None:
        raise Http404
    context = page_context(request, filter_form(request), page="status") | detail
    return render(request, "dashboards/run_detail.html", context)


@require_POST
@organization_required
def run_retry(request, run_id: int):
    run = IngestionRun.objects.filter(pk=run_id, account__organization=request.organization).first()
    if run is None:
        raise Http404
    if not can_change_data(request):
        messages.error(request, ANALYST_MESSAGE)
        return redirect("dashboards:run_detail", run_id=run.pk)
    outcome = status.run_retry(run=run)
    _flash(request, outcome)
    return redirect("dashboards:run_detail", run_id=outcome.run_id or run.pk)


@require_POST
@organization_required
def schedule_update(request):
    if not is_owner(request):
        messages.error(request, OWNER_MESSAGE)
    else:
        _flash(request, status.schedule_change(data=request.POST))
    return redirect("dashboards:data_status")
