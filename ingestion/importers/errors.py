"""What a rejected file reports: every problem with its spreadsheet row, column and value."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class ImportProblem:
    """One bad cell (or a whole-file problem when `row` is None).

    `row` is the row number the user sees in the spreadsheet: 1-based, counting the
    preamble and header rows.
    """

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row is not None else "文件"
        if self.column:
            where += f"「{self.column}」列"
        shown = f" 值 {self.value!r}" if self.value != "" else ""
        return f"{where}{shown}：{self.message}"


class ImportFileError(Exception):
    """The file was rejected; nothing was written. `run_id` is the FAILED IngestionRun, once recorded."""

    def __init__(self, file_name: str, problems: list[ImportProblem], *, truncated: bool = False):
        self.file_name = file_name
        self.problems = problems[:MAX_PROBLEMS]
        self.truncated = truncated or len(problems) > MAX_PROBLEMS
        self.run_id: int | None = None
        super().__init__(self._message())

    def _message(self) -> str:
        more = f"，仅列出前 {MAX_PROBLEMS} 个" if self.truncated else ""
        lines = [f"文件 {self.file_name!r} 未导入（{len(self.problems)} 个问题{more}）："]
        lines += [f"- {p}" for p in self.problems]
        return "\n".join(lines)


def file_problem(file_name: str, message: str) -> ImportFileError:
    return ImportFileError(file_name, [ImportProblem(row=None, column="", value="", message=message)])
