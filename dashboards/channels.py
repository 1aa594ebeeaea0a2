"""The 视频号 page's own table: the Official Account followers WeChat Channels brought.

getusersummary splits an Official Account's new followers by `user_source`; 200 and 201 are
WeChat Channels (videos and live streams). The split is stored per account, day and source
(`FollowerSourceDay`) and summed here in SQL over the organization's Official Accounts.
"""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Platform
from analytics.models import FollowerSourceDay

from .tables import Column, Table

CHANNELS_SOURCES = {200: _("视频号"), 201: _("视频号直播")}


def oa_followers_from_channels(organization, start, end) -> Table:
    days = (
        FollowerSourceDay.objects.filter(
            account__organization=organization,
            account__platform=Platform.WECHAT,
            date__range=(start, end),
            source__in=list(CHANNELS_SOURCES),
        )
        .values("date")
        .annotate(
            **{f"source_{s}": Sum("followers_gained", filter=Q(source=s)) for s in CHANNELS_SOURCES},
            total=Sum("followers_gained"),
        )
        .order_by("-date")
    )
    return Table(
        "oa_followers_from_channels",
        _("公众号新增关注（来自视频号）"),
        [
            Column("date", _("日期"), "date"),
            *(Column(f"source_{s}", label, "count") for s, label in CHANNELS_SOURCES.items()),
            Column("total", _("合计"), "count"),
        ],
        list(days),
        empty=_("所选时间段没有来自视频号的公众号新增关注（需要同一组织里接入公众号）。"),
    )
