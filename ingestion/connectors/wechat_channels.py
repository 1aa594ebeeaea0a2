"""WeChat Channels (视频号): the follower count through the bound Official Account (PLATFORMS.md, "WeChat").

Channels has no content API: videos come from the 视频号助手 "下载表格" export (import kind
`channels_videos`). With the bound Official Account's `appid`/`secret`, the nightly sync stores
`finder_attr.fans_count` as the day's followers (a snapshot: there is no history to ask for).
The token is the Official Account's, cached and refreshed exactly as `wechat.py` does.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import Platform
from ingestion.records import AccountDay, Batch

from .base import register
from .dates import snapshot_day
from .http import Reader
from .wechat import WeChatConnector

FINDER_ENDPOINT = "/channels/finderlive/get_finder_attr_by_appid"


@register
class WeChatChannelsConnector(WeChatConnector):
    platform = Platform.WECHAT_CHANNELS
    comments = None  # 视频号 comments have no API here (the article comment/list is the Official Account's)

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        day = snapshot_day(self.account, start, end)
        if day is None:
            return Batch()
        reader = Reader("wechat_channels", FINDER_ENDPOINT)
        attr = reader.dict(self._request("POST", FINDER_ENDPOINT, json={}), "finder_attr")
        return Batch(account_days=[AccountDay(date=day, followers=reader.int(attr, "fans_count"))])
