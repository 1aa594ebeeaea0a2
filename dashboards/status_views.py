"""Thin views of the data page's ops actions: a run's detail, retrying its window, the nightly schedule,
reconnecting an account."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role, SocialAccount
from accounts.tenancy import scoped
from ingestion import reauth
from ingestion.models import IngestionRun

from . import status
from .context import can_change_data, filter_form, organization_required, page_context

OWNER_MESSAGE = gettext_lazy("只有所有者可以修改同步计划和账号授权。")
ANALYST_MESSAGE = gettext_lazy("查看者只能看数据；同步和导入需要分析师或所有者权限。")
NO_REAUTH_MESSAGE = gettext_lazy("这个平台不能在这里重新授权。")
STATE_MESSAGE = gettext_lazy("授权回调无效或已过期（state 不匹配），请重新点「重新授权」。")
DENIED_MESSAGE = gettext_lazy("平台没有完成授权：%(error)s")


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
    run = scoped(IngestionRun.objects.filter(pk=run_id), request.organization, "account__organization").first()
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


def _account_or_404(request, account_id: int) -> SocialAccount:
    account = scoped(SocialAccount.objects.filter(pk=account_id), request.organization).first()
    if account is None:
        raise Http404
    return account


@organization_required
def reauth_start(request, account_id: int):
    """Owners only: OAuth platforms go to the platform's authorisation page, the others get the form."""
    account = _account_or_404(request, account_id)
    kind = status.reauth_kind(account)
    if not is_owner(request) or not kind:
        messages.error(request, OWNER_MESSAGE if not is_owner(request) else NO_REAUTH_MESSAGE)
        return redirect("dashboards:data_status")
    if kind == "oauth":
        state = status.reauth_state_issue(request.session, account)
        try:
            return redirect(reauth.oauth_authorize_url(account=account, redirect_uri=_callback_uri(request), state=state))
        except reauth.ReauthError as exc:
            messages.error(request, str(exc))
            return redirect("dashboards:data_status")
    form = status.CredentialsForm(account=account)
    if request.method == "POST":
        outcome, form = status.credentials_save(account=account, data=request.POST)
        if outcome is not None:
            _flash(request, outcome)
            return redirect("dashboards:data_status")
    context = page_context(request, filter_form(request), page="status") | {"account": account, "form": form}
    return render(request, "dashboards/reauth_credentials.html", context, status=400 if form.errors else 200)


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("dashboards:reauth_callback"))


@organization_required
def reauth_callback(request):
    """Where the platform sends the owner back: the state must be one this session was given."""
    account_id = status.reauth_state_take(request.session, request.GET.get("state", ""))
    account = scoped(SocialAccount.objects.filter(pk=account_id), request.organization).first()
    if account is None or not is_owner(request):
        messages.error(request, STATE_MESSAGE)
        return redirect("dashboards:data_status")
    code = request.GET.get("code", "")
    if not code:
        messages.error(
            request, DENIED_MESSAGE % {"error": request.GET.get("error_description") or request.GET.get("error") or "-"}
        )
        return redirect("dashboards:data_status")
    _flash(request, status.oauth_finish(account=account, code=code, redirect_uri=_callback_uri(request)))
    return redirect("dashboards:data_status")
