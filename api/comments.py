"""Comments API: the comments with their sentiment, topics with their negative share, sentiment KPIs,
the organisation's topic words and each account's author-name switch (docs/COMMENTS.md)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers
from rest_framework.response import Response

from accounts.models import Platform, Role, SocialAccount
from analytics.models import Post
from comments import selectors, services
from comments.kpis import COMMENT_KPIS
from comments.models import Comment, CommentPolicy, SentimentLabel, TopicWord

from .base import TenantAPIView, TenantViewSet
from .windows import OptionalWindowSerializer

SENTIMENT_RULE = (
    "Labels: sentiment ≥ 0.6 positive, ≤ 0.4 negative, else neutral. Shares are over the scored comments; "
    "nsr = (positive − negative) / (positive + negative); coverage = scored / all comments of the row."
)


class CommentQuerySerializer(OptionalWindowSerializer):
    account = serializers.IntegerField(required=False, min_value=1)
    post = serializers.IntegerField(required=False, min_value=1)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)


class CommentListQuerySerializer(CommentQuerySerializer):
    label = serializers.ChoiceField(choices=SentimentLabel.choices, required=False)
    topic = serializers.CharField(required=False, max_length=64)


class CommentSentimentQuerySerializer(CommentQuerySerializer):
    granularity = serializers.ChoiceField(choices=selectors.GRANULARITIES, default="total")
    group_by = serializers.ChoiceField(choices=list(selectors.GROUPS), required=False)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    account = serializers.IntegerField(source="account_id")
    platform = serializers.CharField(source="account.platform")
    post = serializers.IntegerField(source="post_id")
    post_title = serializers.CharField(source="post.title")
    date = serializers.DateField()
    commented_at = serializers.DateTimeField()
    author = serializers.CharField(help_text="empty when the account stores no author names")
    text = serializers.CharField()
    likes = serializers.IntegerField(allow_null=True)
    reply_to = serializers.CharField()
    sentiment = serializers.FloatField(allow_null=True, help_text="0..1, 1 = positive; null until scored")
    label = serializers.CharField(help_text="positive | neutral | negative; empty until scored")
    topics = serializers.ListField(child=serializers.CharField())


class CommentQueryMixin:
    def comment_query(self, serializer_class) -> dict:
        query = serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        args = dict(query.validated_data)
        # Ids from another organization are as unknown as ids that do not exist.
        if "account" in args and not self.scoped(SocialAccount.objects.filter(pk=args["account"]), "organization").exists():
            raise exceptions.NotFound(f"No account {args['account']}.")
        if "post" in args and not self.scoped(Post.objects.filter(pk=args["post"]), "account__organization").exists():
            raise exceptions.NotFound(f"No post {args['post']}.")
        return {"organization": self.tenant.organization, **args}


class CommentViewSet(CommentQueryMixin, TenantViewSet):
    """Comments, newest first, with their sentiment, label and topics."""

    queryset = Comment.objects.all()  # the schema's model; list reads through comments.selectors
    organization_path = "account__organization"
    serializer_class = CommentSerializer

    @extend_schema(parameters=[CommentListQuerySerializer], description=SENTIMENT_RULE)
    def list(self, request):
        comments = selectors.comments_in(**self.comment_query(CommentListQuerySerializer))
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CommentTopicsView(CommentQueryMixin, TenantAPIView):
    """Topics of the comments (the built-in list and the organisation's words), most frequent first."""

    @extend_schema(
        parameters=[CommentQuerySerializer],
        responses=inline_serializer(
            "CommentTopics",
            {
                "results": inline_serializer(
                    "CommentTopic",
                    {
                        "keyword": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "negative_share": serializers.FloatField(allow_null=True),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        return Response({"results": selectors.comment_topics(**self.comment_query(CommentQuerySerializer))})


class CommentSentimentView(CommentQueryMixin, TenantAPIView):
    """Sentiment KPIs per period and post, account or platform, with coverage."""

    @extend_schema(
        parameters=[CommentSentimentQuerySerializer],
        description=SENTIMENT_RULE,
        responses=inline_serializer(
            "CommentSentiment",
            {
                "start": serializers.DateField(allow_null=True),
                "end": serializers.DateField(allow_null=True),
                "granularity": serializers.CharField(),
                "kpis": serializers.ListField(child=serializers.CharField()),
                "results": inline_serializer(
                    "CommentSentimentRow",
                    {
                        "period": serializers.DateField(allow_null=True),
                        "kpis": serializers.DictField(child=serializers.FloatField(allow_null=True)),
                        "coverage": serializers.DictField(child=serializers.FloatField(allow_null=True)),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        query = self.comment_query(CommentSentimentQuerySerializer)
        try:
            results = selectors.comment_sentiment(**query)
        except ValueError as error:
            raise exceptions.ValidationError([str(error)]) from None
        window = {"start": query.get("start"), "end": query.get("end")}
        return Response({**window, "granularity": query["granularity"], "kpis": COMMENT_KPIS, "results": results})


class TopicWordSerializer(serializers.ModelSerializer):
    class Meta:
        model = TopicWord
        fields = ["id", "keyword", "synonyms", "created_at"]
        read_only_fields = ["id", "created_at"]


class TopicWordViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """The organisation's own topics (added to the built-in list); comments get their topics again on change."""

    queryset = TopicWord.objects.all()
    serializer_class = TopicWordSerializer
    write_role = Role.ANALYST
    filter_backends = []

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.topic_word_add(
            organization=self.tenant.organization, keyword=data["keyword"], synonyms=data.get("synonyms", [])
        )

    def perform_destroy(self, instance):
        services.topic_word_delete(word=instance)


class CommentPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = CommentPolicy
        fields = ["store_author_names"]


class CommentPolicyView(TenantAPIView):
    """Whether an account keeps comment author names (owners switch it; off erases the stored ones)."""

    write_role = Role.OWNER

    def _account(self, account_pk):
        account = self.scoped(SocialAccount.objects.filter(pk=account_pk)).first()
        if account is None:
            raise exceptions.NotFound(f"No account {account_pk}.")
        return account

    @extend_schema(responses=CommentPolicySerializer)
    def get(self, request, account_pk):
        policy = CommentPolicy.objects.filter(account=self._account(account_pk)).first() or CommentPolicy()
        return Response(CommentPolicySerializer(policy).data)

    @extend_schema(request=CommentPolicySerializer, responses=CommentPolicySerializer)
    def put(self, request, account_pk):
        account = self._account(account_pk)
        body = CommentPolicySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = services.comment_policy_set(account=account, **body.validated_data)
        return Response(CommentPolicySerializer(policy).data)
