"""A file's rows → validated records, streamed in batches; every bad cell is reported.

Nothing is half-kept: `FileParse.batches()` yields batches only while the file is clean so far,
and raises `ImportFileError` at the end if any row was bad, so the caller's transaction (which
wrote the batches) rolls back whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from array import array
from collections.abc import Callable, Iterator
from itertools import chain, islice

import numpy as np

from accounts.calendar import PLATFORM_TZ
from comments.records import CommentRecord
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo

from .errors import MAX_PROBLEMS, ImportFileError, ImportProblem, file_problem
from .formats import HEADER_SEARCH_ROWS, Layout, Match, describe, find_header
from .reading import ImportLimits, LimitExceeded, UnreadableFile, read_rows
from .values import CellError, is_null

_SUMMARY_LABELS = {"合计", "总计", "汇总", "total", "合计:", "总计:"}
BATCH_ROWS = 10_000


def _shown(value) -> str:
    return "" if value is None else str(value)[:60]


def _post_external_id(layout: Layout, title: str, published_at: dt.datetime) -> str:
    # No id in the export: (title, publish minute) is the natural key. Minute precision so an
    # export with seconds and one without name the same post.
    local = published_at.astimezone(PLATFORM_TZ)
    digest = hashlib.sha256(f"{' '.join(title.split())}\n{local:%Y-%m-%d %H:%M}".encode()).hexdigest()[:24]
    return f"{layout.id_prefix}:{digest}"


def _comment_external_id(record: dict) -> str:
    # No comment id in the file: what the row says is the comment's identity.
    fields = (record["post"], record["author"], record["commented_at"].isoformat(), " ".join(record["text"].split()))
    return "csv:" + hashlib.sha256("\n".join(fields).encode()).hexdigest()[:32]


def _is_blank_or_summary(cells: list) -> bool:
    first = next((c for c in cells if not is_null(c)), None)
    return first is None or (isinstance(first, str) and first.strip().lower() in _SUMMARY_LABELS)


def _limit_problem(file_name: str, exc: UnreadableFile) -> ImportFileError:
    if isinstance(exc, LimitExceeded) and exc.row is not None:
        return ImportFileError(file_name, [ImportProblem(exc.row, exc.column, "", str(exc))])
    return file_problem(file_name, str(exc))


def file_parse(source, *, file_name: str, kind: str, as_of: dt.date, limits: ImportLimits | None = None) -> FileParse:
    """Open `source` (a seekable binary file or bytes) and find its header; the rows follow lazily."""
    try:
        rows = read_rows(source, limits)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
    except UnreadableFile as exc:
        raise _limit_problem(file_name, exc) from None
    match = find_header(head, kind)
    if match is None:
        raise file_problem(file_name, f"未找到可识别的表头（前 30 行内）。可接受的表头须包含 —— {describe(kind)}")
    return FileParse(match, chain(head, rows), file_name=file_name, as_of=as_of)


class FileParse:
    """One file being parsed: its layout (known once the header is found), then its batches."""

    def __init__(self, match: Match, rows: Iterator[tuple[int, list]], *, file_name: str, as_of: dt.date):
        self.match, self.layout = match, match.layout
        self.file_name, self.as_of = file_name, as_of
        self._rows = rows
        self.rows_read = 0  # spreadsheet rows read so far (preamble and header included)
        self.counts = ({"comments": 0} if self.layout.records == "comments"
                       else {"account_days": 0, "posts": 0, "post_days": 0, "campaign_days": 0})
        self.start: dt.date | None = None
        self.end: dt.date | None = None
        self._columns = [(index, c.parse, c.field, c.key, c.headers[0]) for c, index in match.positions.items()]
        self._net_check = self.layout.name == "wechat_users"

    def batches(self, *, batch_rows: int = BATCH_ROWS, progress: Callable[[int], None] | None = None) -> Iterator[Batch]:
        """Validated records, `batch_rows` at a time; raises `ImportFileError` after the last one
        if any row was bad (then nothing the caller wrote may be kept)."""
        match, layout = self.match, self.layout
        problems: list[ImportProblem] = []
        if layout.strict and match.unknown:
            problems += [ImportProblem(match.header_row, h, "", "未知的列（模板列名见下载的模板）") for h in match.unknown]
        # Natural keys as 64-bit hashes with their rows: duplicates are found at the end in a few
        # megabytes, where a dict of a million keys would take hundreds. (A false match between
        # two different keys is about as likely as 1 in 10^7 for a million rows.)
        key_hashes, key_rows = array("q"), array("q")
        batch, pending = Batch(), 0
        try:
            for number, cells in self._rows:
                self.rows_read = number
                if number % batch_rows == 0 and progress:
                    progress(number)
                if number <= match.header_row or _is_blank_or_summary(cells):
                    continue
                record, row_problems = self._parse_row(number, cells)
                if row_problems:
                    problems += row_problems
                    if len(problems) > MAX_PROBLEMS:
                        break
                    continue
                key = self._add(batch, record)
                key_hashes.append(hash(key))
                key_rows.append(number)
                pending += 1
                if pending >= batch_rows:
                    if not problems:  # after a problem, rows are only checked: nothing will be written
                        yield batch
                    batch, pending = Batch(), 0
        except UnreadableFile as exc:  # a limit reached, or a damaged part, while streaming
            problems.append(_limit_problem(self.file_name, exc).problems[0])
        problems = sorted(problems + self._duplicates(key_hashes, key_rows), key=lambda p: p.row or 0)
        if problems:
            raise ImportFileError(self.file_name, problems)
        if not key_rows:
            raise file_problem(self.file_name, f"表头（第 {match.header_row} 行）下没有数据行")
        if pending:
            yield batch

    def _add(self, batch: Batch, record: dict):
        """Append `record` to `batch` as its record type; returns its natural key."""
        records = self.layout.records
        if records == "comments":
            external_id = record.pop("external_id", "") or _comment_external_id(record)
            batch.comments.append(CommentRecord(external_id=external_id, **record))
            self.counts["comments"] += 1
            day = record["commented_at"].astimezone(PLATFORM_TZ).date()
            self.start = day if self.start is None or day < self.start else self.start
            self.end = day if self.end is None or day > self.end else self.end
            return external_id
        if records == "post_days":
            title, published_at = record.pop("title"), record.pop("published_at")
            external_id = record.pop("external_id", "") or _post_external_id(self.layout, title, published_at)
            info = PostInfo(external_id=external_id, kind=record.pop("kind", "")[:32], title=title,
                            published_at=published_at)
            batch.post_days.append(PostDay(post=info, date=self.as_of, **record))
            self.counts["posts"] += 1
            self.counts["post_days"] += 1
            self.start = self.end = self.as_of
            return external_id
        day = record["date"]
        self.start = day if self.start is None or day < self.start else self.start
        self.end = day if self.end is None or day > self.end else self.end
        if records == "account_days":
            batch.account_days.append(AccountDay(**record))
            self.counts["account_days"] += 1
            return day
        batch.campaign_days.append(CampaignDay(**record))
        self.counts["campaign_days"] += 1
        return day, record["campaign"]

    def _duplicates(self, key_hashes: array, key_rows: array) -> list[ImportProblem]:
        hashes = np.frombuffer(key_hashes, dtype=np.int64) if key_hashes else np.empty(0, np.int64)
        if len(hashes) < 2:
            return []
        order = np.argsort(hashes, kind="stable")  # rows ascend within one key
        ordered = hashes[order]
        repeated = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
        if not len(repeated):
            return []
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        first = starts[np.searchsorted(starts, repeated, side="right") - 1]
        rows = np.frombuffer(key_rows, dtype=np.int64)
        label = "、".join(c.headers[0] for c in self.layout.columns if c.key)
        return [
            ImportProblem(int(rows[order[i]]), "", "", f"与第 {int(rows[order[f]])} 行重复（{label}相同）")
            for i, f in zip(repeated[: MAX_PROBLEMS + 1], first[: MAX_PROBLEMS + 1], strict=True)
        ]

    def _parse_row(self, number: int, cells: list) -> tuple[dict, list[ImportProblem] | None]:
        record: dict = {}
        problems = None
        width = len(cells)
        for index, parse, field, key, header in self._columns:
            raw = cells[index] if index < width else None
            try:
                value = parse(raw)
            except CellError as exc:
                problems = problems or []
                problems.append(ImportProblem(number, header, _shown(raw), str(exc)))
                continue
            if key and (value is None or value == ""):
                problems = problems or []
                problems.append(ImportProblem(number, header, _shown(raw), "必填，不能为空"))
            if field:
                record[field] = value
        if not problems and self._net_check:
            problems = _check_wechat_net(self.match, number, cells, record) or None
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
