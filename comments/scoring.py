"""Comment sentiment and topics, offline. Pure functions: no Django, no network, nothing downloaded.

Sentiment is snownlp's own model (a naive Bayes classifier trained on Chinese shopping reviews,
shipped inside the wheel as `sentiment/sentiment.marshal.3`), read here directly and applied to
the words jieba cuts (jieba's dictionary also ships in its wheel). Calling `SnowNLP(text)` would
give the same kind of score through snownlp's slower character tagger and import its other
models too (20 s); reading the classifier's counts once and summing log-odds per word keeps
100,000 comments within a minute (bench/comments.py).

Topics are the words of a domain word list (complaints marketers track: 物流, 客服, 质量, 价格,
退货…), each with its synonyms, that the organisation can extend (comments.models.TopicWord).
"""

from __future__ import annotations

import gzip
import importlib.util
import marshal
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jieba

# Labels (docs/COMMENTS.md): sentiment ≥ POSITIVE_AT is positive, ≤ NEGATIVE_AT negative, else neutral.
POSITIVE_AT = 0.6
NEGATIVE_AT = 0.4
POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"

# The built-in topic list: keyword → synonyms that count as the same topic.
DEFAULT_TOPICS: dict[str, tuple[str, ...]] = {
    "物流": ("快递", "发货", "配送", "送货", "到货"),
    "客服": ("售后", "态度"),
    "质量": ("做工", "质感", "材质", "品质"),
    "价格": ("贵", "便宜", "性价比", "优惠", "降价"),
    "退货": ("退款", "退换", "换货", "退了"),
    "包装": ("破损", "漏液", "压坏"),
    "尺码": ("偏大", "偏小", "码数"),
    "色差": ("颜色不一样", "和图片不一样"),
    "效果": ("没效果", "有效果", "好用"),
    "味道": ("气味", "香味", "异味"),
    "真假": ("假货", "正品", "山寨"),
}

# Clauses that turn the words after them around ("不", "没") or that snownlp's shopping-review
# counts read too weakly: a small cue list moves the log-odds before the label is taken.
_CUES: dict[str, float] = {
    "差评": -4.0,
    "失望": -3.0,
    "垃圾": -4.0,
    "太差": -3.0,
    "很差": -3.0,
    "不好": -2.5,
    "难用": -3.0,
    "坑": -2.0,
    "骗": -3.0,
    "再也不": -3.0,
    "不会再": -3.0,
    "后悔": -3.0,
    "退货": -1.5,
    "退款": -1.5,
    "投诉": -3.0,
    "太慢": -2.5,
    "没效果": -3.0,
    "不值": -2.5,
    "掉色": -2.0,
    "起球": -2.0,
    "破损": -2.5,
    "不推荐": -4.0,
    "别买": -4.0,
    "不满意": -4.0,
    "不喜欢": -3.5,
    "不行": -2.5,
    "一般般": -1.5,
    "好评": 3.0,
    "满意": 2.0,
    "推荐": 1.5,
    "喜欢": 2.0,
    "回购": 2.5,
    "超赞": 3.0,
    "好用": 2.0,
    "惊喜": 2.0,
    "物美价廉": 3.0,
    "值得": 2.0,
    "给力": 2.5,
    "很快": 1.5,
    "爱了": 3.0,
    "完美": 2.5,
    "不错": 2.0,
    # 态度 leans negative in the review counts (态度差 is a common complaint): praise of it must win.
    "态度很好": 4.0,
    "态度特别好": 4.0,
    "态度非常好": 4.0,
    "耐心": 1.5,
    "热情": 1.5,
}
_NEGATED_POSITIVE = re.compile(r"(不|没|没有|并不|一点也不|一点都不)(太)?(好|满意|喜欢|推荐|值得|划算|舒服|好用)")


@dataclass(frozen=True, slots=True)
class Scored:
    sentiment: float  # 0..1, 1 = positive (snownlp's scale)
    label: str
    topics: tuple[str, ...]


def label_for(sentiment: float) -> str:
    if sentiment >= POSITIVE_AT:
        return POSITIVE
    if sentiment <= NEGATIVE_AT:
        return NEGATIVE
    return NEUTRAL


def _package_file(package: str, *parts: str) -> Path:
    return Path(importlib.util.find_spec(package).origin).parent.joinpath(*parts)


@cache
def _model() -> tuple[dict[str, float], float, float]:
    """snownlp's classifier as (word → log-odds positive vs negative, prior log-odds, unseen-word log-odds)."""
    raw = _package_file("snownlp", "sentiment", "sentiment.marshal.3").read_bytes()
    # The installed package's own model file (gzip-compressed when written with snownlp's default).
    counts = marshal.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)  # noqa: S302
    pos, neg = counts["d"]["pos"], counts["d"]["neg"]
    # Bayes.classify: log P(class) + Σ log(count(word) / total), unseen words counting `none` (add-one).
    prior = math.log(pos["total"]) - math.log(neg["total"])
    unseen = math.log(pos["none"] / pos["total"]) - math.log(neg["none"] / neg["total"])
    log_odds = {}
    for word in pos["d"].keys() | neg["d"].keys():
        log_odds[word] = math.log(pos["d"].get(word, pos["none"]) / pos["total"]) - math.log(
            neg["d"].get(word, neg["none"]) / neg["total"]
        )
    return log_odds, prior, unseen


@cache
def _stopwords() -> frozenset[str]:
    text = _package_file("snownlp", "normal", "stopwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@cache
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    jieba.setLogLevel(60)
    tokenizer.initialize()
    for word in (*_CUES, *DEFAULT_TOPICS):
        tokenizer.add_word(word)
    return tokenizer


def sentiment(text: str) -> float:
    """P(positive) of one comment, 0..1."""
    log_odds, prior, unseen = _model()
    stop = _stopwords()
    total = prior
    for word in _tokenizer().lcut(text):
        if word.strip() and word not in stop:
            total += log_odds.get(word, unseen)
    for cue, weight in _CUES.items():
        if cue in text:
            total += weight
    if _NEGATED_POSITIVE.search(text):
        total -= 4.0
    total = max(-30.0, min(30.0, total))
    return 1.0 / (1.0 + math.exp(-total))


def topics_in(text: str, topics: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """The topic keywords a comment mentions, itself or through one of its synonyms."""
    return tuple(
        keyword for keyword, synonyms in topics.items() if keyword in text or any(s and s in text for s in synonyms)
    )


def score(texts: Iterable[str], topics: Mapping[str, Iterable[str]] = DEFAULT_TOPICS) -> list[Scored]:
    """Sentiment, label and topics of each text, in order."""
    out = []
    for text in texts:
        value = sentiment(text or "")
        out.append(Scored(round(value, 4), label_for(value), topics_in(text or "", topics)))
    return out
