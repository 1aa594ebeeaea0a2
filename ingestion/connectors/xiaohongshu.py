"""Xiaohongshu 聚光 Marketing API: the daily account report as campaign results (PLATFORMS.md, "Xiaohongshu").

Organic note data has no official API; it comes in through the creator-centre exports.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from accounts.models import Platform
from ingestion.records import Batch, CampaignDay

from .base import AuthError, Connector, register
from .http import ErrorCodes, PlatformClient, Reader

PAGE_SIZE = 500  # the API allows up to 1000
ENGAGEMENT_FIELDS = ("like", "comment", "collect", "share")
CONVERSION_FIELDS = ("goods_order", "leads")  # 商品订单 and 留资 (leads) both count as conversions


def _sum_reported(reader: Reader, row: dict, fields: tuple[str, ...]) -> int | None:
    """The sum of the fields the row reports; None when it reports none of them."""
    reported = [n for n in (reader.int(row, field) for field in fields) if n is not None]
    return sum(reported) if reported else None


def _interactions(reader: Reader, row: dict) -> int | None:
    """The report's own `interaction` total, else the sum of its parts."""
    total = reader.int(row, "interaction")
    return total if total is not None else _sum_reported(reader, row, ENGAGEMENT_FIELDS)


# `success: false` or a non-zero code is an error; token and rate problems arrive as HTTP 401/403/429.
# The official SDK reads the envelope as `code`/`msg` or as `errorCode`/`errorMsg`/`message`.
ERRORS = ErrorCodes(
    code_field="code", alt_code_fields=("errorCode",), text_fields=("msg", "errorMsg", "message"),
    success_flag="success",
)


def campaign_name(advertiser_id: str) -> str:
    return f"聚光投放 {advertiser_id}"


@register
class XiaohongshuAdsConnector(Connector):
    platform = Platform.XIAOHONGSHU

    def __init__(self, account):
        super().__init__(account)
        self.client = PlatformClient("xiaohongshu", settings.XHS_ADS_API_BASE, ERRORS.check)

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        advertiser_id = str(self.account.credentials.get("advertiser_id") or "")
        token = self.account.credentials.get("access_token")
        if not advertiser_id or not token:
            raise AuthError("xiaohongshu: the account's credentials lack advertiser_id or access_token")
        endpoint = "/jg/data/report/offline/account"
        reader = Reader("xiaohongshu", endpoint)
        name, days, page = campaign_name(advertiser_id), [], 1
        while True:
            payload = self.client.request("POST", endpoint, headers={"Access-Token": token}, json={
                "advertiser_id": int(advertiser_id) if advertiser_id.isdigit() else advertiser_id,
                "start_date": start.isoformat(), "end_date": end.isoformat(), "time_unit": "DAY",
                "page_num": page, "page_size": PAGE_SIZE,
            })
            data = reader.dict(payload, "data")
            rows = reader.rows(data, "data_list")
            for row in rows:
                days.append(CampaignDay(
                    campaign=name, date=reader.date(row, "time"), spend=reader.decimal(row, "fee"),
                    impressions=reader.int(row, "impression"), clicks=reader.int(row, "click"),
                    engagements=_interactions(reader, row),
                    conversions=_sum_reported(reader, row, CONVERSION_FIELDS),
                    revenue=reader.decimal(row, "rgmv"), followers_gained=reader.int(row, "follow"),
                ))
            total = reader.int(data, "total_count")
            done = len(rows) < PAGE_SIZE if total is None else page * PAGE_SIZE >= total
            if not rows or done:
                return Batch(campaign_days=[d for d in days if start <= d.date <= end])
            page += 1
