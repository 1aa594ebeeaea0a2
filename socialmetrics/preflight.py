"""What `make test` and `make run` need that pip cannot install: Debian's Chromium, CJK fonts, pdftotext.

`python -m socialmetrics.preflight test|run` runs before the tests or the app. It installs what is
missing with apt-get when it may (root, or passwordless sudo) and says in one line what and why;
where it may not (or `PREFLIGHT_INSTALL=never`), it stops before anything runs with the exact
command to type, so a missing browser is one message, never a page of failed tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str:
    """Debian's Chromium, which Playwright drives in the browser tests and which renders PDF reports."""
    return os.environ.get("CHROMIUM_PATH", DEFAULT_CHROMIUM)


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return "Noto Sans CJK" in listing


@dataclass(frozen=True)
class Need:
    package: str  # the Debian package that provides it
    why: str
    present: Callable[[], bool]


CHROMIUM = Need("chromium", "browser tests and PDF reports", lambda: os.access(chromium_path(), os.X_OK))
CJK_FONTS = Need("fonts-noto-cjk", "Chinese text in screenshots and PDFs", _has_cjk_font)
PDFTOTEXT = Need("poppler-utils", "tests read the PDF reports' text", lambda: shutil.which("pdftotext") is not None)

NEEDS = {"test": (CHROMIUM, CJK_FONTS, PDFTOTEXT), "run": (CHROMIUM, CJK_FONTS)}


def missing(purpose: str) -> list[Need]:
    return [need for need in NEEDS[purpose] if not need.present()]


def install_prefix() -> list[str] | None:
    """How this user may run apt-get: directly as root, through passwordless sudo, or not at all (None)."""
    if os.environ.get("PREFLIGHT_INSTALL") == "never":
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
        return ["sudo", "-n"]
    return None


def install_command(packages: list[str]) -> str:
    return f"sudo apt-get update && sudo apt-get install -y --no-install-recommends {' '.join(packages)}"


def _apt_get(prefix: list[str], packages: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in NEEDS:
        print(f"usage: python -m socialmetrics.preflight {{{'|'.join(NEEDS)}}}", file=sys.stderr)
        return 2
    needs = missing(argv[0])
    if not needs:
        return 0
    packages = [need.package for need in needs]
    reasons = "; ".join(f"{need.package}: {need.why}" for need in needs)
    prefix = install_prefix()
    if prefix is None and argv[0] == "run":  # the app runs without them; only PDF reports need Chromium
        print(f"preflight: missing Debian packages ({reasons}); PDF reports will fail until you run:\n"
              f"    {install_command(packages)}", file=sys.stderr)
        return 0
    if prefix is None:
        print(f"preflight: missing Debian packages ({reasons}). No test was run. Install them with:\n"
              f"    {install_command(packages)}", file=sys.stderr)
        return 2
    print(f"preflight: installing {' '.join(packages)} with apt-get ({reasons}); about 30 s", flush=True)
    try:
        _apt_get(prefix, packages)
    except subprocess.CalledProcessError as error:
        print(f"preflight: apt-get failed ({error}). Install them with:\n    {install_command(packages)}",
              file=sys.stderr)
        return 2
    still = missing(argv[0])
    if still:
        print(f"preflight: still missing after apt-get: {', '.join(n.package for n in still)} "
              f"(CHROMIUM_PATH is {chromium_path()})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
