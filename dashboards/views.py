"""Thin views: parse the query with a form, call one page function, render or download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role

from . import glossary as kpi_glossary
from . import pages, status
from .context import can_change_data, filter_form, organization_required, organization_switch, page_context
from .exports import table_download
from .forms import ContentSortForm, ImportForm, SyncForm

VIEWER_MESSAGE = gettext_lazy("查看者只能看数据；同步和导入需要分析师或所有者权限。")


def _respond(request, template: str, context: dict):
    """Render the page, or download one of its tables when ?export=<table>&format=csv|xlsx."""
    wanted = request.GET.get("export")
    if wanted:
        table = next((t for t in context.get("tables", []) if t.key == wanted), None)
        if table is None:
            return HttpResponse(_("没有这个表格：%(name)s") % {"name": wanted}, status=404, content_type="text/plain")
        filters = context["filters"]
        return table_download(table, request.GET.get("format", "csv"), suffix=f"{filters.start}_{filters.end}")
    return render(request, template, context)


def _dashboard(request, page: str, build):
    context = page_context(request, filter_form(request), page=page)
    return _respond(request, f"dashboards/{page}.html", context | build(request.organization, context["filters"]))


@organization_required
def overview(request):
    return _dashboard(request, "overview", pages.overview)


@organization_required
def drilldown(request):
    return _dashboard(request, "drilldown", pages.drilldown)


@organization_required
def content(request):
    form = ContentSortForm(request.GET)
    sort, view = form.sort_key(), form.view_key()
    return _dashboard(request, "content",
                      lambda organization, filters: pages.content(organization, filters, sort, view))


@organization_required
def campaigns(request):
    return _dashboard(request, "campaigns", pages.campaigns)


@organization_required
def glossary(request):
    context = page_context(request, filter_form(request), page="glossary")
    return render(request, "dashboards/glossary.html",
                  context | {"rules": kpi_glossary.RULES, "entries": kpi_glossary.entries()})


@organization_required
def post_detail(request, post_id: int):
    context = page_context(request, filter_form(request), page="content")
    detail = pages.post_detail(request.organization, context["filters"], post_id)
    if detail is None:
        return HttpResponse(_("没有这篇作品。"), status=404, content_type="text/plain")
    return _respond(request, "dashboards/post_detail.html", context | detail)


@organization_required
def data_status(request):
    """Upload form: a valid upload is imported, its outcome kept in the session and the browser redirected
    back here (POST/redirect/GET), so refreshing the page never imports the file again."""
    context = page_context(request, filter_form(request), page="status")
    import_form = ImportForm(organization=request.organization)
    if request.method == "POST":
        import_form = ImportForm(request.POST, request.FILES, organization=request.organization)
        if not context["can_change_data"]:
            import_form.add_error(None, VIEWER_MESSAGE)
        elif import_form.is_valid():
            status.import_result_keep(request.session, status.file_upload_import(**import_form.cleaned_data))
            return redirect(request.get_full_path())
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    result = status.import_result_pop(request.session) if request.method == "GET" else None
    context |= status.data_page(organization=request.organization, params=request.GET)
    context |= {"import_form": import_form, "import_result": result, "is_owner": Role.allows(request.role, Role.OWNER)}
    status_code = 200 if not import_form.errors else 403 if not context["can_change_data"] else 400
    return render(request, "dashboards/status.html", context, status=status_code)


@require_POST
@organization_required
def sync_now(request):
    form = SyncForm(request.POST, organization=request.organization)
    if not can_change_data(request):
        messages.error(request, VIEWER_MESSAGE)
    elif form.is_valid():
        outcome = status.account_sync_request(**form.cleaned_data)
        (messages.success if outcome.ok else messages.error)(request, outcome.message)
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("dashboards:data_status") + "?" + request.POST.get("qs", ""))


@organization_required
def import_template(request, kind: str):
    template = status.blank_template(kind)
    if template is None:
        return HttpResponse(_("没有这种模板：%(kind)s") % {"kind": kind}, status=404, content_type="text/plain")
    content, file_name = template
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@require_POST
@login_required
def switch_organization(request):
    if not organization_switch(request, request.POST.get("organization", "")):
        messages.error(request, _("你不是该组织的成员。"))
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    # The account filter belongs to the previous organization: drop the query string.
    return redirect(target.split("?")[0] if safe and target else "dashboards:overview")
