"""The record every comment source yields (platform connectors and the comments_csv import)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommentRecord:
    external_id: str  # the platform's comment id (or, for a file, a hash of what the row says)
    post: str  # the post's external id, or for a file the post's id or title as the user typed it
    text: str
    commented_at: dt.datetime
    author: str = ""
    likes: int | None = None
    reply_to: str = ""  # the external id of the comment answered
