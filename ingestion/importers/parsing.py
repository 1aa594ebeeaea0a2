"""A file's rows → validated records; every bad cell is reported, nothing is half-kept."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from comments.records import CommentRecord
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo

from .errors import MAX_PROBLEMS, ImportFileError, ImportProblem, file_problem
from .formats import Layout, Match, describe, find_header
from .reading import UnreadableFile, read_rows
from .values import CellError, is_null

_SUMMARY_LABELS = {"合计", "总计", "汇总", "total", "合计:", "总计:"}


@dataclass(frozen=True)
class Parsed:
    layout: Layout
    batch: Batch
    start: dt.date | None
    end: dt.date | None
    comments: tuple = ()  # CommentRecord, for layouts whose records are "comments"


def _shown(value) -> str:
    return "" if value is None else str(value)[:60]


def _post_external_id(layout: Layout, title: str, published_at: dt.datetime) -> str:
    # No id in the export: (title, publish minute) is the natural key. Minute precision so an
    # export with seconds and one without name the same post.
    local = published_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    digest = hashlib.sha256(f"{' '.join(title.split())}\n{local:%Y-%m-%d %H:%M}".encode()).hexdigest()[:24]
    return f"{layout.id_prefix}:{digest}"


def _is_summary(cells: list) -> bool:
    first = next((c for c in cells if not is_null(c)), None)
    return isinstance(first, str) and first.strip().lower() in _SUMMARY_LABELS


def parse_file(data: bytes, *, file_name: str, kind: str, as_of: dt.date) -> Parsed:
    try:
        rows = read_rows(data)
    except UnreadableFile as exc:
        raise file_problem(file_name, str(exc)) from None
    match = find_header(rows, kind)
    if match is None:
        raise file_problem(file_name, f"未找到可识别的表头（前 30 行内）。可接受的表头须包含 —— {describe(kind)}")
    layout = match.layout
    problems: list[ImportProblem] = []
    if layout.strict and match.unknown:
        problems += [ImportProblem(match.header_row, h, "", "未知的列（模板列名见下载的模板）") for h in match.unknown]

    records: list[dict] = []
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        if number <= match.header_row or all(is_null(c) for c in cells) or _is_summary(cells):
            continue
        record, row_problems = _parse_row(match, number, cells)
        problems += row_problems
        if not row_problems:
            key = _record_key(layout, record)
            if layout.records in ("post_days", "comments"):
                record["external_id"] = key[0]
            if key in seen:
                problems.append(ImportProblem(number, "", "", f"与第 {seen[key]} 行重复（{_key_label(layout)}相同）"))
            else:
                seen[key] = number
                records.append(record)
        if len(problems) > MAX_PROBLEMS:
            break
    if problems:
        raise ImportFileError(file_name, problems)
    if not records:
        raise file_problem(file_name, f"表头（第 {match.header_row} 行）下没有数据行")
    return _build(layout, records, as_of)


def _comment_external_id(record: dict) -> str:
    # No comment id in the file: what the row says is the comment's identity.
    fields = (record["post"], record["author"], record["commented_at"].isoformat(), " ".join(record["text"].split()))
    return "csv:" + hashlib.sha256("\n".join(fields).encode()).hexdigest()[:32]


def _record_key(layout: Layout, record: dict) -> tuple:
    if layout.records == "comments":
        return (record.get("external_id") or _comment_external_id(record),)
    if layout.records == "post_days":
        return (record.get("external_id") or _post_external_id(layout, record["title"], record["published_at"]),)
    return tuple(record[c.field] for c in layout.columns if c.key)


def _key_label(layout: Layout) -> str:
    return "、".join(c.headers[0] for c in layout.columns if c.key)


def _parse_row(match: Match, number: int, cells: list) -> tuple[dict, list[ImportProblem]]:
    record: dict = {}
    problems = []
    for column, index in match.positions.items():
        raw = cells[index] if index < len(cells) else None
        try:
            value = column.parse(raw)
        except CellError as exc:
            problems.append(ImportProblem(number, column.headers[0], _shown(raw), str(exc)))
            continue
        if column.key and value in (None, ""):
            problems.append(ImportProblem(number, column.headers[0], _shown(raw), "必填，不能为空"))
        if column.field:
            record[column.field] = value
    if not problems and match.layout.name == "wechat_users":
        problems += _check_wechat_net(match, number, cells, record)
    return record, problems


def _check_wechat_net(match: Match, number: int, cells: list, record: dict) -> list[ImportProblem]:
    # 净增 is not stored, but a mismatch means the columns are shifted or the file was edited.
    net_column = next((c for c in match.positions if c.headers[0] == "净增关注人数"), None)
    if net_column is None:
        return []
    raw = cells[match.positions[net_column]] if match.positions[net_column] < len(cells) else None
    net = net_column.parse(raw)
    gained, lost = record.get("followers_gained"), record.get("followers_lost")
    if None in (net, gained, lost) or net == gained - lost:
        return []
    return [ImportProblem(number, "净增关注人数", _shown(raw), f"应等于新关注人数 − 取消关注人数（{gained} − {lost}）")]


def _build(layout: Layout, records: list[dict], as_of: dt.date) -> Parsed:
    batch = Batch()
    if layout.records == "account_days":
        batch.account_days = [AccountDay(**r) for r in records]
        dates = [r["date"] for r in records]
    elif layout.records == "comments":
        comments = tuple(CommentRecord(**r) for r in records)
        dates = [r["commented_at"].astimezone(dt.timezone(dt.timedelta(hours=8))).date() for r in records]
        return Parsed(layout=layout, batch=batch, start=min(dates), end=max(dates), comments=comments)
    elif layout.records == "campaign_days":
        batch.campaign_days = [CampaignDay(**r) for r in records]
        dates = [r["date"] for r in records]
    else:
        for r in records:
            title, published_at = r.pop("title"), r.pop("published_at")
            info = PostInfo(
                external_id=r.pop("external_id"), kind=r.pop("kind", "")[:32], title=title, published_at=published_at
            )
            batch.post_days.append(PostDay(post=info, date=as_of, **r))
        dates = [as_of]
    return Parsed(layout=layout, batch=batch, start=min(dates), end=max(dates))
