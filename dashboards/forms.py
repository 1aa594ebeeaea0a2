"""Small forms that parse the dashboards' query strings and uploads into clean values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.calendar import local_today
from accounts.models import Platform, SocialAccount
from analytics.selectors import GROWTH_ORDERINGS, POST_ORDERINGS
from ingestion.importers import KINDS
from ingestion.importers.formats import LAYOUTS

MAX_RANGE_DAYS = 3 * 366


class Preset:
    LAST_7 = "7d"
    LAST_30 = "30d"
    LAST_90 = "90d"
    THIS_MONTH = "month"
    CUSTOM = "custom"
    CHOICES = [
        (LAST_7, _("近 7 天")),
        (LAST_30, _("近 30 天")),
        (LAST_90, _("近 90 天")),
        (THIS_MONTH, _("本月")),
        (CUSTOM, _("自定义")),
    ]
    DEFAULT = LAST_30


def preset_window(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """A preset's (start, end). Every preset ends yesterday, the last day platforms have finished
    (KPIS.md, "Complete days"): "本月" is the 1st of yesterday's month up to yesterday."""
    end = today - dt.timedelta(days=1)
    if preset == Preset.THIS_MONTH:
        return end.replace(day=1), end
    days = {Preset.LAST_7: 7, Preset.LAST_90: 90}.get(preset, 30)
    return end - dt.timedelta(days=days - 1), end


@dataclass(frozen=True)
class Filters:
    preset: str
    start: dt.date
    end: dt.date
    platform: str | None
    account: SocialAccount | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def selector_kwargs(self) -> dict:
        return {"start": self.start, "end": self.end, "platform": self.platform,
                "account": self.account.pk if self.account else None}


class FilterForm(forms.Form):
    """Date range, platform and account as kept in every dashboard URL."""

    preset = forms.ChoiceField(choices=Preset.CHOICES, required=False)
    start = forms.DateField(required=False, label=_("开始日期"))
    end = forms.DateField(required=False, label=_("结束日期"))
    platform = forms.ChoiceField(choices=[("", _("全部平台")), *Platform.choices], required=False)
    account = forms.ModelChoiceField(queryset=SocialAccount.objects.none(), required=False)

    def __init__(self, data, *, organization, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["account"].queryset = SocialAccount.objects.filter(organization=organization)
        self.fields["account"].error_messages["invalid_choice"] = _("该账号不存在或不属于当前组织。")

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("preset") or (Preset.CUSTOM if cleaned.get("start") or cleaned.get("end") else Preset.DEFAULT)
        if preset == Preset.CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                raise forms.ValidationError(_("自定义时间段需要同时填写开始和结束日期。"))
            if start > end:
                raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
            if (end - start).days >= MAX_RANGE_DAYS:
                raise forms.ValidationError(_("时间段最长 3 年，请缩短范围。"))
        else:
            start, end = preset_window(preset, local_today())
        account = cleaned.get("account")
        platform = cleaned.get("platform") or None
        if account is not None and platform and account.platform != platform:
            platform = account.platform  # the account decides; a stale platform in the URL must not empty the page
        cleaned.update(preset=preset, start=start, end=end, platform=platform)
        return cleaned

    def filters(self) -> Filters:
        """The parsed filters; on bad input, the defaults (the errors are shown next to the form)."""
        if self.is_valid():
            c = self.cleaned_data
            return Filters(c["preset"], c["start"], c["end"], c["platform"], c.get("account"))
        start, end = preset_window(Preset.DEFAULT, local_today())
        return Filters(Preset.DEFAULT, start, end, None, None)


class ContentSortForm(forms.Form):
    SORTS = POST_ORDERINGS + GROWTH_ORDERINGS
    VIEWS = (("published", _("本期发布")), ("activity", _("本期有增长")))
    sort = forms.ChoiceField(choices=[(s, s) for s in SORTS] + [(f"-{s}", s) for s in SORTS], required=False)
    view = forms.ChoiceField(choices=VIEWS, required=False)

    def view_key(self) -> str:
        return (self.is_valid() and self.cleaned_data["view"]) or "published"

    def sort_key(self) -> str:
        sort = (self.is_valid() and self.cleaned_data["sort"]) or ""
        if sort.removeprefix("-") in GROWTH_ORDERINGS and self.view_key() != "activity":
            sort = ""  # growth exists only in the activity view
        return sort or ("-views_growth" if self.view_key() == "activity" else "-engagement_rate")


class SyncForm(forms.Form):
    account = forms.ModelChoiceField(queryset=SocialAccount.objects.none())
    start = forms.DateField()
    end = forms.DateField()

    def __init__(self, data, *, organization, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["account"].queryset = SocialAccount.objects.filter(organization=organization)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return cleaned


# Each import kind by its Chinese name (the first layout of the kind names it), e.g. 抖音作品数据.
KIND_LABELS = {layout.kind: f"{layout.label}（{layout.kind}）" for layout in reversed(LAYOUTS)}


class ImportForm(forms.Form):
    account = forms.ModelChoiceField(queryset=SocialAccount.objects.none(), label=_("账号"))
    kind = forms.ChoiceField(choices=[("auto", _("自动识别")), *((k, KIND_LABELS.get(k, k)) for k in KINDS)],
                             initial="auto", label=_("文件类型"))
    file = forms.FileField(label=_("导出文件"))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = SocialAccount.objects.filter(organization=organization)
