"""The KPI glossary sheet of the XLSX report: each KPI's formula as KPIS.md defines it."""

from django.utils.translation import gettext_lazy as _

FORMULAS = {
    "followers": _("期末粉丝总数：期内最后一个上报值，按账号求和"),
    "interactions": _("点赞 + 评论 + 分享 + 收藏（缺失项跳过）"),
    "engagement_rate": _("互动 ÷ 阅读/播放，仅计同时上报两者的账号日"),
    "engagement_rate_by_followers": _("互动 ÷ 日均粉丝数"),
    "net_followers": _("Σ新增 − Σ取关（每天都上报时），否则期末粉丝 − 期初前一天粉丝"),
    "follower_growth_rate": _("净增粉丝 ÷ 期初前一天粉丝数"),
    "read_rate": _("Σ阅读 ÷ Σ粉丝（同时上报的天）：日均阅读率"),
    "completion_rate": _("Σ(完播率 × 播放) ÷ Σ播放（按播放加权）"),
    "ces": _("小红书 CES：点赞 + 收藏 + 4×评论 + 4×分享 + 8×涨粉"),
    "bilibili_interactions": _("点赞 + 投币 + 收藏 + 分享 + 评论 + 弹幕"),
    "ctr": _("点击 ÷ 广告曝光"),
    "cvr": _("转化 ÷ 点击"),
    "cpm": _("花费 ÷ 广告曝光 × 1000"),
    "cpc": _("花费 ÷ 点击"),
    "cpe": _("花费 ÷ 互动"),
    "cpa": _("花费 ÷ 转化"),
    "cpf": _("花费 ÷ 广告涨粉"),
    "roas": _("收入 ÷ 花费"),
    "roi": _("(收入 − 花费) ÷ 花费"),
}
RULES = (
    _("比率 = 分子之和 ÷ 分母之和（从不平均每日比率），只计同时上报分子和分母的行。"),
    _("覆盖率 = 同时上报分子和分母的行 ÷ 上报任一项的行。"),
    _("环比：与紧邻的等长上一周期比较，变化 = (本期 − 上期) ÷ |上期|。"),
    _("“—”表示平台未上报，从不当作 0。金额为人民币。"),
)
