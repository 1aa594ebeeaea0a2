"""The reports page (schedules, send now, history with downloads and failures), the printable report
page for any window, and the report files."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.calendar import local_today
from dashboards.context import can_change_data, filter_form, organization_required, page_context

from . import builder, selectors, services
from .forms import ScheduleForm, WindowForm
from .models import Report, ReportSchedule
from .periods import MONTH, report_window

VIEWER_MESSAGE = gettext_lazy("查看者只能看报表；管理定时报表需要分析师或所有者权限。")
MIMETYPES = {"pdf": "application/pdf", "xlsx": services.XLSX_MIMETYPE}


@organization_required
def reports_page(request):
    form, status = ScheduleForm(), 200
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if not can_change_data(request):
            form.add_error(None, VIEWER_MESSAGE)
        elif form.is_valid():
            try:
                services.schedule_create(organization=request.organization, **form.service_kwargs())
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("已添加定时报表「%(name)s」。") % {"name": form.cleaned_data["name"]})
                return redirect("reports:index")
        status = 403 if not can_change_data(request) else 400
    start, end = report_window(MONTH, local_today())
    history = list(selectors.report_history(organization=request.organization))
    context = page_context(request, filter_form(request), page="reports") | {
        "schedule_form": form,
        "window_form": WindowForm(initial={"start": start, "end": end}),
        "schedules": selectors.schedules(organization=request.organization),
        "history": history,
        "failures": [r for r in history if r.failed],
    }
    return render(request, "reports/index.html", context, status=status)


@require_POST
@organization_required
def schedule_send(request, schedule_id: int):
    schedule = get_object_or_404(ReportSchedule, pk=schedule_id, organization=request.organization)
    if not can_change_data(request):
        messages.error(request, VIEWER_MESSAGE)
    else:
        report = services.schedule_report_request(schedule=schedule, day=local_today())
        messages.success(
            request, _("报表 %(start)s – %(end)s 已进入队列，生成后发送。") % {"start": report.start, "end": report.end}
        )
    return redirect("reports:index")


@require_POST
@organization_required
def schedule_delete(request, schedule_id: int):
    schedule = get_object_or_404(ReportSchedule, pk=schedule_id, organization=request.organization)
    if not can_change_data(request):
        messages.error(request, VIEWER_MESSAGE)
    else:
        schedule.delete()
        messages.success(request, _("已删除定时报表「%(name)s」。") % {"name": schedule.name})
    return redirect("reports:index")


@require_POST
@organization_required
def window_build(request):
    """Build the PDF and XLSX of any window in the background; they appear in the history."""
    form = WindowForm(request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            messages.error(request, " ".join(problems))
    else:
        services.report_request(
            organization=request.organization, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
        messages.success(request, _("报表已进入队列，生成后出现在下方的历史里。"))
    return redirect("reports:index")


@organization_required
def report_view(request):
    """The report as a printable page for `?start&end` (default: last month)."""
    default_start, default_end = report_window(MONTH, local_today())
    form = WindowForm(request.GET or {"start": default_start, "end": default_end})
    if not form.is_valid():
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content = selectors.report_content(organization=request.organization, **form.cleaned_data)
    html = builder.report_html(
        content, for_pdf=False, asset_url=static, back_url=reverse("reports:index")
    )
    return HttpResponse(html)


@organization_required
def report_download(request, report_id: int, fmt: str):
    if fmt not in MIMETYPES:
        raise Http404
    report = get_object_or_404(
        Report.objects.select_related("organization"), pk=report_id, organization=request.organization
    )
    return file_response(report, fmt)


def file_response(report: Report, fmt: str) -> HttpResponse:
    data = getattr(report, fmt)
    if not data:
        raise Http404("this report has no file of that format (not built, or the build failed)")
    response = HttpResponse(bytes(data), content_type=MIMETYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{services.report_filename(report, fmt)}"'
    return response
