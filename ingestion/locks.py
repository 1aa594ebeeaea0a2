"""The per-account sync lock, owned by a run.

One sync per account at a time, across every worker on every machine. The lock's value names
the run holding it and its TTL is short, renewed by a thread while the run works: a process
killed mid-run (kill -9, the hard time limit, a lost machine) stops renewing, so its lock is
gone within a TTL; and the redelivered task of the same run takes the lock over at once. That
also makes the lock a heartbeat: a "running" run that holds no lock is dead (`lock_holders`).
"""

from __future__ import annotations

import contextlib
import threading

import redis
from django.conf import settings
from redis.exceptions import LockError

KEY = "sync-account:{account_id}"


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _token(run_id: int) -> bytes:
    return f"run:{run_id}".encode()


class RunLock:
    def __init__(self, *, account_id: int, run_id: int, ttl: float | None = None):
        self.ttl = ttl or settings.SYNC_LOCK_TTL
        self.redis = _redis()
        self.lock = self.redis.lock(
            KEY.format(account_id=account_id), timeout=self.ttl, blocking=False, thread_local=False
        )  # the renewing thread shares the token
        self.token = _token(run_id)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> bool:
        """Takes the lock, or takes it over from an earlier attempt of the same run; False if another run holds it."""
        if not self.lock.acquire(token=self.token):
            if self.redis.get(self.lock.name) != self.token:
                return False
            self.lock.local.token = self.token  # our own run's dead attempt: carry on with its lock
            try:
                self.lock.reacquire()
            except LockError:
                return False  # it expired just now; the next attempt takes it normally
        self._renewer = threading.Thread(target=self._renew, name=f"{self.lock.name}-renew", daemon=True)
        self._renewer.start()
        return True

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.lock.reacquire()
            except LockError:
                return  # lost (the TTL ran out while this process was stalled): nothing left to renew

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        with contextlib.suppress(LockError):  # expired or taken over: not ours any more
            self.lock.release()

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def lock_holders(account_ids: list[int]) -> dict[int, int | None]:
    """The run holding each account's lock (None: nobody), in one round trip."""
    if not account_ids:
        return {}
    values = _redis().mget([KEY.format(account_id=pk) for pk in account_ids])
    return {
        pk: int(value.removeprefix(b"run:")) if value and value.startswith(b"run:") else None
        for pk, value in zip(account_ids, values, strict=True)
    }
