"""OpenAPI details drf-spectacular cannot infer: the Api-Key scheme and the error responses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_STATUSES = ("400", "401", "403", "404", "429")


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["validation_error", "client_error"])
    errors = ErrorItemSerializer(many=True)


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ERROR_STATUSES:
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, ["application/json"], direction)
            )
        return responses


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.OrganizationAPIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` (from `manage.py create_api_key`). A key acts for its organization "
            "with analyst rights.",
        }
