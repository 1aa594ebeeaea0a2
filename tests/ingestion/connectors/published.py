"""The platforms' own published example answers and error tables, each with its source.

Connector tests feed these to the connectors through a local HTTP server; `test_published_errors.py`
checks every connector's error-code table against the tables here, so a code cannot be given a
class the platform's documentation contradicts without a failing test.
"""

from ingestion.connectors.base import AuthError, PlatformDataError, QuotaExceeded, TokenExpired, TransientError

# --- Kuaishou -------------------------------------------------------------------------------
# Source: 快手开放平台 "refreshToken" (GET /oauth2/refresh_token), Success Response example
# (apifox.com/apidoc/project-462993/api-7075071); `refresh_token_expires_in` is inherited from the
# refresh token before ("过期时间不会延期").
KUAISHOU_REFRESH = {
    "result": 1,
    "access_token": "xxxxxxx",
    "expires_in": 3600,
    "refresh_token": "xxxxxx",
    "refresh_token_expires_in": 648000,
    "scopes": ["user_info"],
}
# Source: 快手开放平台 GetUserInfo (openapi/user_info): user_info {name, sex, fan, follow, head, bigHead, city};
# the field list as in the open platform's TypeScript typings of the same answer (KwaiUserInfo).
KUAISHOU_USER_INFO = {
    "result": 1,
    "user_info": {
        "name": "快手用户",
        "sex": "F",
        "fan": 2856,
        "follow": 120,
        "head": "https://p2.a.yximgs.com/uhead/a.jpg",
        "bigHead": "https://p2.a.yximgs.com/uhead/a_big.jpg",
        "city": "北京",
    },
}
# Source: 快手开放平台 查询用户视频列表 (openapi/photo/list): video_list items with photo_id, caption, cover,
# play_url, create_time (ms), like_count, comment_count, view_count, pending.
KUAISHOU_PHOTO = {
    "photo_id": "3xqbgjg8kxd2z7q",
    "caption": "秋天第一杯奶茶 #日常",
    "cover": "https://p1.a.yximgs.com/c.jpg",
    "play_url": "https://www.kuaishou.com/short-video/3xqbgjg8kxd2z7q",
    "create_time": 1700000000123,
    "like_count": 1024,
    "comment_count": 56,
    "view_count": 20480,
    "pending": False,
}
KUAISHOU_ERROR_ACCESS_TOKEN_EXPIRED = {"result": 100200108, "error": "access_token_expired", "error_msg": "access_token过期"}
KUAISHOU_ERROR_REFRESH_TOKEN_EXPIRED = {
    "result": 100200113,
    "error": "refresh_token_expired",
    "error_msg": "refresh_token过期",
}
# Source: 快手开放平台 其他 → 错误码 (apifox.com/apidoc/project-462993/doc-355272), oauth2.0 section;
# 400002 "api限速" from the 直播 section of the same table.
KUAISHOU_ERRORS = {
    100200100: ("请求缺少参数或参数类型错误", PlatformDataError),
    100200101: ("无效的client,无效的 app 或 developer", AuthError),
    100200102: ("请求被拒绝,可能是无效的 token 等", TokenExpired),
    100200107: ("无效的 openid", AuthError),
    100200108: ("access_token过期", TokenExpired),
    100200109: ("用户取消该 app 授权", AuthError),
    100200110: ("用户授权过期", AuthError),
    100200111: ("用户未授权过", AuthError),
    100200113: ("refresh_token过期", AuthError),
    100200500: ("服务内部错误", TransientError),
    400002: ("api限速", QuotaExceeded),
    120001: ("视频不存在", PlatformDataError),
}

# --- Douyin ---------------------------------------------------------------------------------
# Source: 抖音开放平台 OpenAPI 状态码排查工具 (developer.open-douyin.com/docs/resource/zh-CN/dop/develop/
# openapi/status-code), 通用状态码(新) and (旧); 10010 from 刷新 access_token (refresh_token 过期).
DOUYIN_ERRORS = {
    28001005: ("系统繁忙,此时请开发者稍候再试", TransientError),
    28001006: ("网络调用错误,请重试", TransientError),
    28001007: ("参数不合法", PlatformDataError),
    28001008: ("access_token过期,请刷新或重新授权", TokenExpired),
    28001012: ("用户未授权该OpenAPI", AuthError),
    28001014: ("应用未授权任何能力", AuthError),
    28001015: ("请求参数 access_token 和 openId不匹配", AuthError),
    28001016: ("当前应用已被封禁或下线", AuthError),
    28001017: ("未知URI", PlatformDataError),
    28001018: ("应用未获得该能力", AuthError),
    28001019: ("当前能力已被封禁或下线", AuthError),
    28001020: ("用户未绑定该测试应用", AuthError),
    28001021: ("测试应用已过期", AuthError),
    28001045: ("用户已注销,因此无法授权或调用该Scope", AuthError),
    28001046: ("用户已被封禁,因此无法授权或调用该Scope", AuthError),
    28001047: ("用户为私密用户,因此无法授权或调用该Scope", AuthError),
    28001052: ("获取平台能力存在异常风险,请稍后再试", QuotaExceeded),
    28001056: ("该能力API已下线,不再支持调用", PlatformDataError),
    28003017: ("quota 已用完", QuotaExceeded),
    28003018: ("请求频率过高", QuotaExceeded),
    2100004: ("系统繁忙,此时请开发者稍候再试", TransientError),
    2100005: ("参数不合法", PlatformDataError),
    2100007: ("无权限操作", AuthError),
    2100009: ("用户被禁封使用该操作", AuthError),
    2190001: ("quota 已用完", QuotaExceeded),
    2190002: ("access_token无效", TokenExpired),
    10010: ("refresh_token过期", AuthError),
    # Not in the current table: the older 数据开放服务 pages (and PLATFORMS.md) list it as "access_token无效".
    28001003: ("access_token无效", TokenExpired),
}
# Codes the account owner (not a retry or a refresh) must act on: each message must say what to do.
DOUYIN_OWNER_ACTIONS = {code for code, (_, cls) in DOUYIN_ERRORS.items() if cls is AuthError}
# Source: 刷新 access_token, 正常响应示例 (numbers as text, as published).
DOUYIN_REFRESH = {
    "data": {
        "access_token": "access_token",
        "description": "",
        "error_code": 0,
        "expires_in": "86400",
        "open_id": "SuQB*******KN5f",
        "refresh_expires_in": "86400",
        "refresh_token": "refresh_token",
        "scope": "user_info",
    },
    "message": "success",
}

# --- Bilibili open platform ------------------------------------------------------------------
# Source: 哔哩哔哩开放平台 其他 → 状态码 (apifox.com/apidoc/docs-site/1106400/doc-895951): 通用, 视频, OAuth2.
BILIBILI_ERRORS = {
    127200: ("业务异常,请联系开放平台", PlatformDataError),
    127201: ("系统繁忙,请稍后再试", TransientError),
    127004: ("client_id验证错误", AuthError),
    127012: ("鉴权错误", AuthError),
    127100: ("请求参数错误", PlatformDataError),
    127107: ("稿件已经被删除", PlatformDataError),
    127124: ("不存在该稿件", PlatformDataError),
    122000: ("client_id错误", AuthError),
    122001: ("client_secret 错误", AuthError),
    122002: ("code未找到", PlatformDataError),
    122007: ("refreshToken不合法", AuthError),
    127000: ("缺少鉴权参数", AuthError),
    127001: ("access_token验证错误", TokenExpired),
    127005: ("机构认证未通过", AuthError),
    127006: ("应用认证未通过", AuthError),
    127007: ("应用无该接口权限", AuthError),
    127009: ("api请求次数达到上限", QuotaExceeded),
    127011: ("该接口用户未授权", AuthError),
}

# --- WeChat Official Account -----------------------------------------------------------------
# Source: 微信公众平台 全局返回码说明 (developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html)
# and 数据统计 接口说明 (61500/61501).
WECHAT_ERRORS = {
    -1: ("系统繁忙，此时请开发者稍候再试", TransientError),
    40001: ("获取 access_token 时 AppSecret 错误，或者 access_token 无效", TokenExpired),
    40013: ("不合法的 AppID", AuthError),
    40014: ("不合法的 access_token", TokenExpired),
    40125: ("无效的appsecret", AuthError),
    40164: ("调用接口的IP地址不在白名单中", AuthError),
    42001: ("access_token 超时", TokenExpired),
    45009: ("接口调用超过限制", QuotaExceeded),
    48001: ("api 功能未授权", PlatformDataError),
    61500: ("日期格式错误", PlatformDataError),
    61501: ("日期范围错误", PlatformDataError),
}

# --- Weibo -------------------------------------------------------------------------------------
# Source: 微博开放平台 Error code (open.weibo.com/wiki/Error_code): 系统级 and 服务级 codes.
WEIBO_ERRORS = {
    10001: ("System error", TransientError),
    10009: ("Too many pending tasks, system is busy", TransientError),
    10022: ("IP requests out of rate limit", QuotaExceeded),
    10023: ("User requests out of rate limit", QuotaExceeded),
    10024: ("User requests for (%s) out of rate limit", QuotaExceeded),
    21314: ("Token已经被使用", AuthError),
    21315: ("Token已经过期", AuthError),
    21316: ("Token不合法", AuthError),
    21317: ("Token不合法", AuthError),
    21327: ("token过期", AuthError),
    21332: ("access_token 无效", AuthError),
}

# --- Xiaohongshu 聚光 -------------------------------------------------------------------------
# No public code table: failures are read from the envelope (see test_xiaohongshu.py), and token or
# rate problems arrive as HTTP 401/403/429.
XHS_ERRORS: dict = {}

# Source: 微信开放文档 数据统计 → 用户分析 getusersummary / getusercumulate examples, as in wechatpy's
# tests/fixtures/datacube_getusersummary.json and datacube_getusercumulate.json.
WECHAT_USER_SUMMARY = {"list": [{"ref_date": "2014-12-07", "user_source": 0, "new_user": 0, "cancel_user": 0}]}
WECHAT_USER_CUMULATE = {"list": [{"ref_date": "2014-12-07", "cumulate_user": 1217056}]}
# Source: 微信开放文档 数据统计 (新版) getbizsummary: per day `detail` with read_user, share_user, zaikan_user,
# like_user, comment_count, collection_user and send_page_count, plus `is_delay` for data not yet final.
WECHAT_BIZ_SUMMARY = {
    "list": [
        {
            "ref_date": "2023-10-10",
            "detail": {
                "read_user": 1520,
                "share_user": 35,
                "zaikan_user": 12,
                "like_user": 48,
                "comment_count": 6,
                "collection_user": 22,
                "send_page_count": 2,
            },
        }
    ],
    "is_delay": True,
}
# Source: 微信开放文档 数据统计 (新版) getarticletotaldetail: msgid "<mid>_<idx>", detail_list per stat_date with
# read_finish_rate and read_avg_activetime (minutes); no title.
WECHAT_ARTICLE_TOTAL_DETAIL = {
    "list": [
        {
            "ref_date": "2023-10-10",
            "msgid": "2247483650_1",
            "detail_list": [
                {
                    "stat_date": "2023-10-10",
                    "read_user": 980,
                    "share_user": 21,
                    "zaikan_user": 8,
                    "like_user": 30,
                    "comment_count": 4,
                    "collection_user": 15,
                    "read_finish_rate": 0.52,
                    "read_avg_activetime": 1.35,
                }
            ],
        }
    ],
    "is_delay": False,
}
# Source: 微信开放文档 发布能力 → 获取成功发布列表 (POST /cgi-bin/freepublish/batchget, no_content=1) example.
WECHAT_FREEPUBLISH_BATCHGET = {
    "total_count": 1,
    "item_count": 1,
    "item": [
        {
            "article_id": "ARTICLE_ID",
            "update_time": 1696930000,
            "content": {
                "news_item": [
                    {
                        "title": "国庆出游指南",
                        "author": "编辑部",
                        "digest": "",
                        "content": "",
                        "content_source_url": "",
                        "thumb_media_id": "THUMB_MEDIA_ID",
                        "show_cover_pic": 0,
                        "need_open_comment": 0,
                        "only_fans_can_comment": 0,
                        "url": "http://mp.weixin.qq.com/s?__biz=MzA3MDM3NjE5NQ==&mid=2247483650&idx=1&sn=7f3c1c8",
                        "is_deleted": False,
                    }
                ],
                "create_time": 1696929000,
                "update_time": 1696930000,
            },
        }
    ],
}

# --- Weibo samples ------------------------------------------------------------------------------
# Source: 微博开放平台 statuses/user_timeline 返回示例 (open.weibo.com/wiki/2/statuses/user_timeline), trimmed to
# the fields read; the second status has no `idstr` and no `attitudes_count` (both optional in practice).
WEIBO_TIMELINE = {
    "statuses": [
        {
            "created_at": "Tue May 31 17:46:55 +0800 2011",
            "id": 11488058246,
            "idstr": "11488058246",
            "mid": "11488058246",
            "text": "求关注。",
            "reposts_count": 8,
            "comments_count": 9,
            "attitudes_count": 12,
        },
        {
            "created_at": "Tue May 31 18:02:11 +0800 2011",
            "id": 11488058247,
            "mid": "11488058247",
            "text": "没有 idstr 也没有 attitudes_count",
            "reposts_count": 1,
            "comments_count": 2,
        },
    ],
    "total_number": 2,
}
