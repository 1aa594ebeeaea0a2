"""Importing this module registers every platform connector."""

from . import douyin, wechat  # noqa: F401
