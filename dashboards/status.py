"""The data page (the ops console): what it shows, and its actions — sync now, retry a window,
move the nightly schedule, upload an export file, download a blank template.

Reads go through `ingestion.selectors`; each action calls the ingestion service that owns the
work and turns its outcome into what the page shows; nothing here writes to the database itself.
"""

from __future__ import annotations

import datetime
import secrets
import time
from dataclasses import asdict, dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AccountStatus, Platform, SocialAccount
from ingestion import reauth, selectors
from ingestion import services as ingestion_services
from ingestion.importers import TEMPLATE_KINDS, template_csv, templates
from ingestion.importers import service as import_service
from ingestion.models import IngestionRun, RunSource, RunStatus

SESSION_IMPORT_KEY = "dashboards_import_result"
TABLE_LABELS = {
    "account_days": gettext_lazy("账号日数据"),
    "posts": gettext_lazy("作品"),
    "post_days": gettext_lazy("作品日数据"),
    "campaign_days": gettext_lazy("投放日数据"),
}
RUNS_PER_PAGE = 25
HISTORY_NIGHTS = 30


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    problems: list[str] = field(default_factory=list)
    rows: list[tuple[str, int]] = field(default_factory=list)  # (what, rows written)
    date_start: object = None
    date_end: object = None
    run_id: int | None = None


def import_result_keep(session, outcome: Outcome) -> None:
    """Keep an upload's outcome for the page the browser is redirected to (a refresh then uploads nothing)."""
    data = asdict(outcome)
    for name in ("date_start", "date_end"):
        data[name] = data[name] and data[name].isoformat()
    session[SESSION_IMPORT_KEY] = data


def import_result_pop(session) -> Outcome | None:
    """The kept outcome, shown once."""
    data = session.pop(SESSION_IMPORT_KEY, None)
    if data is None:
        return None
    for name in ("date_start", "date_end"):
        data[name] = data[name] and datetime.date.fromisoformat(data[name])
    return Outcome(**data | {"rows": [tuple(row) for row in data["rows"]]})


def account_sync_request(*, account, start, end) -> Outcome:
    try:
        run = ingestion_services.sync_request(account=account, start=start, end=end)
    except ValidationError as exc:
        return Outcome(False, "; ".join(exc.messages))
    return Outcome(
        True,
        _("已排队同步 %(account)s（%(start)s 至 %(end)s），运行编号 #%(run)s。")
        % {"account": account, "start": start, "end": end, "run": run.pk},
        run_id=run.pk,
    )


def file_upload_import(*, account, kind, file) -> Outcome:
    """Queue the upload's import (a worker parses it) and wait a few seconds: a small file's outcome
    shows at once, a big one shows as queued with its progress (partials/import_progress.html)."""
    run = import_service.import_request(account=account, file=file, file_name=file.name, kind=kind)
    run = import_service.import_run_wait(run=run, seconds=settings.IMPORT_FORM_WAIT_SECONDS)
    report = run.import_report
    if run.status == RunStatus.FAILED:
        problems = [p["detail"] for p in report.get("problems", [])] or [run.error]
        problems += [_("……问题太多，仅列出前 50 个。")] if report.get("truncated") else []
        return Outcome(False, _("文件未导入，数据没有任何改动。请修改以下问题后重新上传："), problems=problems,
                       run_id=run.pk)
    if run.status != RunStatus.SUCCEEDED:
        return Outcome(True, _("%(file)s 较大，已在后台导入（运行编号 #%(run)s），进度见下方。")
                       % {"file": file.name, "run": run.pk}, run_id=run.pk)
    result = report["result"]
    return Outcome(
        True, _("已导入 %(file)s（%(kind)s）。") % {"file": result["file_name"], "kind": result["layout"]}
        + (f"{result['notice']}。" if result.get("notice") else ""),
        rows=[(str(TABLE_LABELS.get(table, table)), n) for table, n in result["rows"].items() if n],
        date_start=result["date_start"] and datetime.date.fromisoformat(result["date_start"]),
        date_end=result["date_end"] and datetime.date.fromisoformat(result["date_end"]), run_id=run.pk,
    )


def blank_template(kind: str) -> tuple[bytes, str] | None:
    """(CSV bytes, file name) of a blank import template, None for an unknown kind."""
    if kind not in TEMPLATE_KINDS:
        return None
    return template_csv(kind), templates.template_filename(kind)


# --- what the page shows ------------------------------------------------------------------------


class RunFilterForm(forms.Form):
    """The runs list's filters (prefixed `runs-`, apart from the page's own date filters)."""

    account = forms.ModelChoiceField(
        queryset=SocialAccount.objects.none(), required=False, label=_("账号"), empty_label=gettext_lazy("全部账号")
    )
    platform = forms.ChoiceField(
        choices=[("", gettext_lazy("全部平台")), *Platform.choices], required=False, label=gettext_lazy("平台")
    )
    status = forms.ChoiceField(
        choices=[("", gettext_lazy("全部状态")), *RunStatus.choices], required=False, label=gettext_lazy("状态")
    )
    source = forms.ChoiceField(
        choices=[("", gettext_lazy("全部来源")), *RunSource.choices], required=False, label=gettext_lazy("来源")
    )
    day = forms.DateField(required=False, label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, organization):
        super().__init__(data, prefix="runs")
        self.fields["account"].queryset = SocialAccount.objects.filter(organization=organization)

    def filters(self) -> dict:
        """The valid filters; an invalid one is dropped (and shown as an error by the form)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ScheduleForm(forms.Form):
    at = forms.TimeField(label=gettext_lazy("每天同步时间（北京时间）"), widget=forms.TimeInput(attrs={"type": "time"}))
    enabled = forms.BooleanField(required=False, label=gettext_lazy("启用"))


@dataclass(frozen=True)
class AccountRow:
    account: SocialAccount
    last_run: IngestionRun | None  # the latest run that read the platform (never a file upload)
    nights: list
    gap_days: int  # nights of the last HISTORY_NIGHTS with a series lost

    @property
    def needs_reauth(self) -> bool:
        return self.account.status == AccountStatus.NEEDS_REAUTH

    @property
    def reauth_kind(self) -> str:
        return reauth_kind(self.account)


def data_page(*, organization, params) -> dict:
    accounts = list(SocialAccount.objects.filter(organization=organization).order_by("platform", "name"))
    ids = [a.pk for a in accounts]
    last_night = ingestion_services.night_yesterday()
    last_runs = selectors.latest_platform_runs(ids)
    history = selectors.night_history(account_ids=ids, last_night=last_night, nights=HISTORY_NIGHTS)
    run_filter = RunFilterForm(params, organization=organization)
    runs = Paginator(selectors.runs_filtered(organization=organization, **run_filter.filters()), RUNS_PER_PAGE)
    runs_page = runs.get_page(params.get("page"))
    schedule = selectors.nightly_schedule()
    task = schedule.task
    initial = (
        {"at": datetime.time(int(task.crontab.hour), int(task.crontab.minute)), "enabled": task.enabled}
        if (task and task.crontab and task.crontab.hour.isdigit() and task.crontab.minute.isdigit())
        else {}
    )
    return {
        "status_accounts": [
            AccountRow(a, last_runs.get(a.pk), history[a.pk], sum(n.state == selectors.GAP for n in history[a.pk]))
            for a in accounts
        ],
        "history_nights": HISTORY_NIGHTS,
        "runs": runs_page,
        "run_filter": run_filter,
        "runs_query": _query(params, drop="page"),
        "failed_runs": sum(1 for r in runs_page if r.status == RunStatus.FAILED),
        "schedule": schedule,
        "schedule_form": ScheduleForm(initial=initial),
        "schedule_at": initial["at"].strftime("%H:%M") if initial else "",
    }


def _query(params, *, drop: str) -> str:
    query = params.copy()
    query.pop(drop, None)
    return query.urlencode()


def run_detail(*, organization, run_id: int) -> dict | None:
    run = selectors.runs_filtered(organization=organization).filter(pk=run_id).first()
    if run is None:
        return None
    return {
        "run": run,
        "rows": [(str(TABLE_LABELS.get(table, table)), n) for table, n in run.rows_by_table.items()],
        "can_retry": run.source != RunSource.FILE and run.status in ingestion_services.RETRYABLE,
    }


# --- actions ------------------------------------------------------------------------------------


def run_retry(*, run: IngestionRun) -> Outcome:
    try:
        new = ingestion_services.run_window_retry(run=run)
    except ValidationError as exc:
        return Outcome(False, "; ".join(exc.messages))
    return Outcome(
        True,
        _("已重新排队这个时间窗（%(start)s 至 %(end)s），新的运行编号 #%(run)s。")
        % {"start": new.window_start, "end": new.window_end, "run": new.pk},
        run_id=new.pk,
    )


def schedule_change(*, data) -> Outcome:
    form = ScheduleForm(data)
    if not form.is_valid():
        return Outcome(False, "; ".join(e for errors in form.errors.values() for e in errors))
    at = form.cleaned_data["at"]
    ingestion_services.nightly_schedule_update(hour=at.hour, minute=at.minute, enabled=form.cleaned_data["enabled"])
    if not form.cleaned_data["enabled"]:
        return Outcome(True, _("每日同步已暂停。"))
    return Outcome(True, _("每日同步改为每天 %(at)s（北京时间）。") % {"at": at.strftime("%H:%M")})


# --- reconnect ("重新授权") -----------------------------------------------------------------------

REAUTH_SESSION_KEY = "dashboards_reauth_states"
REAUTH_STATE_SECONDS = 15 * 60


def reauth_kind(account) -> str:
    """ "oauth", "credentials", or "" when the platform has no reconnect flow here."""
    return (
        "oauth"
        if account.platform in reauth.OAUTH_FLOWS
        else ("credentials" if account.platform in reauth.CREDENTIAL_FORMS else "")
    )


def reauth_state_issue(session, account) -> str:
    """A one-time `state` binding the platform's answer to this browser session and account."""
    states = {s: v for s, v in session.get(REAUTH_SESSION_KEY, {}).items() if v[1] > time.time()}
    state = secrets.token_urlsafe(24)
    states[state] = [account.pk, time.time() + REAUTH_STATE_SECONDS]
    session[REAUTH_SESSION_KEY] = states
    return state


def reauth_state_take(session, state: str) -> int | None:
    """The account the state was issued for (once), None if unknown, used or expired."""
    states = session.get(REAUTH_SESSION_KEY, {})
    entry = states.pop(state, None) if state else None
    session[REAUTH_SESSION_KEY] = states
    return entry[0] if entry and entry[1] > time.time() else None


def oauth_finish(*, account, code: str, redirect_uri: str) -> Outcome:
    try:
        reauth.oauth_complete(account=account, code=code, redirect_uri=redirect_uri)
    except reauth.ReauthError as exc:
        return Outcome(False, _("重新授权没有完成，原有授权未改动：%(error)s") % {"error": exc})
    return Outcome(True, _("%(account)s 已重新授权，下次同步会补读缺失的日期。") % {"account": account})


class CredentialsForm(forms.Form):
    """The platform's credential fields; secrets are never shown back and a blank one keeps the stored value."""

    def __init__(self, data=None, *, account):
        super().__init__(data)
        for key, secret in reauth.CREDENTIAL_FORMS[account.platform].items():
            label = reauth.FIELD_LABELS.get(key, key)
            if secret:
                self.fields[key] = forms.CharField(
                    label=label,
                    required=not account.credentials.get(key),
                    strip=True,
                    widget=forms.PasswordInput(
                        render_value=False,
                        attrs={
                            "placeholder": _("已保存；留空则不修改") if account.credentials.get(key) else "",
                            "autocomplete": "new-password",
                        },
                    ),
                )
            else:
                self.fields[key] = forms.CharField(label=label, initial=account.credentials.get(key, ""))


def credentials_save(*, account, data) -> tuple[Outcome | None, CredentialsForm]:
    form = CredentialsForm(data, account=account)
    if not form.is_valid():
        return None, form
    try:
        reauth.credentials_replace(account=account, values=form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, "; ".join(exc.messages))
        return None, form
    return Outcome(True, _("%(account)s 的授权信息已更新，下次同步会补读缺失的日期。") % {"account": account}), form
