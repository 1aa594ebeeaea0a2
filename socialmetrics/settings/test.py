"""The test suite's settings: the base ones with a fast password hasher (users are created by the hundred)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
