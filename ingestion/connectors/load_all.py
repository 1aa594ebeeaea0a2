"""Importing this module registers every platform connector."""

from . import bilibili, douyin, wechat, weibo, xiaohongshu  # noqa: F401
