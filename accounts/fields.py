"""A JSON field stored encrypted at rest (Fernet, keys from FIELD_ENCRYPTION_KEY)."""

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be comma-separated Fernet keys "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        ) from exc


def encrypt_json(value) -> str:
    return _fernet().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def decrypt_json(token: str):
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ImproperlyConfigured("stored credentials cannot be decrypted with FIELD_ENCRYPTION_KEY") from exc


class EncryptedJSONField(models.TextField):
    """Holds a dict in Python and an opaque Fernet token in the database."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        return decrypt_json(value)

    def to_python(self, value):
        if isinstance(value, dict) or value is None:
            return value or {}
        return decrypt_json(value)

    def get_prep_value(self, value):
        return encrypt_json(value or {})
