"""The reports page's forms: a schedule (emails and one chat channel; more through the API), a window."""

import re

from django import forms
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from alerts import channels
from alerts.forms import CHANNEL_LABELS
from analytics.selectors import MAX_WINDOW_DAYS

from .models import FORMATS, Period


class ScheduleForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("名称"))
    period = forms.ChoiceField(choices=Period.choices, label=_("周期"))
    send_at = forms.TimeField(
        label=_("发送时间（本地时间）"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    formats = forms.MultipleChoiceField(
        choices=[(f, f.upper()) for f in FORMATS],
        initial=list(FORMATS),
        widget=forms.CheckboxSelectMultiple,
        label=_("格式"),
    )
    recipients = forms.CharField(
        required=False, label=_("收件人邮箱（逗号或换行分隔）"), widget=forms.Textarea(attrs={"rows": 2})
    )
    channel_kind = forms.ChoiceField(
        choices=[("", _("不发群消息")), *((k, v) for k, v in CHANNEL_LABELS.items() if k != "email")],
        required=False,
        label=_("群机器人"),
    )
    channel_url = forms.CharField(max_length=1000, required=False, label=_("机器人 Webhook 地址"))
    channel_secret = forms.CharField(
        max_length=500, required=False, label=_("加签密钥（可选）"), widget=forms.PasswordInput(render_value=False)
    )

    def clean_recipients(self):
        addresses = [a for a in re.split(r"[,;\s]+", self.cleaned_data["recipients"]) if a]
        for address in addresses:
            EmailValidator(message=_("%(value)s 不是邮箱地址") % {"value": address})(address)
        return addresses

    def clean(self):
        cleaned = super().clean()
        cleaned["channels"], problems = channels.form_channel(
            cleaned.get("channel_kind"), cleaned.get("channel_url"), cleaned.get("channel_secret")
        )
        for problem in problems:
            self.add_error("channel_url", problem)
        return cleaned

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "name": c["name"],
            "period": c["period"],
            "send_at": c["send_at"],
            "formats": c["formats"],
            "recipients": c["recipients"],
            "channels": c["channels"],
        }


class WindowForm(forms.Form):
    start = forms.DateField(label=_("开始"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("结束"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期早于开始日期"))
        elif start and end and (end - start).days + 1 > MAX_WINDOW_DAYS:
            self.add_error("end", _("时间窗口不能超过 3 年"))
        return cleaned
