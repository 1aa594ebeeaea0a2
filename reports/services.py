"""Writes for reports: schedules, requesting a report, building its files, delivering them, retention."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import channels as delivery
from dashboards.formatting import change as format_change
from dashboards.formatting import metric_value

from . import builder, selectors
from .models import FORMATS, Period, Report, ReportSchedule, ReportStatus
from .periods import is_due, report_window

logger = logging.getLogger(__name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- schedules


def _schedule_errors(values: dict) -> dict[str, str]:
    errors = {}
    if not str(values.get("name") or "").strip():
        errors["name"] = "a schedule needs a name"
    if values.get("period") not in Period.values:
        errors["period"] = f"unknown period {values.get('period')!r}; expected week or month"
    formats = values.get("formats")
    if not isinstance(formats, list | tuple) or not formats or any(f not in FORMATS for f in formats):
        errors["formats"] = f"a non-empty list of {', '.join(FORMATS)}"
    for address in values.get("recipients") or []:
        try:
            EmailValidator()(address)
        except ValidationError:
            errors["recipients"] = f"{address!r} is not an email address"
    for index, channel in enumerate(values.get("channels") or []):
        problems = delivery.channel_errors(channel)
        if problems:
            errors["channels"] = f"channel {index + 1}: " + "; ".join(f"{k}: {v}" for k, v in problems.items())
    return errors


def schedule_create(
    *,
    organization,
    name: str,
    period: str,
    formats=FORMATS,
    recipients=(),
    channels=(),
    send_at: dt.time = dt.time(9, 0),
    enabled: bool = True,
) -> ReportSchedule:
    values = {
        "name": name,
        "period": period,
        "formats": list(formats),
        "recipients": list(recipients),
        "channels": list(channels),
    }
    errors = _schedule_errors(values)
    if errors:
        raise ValidationError(errors)
    values["formats"] = list(dict.fromkeys(values["formats"]))  # ["pdf", "pdf"] is one PDF
    schedule = ReportSchedule(
        organization=organization, send_at=send_at, enabled=enabled, **{k: v for k, v in values.items() if k != "channels"}
    )
    schedule.channels = values["channels"]
    schedule.save()
    return schedule


def schedule_update(*, schedule: ReportSchedule, **changes) -> ReportSchedule:
    values = {
        "name": schedule.name,
        "period": schedule.period,
        "formats": schedule.formats,
        "recipients": schedule.recipients,
        "channels": schedule.channels,
    }
    values |= {k: list(v) if k in ("formats", "recipients", "channels") else v for k, v in changes.items() if k in values}
    errors = _schedule_errors(values)
    if errors:
        raise ValidationError(errors)
    values["formats"] = list(dict.fromkeys(values["formats"]))  # ["pdf", "pdf"] is one PDF
    for field in ("name", "period", "formats", "recipients"):
        setattr(schedule, field, values[field])
    schedule.channels = values["channels"]
    for field in ("send_at", "enabled"):
        if field in changes:
            setattr(schedule, field, changes[field])
    schedule.save()
    return schedule


# ---------------------------------------------------------------- requesting a report


def report_request(*, organization, start: dt.date, end: dt.date, schedule=None, inline: bool = False) -> Report:
    """Queue (or with `inline`, run here) the report of a window. A schedule's period has one report:
    asking again rebuilds and re-delivers that row."""
    from .tasks import report_build_deliver

    with transaction.atomic():
        if schedule is not None:
            report, _created = Report.objects.update_or_create(
                schedule=schedule,
                start=start,
                end=end,
                defaults={"organization": organization, "status": ReportStatus.QUEUED, "error": "", "deliveries": []},
            )
        else:
            report = Report.objects.create(organization=organization, start=start, end=end)
        if not inline:
            transaction.on_commit(lambda: report_build_deliver.delay(report.pk))
    if inline:
        report_run(report=report)
    return report


def schedule_report_request(*, schedule: ReportSchedule, day: dt.date, inline: bool = False) -> Report:
    """The report of the period that ended before `day`, as the schedule sends it."""
    start, end = report_window(schedule.period, day)
    return report_request(organization=schedule.organization, start=start, end=end, schedule=schedule, inline=inline)


def due_reports_request(*, now: dt.datetime | None = None) -> list[Report]:
    """What the beat task runs: every enabled schedule whose current report is due and not yet requested."""
    now = timezone.localtime(now or timezone.now())
    requested = []
    for schedule in ReportSchedule.objects.filter(enabled=True).select_related("organization"):
        if not is_due(
            period=schedule.period,
            send_at=schedule.send_at,
            now=now,
            created_on=timezone.localtime(schedule.created_at).date(),
        ):
            continue
        start, end = report_window(schedule.period, now.date())
        if not Report.objects.filter(schedule=schedule, start=start, end=end).exists():
            requested.append(schedule_report_request(schedule=schedule, day=now.date()))
    return requested


# ---------------------------------------------------------------- building and delivering


def report_build(*, report: Report) -> dict:
    """Build both files into the report row; returns the content (for the delivery summary)."""
    began = time.monotonic()
    content = selectors.report_content(organization=report.organization, start=report.start, end=report.end)
    report.xlsx = builder.report_xlsx(content)
    report.pdf = builder.report_pdf(content)
    report.pdf_size, report.xlsx_size = len(report.pdf), len(report.xlsx)
    report.build_seconds = round(time.monotonic() - began, 2)
    report.status = ReportStatus.BUILT
    report.save(update_fields=["pdf", "xlsx", "pdf_size", "xlsx_size", "build_seconds", "status"])
    return content


def report_filename(report: Report, fmt: str) -> str:
    return f"{report.organization.slug}-report-{report.start.isoformat()}-{report.end.isoformat()}.{fmt}"


def report_message(report: Report, content: dict, formats) -> delivery.Message:
    """The summary every channel carries (headline and what changed), the link to the report's history,
    and the files (email attaches them, WeCom uploads them, DingTalk/Feishu get the link)."""
    kind = _("周报") if (report.end - report.start).days == 6 else _("月报") if report.start.day == 1 else _("报告")
    title = f"{content['organization']} {kind} {content['period_label']}"
    lines = [
        f"{k['label']}: {metric_value(k['name'], k['value'])}（{format_change(k['change'])}）" for k in content["headline"]
    ]
    moved = [
        f"{c['label']} {format_change(c['change'])}"
        + (f"，{_('主要来自')} {c['drivers'][0]['label']}" if c["drivers"] else "")
        for c in content["changes"]
    ]
    link = settings.SITE_URL + reverse("reports:index")
    markdown = "\n".join([*(f"- {line}" for line in lines), *(f"> {m}" for m in moved)])
    text = "\n".join([title, *lines, "", *moved])
    html = f"<h2>{title}</h2><ul>" + "".join(f"<li>{line}</li>" for line in lines + moved) + "</ul>"
    files = {
        "pdf": delivery.Attachment(report_filename(report, "pdf"), bytes(report.pdf), "application/pdf"),
        "xlsx": delivery.Attachment(report_filename(report, "xlsx"), bytes(report.xlsx), XLSX_MIMETYPE),
    }
    return delivery.Message(
        title=title, markdown=markdown, text=text, html=html, link=link, attachments=tuple(files[f] for f in formats)
    )


def report_deliver(*, report: Report, content: dict) -> None:
    schedule = report.schedule
    if schedule is None:
        return
    targets = [{"kind": "email", "address": a} for a in schedule.recipients] + schedule.channels
    message = report_message(report, content, schedule.formats)
    results = []
    for channel in targets:
        result = delivery.send(channel, message)
        results.append(
            {
                "kind": channel["kind"],
                "target": delivery.channel_target(channel),
                "ok": result.ok,
                "code": result.code,
                "detail": result.detail,
            }
        )
    report.deliveries = results
    failed = [r for r in results if not r["ok"]]
    if targets:
        report.status = ReportStatus.DELIVERY_FAILED if failed else ReportStatus.DELIVERED
    report.error = "; ".join(f"{r['kind']} {r['target']}: {r['code']} {r['detail']}" for r in failed)
    report.save(update_fields=["deliveries", "status", "error"])


def report_failed(*, report: Report, reason: str) -> None:
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.BUILD_FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def report_run(*, report: Report) -> Report:
    """Build, then deliver; a failure of either is recorded on the report with its reason, never raised."""
    report.status, report.error = ReportStatus.BUILDING, ""
    report.save(update_fields=["status", "error"])
    try:
        content = report_build(report=report)
    except Exception as error:  # any failure must reach the history with its reason, not only the log
        logger.exception("report %s failed to build", report.pk)
        report_failed(report=report, reason=f"{type(error).__name__}: {error}")
        report.refresh_from_db()
        return report
    report_deliver(report=report, content=content)
    report.finished_at = timezone.now()
    report.save(update_fields=["finished_at"])
    reports_prune()
    return report


def reports_prune(*, now: dt.datetime | None = None) -> int:
    """Delete reports (and their files) older than REPORT_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.REPORT_RETENTION_DAYS)
    deleted, _ = Report.objects.filter(created_at__lt=cutoff).delete()
    return deleted
