"""The data-status page's actions: sync now, upload an export file, download a blank template.

Each calls the ingestion service that owns the work and turns its outcome into what the
page shows; nothing here writes to the database itself.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ingestion import services as ingestion_services
from ingestion.importers import TEMPLATE_KINDS, template_csv, templates
from ingestion.importers import service as import_service
from ingestion.models import RunStatus

SESSION_IMPORT_KEY = "dashboards_import_result"
TABLE_LABELS = {"account_days": gettext_lazy("账号日数据"), "posts": gettext_lazy("作品"),
                "post_days": gettext_lazy("作品日数据"), "campaign_days": gettext_lazy("投放日数据")}


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
    return Outcome(True, _("已排队同步 %(account)s（%(start)s 至 %(end)s），运行编号 #%(run)s。")
                   % {"account": account, "start": start, "end": end, "run": run.pk}, run_id=run.pk)


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
        True, _("已导入 %(file)s（%(kind)s）。") % {"file": result["file_name"], "kind": result["layout"]},
        rows=[(str(TABLE_LABELS.get(table, table)), n) for table, n in result["rows"].items() if n],
        date_start=result["date_start"] and datetime.date.fromisoformat(result["date_start"]),
        date_end=result["date_end"] and datetime.date.fromisoformat(result["date_end"]), run_id=run.pk,
    )


def blank_template(kind: str) -> tuple[bytes, str] | None:
    """(CSV bytes, file name) of a blank import template, None for an unknown kind."""
    if kind not in TEMPLATE_KINDS:
        return None
    return template_csv(kind), templates.template_filename(kind)
