"""The KPI glossary page: every KPI of KPIS.md, how it is computed and what it stands on (zh, with en)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from analytics import kpis

from .catalog import METRICS

RULES = (
    _("比率 = 分子之和 ÷ 分母之和（从不取每日比率的平均）。空值（平台未报告）跳过，绝不当作 0；分母为空或 0 时比率为空。"),
    _("配对行：比率的分子和分母只在同时报告了两者的行（账号·天、投放·天或作品）上求和；只报告一侧的行计入原始合计，不计入比率。"),
    _("覆盖率 = 同时报告两侧的行 ÷ 报告了任一侧的行。覆盖率低于 1 的比率会标出「基于 3/30 天」或「覆盖 36% 花费」。"),
    _("完整的天：平台在次日早上才最终确定前一天的数据，所以预设时间段截止到昨天（平台日，北京时间）。"),
)

# (KPI name, formula) in KPIS.md order.
DEFINITIONS = (
    ("views", _("阅读 / 播放 / 观看次数之和")),
    ("impressions", _("内容曝光次数之和")),
    ("interactions", _("点赞 + 评论 + 分享 + 收藏（空项跳过）")),
    ("engagement_rate", _("互动 ÷ 阅读/播放，只计同时报告两者的天")),
    ("interactions_per_mille", _("1000 × 互动率（微博千阅互动率）")),
    ("engagement_rate_by_followers", _("互动 ÷ 日均粉丝数，只计同时报告互动和粉丝数的天")),
    ("followers", _("所选时间段内最后一个报告的粉丝总数，各账号相加")),
    ("net_followers", _("每天都报告了新增和取关时：新增之和 − 取关之和；"
                        "否则：时间段内最后报告的粉丝数 − 时间段前一天的粉丝数")),
    ("follower_growth_rate", _("净增粉丝 ÷ 时间段前一天的粉丝数")),
    ("read_rate", _("阅读之和 ÷ 粉丝数之和，只计同时报告两者的天：日均阅读率（微信公众号常见 5%–40%）")),
    ("completion_rate", _("Σ(完播率 × 播放) ÷ Σ播放，只计同时报告两者的作品（按播放加权）")),
    ("ces", _("小红书 CES：点赞 + 收藏 + 4×评论 + 4×分享 + 8×涨粉")),
    ("bilibili_interactions", _("点赞 + 投币 + 收藏 + 分享 + 评论 + 弹幕")),
    ("spend", _("投放花费（元）之和")),
    ("revenue", _("归因收入（元）之和")),
    ("ctr", _("点击 ÷ 广告曝光")),
    ("cvr", _("转化 ÷ 点击")),
    ("cpm", _("花费 ÷ 广告曝光 × 1000")),
    ("cpc", _("花费 ÷ 点击")),
    ("cpe", _("花费 ÷ 互动")),
    ("cpa", _("花费 ÷ 转化")),
    ("cpf", _("花费 ÷ 投放涨粉")),
    ("roas", _("收入 ÷ 花费，只计跟踪了收入的投放行")),
    ("roi", _("(收入 − 花费) ÷ 花费，只计跟踪了收入的投放行")),
)


def entries() -> list[dict]:
    return [{"name": name, "label": METRICS[name].label if name in METRICS else name, "formula": formula,
             "has_coverage": name in kpis.PAIR_OF} for name, formula in DEFINITIONS]
