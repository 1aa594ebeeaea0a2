from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.models import Post

from .models import SentimentLabel


class CommentFilterForm(forms.Form):
    """The comments page's own filters, beside the dashboards' window, platform and account."""

    label = forms.ChoiceField(choices=[("", _("全部情感")), *SentimentLabel.choices], required=False)
    topic = forms.CharField(required=False, max_length=64)
    post = forms.ModelChoiceField(queryset=Post.objects.none(), required=False)

    def __init__(self, data, *, organization, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["post"].queryset = Post.objects.filter(account__organization=organization)
        self.fields["post"].error_messages["invalid_choice"] = _("该作品不存在或不属于当前组织。")

    def query(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "label": data["label"] or None,
            "topic": data["topic"].strip() or None,
            "post": data["post"].pk if data["post"] else None,
        }


class TopicWordForm(forms.Form):
    keyword = forms.CharField(max_length=64, label=_("话题词"))
    synonyms = forms.CharField(required=False, max_length=500, label=_("同义词（逗号分隔）"))

    def synonym_list(self) -> list[str]:
        return [s for s in self.cleaned_data["synonyms"].replace("，", ",").split(",") if s.strip()]
