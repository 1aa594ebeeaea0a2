"""Django's error pages, except under /api/: there every error is the API's JSON error body."""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def json_error(status: int, code: str, detail: str) -> JsonResponse:
    kind = "server_error" if status >= 500 else "client_error"
    return JsonResponse({"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status)


def _api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception):
    if _api(request):
        return json_error(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return json_error(403, "permission_denied", "You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _api(request):
        return json_error(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return json_error(500, "server_error", "Server error: it is logged and will be looked at. Please retry later.")
    return defaults.server_error(request)
