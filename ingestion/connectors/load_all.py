"""Importing this module registers every platform connector."""

from . import bilibili, douyin, wechat, weibo  # noqa: F401
