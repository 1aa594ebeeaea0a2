"""Offline sentiment and topics (comments.scoring): accuracy on a labelled set, topics, no network."""

import subprocess
import sys

from comments import scoring

from .labelled import LABELLED, NEGATIVE, POSITIVE


def test_labelled_set_is_large_and_balanced():
    assert len(LABELLED) >= 100
    assert len(POSITIVE) >= 50 and len(NEGATIVE) >= 50
    assert len(set(POSITIVE) | set(NEGATIVE)) == len(LABELLED)


def test_labelled_set_scores_at_least_85_percent_right():
    wrong = [
        (text, expected, result.sentiment)
        for (text, expected), result in zip(LABELLED, scoring.score(t for t, _ in LABELLED), strict=True)
        if result.label != (scoring.POSITIVE if expected else scoring.NEGATIVE)
    ]
    accuracy = 1 - len(wrong) / len(LABELLED)
    assert accuracy >= 0.85, (accuracy, wrong)


def test_labels_follow_the_documented_thresholds():
    assert scoring.label_for(0.6) == scoring.POSITIVE
    assert scoring.label_for(0.5999) == scoring.NEUTRAL
    assert scoring.label_for(0.4001) == scoring.NEUTRAL
    assert scoring.label_for(0.4) == scoring.NEGATIVE
    assert 0.0 <= scoring.sentiment("") <= 1.0


def test_topics_are_found_through_keywords_and_synonyms():
    topics = {**scoring.DEFAULT_TOPICS, "直播间": ("主播",)}
    assert scoring.topics_in("快递三天才到，客服也不理人", topics) == ("物流", "客服")
    assert scoring.topics_in("主播讲得好，就是有点贵", topics) == ("价格", "直播间")
    assert scoring.topics_in("今天天气不错", topics) == ()


def test_scoring_runs_with_the_network_cut_off_and_downloads_nothing(tmp_path):
    # A fresh interpreter whose sockets all fail: the models must come from the installed wheels.
    script = f"""
import socket, sys, tempfile
tempfile.tempdir = {str(tmp_path)!r}
def refuse(*args, **kwargs):
    raise OSError("network is cut off in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from comments import scoring
(result,) = scoring.score(["物流太慢了，再也不买了"])
assert result.label == "negative" and result.topics == ("物流",), result
print("ok", result.sentiment)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")
    # jieba's only file is its dictionary cache, in the temp dir; nothing else was fetched or written.
    assert {p.name for p in tmp_path.iterdir()} <= {"jieba.cache"}


def test_topics_on_a_planted_corpus_come_out_most_frequent_first():
    # 30 comments about delivery, 20 about customer service, 10 about size, 40 about nothing in the list.
    corpus = (
        ["快递三天才到，太慢了", "发货很快，点赞", "物流信息一直不更新"] * 10
        + ["客服回复很及时", "售后态度太差"] * 10
        + ["尺码偏小，建议拍大一码"] * 10
        + ["今天也来打卡", "视频拍得真好看", "第一！", "博主好可爱"] * 10
    )
    counts: dict[str, int] = {}
    for result in scoring.score(corpus):
        for topic in result.topics:
            counts[topic] = counts.get(topic, 0) + 1
    ranked = sorted(counts, key=lambda t: -counts[t])
    assert ranked[:3] == ["物流", "客服", "尺码"]
    assert (counts["物流"], counts["客服"], counts["尺码"]) == (30, 20, 10)
