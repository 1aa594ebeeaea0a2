"""Uploaded files kept in the database for the import worker: written and read 1 MiB at a time."""

from __future__ import annotations

import bisect
import io
import itertools

from django.db import transaction
from django.db.models.functions import Length

from ingestion.models import ImportUpload, IngestionRun

PIECE_BYTES = 1024 * 1024


def upload_store(*, run: IngestionRun, file) -> int:
    """Store `file` (a binary file object) as `run`'s upload; returns its size in bytes."""
    file.seek(0)
    size = 0
    with transaction.atomic():
        for position, piece in enumerate(iter(lambda: file.read(PIECE_BYTES), b"")):
            ImportUpload.objects.create(run=run, position=position, content=piece)
            size += len(piece)
    return size


def upload_remove(*, run: IngestionRun) -> None:
    ImportUpload.objects.filter(run=run).delete()


class UploadReader(io.RawIOBase):
    """A stored upload as a seekable binary file that fetches one piece at a time (zipfile seeks)."""

    def __init__(self, run: IngestionRun):
        self._run_id = run.pk
        sizes = ImportUpload.objects.filter(run=run).order_by("position").values_list(Length("content"), flat=True)
        self._starts = [0, *itertools.accumulate(sizes)]  # each piece's first byte; the last entry is the size
        self._size = self._starts[-1]
        self._position = 0
        self._piece: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        index = bisect.bisect_right(self._starts, self._position) - 1
        offset = self._position - self._starts[index]
        if self._piece is None or self._piece[0] != index:
            content = ImportUpload.objects.values_list("content", flat=True).get(run_id=self._run_id, position=index)
            self._piece = (index, bytes(content))
        data = self._piece[1][offset : offset + len(buffer)]
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


def upload_open(*, run: IngestionRun) -> io.BufferedReader:
    return io.BufferedReader(UploadReader(run), buffer_size=256 * 1024)
