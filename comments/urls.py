from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("", views.comments_page, name="comments"),
    path("topics/", views.topic_word_add, name="topic_word_add"),
    path("topics/<int:pk>/delete/", views.topic_word_delete, name="topic_word_delete"),
    path("privacy/<int:account_pk>/", views.comment_policy_set, name="comment_policy_set"),
]
