"""The comments page: what the audience says, its sentiment and its topics (docs/COMMENTS.md)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, SocialAccount
from dashboards.context import filter_form, organization_required, page_context

from . import scoring, selectors, services
from .forms import CommentFilterForm, TopicWordForm
from .models import CommentPolicy, SentimentLabel, TopicWord

SHOWN_COMMENTS = 200


@organization_required
def comments_page(request):
    context = page_context(request, filter_form(request), page="comments")
    filters = context["filters"]
    comment_form = CommentFilterForm(request.GET, organization=request.organization)
    window = {
        "organization": request.organization,
        "start": filters.start,
        "end": filters.end,
        "platform": filters.platform or None,
        "account": filters.account.pk if filters.account else None,
    }
    chosen = comment_form.query()
    (sentiment,) = selectors.comment_sentiment(**window, post=chosen.get("post"))
    comments = selectors.comments_in(**window, **chosen)
    context |= {
        "comment_form": comment_form,
        "window_fields": parse_qsl(context["qs"]),  # the comment filters keep the page's window
        "chosen": chosen,
        "chosen_post": comment_form.cleaned_data.get("post") if comment_form.is_valid() else None,
        "sentiment": sentiment["kpis"],
        "coverage": sentiment["coverage"]["nsr"],
        "topics": selectors.comment_topics(**window, post=chosen.get("post")),
        "comments": comments[:SHOWN_COMMENTS],
        "comments_total": comments.count(),
        "shown_comments": SHOWN_COMMENTS,
        "labels": SentimentLabel.choices,
        "thresholds": {"positive": scoring.POSITIVE_AT, "negative": scoring.NEGATIVE_AT},
        "topic_words": TopicWord.objects.filter(organization=request.organization),
        "topic_form": TopicWordForm(),
        "default_topics": scoring.DEFAULT_TOPICS,
        "can_edit_topics": Role.allows(request.role, Role.ANALYST),
        "can_edit_privacy": Role.allows(request.role, Role.OWNER),
        "names_kept": _names_kept(context["accounts"]),
    }
    return render(request, "comments/comments.html", context)


def _names_kept(accounts) -> list[tuple]:
    """(account, keeps author names) for the accounts shown; no policy row means names are kept."""
    off = set(
        CommentPolicy.objects.filter(account__in=accounts, store_author_names=False).values_list("account_id", flat=True)
    )
    return [(account, account.pk not in off) for account in accounts]


def _back(request):
    return redirect(f"{reverse('comments:comments')}?{request.POST.get('qs', '')}")


@require_POST
@organization_required
def topic_word_add(request):
    form = TopicWordForm(request.POST)
    if not Role.allows(request.role, Role.ANALYST):
        messages.error(request, _("查看者不能修改话题词；需要分析师或所有者权限。"))
    elif form.is_valid():
        word = services.topic_word_add(
            organization=request.organization, keyword=form.cleaned_data["keyword"], synonyms=form.synonym_list()
        )
        messages.success(request, _("已添加话题「%(word)s」，评论将在后台重新归类。") % {"word": word.keyword})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back(request)


@require_POST
@organization_required
def topic_word_delete(request, pk: int):
    word = get_object_or_404(TopicWord, pk=pk, organization=request.organization)
    if not Role.allows(request.role, Role.ANALYST):
        messages.error(request, _("查看者不能修改话题词；需要分析师或所有者权限。"))
    else:
        services.topic_word_delete(word=word)
        messages.success(request, _("已删除话题「%(word)s」。") % {"word": word.keyword})
    return _back(request)


@require_POST
@organization_required
def comment_policy_set(request, account_pk: int):
    account = get_object_or_404(SocialAccount, pk=account_pk, organization=request.organization)
    if not Role.allows(request.role, Role.OWNER):
        messages.error(request, _("只有所有者可以更改评论者昵称的保存方式。"))
    else:
        keep = request.POST.get("store_author_names") == "on"
        services.comment_policy_set(account=account, store_author_names=keep)
        messages.success(
            request,
            _("「%(account)s」：已保存评论者昵称。") % {"account": account.name}
            if keep
            else _("「%(account)s」：不再保存评论者昵称，已清除已保存的昵称。") % {"account": account.name},
        )
    return _back(request)
