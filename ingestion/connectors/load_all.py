"""Importing this module registers every platform connector."""

from . import bilibili, douyin, wechat  # noqa: F401
