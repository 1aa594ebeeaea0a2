"""The alerts page's form: a rule with one channel (more channels through the API)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Platform, SocialAccount
from analytics.models import Campaign
from dashboards.catalog import METRICS

from . import channels
from .models import Condition
from .services import KPI_METRICS

CHANNEL_LABELS = {
    "wecom": _("企业微信群机器人"),
    "dingtalk": _("钉钉群机器人"),
    "feishu": _("飞书群机器人"),
    "email": _("邮件"),
    "webhook": _("通用 Webhook"),
}


class RuleForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("名称"))
    metric = forms.ChoiceField(
        label=_("指标"), choices=[(m, f"{METRICS[m].label} ({m})" if m in METRICS else m) for m in KPI_METRICS]
    )
    platform = forms.ChoiceField(choices=[("", _("全部平台")), *Platform.choices], required=False, label=_("平台"))
    account = forms.ModelChoiceField(queryset=SocialAccount.objects.none(), required=False, label=_("账号"))
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, label=_("投放"))
    condition = forms.ChoiceField(choices=Condition.choices, label=_("条件"))
    threshold = forms.FloatField(label=_("阈值"), help_text=_("下降/上升填比例（0.2 = 20%），低于/高于填数值"))
    channel_kind = forms.ChoiceField(
        choices=[("", _("不发送（只记录）")), *CHANNEL_LABELS.items()], required=False, label=_("通道")
    )
    channel_target = forms.CharField(max_length=1000, required=False, label=_("Webhook 地址或邮箱"))
    channel_secret = forms.CharField(
        max_length=500, required=False, label=_("加签密钥（可选）"), widget=forms.PasswordInput(render_value=False)
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = SocialAccount.objects.filter(organization=organization)
        self.fields["campaign"].queryset = Campaign.objects.filter(organization=organization)

    def clean(self):
        cleaned = super().clean()
        cleaned["channels"], problems = channels.form_channel(
            cleaned.get("channel_kind"), cleaned.get("channel_target"), cleaned.get("channel_secret")
        )
        for problem in problems:
            self.add_error("channel_target", problem)
        return cleaned

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "name": c["name"],
            "metric": c["metric"],
            "platform": c.get("platform") or "",
            "account": c.get("account"),
            "campaign": c.get("campaign"),
            "condition": c["condition"],
            "threshold": c["threshold"],
            "channels": c["channels"],
        }
