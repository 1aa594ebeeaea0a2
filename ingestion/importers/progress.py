"""Rows read so far, visible to everyone while the import's own transaction is still open."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from django.db import connection

from ingestion.models import IngestionRun, RunStatus


class RunProgress:
    """Records a parsing run's `rows_read` at most every `every` seconds.

    The import writes in one transaction that nobody sees until it commits, so the progress goes
    through a thread of its own (Django gives each thread its own database connection) and is
    committed at once. `echo` (e.g. the CLI's stderr line) gets the same numbers.
    """

    def __init__(self, run_id: int, *, every: float = 1.0, echo: Callable[[int], None] | None = None):
        self.run_id, self.every, self.echo = run_id, every, echo
        self._last = time.monotonic()
        self._queue: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._write, name=f"import-progress-{run_id}", daemon=True)
        self._thread.start()

    def update(self, rows_read: int) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        self._queue.put(rows_read)
        if self.echo:
            self.echo(rows_read)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _write(self) -> None:
        try:
            while (rows := self._queue.get()) is not None:
                IngestionRun.objects.filter(pk=self.run_id, status=RunStatus.PARSING).update(rows_read=rows)
        finally:
            connection.close()  # this thread's connection
