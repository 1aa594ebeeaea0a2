"""One error body for every API failure: `{"type", "errors": [{"code", "detail", "attr"}]}`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from analytics.errors import QueryError
from ingestion.queueing import QUEUE_RETRY_AFTER_SECONDS, QueueUnavailable


def _flatten(detail, attr=None):
    """Nested DRF error details → flat list; `attr` is the dotted path of the field."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key == api_settings.NON_FIELD_ERRORS_KEY else key
            yield from _flatten(value, f"{attr}.{name}" if attr and name else (name or attr))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            yield from _flatten(value, f"{attr}.{index}" if nested and attr else attr)
    else:
        yield {"code": getattr(detail, "code", None) or "invalid", "detail": str(detail), "attr": attr}


def error_body(exc: exceptions.APIException) -> dict:
    kind = "validation_error" if isinstance(exc, exceptions.ValidationError) else "client_error"
    return {"type": kind, "errors": list(_flatten(exc.detail))}


class QueueDown(exceptions.APIException):
    status_code = 503
    default_code = "queue_unavailable"
    wait = QUEUE_RETRY_AFTER_SECONDS  # answered as Retry-After


def exception_handler(exc, context):
    if isinstance(exc, QueueUnavailable):  # before ValidationError, which it is for the dashboards
        exc = QueueDown(exc.messages[0])
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, QueryError):
        detail = [exceptions.ErrorDetail(str(exc), code=exc.code)]
        exc = exceptions.ValidationError({exc.field: detail} if exc.field else detail)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer 500
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(error_body(exc), status=exc.status_code, headers=headers)
