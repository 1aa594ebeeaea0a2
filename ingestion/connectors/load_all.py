"""Importing this module registers every platform connector."""

from . import wechat  # noqa: F401
