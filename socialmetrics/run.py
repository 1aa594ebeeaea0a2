"""`make run`: services, migrations, demo data, then web + Celery worker + beat; Ctrl-C stops all.

Run as `python -m socialmetrics.run [--port 8000]`.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from socialmetrics import embedded

PYTHON = sys.executable


def _manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True, env=env)


def _start(name: str, argv: list[str], env: dict) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(argv)}", flush=True)
    # Own process group: Ctrl-C reaches only us, and we stop children in order.
    return subprocess.Popen(argv, env=env, start_new_session=True)


def _stop_on_signal(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    # Explicit handlers: a shell that starts us in the background ignores SIGINT, and
    # `kill` (SIGTERM) should stop everything as cleanly as Ctrl-C does.
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument("--sandbox-port", default=os.environ.get("SANDBOX_PORT", "8765"))
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = embedded.postgres_url()
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = embedded.redis_url()
    print(f"[run] PostgreSQL: {env['DATABASE_URL']}\n[run] Redis:      {env['REDIS_URL']}", flush=True)

    processes: list[tuple[str, subprocess.Popen]] = []
    try:
        from socialmetrics.run_sandbox import sandbox_environment

        sandbox_argv, sandbox_env = sandbox_environment(PYTHON, args.sandbox_port)
        env.update(sandbox_env)
        if sandbox_argv:
            processes.append(("sandbox", _start("platform sandbox", sandbox_argv, env)))
        _manage("migrate", "--no-input", env=env)
        _manage("seed_demo", "--days", env.get("SEED_DEMO_DAYS", "180"), env=env)
        processes += [
            # gunicorn, as in production: its request limits and JSON errors (gunicorn.conf.py) hold here too.
            ("web", _start("web", [PYTHON, "-m", "gunicorn", "socialmetrics.wsgi", "--bind", f"{args.host}:{args.port}",
                                    "--workers", "2", "--threads", "4"], env)),
            ("worker", _start("worker", [PYTHON, "-m", "celery", "-A", "socialmetrics", "worker",
                                          "--loglevel", "INFO", "--concurrency", "2"], env)),
            ("beat", _start("beat", [PYTHON, "-m", "celery", "-A", "socialmetrics", "beat",
                                      "--loglevel", "INFO"], env)),
        ]
        print(f"[run] open http://{args.host}:{args.port}/  (Ctrl-C stops everything)", flush=True)
        while all(p.poll() is None for _, p in processes):
            time.sleep(0.5)
        failed = [name for name, p in processes if p.poll() is not None]
        print(f"[run] {', '.join(failed)} exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n[run] stopping…", flush=True)
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"[run] {' '.join(exc.cmd)} failed with exit code {exc.returncode}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        for _, process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        embedded.stop_started()


if __name__ == "__main__":
    sys.exit(main())
