"""Xiaohongshu 聚光 Marketing API: the daily offline account report, paged."""

from __future__ import annotations

from . import auth, world
from .protocol import Reply, Request, days, int_param, parse_date

NAME = "xiaohongshu"
PREFIX = "/api/open"  # XHS_ADS_API_BASE points at http://host:port/api/open, as the real base does
PREFIXES = (PREFIX + "/",)
TOKEN_PATHS = ()
API_BASES = {"XHS_ADS_API_BASE": PREFIX}  # setting → path under the sandbox root
REPORT_PATH = PREFIX + "/jg/data/report/offline/account"
ERRORS = {  # (HTTP status, code, msg): token and rate problems come with their HTTP status
    "token_expired": (401, 401, "access_token已过期"),
    "token_invalid": (401, 401, "access_token无效"),
    "rate_limit": (429, 429, "请求过于频繁，超出限流"),
    "busy": (503, 500, "系统繁忙，请稍后重试"),
    "bad_request": (200, 40010, "参数错误"),
    "not_found": (404, 404, "接口不存在"),
    "forbidden": (403, 403, "无权访问该广告主"),
}


def error(kind: str, request: Request, message: str = "") -> Reply:
    status, code, text = ERRORS[kind]
    return Reply({"success": False, "code": code, "msg": f"{text}: {message}" if message else text, "data": None},
                 status=status)


def handle(request: Request) -> Reply:
    if request.path != REPORT_PATH or request.method != "POST":
        return error("not_found", request, request.path)
    key = auth.access_key(request.headers.get("Access-Token"))
    if key is None:
        return error("token_invalid", request)
    body = request.json()
    advertiser_id = str(body.get("advertiser_id", ""))
    if advertiser_id != key:
        return error("forbidden", request, f"advertiser_id {advertiser_id!r}")
    start, end = parse_date(body.get("start_date"), "start_date"), parse_date(body.get("end_date"), "end_date")
    if body.get("time_unit", "DAY") != "DAY":
        return error("bad_request", request, "time_unit must be DAY")
    if end < start or end > request.state.yesterday():
        return error("bad_request", request, "start_date <= end_date <= yesterday")
    page_num = int_param(body, "page_num", 1, 1, 10**6)
    page_size = int_param(body, "page_size", 20, 1, 1000)
    rows = []
    for day in days(start, end):
        if (ads := world.ads_day(request.state.seed, advertiser_id, day)) is None:
            continue
        interaction = ads.like + ads.comment + ads.collect + ads.share
        rows.append({
            "time": day.isoformat(), "fee": ads.fee, "impression": ads.impression, "click": ads.click,
            "ctr": round(ads.click / ads.impression, 4) if ads.impression else 0,
            "acp": round(ads.fee / ads.click, 2) if ads.click else 0,
            "cpm": round(ads.fee / ads.impression * 1000, 2) if ads.impression else 0,
            "like": ads.like, "comment": ads.comment, "collect": ads.collect, "share": ads.share,
            "follow": ads.follow, "interaction": interaction,
            "goods_order": ads.goods_order, "rgmv": ads.rgmv, "leads": ads.leads,
        })
    page = rows[(page_num - 1) * page_size:page_num * page_size]
    return Reply({"success": True, "code": 0, "msg": "", "data": {"data_list": page, "total_count": len(rows)}})
