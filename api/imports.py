"""`POST /api/v1/accounts/{id}/imports/`: the upload is stored and imported by a worker, never in the
request. The answer is 202 with the queued run (poll `ingestion-runs/{run}/`: parsing with
`rows_read`, then succeeded or failed); `?wait=N` waits up to N seconds (at most
`IMPORT_WAIT_MAX_SECONDS`) and then answers a small file's result as before: 201, or 400 with
every problem."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from ingestion.importers import service as import_service
from ingestion.models import IngestionRun, RunStatus

from . import serializers as s


class ImportQuerySerializer(serializers.Serializer):
    wait = serializers.FloatField(
        required=False,
        default=0,
        min_value=0,
        help_text="seconds to wait for the result (at most IMPORT_WAIT_MAX_SECONDS); 0: answer 202 at once",
    )


class ImportAcceptedSerializer(serializers.Serializer):
    run = serializers.IntegerField(help_text="the IngestionRun id; poll /api/v1/ingestion-runs/{run}/")
    status = serializers.CharField(help_text="queued, parsing, succeeded or failed")
    file_name = serializers.CharField()
    rows_read = serializers.IntegerField(help_text="file rows read so far")
    error = serializers.CharField()


def import_error_body(run: IngestionRun) -> dict:
    """A failed import's 400 body: one error per problem with its row, column and value."""
    report = run.import_report
    problems = report.get("problems") or [{"row": None, "column": "", "value": "", "detail": run.error}]
    return {
        "type": "validation_error",
        "file": report.get("file", run.file_name),
        "run": run.pk,
        "truncated": report.get("truncated", False),
        "errors": [
            {
                "code": "invalid_file",
                "detail": p["detail"],
                "attr": "file",
                "row": p["row"],
                "column": p["column"],
                "value": p["value"],
            }
            for p in problems
        ],
    }


def import_accept(request, account) -> Response:
    body = s.ImportRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    query = ImportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    upload = body.validated_data["file"]
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise exceptions.ValidationError(
            {
                "file": [
                    exceptions.ErrorDetail(
                        f"{upload.name} is {upload.size} bytes; the limit is {settings.IMPORT_MAX_BYTES} bytes.",
                        code="file_too_large",
                    )
                ]
            }
        )
    run = import_service.import_request(
        account=account, file=upload, file_name=upload.name, kind=body.validated_data["kind"]
    )
    wait = min(query.validated_data["wait"], settings.IMPORT_WAIT_MAX_SECONDS)
    run = import_service.import_run_wait(run=run, seconds=wait) if wait else run
    if run.status == RunStatus.SUCCEEDED:
        return Response({"run": run.pk, **run.import_report["result"]}, status=status.HTTP_201_CREATED)
    if run.status == RunStatus.FAILED:
        return Response(import_error_body(run), status=status.HTTP_400_BAD_REQUEST)
    accepted = {
        "run": run.pk,
        "status": run.status,
        "file_name": run.file_name,
        "rows_read": run.rows_read,
        "error": run.error,
    }
    return Response(accepted, status=status.HTTP_202_ACCEPTED)
